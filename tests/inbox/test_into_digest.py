"""The link inbox's way into the week's digest: each link as an item, a quote or a stat
(guessed, or as its row says), through the digest's one write path; what a page's words,
titles and addresses become in Markdown; used links never added twice."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from digest.models import Post, Quote
from inbox.models import Entry
from inbox.placing import NoLongerWaiting, guess_kind, send_to_digest, week_digest
from tests.accounts.factories import staff
from tests.digest.factories import PostFactory, digest_with_parts

ADD = reverse("inbox:add")


@pytest.fixture
def editor(db):
    return staff(Role.EDITORS)


# Into the digest ------------------------------------------------------------------------------


def into_digest(client, kind, pks, **kwargs):
    """The inbox's "Add to this week's digest" with each chosen row set to `kind`."""
    data = {"action": "add", "entries": pks, **{f"as-{pk}": kind for pk in pks}}
    return client.post(reverse("inbox:list"), data, **kwargs)


def kept_entries(editor, *titles):
    return [
        Entry.objects.create(
            url=f"https://example.com/{n}",
            normalized_url=f"https://example.com/{n}",
            title=title,
            comment=f"Comment {n}",
            selected_text=f"Words {n}",
            author_name="Ada",
            kept_by=editor,
        )
        for n, title in enumerate(titles)
    ]


def test_chosen_links_become_items_of_a_new_week_digest_draft(client, editor):
    entries = kept_entries(editor, "First [link]", "Second")
    client.force_login(editor)
    response = into_digest(client, "items", [e.pk for e in entries])
    post = Post.objects.get()
    assert response["Location"] == reverse("admin:digest_post_change", args=[post.pk])
    assert (post.kind, post.status) == (Post.Kind.DIGEST, Post.Status.DRAFT)
    assert list(post.items.values_list("text", flat=True)) == [
        # The words selected on the page are quoted after the link, the comment before.
        "Comment 0 [First \\[link\\]](<https://example.com/0>): Words 0",
        "Comment 1 [Second](<https://example.com/1>): Words 1",
    ]
    assert 'href="https://example.com/1"' in post.parts_full_html
    assert post.revisions.get().note == "2 from the link inbox"
    assert set(Entry.objects.values_list("status", "used_in", "used_as")) == {
        ("used", post.pk, "item")
    }


def test_each_link_goes_in_as_its_row_says_or_as_guessed_in_one_save(client, editor):
    stat, quote, item, commented, chosen = kept_entries(editor, "S", "Q", "I", "C", "Chosen")
    Entry.objects.filter(pk=stat.pk).update(selected_text="200K : msgs per second", comment="")
    Entry.objects.filter(pk=quote.pk).update(selected_text="Queues are a feature.", comment="")
    Entry.objects.filter(pk=item.pk).update(selected_text="", comment="Read this")
    # Words with the editor's comment on them read as an item; this row says quote.
    assert [guess_kind(e) for e in Entry.objects.order_by("pk")] == [
        "stats", "quotes", "items", "items", "items"
    ]  # fmt: skip
    client.force_login(editor)
    page = client.get(reverse("inbox:list")).content.decode()
    assert f'name="as-{stat.pk}" value="stats" checked' in page
    assert f'name="as-{quote.pk}" value="quotes" checked' in page
    pks = [e.pk for e in (stat, quote, item, commented, chosen)]
    response = client.post(
        reverse("inbox:list"),
        {"action": "add", "entries": pks, f"as-{chosen.pk}": "quotes"},
        follow=True,
    )
    post = Post.objects.get()
    text = response.content.decode()
    assert "5 added to" in text and "1 stat, 2 quotes, 2 items." in text
    assert "Check each figure" in text and "Check each speaker" in text
    assert list(post.stats.values_list("figure", flat=True)) == ["200K"]
    assert list(post.quotes.values_list("text", flat=True)) == ["Queues are a feature.", "Words 4"]
    assert [i.text.split("]")[0] for i in post.items.all()] == ["[I", "Comment 3 [C"]
    assert post.revisions.get().note == "5 from the link inbox"
    assert dict(Entry.objects.values_list("pk", "used_as")) == {
        stat.pk: "stat", quote.pk: "quote", item.pk: "item", commented.pk: "item",
        chosen.pk: "quote",
    }  # fmt: skip


