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


# Found in review ---------------------------------------------------------------------------


class BrokenCache:
    """A cache server that cannot be reached: every call fails."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache unreachable")

        return fail


def test_a_change_missed_in_a_cache_outage_is_recorded_by_the_next_page(client, monkeypatch):
    """The first cache call after the outage records the missed change (`_renew`); its
    prebuild reads the cache too, and must not record the missed change again, and again."""
    import caching.content as content

    PostFactory(title="Before", tags=["queues"])
    client.get(reverse("digest:post-index"))
    working = content.cache
    monkeypatch.setattr(content, "cache", BrokenCache())
    PostFactory(title="During the outage", tags=["unikernels"])
    assert shared.change_missed
    monkeypatch.setattr(content, "cache", working)
    shared.closed_until = 0.0  # the breaker's seconds have passed

    response = client.get(reverse("digest:post-index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "During the outage" in page and "unikernels" in page
    assert not shared.change_missed
    assert "unikernels" in sidebar_of(content_state())


def test_a_prebuild_that_fails_still_lets_the_change_be_announced(client, monkeypatch):
    """A prebuild only saves the first reader some work: whatever it raises (a template's
    error, a bug), the new state is announced, or readers keep the old pages."""
    import caching.content as content

    def broken():
        raise ValueError("a bug in a prebuilder")

    PostFactory(title="Before")
    before = content_state()
    monkeypatch.setattr(content, "_prebuilders", [*content._prebuilders, broken])

    PostFactory(title="Just published", tags=["unikernels"])

    assert content_state() != before
    assert "Just published" in client.get(reverse("digest:post-index")).content.decode()


def another_writer_during_the_prebuild(monkeypatch, **post):
    """Another writer's change, committed and announced while this writer prebuilds (after
    its sidebar was counted): as two editors saving at once do, the prebuild being slow."""
    import caching.content as content

    made = []

    def other_writer():
        if not made:
            with transaction.atomic():
                made.append(PostFactory(**post))

    monkeypatch.setattr(content, "_prebuilders", [*content._prebuilders, other_writer])
    return made


def test_a_state_announced_while_prebuilding_is_not_replaced_by_an_older_count(client, monkeypatch):
    PostFactory(title="Before", tags=["queues"])
    made = another_writer_during_the_prebuild(monkeypatch, title="Other", tags=["late"])

    with transaction.atomic():
        PostFactory(title="First", tags=["early"])

    assert made
    page = client.get(reverse("digest:post-index")).content.decode()
    assert "Other" in page
    assert "late" in sidebar_of(content_state())


def test_a_post_scheduled_while_another_prebuilds_still_goes_live_on_time(monkeypatch):
    PostFactory(title="Before")
    made = another_writer_during_the_prebuild(monkeypatch, scheduled=True)

    with transaction.atomic():
        PostFactory(title="First")

    (scheduled,) = made
    assert content_state().next_change == scheduled.publish_at.timestamp()


def test_an_import_prebuilds_once_at_its_end_not_once_an_entry(client, monkeypatch):
    from caching import content
    from digest.importers.archive import import_archive
    from tests.digest.test_import_archive import SAMPLE

    built = []
    monkeypatch.setattr(content, "_prebuilders", [*content._prebuilders, lambda: built.append(1)])
    report = import_archive(SAMPLE.read_text())
    assert report.total("created") >= 3  # every entry committed on its own
    assert len(built) == 1
    # The one prebuild was of the state announced: the first page counts nothing.
    assert sidebar_of(content_state()) is not None
