"""Writing a digest in the admin as an editor does on a Friday: "New digest", the paste boxes,
revisions and their restore, and the refusal of a save from a stale form.

Every POST is built the way a browser builds it: the add or change page is fetched first and
every field of its form (inline management forms, hidden `loaded_version` included) is sent
back with the editor's changes (`form_fields`, `submit`).
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db.models import F
from django.urls import reverse

from accounts.models import Role
from digest.admin import PostAdmin
from digest.importers.archive_format import read_pasted_digest
from digest.models import Item, Post, Quote, Stat
from digest.parsing import parse_items, parse_quotes, parse_stats
from tests.accounts.factories import staff
from tests.digest.factories import PostFactory, digest_with_parts
from tests.digest.helpers import change_url, form_fields, new_digest_url, submit
from tests.digest.test_digest_rendering import ITEMS_PASTE, QUOTES_PASTE, STATS_PASTE, read


def freeze_time(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def parts(post):
    return {
        "stats": list(post.stats.values_list("figure", "label")),
        "quotes": list(post.quotes.values_list("speaker", "text")),
        "items": list(post.items.values_list("text", flat=True)),
    }


# "New digest" ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "title", "day"),
    [
        # Wednesday before the issue, Thursday night, and the Friday itself (after 09:00 too).
        (datetime(2016, 2, 17, 12, 0), "February 19th, 2016", "2016-02-19"),
        (datetime(2016, 2, 18, 23, 59), "February 19th, 2016", "2016-02-19"),
        (datetime(2016, 2, 19, 7, 30), "February 19th, 2016", "2016-02-19"),
        (datetime(2016, 2, 19, 15, 0), "February 19th, 2016", "2016-02-19"),
        # The Saturday after is next week's issue; ordinals of other days.
        (datetime(2016, 2, 20, 10, 0), "February 26th, 2016", "2016-02-26"),
        (datetime(2016, 3, 30, 10, 0), "April 1st, 2016", "2016-04-01"),
        (datetime(2016, 8, 31, 10, 0), "September 2nd, 2016", "2016-09-02"),
        (datetime(2016, 9, 21, 10, 0), "September 23rd, 2016", "2016-09-23"),
        (datetime(2016, 11, 9, 10, 0), "November 11th, 2016", "2016-11-11"),
        (datetime(2016, 4, 20, 10, 0), "April 22nd, 2016", "2016-04-22"),
    ],
)
def test_new_digest_is_prefilled_for_the_coming_friday(
    client, editor, monkeypatch, now, title, day
):
    client.force_login(editor)
    freeze_time(monkeypatch, now.replace(tzinfo=UTC))

    fields = form_fields(client.get(new_digest_url()))

    assert fields["title"] == f"Stuff The Internet Says On Scalability For {title}"
    assert fields["slug"] == fields["title"].lower().replace(",", "").replace(" ", "-")[:60]
    assert fields["kind"] == "digest"
    assert fields["status"] == "draft"
    assert (fields["publish_at_0"], fields["publish_at_1"]) == (day, "09:00:00")
    assert fields["author"] == str(editor.pk)
    # One screen: the three paste boxes and the (empty) stats, quotes and items inlines.
    assert {"paste_stats", "paste_quotes", "paste_items"} <= fields.keys()
    for prefix in ("stats", "quotes", "items"):
        assert fields[f"{prefix}-TOTAL_FORMS"] == "0"


def test_once_this_weeks_digest_is_out_new_digest_is_next_weeks(client, editor, monkeypatch):
    PostFactory(digest=True, publish_at=datetime(2016, 2, 19, 9, tzinfo=UTC))
    client.force_login(editor)
    freeze_time(monkeypatch, datetime(2016, 2, 19, 15, tzinfo=UTC))

    fields = form_fields(client.get(new_digest_url()))

    assert fields["title"] == "Stuff The Internet Says On Scalability For February 26th, 2016"
    assert fields["publish_at_0"] == "2016-02-26"


def test_new_digest_is_tagged_like_the_last_published_digest(client, editor, monkeypatch):
    PostFactory(
        digest=True, publish_at=datetime(2016, 2, 12, 9, tzinfo=UTC), tags=["weekly", "stuff"]
    )
    PostFactory(digest=True, draft=True, publish_at=datetime(2016, 2, 15, tzinfo=UTC), tags=["x"])
    PostFactory(publish_at=datetime(2016, 2, 16, tzinfo=UTC), tags=["article-tag"])
    client.force_login(editor)
    freeze_time(monkeypatch, datetime(2016, 2, 17, 12, tzinfo=UTC))

    fields = form_fields(client.get(new_digest_url()))

    assert fields["tags"] == "stuff, weekly"


# Paste boxes ----------------------------------------------------------------------------------


def test_pasting_the_three_boxes_creates_the_stats_quotes_and_items_in_order(client, editor):
    client.force_login(editor)

    response = submit(
        client,
        new_digest_url(),
        paste_stats=STATS_PASTE,
        paste_quotes=QUOTES_PASTE,
        paste_items=ITEMS_PASTE,
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get()
    assert (post.kind, post.author, post.status) == (Post.Kind.DIGEST, editor, "draft")
    assert parts(post) == {
        "stats": [(s.figure, s.label) for s in parse_stats(STATS_PASTE).entries],
        "quotes": [(q.speaker, q.text) for q in parse_quotes(QUOTES_PASTE).entries],
        "items": [i.text for i in parse_items(ITEMS_PASTE).entries],
    }
    assert len(parts(post)["stats"]) == 7 and len(parts(post)["quotes"]) == 13
    assert parts(post)["stats"][0] == ("200K", "msgs send per second through iMessage")
    assert parts(post)["quotes"][6][0] == "@antirez"
    for model in (Stat, Quote, Item):
        positions = list(model.objects.filter(post=post).values_list("position", flat=True))
        assert positions == sorted(set(positions))
    assert all(post.quotes.values_list("on_index", flat=True))
    assert "msgs send per second through iMessage" in post.parts_full_html


def test_pasted_parts_are_added_after_the_parts_already_there(client, editor):
    post = digest_with_parts(
        stats=[("1K", "first stat")], quotes=[("@first", "Already here.", True)], draft=True
    )
    client.force_login(editor)

    response = submit(
        client,
        change_url(post),
        paste_stats="2K : second stat; 3K : third stat;",
        paste_quotes="• @second : Pasted one.\n• Joseph Bradley : Pasted two.",
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert parts(post)["stats"] == [
        ("1K", "first stat"),
        ("2K", "second stat"),
        ("3K", "third stat"),
    ]
    assert parts(post)["quotes"] == [
        ("@first", "Already here."),
        ("@second", "Pasted one."),
        ("Joseph Bradley", "Pasted two."),
    ]


@pytest.mark.parametrize(
    ("box", "pasted", "kept", "note"),
    [
        (
            "paste_quotes",
            "@antirez : A fine quote.\nno separator here\nJoseph Bradley : Another fine one.",
            [
                ("@antirez", "A fine quote."),
                ("", "no separator here"),
                ("Joseph Bradley", "Another fine one."),
            ],
            "line 2: “no separator here” kept as a quote with no speaker",
        ),
        (
            "paste_stats",
            "200K : msgs per second;\n750 million xactions per week; 11 million : subscribers;",
            [
                ("200K", "msgs per second"),
                ("", "750 million xactions per week"),
                ("11 million", "subscribers"),
            ],
            "line 2: “750 million xactions per week; 11 million : subscribers;” "
            "“750 million xactions per week” kept as text",
        ),
    ],
)
def test_an_odd_line_is_added_in_its_place_and_listed_by_number(
    client, editor, box, pasted, kept, note
):
    client.force_login(editor)

    response = submit(client, new_digest_url(), **{box: pasted}, _continue="1")

    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get()
    assert parts(post)["stats" if box == "paste_stats" else "quotes"] == kept
    page = client.get(response["Location"]).content.decode()
    assert "every line was added; check these" in page
    assert note in page
    assert "line 1:" not in page and "line 3:" not in page
    assert form_fields(client.get(response["Location"]))[box] == ""


def test_a_stats_line_typed_with_commas_is_kept_whole(client, editor):
    client.force_login(editor)
    commas = STATS_PASTE.replace(";", ",")  # a week of stats, typed with commas

    response = submit(client, new_digest_url(), paste_stats=commas)

    assert response.status_code == 302, response.content.decode()[:3000]
    [stat] = Post.objects.get().stats.all()
    assert " ".join(f"{stat.figure} : {stat.label}".split()) == " ".join(commas.split()).strip(" •")


def test_markup_in_an_odd_line_is_shown_back_as_text_and_stored_sanitised(client, editor):
    client.force_login(editor)

    response = submit(
        client, new_digest_url(), paste_quotes="<script>alert(1)</script>", _continue="1"
    )

    page = client.get(response["Location"]).content.decode()
    assert "line 1: “&lt;script&gt;alert(1)&lt;/script&gt;”" in page
    assert "<script>alert(1)" not in page
    quote = Quote.objects.get()
    assert quote.speaker == ""
    assert "<script" not in quote.text_html


def test_an_odd_line_pasted_on_a_change_is_added_after_the_parts_already_there(client, editor):
    post = digest_with_parts(quotes=[("@first", "Already here.", True)], title="As it was")
    client.force_login(editor)

    response = submit(
        client, change_url(post), title="Changed", paste_quotes="@ok : fine\nno separator here"
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Changed"
    assert parts(post)["quotes"] == [
        ("@first", "Already here."),
        ("@ok", "fine"),
        ("", "no separator here"),
    ]
    assert [q.anchor for q in post.quotes.all()] == [1, 2, 3]


# The whole-digest box: a digest pasted as one text, sorted into the three lists -----------------

SAMPLE = Path(__file__).resolve().parents[2] / "digest" / "demo_data" / "archive-2016-02.txt"
# The same digest as an e-mail or Markdown has it: "-" bullets nested by two spaces, an odd
# line, non-breaking spaces, the lines the site writes itself.
MARKDOWN_DIGEST = """Stuff The Internet Says On Scalability For March 4th, 2016