def test_a_figure_selected_with_a_comment_is_guessed_an_item_and_keeps_the_comment(client, editor):
    # A stat has no room for the editor's words: taken for one, the comment would be lost.
    (entry,) = kept_entries(editor, "iMessage")
    Entry.objects.filter(pk=entry.pk).update(selected_text="200K : msgs per second")
    entry.refresh_from_db()
    assert guess_kind(entry) == "items"
    client.force_login(editor)
    client.post(reverse("inbox:list"), {"action": "add", "entries": [entry.pk]})
    assert Post.objects.get().items.get().text.startswith("Comment 0 [iMessage]")


def test_each_rows_box_and_kinds_name_their_link_for_a_screen_reader(client, editor):
    # Twenty rows of "Choose" and "Add as" say nothing of which link a control is for.
    (entry,) = kept_entries(editor, "Queues <at> scale")
    client.force_login(editor)
    page = client.get(reverse("inbox:list")).content.decode()
    assert '<span class="visually-hidden">Choose “Queues &lt;at&gt; scale”</span>' in page
    title = '<span class="visually-hidden">“Queues &lt;at&gt; scale”</span>'
    assert f"<legend>Add {title} as</legend>" in page


def test_a_link_too_long_for_a_stat_is_not_guessed_to_be_one(client, editor):
    # Preselected, one Add would only leave it in the inbox with a message.
    (entry,) = kept_entries(editor, "Too long")
    Entry.objects.filter(pk=entry.pk).update(
        url="https://example.com/" + "b" * 1980, selected_text="3 things", comment=""
    )
    entry.refresh_from_db()
    assert guess_kind(entry) == "quotes"
    client.force_login(editor)
    response = client.post(
        reverse("inbox:list"), {"action": "add", "entries": [entry.pk]}, follow=True
    )
    assert "1 added to" in response.content.decode()


def test_of_two_adds_at_once_the_second_writes_nothing(editor):
    first, second = kept_entries(editor, "One", "Two")
    post, _ = week_digest(editor)
    # The first Add took "Two" after the second request had read it as waiting.
    send_to_digest([(second, "items")], editor, post)
    with pytest.raises(NoLongerWaiting):
        send_to_digest([(first, "items"), (second, "items")], editor, post)
    post.refresh_from_db()
    assert post.items.count() == 1 and post.revisions.count() == 1
    first.refresh_from_db()
    assert first.status == Entry.Status.NEW


def test_a_row_that_says_no_kind_we_know_places_nothing(client, editor):
    (entry,) = kept_entries(editor, "One")
    client.force_login(editor)
    response = client.post(
        reverse("inbox:list"),
        {"action": "add", "entries": [entry.pk], f"as-{entry.pk}": "sponsors"},
        follow=True,
    )
    assert "as an item, a quote or a stat" in response.content.decode()
    assert not Post.objects.exists()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.NEW


def test_a_link_already_used_is_not_added_again_from_a_page_shown_before(client, editor):
    # Back to the list as it was (the browser's cache), the used row still ticked, and Add.
    first, second = kept_entries(editor, "One", "Two")
    client.force_login(editor)
    into_digest(client, "items", [first.pk])
    response = into_digest(client, "items", [first.pk, second.pk], follow=True)
    assert "no longer waiting" in response.content.decode()
    post = Post.objects.get()
    assert [i.text.split("(")[0] for i in post.items.all()] == ["Comment 0 [One]"]
    assert post.revisions.count() == 1
    second.refresh_from_db()
    assert second.status == Entry.Status.NEW


def test_links_go_after_the_parts_of_this_weeks_draft_and_as_quotes(client, editor):
    draft = digest_with_parts(
        items=[("Already here", True)],
        quotes=[("@a", "Kept quote", True)],
        draft=True,
        publish_at=timezone.now() + timedelta(days=1),
    )
    first, second = kept_entries(editor, "One", "Two")
    client.force_login(editor)
    into_digest(client, "items", [first.pk])
    into_digest(client, "quotes", [second.pk])
    assert Post.objects.count() == 1
    assert [i.text.split("(")[0] for i in draft.items.all()] == ["Already here", "Comment 0 [One]"]
    assert list(draft.quotes.values_list("speaker", "text", "source_url")) == [
        ("@a", "Kept quote", ""),
        ("Ada", "Words 1", "https://example.com/1"),
    ]


