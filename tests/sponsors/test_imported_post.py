"""An imported sponsored post is rendered from its listing rows by the compiler's renderer.

The importers (digest) hand over rows only; sponsors makes the listings and writes the post's
text from them, so an imported week reads exactly like the same week compiled, and an editor's
later decision on an imported listing shows once the post is imported or compiled again.
"""

import io
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from digest.importers.wxr import listings_of
from digest.models import Post
from sponsors.compiling import compile_week
from sponsors.models import Listing, week_of
from tests.helpers import text

FIXTURE = Path(__file__).parents[1] / "digest" / "fixtures" / "archive-sponsored-empty-section.txt"
SECTIONS = ["Who's Hiring?", "Fun and Informative Events", "Cool Products and Services"]


def import_fixture(path=FIXTURE):
    call_command("import_archive", str(path), "--date", "2016-03-11", stdout=io.StringIO())
    return Post.objects.get(kind=Post.Kind.SPONSORED)


def test_the_imported_post_shows_its_sections_in_order_with_every_listing(client, db):
    post = import_fixture()

    page = text(client.get(post.get_absolute_url()))
    assert sorted(SECTIONS, key=page.index) == SECTIONS
    swrve, scalyr = Listing.objects.order_by("pk")
    assert page.index("Swrve -- In November") < page.index("Turn chaotic logs")
    assert (swrve.section, scalyr.section) == (Listing.Section.HIRING, Listing.Section.PRODUCT)
    # The empty section invites sponsors as a compiled post does.
    about = reverse("sponsors:about")
    assert f'<a href="{about}" rel="noopener noreferrer">Your event could be here.' in page


def test_an_imported_week_reads_like_the_same_week_compiled(db, editor):
    imported = import_fixture()

    compiled, created = compile_week(
        week_of(timezone.localtime(imported.publish_at).date()), author=editor, publish=False
    )

    assert created and compiled.pk != imported.pk
    assert compiled.excerpt_html == imported.excerpt_html


def test_importing_again_after_an_editor_rejected_a_listing_keeps_the_decision(
    db, editor, tmp_path
):
    import_fixture()
    scalyr = Listing.objects.get(text__startswith="Turn chaotic logs")
    scalyr.reject(by=editor, note="Not running any more.")
    edited = tmp_path / "edited.txt"
    edited.write_text(FIXTURE.read_text().replace("Swrve -- In", "Swrve — In"))

    post = import_fixture(edited)

    scalyr.refresh_from_db()
    assert scalyr.status == Listing.Status.REJECTED
    assert "Swrve — In" in post.excerpt_html
    assert "Turn chaotic logs" not in post.excerpt_html


def test_a_wxr_record_written_before_as_markdown_still_gives_its_listings(db):
    intro, listings = listings_of(
        "Our sponsors this week.\n\n### Who's Hiring?\n\n- **Swrve** hires SREs.\n\n"
        "### Fun and Informative Events\n\n- Your event could be here. How cool is that?\n\n"
        "If any of these items interest you there's a full description of each sponsor below..."
    )

    assert intro == "Our sponsors this week."
    assert listings == [(Listing.Section.HIRING, "**Swrve** hires SREs.")]
