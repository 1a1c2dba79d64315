"""Drafts, posts pending review and scheduled posts stay invisible to readers everywhere,
until their time comes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from digest.models import Post
from tests.accounts.factories import staff
from tests.digest.factories import PostFactory, digest_with_parts

HIDDEN_TITLES = (
    "Secret draft about Kafka",
    "Scheduled scoop about Kafka",
    "Kafka post pending review",
)


@pytest.fixture
def posts(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visible = PostFactory(title="Public post about Kafka", tags=["kafka"])
        draft = PostFactory(title=HIDDEN_TITLES[0], draft=True, tags=["kafka"])
        scheduled = PostFactory(title=HIDDEN_TITLES[1], scheduled=True, tags=["kafka"])
        # Dated in the past, as an author's post usually is: only its status keeps it hidden.
        pending = PostFactory(title=HIDDEN_TITLES[2], pending=True, tags=["kafka"])
    return visible, draft, scheduled, pending


def reader_pages(visible):
    year = timezone.localtime(visible.publish_at).year
    month = timezone.localtime(visible.publish_at).month
    return [
        reverse("digest:post-index"),
        reverse("digest:tag-detail", kwargs={"slug": "kafka"}),
        reverse("digest:tag-feed", kwargs={"slug": "kafka"}),
        reverse("digest:archive"),
        reverse("digest:archive-year", kwargs={"year": year}),
        reverse("digest:archive-month", kwargs={"year": year, "month": month}),
        reverse("digest:author-detail", kwargs={"username": visible.author.username}),
        reverse("digest:search") + "?q=Kafka",
        reverse("digest:feed-rss"),
        reverse("digest:feed-atom"),
        reverse("digest:sitemap-section", kwargs={"section": "posts"}),
    ]


def test_published_queryset_is_the_only_rule(posts):
    visible, draft, scheduled, pending = posts
    assert list(Post.objects.published()) == [visible]
    assert list(Post.objects.scheduled()) == [scheduled]
    assert list(Post.objects.drafts()) == [draft]
    assert list(Post.objects.pending()) == [pending]
    assert set(Post.objects.unseen()) == {draft, scheduled, pending}
    assert not pending.is_published and pending.display_status == "Pending review"


def test_hidden_posts_appear_on_no_reader_page(client, posts):
    visible, *hidden = posts
    for url in reader_pages(visible):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        if url != reverse("digest:archive"):  # the archive index shows counts only
            assert visible.slug in page or visible.title in page, url
        for post in hidden:
            assert post.title not in page, f"{post.title!r} leaked on {url}"
            assert post.slug not in page, f"{post.slug!r} leaked on {url}"


def test_archive_counts_only_published_posts(client, posts):
    page = client.get(reverse("digest:archive")).content.decode()
    assert '<span class="count">1</span>' in page
    assert '<span class="count">2</span>' not in page


def test_hidden_posts_are_404_at_their_permalink(client, posts):
    _, draft, scheduled, pending = posts
    for post in (draft, scheduled, pending):
        response = client.get(post.get_absolute_url())
        assert response.status_code == 404
        assert post.title not in response.content.decode()


def test_accounts_and_tags_with_only_hidden_posts_have_no_public_page(client, posts):
    _, draft, _, pending = posts
    draft.tags.set(["unannounced-product"])
    pending.author = draft.author
    pending.save()
    pending.tags.set(["unannounced-product"])
    urls = [
        reverse("digest:author-detail", kwargs={"username": draft.author.username}),
        reverse("digest:tag-detail", kwargs={"slug": "unannounced-product"}),
        reverse("digest:tag-feed", kwargs={"slug": "unannounced-product"}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        page = response.content.decode()
        assert draft.title not in page
        assert draft.author.name not in page


def test_scheduled_post_appears_when_its_time_comes_without_anyone_acting(
    client, posts, monkeypatch
):
    scheduled = posts[2]
    index = reverse("digest:post-index")
    assert scheduled.title not in client.get(index).content.decode()  # warms the caches

    later = timezone.now() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert scheduled.title in client.get(index).content.decode()
    assert client.get(scheduled.get_absolute_url()).status_code == 200
    feed = client.get(reverse("digest:feed-rss")).content.decode()
    assert scheduled.title in feed


def test_unpublishing_hides_a_post_at_once(client, posts, django_capture_on_commit_callbacks):
    visible = posts[0]
    index = reverse("digest:post-index")
    assert visible.title in client.get(index).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        visible.status = Post.Status.DRAFT
        visible.save()

    assert visible.title not in client.get(index).content.decode()
    assert client.get(visible.get_absolute_url()).status_code == 404


def test_sidebar_counts_are_of_published_posts_only(db, django_capture_on_commit_callbacks):
    # The counts are every post's tags less those of unseen posts (digest.queries): a draft,
    # a scheduled post, a deleted one and an unpublished one count for nothing, and a tag
    # only unseen posts carry is not listed.
    from digest import queries

    with django_capture_on_commit_callbacks(execute=True):
        PostFactory(title="Kafka one", tags=["kafka", "queues"])
        PostFactory(title="Kafka two", tags=["kafka"])
        old = PostFactory(title="Kafka 2019", tags=["kafka"])
        Post.objects.filter(pk=old.pk).update(publish_at=old.publish_at.replace(year=2019))
        PostFactory(title="Draft", draft=True, tags=["kafka", "secret"])
        PostFactory(title="Scheduled", scheduled=True, tags=["kafka", "secret"])
        PostFactory(title="Pending", pending=True, tags=["kafka", "secret"])
        PostFactory(title="Deleted", tags=["kafka", "gone"]).delete()
        PostFactory(title="Withdrawn", tags=["kafka", "withdrawn"]).unpublish()

    counts = {tag["slug"]: tag["num_posts"] for tag in queries.tag_counts()}
    years = {row["year"]: row["count"] for row in queries.year_counts()}

    assert counts == {"kafka": 3, "queues": 1}
    assert years == {timezone.localtime().year: 2, 2019: 1}
    assert list(years) == sorted(years, reverse=True)


def test_a_digest_pending_review_shows_nothing_to_readers_until_an_editor_publishes(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = digest_with_parts(
            stats=[("9M", "pending stat")],
            quotes=[("@pendingspeaker", "Pending quote about Kafka.", True)],
            items=[("Pending item about Kafka.", True)],
            title="Pending digest about Kafka",
            draft=True,
        )
        post.submit_for_review(by=post.author)
    assert post.status == Post.Status.PENDING
    pages = [
        reverse("digest:post-index"),
        reverse("digest:quote-list"),
        reverse("digest:quote-list") + "?q=Kafka",
        reverse("digest:quote-speaker", kwargs={"key": "pendingspeaker"}),
        reverse("digest:search") + "?q=Kafka",
        reverse("digest:feed-rss"),
        reverse("digest:sitemap-section", kwargs={"section": "posts"}),
        post.get_absolute_url(),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "Pending" not in page and "pending stat" not in page, url
    assert client.get(post.get_absolute_url()).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        post.publish(by=staff(Role.EDITORS))
    assert "Pending quote about Kafka." in client.get(reverse("digest:quote-list")).content.decode()
    assert client.get(post.get_absolute_url()).status_code == 200
