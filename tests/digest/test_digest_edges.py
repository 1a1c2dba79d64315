"""Edges of the digest found in review: each test pins one behaviour that once went wrong."""

import pytest
from django.urls import reverse

from digest.models import Post, Quote, StaleEdit
from digest.parsing import parse_quotes, parse_stats, speaker_key
from tests.digest.factories import PostFactory, digest_with_parts
from tests.digest.helpers import form_fields, submit


def test_the_revisions_page_of_a_post_never_saved_in_the_admin_is_a_page(client, editor):
    post = PostFactory()
    client.force_login(editor)
    response = client.get(reverse("admin:digest_post_revisions", args=[post.pk]))
    assert response.status_code == 200
    assert "No revisions yet" in response.content.decode()


def test_choosing_digest_on_the_plain_add_form_saves_and_then_shows_the_inlines(client, editor):
    client.force_login(editor)
    response = submit(
        client,
        reverse("admin:digest_post_add"),
        title="A digest from the plain form",
        slug="a-digest-from-the-plain-form",
        kind="digest",
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    post = Post.objects.get()
    page = client.get(reverse("admin:digest_post_change", args=[post.pk]))
    assert [f.opts.model.__name__ for f in page.context["inline_admin_formsets"]] == [
        "Stat",
        "Quote",
        "Item",
    ]


def test_saving_an_older_copy_of_a_post_keeps_its_rendered_digest(db):
    post = PostFactory(digest=True)
    older = Post.objects.get(pk=post.pk)
    Quote.objects.create(post=post, speaker="@antirez", text="Keep it simple.")
    post.refresh_parts()
    older.title = "Edited title"
    with pytest.raises(StaleEdit):
        older.save()  # this copy never saw the quote's rendering
    post.title = "Edited title"
    post.save()  # a save that renders no parts leaves their rendering as it is
    post.refresh_from_db()
    assert "Keep it simple." in post.parts_full_html
    assert post.title == "Edited title"


def test_saving_an_older_copy_does_not_bring_back_a_revoked_preview_link(db):
    post = PostFactory(draft=True)
    stale = Post.objects.get(pk=post.pk)
    post.make_preview_token()
    stale_token = post.preview_token
    post.revoke_preview_token()
    stale.preview_token = stale_token
    stale.save()
    assert Post.objects.get(pk=post.pk).preview_token is None


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b"])
def test_every_kind_of_line_break_separates_pasted_lines(separator):
    quotes = parse_quotes(f"@a : one{separator}@b : two")
    assert [q.speaker for q in quotes.entries] == ["@a", "@b"]
    stats = parse_stats(f"200K : msgs;{separator}750 million : xactions;")
    assert [s.figure for s in stats.entries] == ["200K", "750 million"]


def test_invisible_direction_marks_do_not_end_up_in_a_speaker():
    parsed = parse_quotes("\u200e@antirez\u202c : text")
    assert parsed.entries[0].speaker == "@antirez"


def test_a_speaker_key_always_fits_its_column():
    assert len(speaker_key("ß" * 80)) <= 120


def test_a_long_folded_speaker_saves(db):
    post = PostFactory(digest=True)
    quote = Quote.objects.create(post=post, speaker="ß" * 80, text="Fits.")
    assert len(quote.speaker_key) <= 120


def test_restoring_keeps_the_address_and_the_visibility(client, editor):
    client.force_login(editor)
    post = digest_with_parts(title="Original", quotes=[("@a", "one", True)])
    data = form_fields(client.get(reverse("admin:digest_post_change", args=[post.pk])))
    client.post(reverse("admin:digest_post_change", args=[post.pk]), {**data, "title": "First"})
    first = post.revisions.get()
    post.refresh_from_db()
    data = form_fields(client.get(reverse("admin:digest_post_change", args=[post.pk])))
    client.post(
        reverse("admin:digest_post_change", args=[post.pk]),
        {**data, "title": "Second", "slug": "a-new-address"},
    )
    post.refresh_from_db()
    address = post.get_absolute_url()

    client.post(reverse("admin:digest_post_restore", args=[post.pk, first.pk]))

    post.refresh_from_db()
    assert post.title == "First"
    assert post.get_absolute_url() == address
    assert post.is_published
    client.logout()
    assert client.get(address).status_code == 200


def test_the_more_quotes_line_shows_when_no_quote_is_on_the_index(client, db):
    post = digest_with_parts(quotes=[("@a", "hidden one", False), ("@b", "hidden two", False)])
    page = client.get(reverse("digest:post-index")).content.decode()
    assert "There are more Quotable Quotes in the full article." in page
    assert "hidden one" not in page
    assert "hidden one" in client.get(post.get_absolute_url()).content.decode()


def test_links_inside_feed_content_are_absolute(client, db, settings):
    digest_with_parts(quotes=[("@antirez", "Simple.", True)])
    feed = client.get(reverse("digest:feed-rss")).content.decode()
    assert f'href="{settings.SITE_URL}/quotes/antirez/"' in feed
    assert 'href="/quotes/' not in feed


def test_a_preview_sends_no_referrer(client, editor):
    post = PostFactory(draft=True)
    client.force_login(editor)
    response = client.get(post.get_absolute_url())
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"].count("private") == 1
