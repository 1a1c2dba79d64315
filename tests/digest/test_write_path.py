"""One write path for a digest: an admin save, an import and a restore each read the parts
once, render once, write the post row once (search document included) and renew the content
token once, at the commit. Budgets in queries and rows, which no machine speed changes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from caching.content import content_state
from digest.models import Post, Revision
from tests.accounts.factories import staff
from tests.digest.factories import digest_with_parts
from tests.digest.helpers import change_url, form_fields

POST_UPDATE = re.compile(r'^UPDATE "digest_post"', re.IGNORECASE)
SAVEPOINT = re.compile(r"^(RELEASE )?SAVEPOINT ")
# 16: the editor's autosave of the post is forgotten with the save (one DELETE).
QUOTE_EDIT_BUDGET = 16


def digest_of(quotes):
    return digest_with_parts(
        title="Stuff The Internet Says On Scalability For March 3rd, 2017",
        stats=[(f"{n}K", f"msgs per second, measure {n}") for n in range(8)],
        quotes=[(f"@speaker{n}", f"Quote {n}: keep it simple.", n < 10) for n in range(quotes)],
        items=[(f"[Link {n}](https://example.com/{n}). Commentary {n}.", n < 5) for n in range(20)],
    )


def edit_one_quote(client, post):
    """Open the change form, edit the fifth quote's text, save: the queries of the save."""
    fields = form_fields(client.get(change_url(post)))
    fields["quotes-4-text"] = "An edited quote: **latency** is a tax."
    with CaptureQueriesContext(connection) as queries:
        response = client.post(change_url(post), fields)
    assert response.status_code == 302, response.content[:2000]
    # Savepoints are the test's own transaction around the admin's; in production those are
    # its BEGIN and COMMIT.
    return [q["sql"] for q in queries.captured_queries if not SAVEPOINT.match(q["sql"])]


@pytest.fixture
def editor(client, db):
    user = staff(Role.EDITORS)
    client.force_login(user)
    return user


@pytest.mark.parametrize("quotes", [36, 360])
def test_editing_one_quote_is_one_update_of_the_post_within_a_flat_budget(client, editor, quotes):
    post = digest_of(quotes)
    version = post.version

    sql = edit_one_quote(client, post)

    post.refresh_from_db()
    assert "An edited quote: <strong>latency</strong> is a tax." in post.parts_full_html
    assert post.version == version + 1
    assert len([q for q in sql if POST_UPDATE.match(q)]) == 1, [
        q[:120] for q in sql if POST_UPDATE.match(q)
    ]
    assert len(sql) <= QUOTE_EDIT_BUDGET, "\n".join(q[:160] for q in sql)
    if connection.vendor == "postgresql":
        assert Post.objects.filter(pk=post.pk, search_vector="edited").exists()
    assert Revision.objects.filter(post=post).latest().data["quotes"][4]["text"] == (
        "An edited quote: **latency** is a tax."
    )


def test_the_content_token_is_renewed_once_the_save_commits(client, editor):
    post = digest_of(12)
    before = content_state().token

    edit_one_quote(client, post)

    assert content_state().token != before
    assert "An edited quote" in client.get(post.get_absolute_url()).content.decode()


def test_turning_a_post_into_a_digest_keeps_its_parts_and_adds_pasted_ones_after(client, editor):
    post = digest_of(3)
    Post.objects.filter(pk=post.pk).update(kind=Post.Kind.ARTICLE)  # a digest shown as article
    fields = form_fields(client.get(change_url(post)))
    assert "quotes-TOTAL_FORMS" not in fields  # the article form has no part formsets

    fields.update(kind=Post.Kind.DIGEST, paste_quotes="@werner : Everything fails.")
    assert client.post(change_url(post), fields).status_code == 302

    post.refresh_from_db()
    assert "Quote 2: keep it simple." in post.parts_full_html
    assert "Everything fails." in post.parts_full_html
    anchors = list(post.quotes.values_list("anchor", flat=True))
    assert len(anchors) == len(set(anchors)) == 4


def test_a_post_loaded_without_its_version_cannot_be_saved(db):
    post = digest_of(1)
    partial = Post.objects.only("title").get(pk=post.pk)
    partial.title = "Overwrites whatever came since"

    with pytest.raises(ValueError, match="version"):
        partial.save()
