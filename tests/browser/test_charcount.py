"""The listing's text box in Chromium (static/js/charcount.js): what is pasted stays whole, and
the counter counts as the server does, a line break once. No server is needed: the page is
the form's own field with the script."""

from pathlib import Path

import pytest
from django.conf import settings

from sponsors.forms import ListingForm

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "charcount.js"


@pytest.fixture
def box(page):
    # The browser folder's `page` (its one Chromium for the session): a second Playwright in
    # the same process cannot start while that one runs.
    page.set_content(f"<form>{ListingForm()['text']}</form>")
    page.add_script_tag(path=str(SCRIPT))
    return page.locator("textarea")


def paste(box, value):
    box.fill("")
    box.focus()
    box.page.keyboard.insert_text(value)


def counter(box):
    return box.page.locator(".char-count").inner_text()


def test_pasting_801_characters_keeps_them_all_and_says_one_too_many(box):
    paste(box, "q" * 801)

    assert box.evaluate("el => el.value.length") == 801
    assert counter(box) == "1 character too many (the limit is 800)"


def test_the_counter_counts_a_line_break_once_as_the_server_does(box):
    paste(box, "\n".join(["q" * 160] * 4 + ["q" * 156]))

    assert counter(box) == "800 of 800 characters"
    paste(box, "\r\n".join(["q" * 160] * 4 + ["q" * 157]))
    assert counter(box) == "1 character too many (the limit is 800)"