@pytest.mark.parametrize("kind", ["items", "quotes", "stats"])
def test_words_selected_on_a_page_show_as_written_in_the_digest(client, editor, kind):
    (entry,) = kept_entries(editor, "Rust")
    entry.selected_text = "3 ways a Vec<String> beats\n\n<b>bold</b> & a < b"
    entry.save()
    client.force_login(editor)
    into_digest(client, kind, [entry.pk])
    html = Post.objects.get().parts_full_html
    assert "Vec&lt;String&gt; beats" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; a &lt; b" in html


def test_links_become_stats_with_a_guessed_figure_linked_to_the_page(client, editor):
    words = [
        "200K : msgs send per second through iMessage",
        "Slack now has 2.3\u00a0million daily active users",
        "",  # nothing selected: the comment is used
        "Nothing countable [here]",
    ]
    entries = kept_entries(editor, *(f"Page {n}" for n in range(4)))
    for entry, text in zip(entries, words, strict=True):
        entry.selected_text = text
        entry.comment = "Apple Music has 11 million subscribers" if not text else "Why"
        entry.save()
    client.force_login(editor)
    response = into_digest(client, "stats", [e.pk for e in entries], follow=True)
    post = Post.objects.get()
    assert "4 added to" in response.content.decode()
    assert "Check each figure" in response.content.decode()
    assert list(post.stats.values_list("figure", "figure_url", "label")) == [
        ("200K", "https://example.com/0", "msgs send per second through iMessage"),
        ("2.3 million", "https://example.com/1", "Slack now has 2.3 million daily active users"),
        ("11 million", "https://example.com/2", "Apple Music has 11 million subscribers"),
        # No figure: the words, with the page's link on them.
        ("", "", "[Nothing countable \\[here\\]](<https://example.com/3>)"),
    ]
    assert 'example.com/3" rel="noopener noreferrer">Nothing countable [here]</a>' in (
        post.parts_full_html
    )
    assert set(Entry.objects.values_list("used_as", flat=True)) == {"stat"}


def test_an_address_too_long_for_a_link_field_goes_into_the_part_or_stays(client, editor):
    long_url = "https://example.com/" + "a" * 600  # over the 500 a source link holds
    longest = "https://example.com/" + "b" * 1980  # over what a stat's label can link
    quote, stat, too_long = kept_entries(editor, "Quote", "Stat", "Too long")
    Entry.objects.filter(pk__in=[quote.pk, stat.pk]).update(url=long_url)
    Entry.objects.filter(pk=too_long.pk).update(url=longest, selected_text="3 things")
    client.force_login(editor)
    into_digest(client, "quotes", [quote.pk])
    response = into_digest(client, "stats", [stat.pk, too_long.pk], follow=True)
    post = Post.objects.get()
    (saved_quote,) = post.quotes.all()
    assert (saved_quote.source_url, saved_quote.text) == ("", f"Words 0 ([source](<{long_url}>))")
    (saved_stat,) = post.stats.all()
    assert (saved_stat.figure, saved_stat.figure_url) == ("1", "")  # "Words 1": a guess
    assert saved_stat.label == f"[Words 1](<{long_url}>)"
    page = response.content.decode()
    assert "1 added to" in page
    assert "1 left in the inbox" in page and "2000 characters" in page
    too_long.refresh_from_db()
    assert too_long.status == Entry.Status.NEW


# A page's title and address as they come: Markdown's own characters in the title, and an
# address with a space, ">", a backslash and parentheses (the keep form takes any of them).
ODD_TITLE = "Vec<T> is `fast` *really* \\ [sic]"
ODD_URL = "https://example.com/a b>c\\*d(e)"
ODD_HREF = 'href="https://example.com/a%20b%3Ec%5C*d(e)"'


def test_a_title_and_an_address_with_markdowns_characters_stay_as_written(client, editor):
    (entry,) = kept_entries(editor, ODD_TITLE)
    Entry.objects.filter(pk=entry.pk).update(url=ODD_URL, selected_text="Nothing countable")
    client.force_login(editor)
    for kind in ("items", "stats"):
        Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.NEW)
        into_digest(client, kind, [entry.pk])
    post = Post.objects.get()
    item, stat = post.items.get(), post.stats.get()
    assert ODD_HREF in item.text_html and ODD_HREF in stat.label_html
    assert ">Vec&lt;T&gt; is `fast` *really* \\ [sic]</a>: Nothing countable" in item.text_html
    assert ">Nothing countable</a>" in stat.label_html


