"""An exported sponsored post read back: every empty section's placeholder, ours and the old
site's, is known as no listing (the sponsors app registers them with the importers)."""

import pytest

from digest.importers.sections import is_placeholder, section_key
from sponsors.models import Listing

OLD_SITE = "Your event could be here."


@pytest.mark.parametrize("text", [*Listing.EMPTY_SECTION_TEXT.values(), OLD_SITE])
def test_every_placeholder_is_no_listing(text):
    assert is_placeholder(text)


def test_a_listing_is_not_a_placeholder_and_sections_are_known_by_title():
    assert not is_placeholder("Your product could be faster with Queuemaster.")
    assert section_key("Who's Hiring?:") == Listing.Section.HIRING