A week of queues\u00a0and caches.

If you like this sort of Stuff then please consider offering your support on Patreon.
- 200K : msgs per second; 9 : nines;
- Quotable Quotes:
  - @antirez : Simplicity wins.
  - just words with no speaker
- [A story](https://example.com/a) about queues.
* Another item
  that goes on.

Don't miss all that the Internet has to say on Scalability, click below...

Click to read more ...
"""


def sample_digest():
    """The first digest of the real archive export, as an editor would copy it from the page."""
    text = SAMPLE.read_text()  # it opens with that digest, non-breaking spaces and all
    return text[: text.index("Click to read more")] + "Click to read more ...\n"


def test_a_whole_pasted_digest_goes_to_the_intro_and_the_three_lists(client, editor):
    client.force_login(editor)

    response = submit(client, new_digest_url(), paste_digest=MARKDOWN_DIGEST, _continue="1")

    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get()
    assert post.excerpt == "A week of queues and caches."
    assert parts(post) == {
        "stats": [("200K", "msgs per second"), ("9", "nines")],
        "quotes": [("@antirez", "Simplicity wins."), ("", "just words with no speaker")],
        "items": ["[A story](https://example.com/a) about queues.", "Another item\nthat goes on."],
    }
    page = client.get(response["Location"]).content.decode()
    assert "Paste a whole digest: check these lines:" in page
    for note in (
        "line 1: “Stuff The Internet Says On Scalability For March 4th, 2016” left out",
        "line 5: “If you like this sort of Stuff",
        "line 9: “just words with no speaker” kept as a quote with no speaker",
        "line 14: “Don&#x27;t miss all that",
        "line 16: “Click to read more ...” left out",
    ):
        assert note in page
    assert form_fields(client.get(response["Location"]))["paste_digest"] == ""


def test_the_real_sample_digest_pasted_whole_keeps_every_part(client, editor):
    client.force_login(editor)

    response = submit(client, new_digest_url(), paste_digest=sample_digest())

    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get()
    assert post.excerpt.startswith("JPL is firing up their Exoplanet Travel Bureau")
    got = parts(post)
    assert (len(got["stats"]), len(got["quotes"]), len(got["items"])) == (7, 13, 5)
    assert got["stats"][0] == ("200K", "msgs send per second through iMessage")
    assert got["quotes"][0][0] == "Joseph Bradley"


def test_a_pasted_digest_goes_after_what_the_form_already_holds(client, editor):
    post = digest_with_parts(
        quotes=[("@first", "Already here.", True)], excerpt="My own intro.", draft=True
    )
    client.force_login(editor)

    response = submit(
        client,
        change_url(post),
        paste_quotes="@box : From the quotes box.",
        paste_digest="Its intro.\n\n• Quotable Quotes:\n    • @pasted : From the digest.",
        _continue="1",
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    assert post.excerpt == "My own intro.\n\nIts intro."
    assert parts(post)["quotes"] == [
        ("@first", "Already here."),
        ("@box", "From the quotes box."),
        ("@pasted", "From the digest."),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "its intro was added after the intro that was already there" in page


# Found in review: the whole-digest box and odd input


@pytest.mark.parametrize(
    "nesting",
    [
        pytest.param(("\t• ", "\t\t• "), id="tabs"),
        pytest.param(("• ", "  • "), id="two-spaces-under-a-flush-header"),
        pytest.param(("  • ", "    • "), id="as-the-archive-page"),
        pytest.param(("- ", "\t- "), id="markdown-with-a-tab"),
    ],
)
def test_quotes_nested_deeper_than_their_header_are_quotes_however_indented(nesting):
    top, nested = nesting
    text = "\r\n".join(
        [
            "An intro.",
            f"{top}2M : messages a second; 9 : nines;",
            f"{top}Quotable Quotes:",
            f"{nested}@antirez : Simplicity wins.",
            f"{nested}Joseph Bradley : Blockchains must scale.",
            f"{top}An item about queues.",
        ]
    )
    entry = read_pasted_digest(text)
    assert [(q.speaker, q.text) for q in entry.quotes] == [
        ("@antirez", "Simplicity wins."),
        ("Joseph Bradley", "Blockchains must scale."),
    ]
    assert [i.text for i in entry.items] == ["An item about queues."]
    assert [(s.figure, s.label) for s in entry.stats] == [
        ("2M", "messages a second"),
        ("9", "nines"),
    ]


def test_a_paste_of_nothing_but_the_sites_own_lines_adds_nothing_and_lists_each(client, editor):
    client.force_login(editor)
    text = (
        "Stuff The Internet Says On Scalability For March 4th, 2016\r\n"
        "If you like this sort of Stuff then please consider offering your support.\r\n"
        "Don't miss all that the Internet has to say on Scalability...\r\n"
        "Click to read more ...\r\n"
    )
    response = submit(client, new_digest_url(), paste_digest=text, _continue="1")
    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get()
    assert (post.excerpt, parts(post)) == ("", {"stats": [], "quotes": [], "items": []})
    page = client.get(response["Location"]).content.decode()
    for number in (1, 2, 3, 4):
        assert f"line {number}: " in page


# Revisions ------------------------------------------------------------------------------------


def test_every_admin_save_records_a_revision_listed_on_the_revisions_page(client, editor):
    client.force_login(editor)
    assert submit(client, new_digest_url(), title="First title").status_code == 302
    post = Post.objects.get()
    assert submit(client, change_url(post), title="Second title").status_code == 302
    assert submit(client, change_url(post), paste_quotes="@antirez : New.").status_code == 302

    revisions = list(post.revisions.order_by("pk"))
    assert [(r.version, r.data["title"], r.saved_by) for r in revisions] == [
        (0, "First title", editor),
        (1, "Second title", editor),
        (2, "Second title", editor),
    ]
    [quote] = revisions[2].data["quotes"]
    assert (quote["speaker"], quote["text"], quote["on_index"], quote["anchor"]) == (
        "@antirez",
        "New.",
        True,
        1,
    )

    response = client.get(reverse("admin:digest_post_revisions", args=[post.pk]))
    assert response.status_code == 200
    page = read(response.content, main_only=False)
    assert "first version" in page.text
    assert "quote 1 added" in page.text  # which part, not "quotes (0 → 1)"
    html = response.content.decode()
    for revision in revisions[:2]:  # every version but the current one can be restored
        assert reverse("admin:digest_post_restore", args=[post.pk, revision.pk]) in html
    assert reverse("admin:digest_post_restore", args=[post.pk, revisions[2].pk]) not in html


def test_restoring_an_earlier_version_brings_back_title_excerpt_tags_and_parts(client, editor):
    client.force_login(editor)
    submit(
        client,
        new_digest_url(),
        title="The first title",
        excerpt="The first intro.",
        tags="caching",
        status="published",
        publish_at_0="2016-02-19",
        publish_at_1="09:00:00",
        paste_quotes="@antirez : The original quote.\nJoseph Bradley : Another original.",
    )
    post = Post.objects.get()
    first = post.revisions.get()
    response = submit(
        client,
        change_url(post),
        **{
            "title": "The second title",
            "excerpt": "The second intro.",
            "tags": "queues",
            "quotes-0-DELETE": "on",
            "quotes-1-text": "An edited quote.",
            "paste_quotes": "@levie : A pasted quote.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert parts(post)["quotes"] == [
        ("Joseph Bradley", "An edited quote."),
        ("@levie", "A pasted quote."),
    ]

    response = client.post(reverse("admin:digest_post_restore", args=[post.pk, first.pk]))

    assert response.status_code == 302
    assert response["Location"] == change_url(post)
    post.refresh_from_db()
    assert (post.title, post.excerpt) == ("The first title", "The first intro.")
    assert sorted(post.tags.names()) == ["caching"]
    assert parts(post)["quotes"] == [
        ("@antirez", "The original quote."),
        ("Joseph Bradley", "Another original."),
    ]
    latest = post.revisions.latest("pk")
    assert latest.note == f"Restored version {first.version}"
    assert (latest.saved_by, latest.version) == (editor, post.version)
    assert post.revisions.count() == 3
    history = client.get(reverse("admin:digest_post_revisions", args=[post.pk]))
    assert f"Restored version {first.version}" in history.content.decode()

    client.logout()
    reader = read(client.get(post.get_absolute_url()).content).text
    assert "@antirez : The original quote." in reader
    assert "The first intro." in reader
    assert "A pasted quote." not in reader and "An edited quote." not in reader


def test_an_author_cannot_restore_another_authors_post(client, db):
    owner, other = staff(Role.AUTHORS), staff(Role.AUTHORS)
    client.force_login(owner)
    submit(client, new_digest_url(), title="Owner's first title")
    post = Post.objects.get()
    submit(client, change_url(post), title="Owner's second title")
    first = post.revisions.earliest("pk")
    client.force_login(other)

    response = client.post(reverse("admin:digest_post_restore", args=[post.pk, first.pk]))

    assert response.status_code in {403, 404}
    history = client.get(reverse("admin:digest_post_revisions", args=[post.pk]))
    assert history.status_code in {403, 404}
    post.refresh_from_db()
    assert post.title == "Owner's second title"
    assert post.revisions.count() == 2


def test_an_author_restores_an_earlier_version_of_their_own_post(client, db):
    owner = staff(Role.AUTHORS)
    client.force_login(owner)
    submit(client, new_digest_url(), title="Owner's first title")
    post = Post.objects.get()
    submit(client, change_url(post), title="Owner's second title")

    first = post.revisions.earliest("pk")
    response = client.post(reverse("admin:digest_post_restore", args=[post.pk, first.pk]))

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Owner's first title"


# Stale forms ---------------------------------------------------------------------------------


def test_a_stale_digest_form_is_refused_and_nothing_is_overwritten(client, editor):
    post = digest_with_parts(
        quotes=[("@antirez", "Quote one.", True), ("@levie", "Quote two.", True)],
        title="Original title",
        draft=True,
    )
    url = change_url(post)
    version = post.version
    client.force_login(editor)
    opened_by_a = form_fields(client.get(url))  # editor A opens the digest…
    assert opened_by_a["quotes-TOTAL_FORMS"] == "2"
    client.force_login(staff(Role.EDITORS))  # …editor B opens it too and saves first
    response = submit(client, url, **{"title": "B's title", "quotes-0-text": "B's quote."})
    assert response.status_code == 302

    client.force_login(editor)
    response = client.post(
        url,
        {
            **opened_by_a,
            "title": "A's title",
            "quotes-1-text": "A's quote.",
            "paste_quotes": "@sigfpe : Pasted by A.",
        },
    )

    assert response.status_code == 200
    assert "Someone else saved this post" in response.content.decode()
    post.refresh_from_db()
    assert (post.title, post.version) == ("B's title", version + 1)
    assert parts(post)["quotes"] == [("@antirez", "B's quote."), ("@levie", "Quote two.")]
    assert post.revisions.count() == 1

    # Reloading the page gives A the current version, which saves.
    response = submit(client, url, **{"quotes-1-text": "A's quote."})
    assert response.status_code == 302
    assert parts(post)["quotes"] == [("@antirez", "B's quote."), ("@levie", "A's quote.")]


def test_a_save_that_races_another_is_refused_with_a_message(client, editor, monkeypatch):
    post = digest_with_parts(quotes=[("@antirez", "Quote one.", True)], title="Original title")
    url = change_url(post)
    client.force_login(editor)
    fields = form_fields(client.get(url))
    save_model = PostAdmin.save_model

    def another_save_lands_first(self, request, obj, form, change):
        # The form's version check has passed; someone else's save lands before ours.
        Post.objects.filter(pk=obj.pk).update(version=F("version") + 1)
        return save_model(self, request, obj, form, change)

    monkeypatch.setattr(PostAdmin, "save_model", another_save_lands_first)
    response = client.post(
        url,
        {**fields, "title": "A's title", "quotes-0-text": "A's quote.", "paste_quotes": "@x : y"},
    )

    assert response.status_code == 302
    assert response["Location"] == url
    monkeypatch.undo()
    assert "was changed by someone else" in client.get(url).content.decode()
    post.refresh_from_db()
    assert post.title == "Original title"
    assert parts(post)["quotes"] == [("@antirez", "Quote one.")]
    assert not post.revisions.exists()


def test_a_form_opened_before_a_restore_is_stale(client, editor):
    client.force_login(editor)
    submit(client, new_digest_url(), title="First title")
    post = Post.objects.get()
    submit(client, change_url(post), title="Second title")
    opened = form_fields(client.get(change_url(post)))
    first = post.revisions.earliest("pk")
    client.post(reverse("admin:digest_post_restore", args=[post.pk, first.pk]))

    response = client.post(change_url(post), {**opened, "title": "Third title"})

    assert response.status_code == 200
    assert "Someone else saved this post" in response.content.decode()
    post.refresh_from_db()
    assert post.title == "First title"


def test_restoring_takes_a_post_and_only_its_own_revisions(client, editor):
    client.force_login(editor)
    submit(client, new_digest_url(), title="Post A", slug="post-a")
    submit(client, new_digest_url(), title="Post B", slug="post-b")
    post_a, post_b = Post.objects.get(title="Post A"), Post.objects.get(title="Post B")
    url = reverse("admin:digest_post_restore", args=[post_a.pk, post_b.revisions.get().pk])

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404
    post_a.refresh_from_db()
    assert (post_a.title, post_a.revisions.count()) == ("Post A", 1)