def test_an_address_the_composer_would_refuse_goes_into_the_part_not_its_link_field(client, editor):
    """A link field the composer's form refuses would stop the editor's next save."""
    quote, stat = kept_entries(editor, "Quote", "Stat")
    Entry.objects.filter(pk__in=[quote.pk, stat.pk]).update(url=ODD_URL)
    Entry.objects.filter(pk=stat.pk).update(selected_text="42 : answers")
    client.force_login(editor)
    into_digest(client, "quotes", [quote.pk])
    into_digest(client, "stats", [stat.pk])
    post = Post.objects.get()
    saved_quote, saved_stat = post.quotes.get(), post.stats.get()
    assert (saved_quote.source_url, saved_stat.figure_url) == ("", "")
    assert saved_stat.figure == "42"
    assert ODD_HREF in saved_quote.text_html and ODD_HREF in saved_stat.label_html


def test_a_speaker_is_cut_to_what_a_quote_holds(client, editor):
    (entry,) = kept_entries(editor, "Quote")
    Entry.objects.filter(pk=entry.pk).update(author_name="Ada " * 50)
    client.force_login(editor)
    into_digest(client, "quotes", [entry.pk])
    speaker = Post.objects.get().quotes.get().speaker
    assert len(speaker) <= Quote._meta.get_field("speaker").max_length
    assert speaker.startswith("Ada Ada")


def test_no_draft_is_made_when_no_link_fits(client, editor):
    (entry,) = kept_entries(editor, "Too long")
    Entry.objects.filter(pk=entry.pk).update(url="https://example.com/" + "b" * 1980)
    client.force_login(editor)
    response = into_digest(client, "stats", [entry.pk], follow=True)
    assert "1 left in the inbox" in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.parametrize("status", [Post.Status.PENDING, Post.Status.PUBLISHED])
def test_links_go_to_this_weeks_digest_waiting_for_review_or_scheduled(client, editor, status):
    waiting = digest_with_parts(
        items=[("Already here", True)], publish_at=timezone.now() + timedelta(days=1)
    )
    Post.objects.filter(pk=waiting.pk).update(status=status)  # pending, or scheduled
    (entry,) = kept_entries(editor, "One")
    client.force_login(editor)
    into_digest(client, "items", [entry.pk])
    assert Post.objects.count() == 1
    assert [i.text.split("(")[0] for i in waiting.items.all()] == [
        "Already here",
        "Comment 0 [One]",
    ]


def test_once_this_weeks_issue_is_out_links_go_to_next_weeks(client, editor, monkeypatch):
    friday_afternoon = timezone.make_aware(datetime(2016, 2, 19, 15, 0))
    monkeypatch.setattr("django.utils.timezone.now", lambda: friday_afternoon)
    out = digest_with_parts(
        items=[("Out this morning", True)],
        title="Stuff The Internet Says On Scalability For February 19th, 2016",
        publish_at=friday_afternoon.replace(hour=9),
    )
    (entry,) = kept_entries(editor, "For next week")
    client.force_login(editor)
    into_digest(client, "items", [entry.pk])
    new = Post.objects.exclude(pk=out.pk).get()
    assert new.title == "Stuff The Internet Says On Scalability For February 26th, 2016"
    assert (new.status, timezone.localtime(new.publish_at).date().isoformat()) == (
        Post.Status.DRAFT,
        "2016-02-26",
    )
    assert [i.text for i in out.items.all()] == ["Out this morning"]


def test_an_author_cannot_add_links_to_another_authors_draft(client, db):
    PostFactory(digest=True, draft=True, publish_at=timezone.now() + timedelta(days=1))
    author = staff(Role.AUTHORS)
    (entry,) = kept_entries(author, "Mine")
    client.force_login(author)
    into_digest(client, "items", [entry.pk])
    entry.refresh_from_db()
    assert entry.status == Entry.Status.NEW


def test_authors_see_only_their_own_entries_and_entries_can_be_archived(client, editor):
    author = staff(Role.AUTHORS)
    (theirs,) = kept_entries(editor, "The editor link")
    (mine,) = kept_entries(author, "The author link")
    client.force_login(author)
    page = client.get(reverse("inbox:list")).content.decode()
    assert "The author link" in page and "The editor link" not in page
    client.post(reverse("inbox:list"), {"action": "archive", "entries": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.status == Entry.Status.NEW  # not among the author's: refused
    client.post(reverse("inbox:list"), {"action": "archive", "entries": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == Entry.Status.ARCHIVED
