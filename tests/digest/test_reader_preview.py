"""The composer's reader preview: the unsaved form as the index (cut at each list's fold) and
the post's page would show it, rendered by the readers' own templates, writing nothing."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digest.models import Item, Post, Quote, Revision
from tests.digest.factories import PostFactory, digest_with_parts
from tests.digest.helpers import change_url, form_fields, new_digest_url

pytestmark = pytest.mark.django_db


def preview_url(post=None):
    if post is None:
        return reverse("admin:digest_post_reader_preview")
    return reverse("admin:digest_post_reader_preview", args=[post.pk])


def texts(html, css_class):
    """The text of each <li class="css_class"> (tags dropped), in order."""
    found = re.findall(rf'<li class="{css_class}"[^>]*>(.*?)</li>', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", chunk).strip() for chunk in found]


def read_more(html):
    match = re.search(r'<p class="read-more"><a href="([^"]+)">', html)
    return match and match.group(1)


def test_the_preview_shows_the_typed_form_cut_at_its_folds_and_writes_nothing(client, editor):
    post = digest_with_parts(
        stats=[("2M", "messages a second"), ("9", "nines")],
        quotes=[("@a", "First.", True), ("@b", "Second.", True)],
        items=[("Item one.", True), ("Item two.", True), ("Item three.", True)],
        title="As saved",
        draft=True,
    )
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    version, queries_before = post.version, Revision.objects.count()
    typed = {
        **fields,
        "title": "As typed",
        "excerpt": "An *intro* typed now.",
        "quotes-1-text": "Second, edited.",
        # The third item dragged first, and the items' fold moved up to one: the others are
        # not on the index.
        "items-0-on_index": "",
        "items-1-on_index": "",
        "items-2-position": "0",
        "items-0-position": "1",
        "items-1-position": "2",
    }
    answer = client.post(preview_url(post), typed).json()

    index, page = answer["index"], answer["page"]
    assert answer["problems"] == []
    assert "As typed" in index and "<em>intro</em>" in index
    assert texts(index, "item") == ["Item three."]
    assert texts(page, "item") == ["Item three.", "Item one.", "Item two."]
    assert [q.split("\n")[0] for q in texts(index, "quote")][1].endswith("Second, edited.")
    first_hidden = post.items.get(text="Item one.").anchor
    assert read_more(index) == f"{post.get_absolute_url()}#item-{first_hidden}"
    assert f'id="item-{first_hidden}"' in page
    assert '<h1 class="entry-title">As typed</h1>' in page

    post.refresh_from_db()
    assert (post.title, post.version) == ("As saved", version)
    assert post.quotes.get(text__startswith="Second").text == "Second."
    assert list(post.items.values_list("on_index", flat=True)) == [True, True, True]
    assert Revision.objects.count() == queries_before


def test_a_new_digest_is_previewed_with_what_its_paste_boxes_hold_and_nothing_is_created(
    client, editor
):
    client.force_login(editor)
    fields = form_fields(client.get(new_digest_url()))
    posts, parts = Post.objects.count(), Quote.objects.count() + Item.objects.count()
    typed = {
        **fields,
        "paste_stats": "5 billion : requests a day",
        "paste_quotes": "@antirez: Simplicity is a feature.\nNo speaker here, just words.",
        "paste_items": "- [A story](https://example.com/a) about queues.",
    }
    answer = client.post(preview_url(), typed).json()
    assert answer["problems"] == []
    assert fields["title"] in answer["index"]
    assert "requests a day" in answer["index"]
    assert texts(answer["page"], "quote")[0].startswith("@antirez")
    assert "No speaker here, just words." in answer["page"]
    assert '<a href="https://example.com/a"' in answer["page"]
    assert (Post.objects.count(), Quote.objects.count() + Item.objects.count()) == (posts, parts)


def test_a_row_with_an_error_is_named_and_the_rest_is_shown(client, editor):
    post = digest_with_parts(
        quotes=[("@a", "Kept quote.", True)], items=[("An item.", True)], draft=True
    )
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    answer = client.post(
        preview_url(post),
        {**fields, "title": "", "quotes-0-source_url": "not a link", "items-0-text": "Edited."},
    ).json()
    problems = " · ".join(answer["problems"])
    assert "Title: This field is required. (shown as it was)" in problems
    assert "Quote 1: Enter a valid URL. (shown as it was)" in problems
    assert "Kept quote." in answer["page"]
    assert texts(answer["page"], "item") == ["Edited."]
    assert post.title in answer["page"]


def test_a_stat_below_its_fold_makes_read_more_land_on_it(client, editor):
    post = digest_with_parts(stats=[("2M", "messages"), ("9", "nines")], draft=True)
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    answer = client.post(preview_url(post), {**fields, "stats-1-on_index": ""}).json()
    hidden = post.stats.get(figure="9").anchor
    assert read_more(answer["index"]).endswith(f"#stat-{hidden}")
    assert "nines" not in answer["index"] and "nines" in answer["page"]


def test_an_article_shows_its_excerpt_on_the_index_and_its_body_on_its_page(client, editor):
    post = PostFactory(draft=True, excerpt="The teaser.", body="The whole story.")
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    answer = client.post(preview_url(post), {**fields, "tags": "kafka, queues"}).json()
    assert "The teaser." in answer["index"] and "The whole story." not in answer["index"]
    assert read_more(answer["index"]).endswith("#more")
    assert "The whole story." in answer["page"]
    assert '<a rel="tag" href="/tags/kafka/">kafka</a>' in answer["page"]


def test_the_preview_checks_who_asks_how_and_how_much(client, editor, author):
    post = PostFactory(draft=True, title="Someone's")
    fields = {"loaded_version": str(post.version), "title": "x"}
    assert client.post(preview_url(post), fields).status_code == 302  # to the login page
    client.force_login(author)
    assert client.post(preview_url(post), fields).status_code == 404  # not their post
    client.force_login(editor)
    assert client.get(preview_url(post)).status_code == 405
    assert client.post(preview_url(post), {**fields, "body": "x" * 600_000}).status_code == 413
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(editor)
    assert guarded.post(preview_url(post), fields).status_code == 403  # no CSRF token


def test_the_preview_reads_no_more_rows_for_a_longer_digest(client, editor):
    def queries_for(count):
        post = digest_with_parts(
            quotes=[(f"@s{n}", f"Quote {n}.", True) for n in range(count)],
            items=[(f"Item {n}.", n < 2) for n in range(count)],
            draft=True,
        )
        fields = form_fields(client.get(change_url(post)))
        with CaptureQueriesContext(connection) as captured:
            answer = client.post(preview_url(post), fields).json()
        assert len(texts(answer["page"], "item")) == count
        return len(captured)

    client.force_login(editor)
    assert queries_for(3) == queries_for(30)


# Found in review ---------------------------------------------------------------------------


def test_a_part_added_with_add_another_is_previewed_after_the_others(client, editor):
    """A row added with "Add another" has no position yet (adminsortable2 gives it one on
    save, after the others); the preview put it in order by None."""
    post = digest_with_parts(
        quotes=[("@a", "First.", True)], items=[("Item one.", True)], draft=True
    )
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    added = {
        "items-TOTAL_FORMS": "2",
        "items-1-text": "Item added.",
        "items-1-on_index": "on",
        "items-1-position": "",
        "items-1-id": "",
        "items-1-post": str(post.pk),
    }
    response = client.post(preview_url(post), {**fields, **added, "paste_items": "Pasted."})
    assert response.status_code == 200
    assert texts(response.json()["page"], "item") == ["Item one.", "Item added.", "Pasted."]


def test_a_new_digest_is_previewed_with_the_rows_typed_into_its_lists(client, editor):
    """The add page of a digest (?kind=digest) has the part lists; its preview must read them."""
    client.force_login(editor)
    page = client.get(new_digest_url())
    url = re.search(r'data-reader-preview-url="([^"]+)"', page.content.decode()).group(1)
    fields = form_fields(page)
    typed = {
        **fields,
        "quotes-TOTAL_FORMS": "1",
        "quotes-0-speaker": "@typed",
        "quotes-0-text": "Typed into the row.",
        "quotes-0-on_index": "on",
        "quotes-0-position": "",
    }
    answer = client.post(url.replace("&amp;", "&"), typed).json()
    assert "Typed into the row." in answer["page"]
    assert Quote.objects.count() == 0


def test_a_preview_stores_no_uploaded_picture(client, editor, monkeypatch):
    """The composer leaves files out of a preview; a request that sends one must not make
    the server check, re-encode and write it (the preview shows the lead image as saved)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    post = PostFactory(draft=True)
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    output = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(output, "PNG")
    storage = Post._meta.get_field("lead_image").storage
    stored = []
    real_save = storage.save
    monkeypatch.setattr(
        storage, "save", lambda name, *a, **k: stored.append(name) or real_save(name, *a, **k)
    )
    picture = SimpleUploadedFile("lead.png", output.getvalue(), "image/png")
    answer = client.post(preview_url(post), {**fields, "lead_image": picture})
    assert answer.status_code == 200
    assert stored == []
    assert "lead-image" not in answer.json()["page"]


