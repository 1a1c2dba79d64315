"""The composer on the server side: Publish / Schedule / Submit for review buttons through the
lifecycle verbs, a stale save shown field by field and merged, revisions compared in the
form's words, the Markdown preview endpoint, and the "New digest" heading.

Every POST is built as a browser builds it (tests.digest.helpers: the page's own form)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from digest.models import Post, Revision
from tests.accounts.factories import staff
from tests.digest.factories import PostFactory, digest_with_parts
from tests.digest.helpers import change_url, form_fields, new_digest_url, submit
from tests.newsletter.conftest import run_jobs


def schedule_fields(moment):
    local = timezone.localtime(moment)
    return {"publish_at_0": local.strftime("%Y-%m-%d"), "publish_at_1": local.strftime("%H:%M:%S")}


# Headings and pickers ------------------------------------------------------------------------


def test_the_add_page_of_a_digest_says_new_digest_and_the_author_picker_is_plain(client, editor):
    client.force_login(editor)
    page = client.get(new_digest_url()).content.decode()
    assert "<h1>New digest</h1>" in page
    assert "Add post" not in page
    assert 'id="add_id_author"' not in page and 'id="change_id_author"' not in page
    assert "<h1>New post</h1>" in client.get(reverse("admin:digest_post_add")).content.decode()


# Lifecycle buttons ---------------------------------------------------------------------------


def test_publish_now_publishes_through_the_verb_and_stays_on_the_form(client, editor):
    post = digest_with_parts(quotes=[("@a", "One.", True)], draft=True)
    client.force_login(editor)
    response = submit(client, change_url(post), title="Now live", _publish="Publish now")
    assert response.status_code == 302
    assert response["Location"] == change_url(post)
    post.refresh_from_db()
    assert post.is_published and post.title == "Now live"
    assert post.revisions.first().note == "Published"
    assert "is published: readers see it now" in client.get(change_url(post)).content.decode()


def test_schedule_uses_the_publish_time_and_a_past_time_is_refused_but_saved(client, editor):
    post = PostFactory(draft=True, title="Later")
    client.force_login(editor)
    later = timezone.now() + timedelta(days=2)
    submit(client, change_url(post), _schedule="Schedule", **schedule_fields(later))
    post.refresh_from_db()
    assert post.is_scheduled
    assert post.revisions.first().note == "Scheduled"

    draft = PostFactory(draft=True, title="Yesterday")
    past = timezone.now() - timedelta(days=1)
    submit(
        client, change_url(draft), _schedule="Schedule", excerpt="Edited", **schedule_fields(past)
    )
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT and draft.excerpt == "Edited"
    page = client.get(change_url(draft)).content.decode()
    assert "only be scheduled for a time still to come" in page


def test_unpublish_takes_a_live_post_back_to_draft(client, editor):
    post = PostFactory(title="Live")
    client.force_login(editor)
    submit(client, change_url(post), _unpublish="Unpublish")
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_an_author_submits_for_review_and_the_editors_are_emailed(client, author, editor):
    editor.email = "editor@example.org"
    editor.save()
    client.force_login(author)
    page = client.get(new_digest_url()).content.decode()
    assert 'name="_publish"' not in page and 'name="_submit_review"' in page
    assert 'name="status"' not in page  # authors cannot set a post live

    response = submit(client, new_digest_url(), title="My draft", _submit_review="Submit")
    assert response.status_code == 302
    post = Post.objects.get(title="My draft")
    assert post.status == Post.Status.PENDING
    assert post.revisions.first().note == "Submitted for review"
    assert run_jobs() == 1
    assert [m.to for m in mail.outbox] == [["editor@example.org"]]
    assert "My draft" in mail.outbox[0].subject
    assert change_url(post) in mail.outbox[0].body
    # Waiting: the author may still edit it, and can neither publish nor submit it again.
    page = client.get(change_url(post)).content.decode()
    assert "Waiting for an editor’s review." in page
    assert 'name="_submit_review"' not in page and 'name="_publish"' not in page

    client.force_login(editor)
    page = client.get(change_url(post)).content.decode()
    assert "submitted this post for review" in page
    assert 'name="_send_back"' in page and 'name="_publish"' in page
    changelist = reverse("admin:digest_post_changelist")
    listed = client.get(changelist, {"visibility": "pending"}).content.decode()
    assert "My draft" in listed and "Pending review" in listed
    assert "My draft" not in client.get(changelist, {"visibility": "draft"}).content.decode()


def test_an_editor_sends_a_post_back_to_draft_with_a_note_and_the_author_is_told(
    client, author, editor
):
    author.email = "author@example.org"
    author.save()
    post = PostFactory(pending=True, author=author, title="Needs work")
    client.force_login(editor)
    response = submit(
        client,
        change_url(post),
        _send_back="Send back to draft",
        review_note="  Cut the intro   in half. ",
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert post.revisions.first().note == "Sent back to draft: Cut the intro in half."
    assert run_jobs() == 1
    assert [m.to for m in mail.outbox] == [["author@example.org"]]
    assert "Cut the intro in half." in mail.outbox[0].body

    client.force_login(author)
    page = client.get(change_url(post)).content.decode()
    assert "sent this post back to draft" in page and "Cut the intro in half." in page
    assert 'name="_submit_review"' in page


def test_an_editor_publishes_a_post_pending_review(client, author, editor):
    post = PostFactory(pending=True, author=author, title="Ready")
    client.force_login(editor)
    submit(client, change_url(post), _publish="Publish now")
    post.refresh_from_db()
    assert post.is_published


def test_an_author_pressing_publish_by_hand_is_refused_and_the_post_stays_a_draft(client, author):
    post = PostFactory(draft=True, author=author)
    client.force_login(author)
    submit(client, change_url(post), _publish="Publish now", status="published")
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    submit(client, change_url(post), _submit_review="Submit")
    submit(client, change_url(post), _send_back="Send back", _publish="Publish now")
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_a_digest_title_naming_another_day_is_pointed_out_on_save(client, editor):
    client.force_login(editor)
    fields = form_fields(client.get(new_digest_url()))
    moved = timezone.now() + timedelta(days=10)
    response = client.post(new_digest_url(), {**fields, **schedule_fields(moved)}, follow=True)
    page = response.content.decode()
    assert "The title names another day than the publish time" in page


# Stale saves ---------------------------------------------------------------------------------


def test_a_stale_save_names_who_saved_and_lists_each_field_then_merges(client, editor):
    post = digest_with_parts(quotes=[("@a", "One.", True)], title="Original", draft=True)
    url = change_url(post)
    client.force_login(editor)
    submit(client, url)  # a revision of the version both open: who changed what is known
    opened = form_fields(client.get(url))
    other = staff(Role.EDITORS)
    other.display_name = "Bea Other"
    other.save()
    client.force_login(other)
    submit(client, url, title="Their title", excerpt="Their intro")

    client.force_login(editor)
    response = client.post(url, {**opened, "title": "My title", "body": "My body"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this post (Bea Other) at" in page
    rows = dict(re.findall(r'<tr id="conflict-(\w+)">\s*<th scope="row">([^<]+)</th>', page))
    assert rows == {"title": "Title", "excerpt": "Intro", "body": "Body"}
    # Defaults: mine where I changed it, theirs where only they did.
    assert re.search(r'name="merge_title" value="mine" checked', page)
    assert re.search(r'name="merge_excerpt" value="theirs" checked', page)
    post.refresh_from_db()
    assert post.title == "Their title"

    again = form_fields(response)
    assert again["merge_version"] == str(post.version)
    response = client.post(url, {**again, "merge_title": "theirs"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.excerpt, post.body) == ("Their title", "Their intro", "My body")


# Revisions -----------------------------------------------------------------------------------


def test_revision_summaries_use_labels_and_say_which_part_changed(client, editor):
    post = digest_with_parts(
        quotes=[("@a", "One.", True), ("@b", "Two.", True), ("@c", "Three.", True)], draft=True
    )
    client.force_login(editor)
    submit(client, change_url(post), title="First")
    later = timezone.now() + timedelta(days=3)
    submit(
        client,
        change_url(post),
        **{"quotes-1-text": "Two, edited.", "quotes-2-on_index": ""},
        **schedule_fields(later),
    )
    page = client.get(reverse("admin:digest_post_revisions", args=[post.pk])).content.decode()
    assert "publish time" in page and "publish_at" not in page
    assert "quote 2 edited" in page and "quote 3 off the index" in page


def test_a_revision_is_viewed_and_compared_before_restoring(client, editor):
    post = digest_with_parts(quotes=[("@a", "Old words here.", True)], draft=True)
    client.force_login(editor)
    submit(client, change_url(post), title="Version one")
    submit(client, change_url(post), title="Version two", **{"quotes-0-text": "New words here."})
    first, current = post.revisions.order_by("pk")
    url = reverse("admin:digest_post_revision", args=[post.pk, first.pk])
    page = client.get(url).content.decode()
    assert "<del>one</del> <ins>two</ins>" in page
    assert "<del>Old</del> <ins>New</ins>" in page
    assert "Restore version" in page
    assert client.get(url, {"against": "x"}).status_code == 400
    same = client.get(url, {"against": first.pk}).content.decode()
    assert "This is the same version" in same
    assert Revision.objects.filter(post=post).count() == 2


def test_another_authors_revisions_are_not_shown_to_an_author(client, author):
    post = PostFactory(draft=True)
    revision = Revision.record(post)
    client.force_login(author)
    response = client.get(reverse("admin:digest_post_revision", args=[post.pk, revision.pk]))
    assert response.status_code == 404


# Markdown preview ----------------------------------------------------------------------------


def test_the_preview_renders_through_the_saving_pipeline_for_staff_only(client, editor):
    url = reverse("admin:digest_markdown_preview")
    assert client.post(url, {"text": "*hi*"}).status_code == 302  # to the login page
    client.force_login(editor)
    assert client.get(url).status_code == 405
    response = client.post(url, {"text": "*hi* <script>alert(1)</script>"})
    assert response.json()["html"].strip() == "<p><em>hi</em> </p>"
    assert client.post(url, {"text": "x" * 100_001}).status_code == 413


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_preview_is_empty(client, editor, text):
    client.force_login(editor)
    url = reverse("admin:digest_markdown_preview")
    assert client.post(url, {"text": text}).json() == {"html": ""}


def test_merging_keeps_their_part_edits_where_this_editor_left_the_part_alone(client, editor):
    post = digest_with_parts(
        quotes=[("@a", "One.", True), ("@b", "Two.", True), ("@c", "Three.", True)],
        draft=True,
    )
    url = change_url(post)
    client.force_login(editor)
    submit(client, url)
    opened = form_fields(client.get(url))
    client.force_login(staff(Role.EDITORS))
    submit(
        client, url, title="Theirs", **{"quotes-1-text": "Two, theirs.", "quotes-2-on_index": ""}
    )

    client.force_login(editor)
    mine = {**opened, "quotes-0-text": "One, mine.", "quotes-1-speaker": "@b2"}
    again = form_fields(client.post(url, mine))
    assert client.post(url, again).status_code == 302
    assert list(post.quotes.order_by("position").values_list("speaker", "text", "on_index")) == [
        ("@a", "One, mine.", True),
        ("@b2", "Two, theirs.", True),
        ("@c", "Three.", False),
    ]


def test_check_links_names_links_published_before_and_repeated_in_the_digest(client, editor):
    earlier = digest_with_parts(
        items=[("[Old](https://example.com/old/?utm_source=x)", True)],
        publish_at=timezone.now() - timedelta(days=20),
    )
    post = digest_with_parts(
        stats=[("1M", "[users](https://example.com/fresh)")],
        quotes=[("@a", "Q", True)],
        items=[
            ("[Again](http://www.example.com/old)", True),
            ("[Fresh](https://example.com/fresh#top)", True),
        ],
        draft=True,
    )
    client.force_login(editor)
    data = client.get(reverse("admin:digest_post_covered_links", args=[post.pk])).json()
    assert data == {
        "links": [
            {
                "where": "item 1",
                "url": "http://www.example.com/old",
                "covered_by": earlier.title,
                "covered_url": earlier.get_absolute_url(),
                "covered_on": earlier.publish_at.date().isoformat(),
            },
            {"where": "item 2", "url": "https://example.com/fresh#top", "repeats": "stat 1"},
        ],
        "more_not_checked": False,
    }


def test_a_publish_time_only_they_moved_defaults_to_theirs(client, editor):
    post = digest_with_parts(quotes=[("@a", "One.", True)], draft=True)  # microseconds kept
    url = change_url(post)
    client.force_login(editor)
    opened = form_fields(client.get(url))
    Revision.record(post)  # the version both opened, as every admin save keeps one
    client.force_login(staff(Role.EDITORS))
    submit(client, url, **schedule_fields(timezone.now() + timedelta(days=5)))
    client.force_login(editor)
    page = client.post(url, {**opened, "title": "Mine"}).content.decode()
    assert re.search(r'name="merge_publish_at" value="theirs" checked', page)
    assert re.search(r'name="merge_title" value="mine" checked', page)


# Autosave ------------------------------------------------------------------------------------


def autosave_url(post):
    return reverse("admin:digest_post_autosave", args=[post.pk])


def test_an_autosave_keeps_the_form_as_a_draft_revision_and_never_writes_the_post(client, editor):
    post = digest_with_parts(quotes=[("@a", "One.", True)], title="As saved", draft=True)
    client.force_login(editor)
    submit(client, change_url(post))  # one save: a revision in the history
    post.refresh_from_db()
    version, history = post.version, post.revisions.saves().count()
    fields = form_fields(client.get(change_url(post)))

    answer = client.post(autosave_url(post), {**fields, "title": "Typed, not saved"}).json()
    assert answer["version"] == version and "newer" not in answer
    client.post(autosave_url(post), {**fields, "title": "Typed later", "quotes-0-on_index": ""})

    post.refresh_from_db()
    assert (post.title, post.version) == ("As saved", version)  # the post is untouched
    kept = Revision.objects.autosaves().get()  # one a post and editor, replaced
    assert (kept.post, kept.saved_by, kept.version) == (post, editor, version)
    assert kept.data["form"]["title"] == "Typed later"
    assert kept.data["form"]["quotes-0-on_index"] == ""
    assert "csrfmiddlewaretoken" not in kept.data["form"]
    assert post.revisions.saves().count() == history  # not in the history
    revisions = reverse("admin:digest_post_revisions", args=[post.pk])
    assert "Typed later" not in client.get(revisions).content.decode()

    # Reopened (after a crash, a closed tab), the autosave is offered with the form.
    page = client.get(change_url(post)).content.decode()
    assert 'id="autosave-data"' in page and "Typed later" in page
    assert f'data-autosave-version="{version}"' in page
    # Another editor is not offered it.
    client.force_login(staff(Role.EDITORS))
    assert 'id="autosave-data"' not in client.get(change_url(post)).content.decode()

    # A save puts the edits in the post; the autosave is forgotten.
    client.force_login(editor)
    submit(client, change_url(post), title="Saved for real")
    assert not Revision.objects.autosaves().exists()


def test_an_autosave_of_a_form_someone_saved_since_says_who_and_overwrites_nothing(client, editor):
    post = digest_with_parts(quotes=[("@a", "One.", True)], draft=True)
    client.force_login(editor)
    opened = form_fields(client.get(change_url(post)))
    other = staff(Role.EDITORS)
    other.display_name = "Bea Other"
    other.save()
    client.force_login(other)
    submit(client, change_url(post), title="Their title")

    client.force_login(editor)
    answer = client.post(autosave_url(post), {**opened, "title": "Mine"}).json()
    assert answer["newer"]["by"] == "Bea Other"
    post.refresh_from_db()
    assert post.title == "Their title"
    kept = Revision.objects.autosaves().get()
    assert kept.version == int(opened["loaded_version"]) < post.version
    # A form opened later (another tab) has autosaved: this older one may not replace it.
    newer = form_fields(client.get(change_url(post)))
    client.post(autosave_url(post), {**newer, "title": "From the newer tab"})
    response = client.post(autosave_url(post), {**opened, "title": "From the old tab"})
    assert response.status_code == 409
    assert Revision.objects.autosaves().get().data["form"]["title"] == "From the newer tab"

    assert client.post(autosave_url(post), {"discard": "1"}).json() == {"discarded": True}
    assert not Revision.objects.autosaves().exists()


def test_the_autosave_endpoint_checks_who_asks_how_and_how_much(client, editor, author):
    post = PostFactory(draft=True, title="Someone's")
    url = autosave_url(post)
    fields = {"loaded_version": str(post.version), "title": "x"}
    assert client.post(url, fields).status_code == 302  # to the login page
    client.force_login(author)
    assert client.post(url, fields).status_code == 404  # not their post
    client.force_login(editor)
    assert client.get(url).status_code == 405
    assert client.post(url, {"title": "x"}).status_code == 400
    assert client.post(url, {**fields, "excerpt": "x" * 600_000}).status_code == 413
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(editor)
    assert guarded.post(url, fields).status_code == 403  # no CSRF token
    assert not Revision.objects.autosaves().exists()

    # Twelve a minute (one every five seconds), the 400 and the 413 above counted.
    answers = [client.post(url, fields).status_code for _ in range(12)]
    assert answers == [200] * 10 + [429] * 2
