"""The writer of a change builds the sidebar of the new content version before announcing it,
so the first page a reader asks for after a publish does not count tags and years while
readers wait (issue 13: a publish reaches readers within two seconds on 100,000 posts)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caching.content import content_state, shared
from tests.digest.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sidebar_of(state):
    return shared.get(f"content:sidebar-html:{state.token}")


def test_a_committed_publish_leaves_the_new_sidebar_built_and_the_next_page_counts_nothing(
    client,
):
    PostFactory(title="Before", tags=["queues"])
    client.get(reverse("digest:post-index"))
    PostFactory(title="Just published", tags=["unikernels"])

    # Right after the writer returned, before any request: the new version's sidebar is there.
    built = sidebar_of(content_state())
    assert built is not None and "unikernels" in built
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("digest:post-index")).content.decode()
    assert "Just published" in page and "unikernels" in page
    counted = [q["sql"] for q in queries if "taggit_taggeditem" in q["sql"] or "UNION" in q["sql"]]
    assert not any("COUNT" in sql.upper() for sql in counted), counted


def test_nothing_is_prebuilt_inside_a_transaction_that_may_roll_back(client):
    PostFactory(title="Before")
    with transaction.atomic():
        PostFactory(title="Rolled back", tags=["never-seen"])
        inside = content_state()  # renewed for this process's own pages
        assert sidebar_of(inside) is None
        transaction.set_rollback(True)
    assert "never-seen" not in client.get(reverse("digest:post-index")).content.decode()