def test_a_preview_changes_no_tags(client, editor):
    post = PostFactory(draft=True, tags=["queues"])
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    answer = client.post(preview_url(post), {**fields, "tags": "kafka, streams"}).json()
    assert "streams" in answer["page"]
    post.refresh_from_db()
    assert sorted(post.tags.names()) == ["queues"]


def test_a_preview_of_a_stale_form_says_so(client, editor):
    """The form's own check (someone else saved the post after it was opened) is not a
    field's: the preview named field errors only, and said nothing."""
    post = PostFactory(draft=True, title="Opened")
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    post.title = "Saved by someone else"
    post.save()
    answer = client.post(preview_url(post), {**fields, "excerpt": "Mine."}).json()
    assert "Mine." in answer["page"]
    assert any("Someone else saved this post" in problem for problem in answer["problems"])


def test_a_part_pasted_while_the_last_is_deleted_gets_the_anchor_the_save_gives_it(client, editor):
    post = digest_with_parts(quotes=[("@a", "One.", True), ("@b", "Two.", False)], draft=True)
    client.force_login(editor)
    fields = form_fields(client.get(change_url(post)))
    typed = {**fields, "quotes-1-DELETE": "on", "paste_quotes": "@c : Pasted."}
    page = client.post(preview_url(post), typed).json()["page"]
    client.post(change_url(post), {**typed, "_continue": "1"})
    pasted = post.quotes.get(text="Pasted.").anchor
    assert pasted == 3
    assert re.findall(r'id="quote-(\d+)"', page) == ["1", str(pasted)]
