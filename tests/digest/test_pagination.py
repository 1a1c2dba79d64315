import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from digest.models import Post
from digest.pagination import page_window
from tests.accounts.factories import UserFactory
from tests.digest.factories import PostFactory, bulk_posts


def pagination_line(response):
    """The text of the pagination line as a reader sees it, whitespace collapsed."""
    html = response.content.decode()
    block = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
    text = re.sub(r"<[^>]+>", " ", block)
    return " ".join(text.split())


def linked_pages(response):
    html = response.content.decode()
    block = re.search(
        r'<span class="pages">.*?</span>\s*(?=<a class="next"|</nav>)', html, re.S
    ).group(0)
    return re.findall(r'href="\?page=(\d+)"', block)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, [1, 2, 3, "...", 200]),
        (2, [1, 2, 3, 4, "...", 200]),
        (4, [1, 2, 3, 4, 5, 6, "...", 200]),
        (5, [1, "...", 3, 4, 5, 6, 7, "...", 200]),
        (199, [1, "...", 197, 198, 199, 200]),
        (200, [1, "...", 198, 199, 200]),
    ],
)
def test_page_window_shows_first_neighbours_and_last(number, expected):
    assert page_window(number, 200) == expected


def test_page_window_of_a_short_archive_has_no_gaps():
    assert page_window(1, 1) == [1]
    assert page_window(3, 5) == [1, 2, 3, 4, 5]


@pytest.fixture
def two_hundred_pages(db):
    bulk_posts(2000, author=UserFactory())


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "Page 1 2 3 ... 200 Next 10 Entries »"),
        (2, "« Previous 10 Entries Page 1 2 3 4 ... 200 Next 10 Entries »"),
        (5, "« Previous 10 Entries Page 1 ... 3 4 5 6 7 ... 200 Next 10 Entries »"),
        (199, "« Previous 10 Entries Page 1 ... 197 198 199 200 Next 10 Entries »"),
        (200, "« Previous 10 Entries Page 1 ... 198 199 200"),
    ],
)
def test_index_pagination_line_is_exact(client, two_hundred_pages, number, expected):
    response = client.get(reverse("digest:post-index"), {"page": number})

    assert response.status_code == 200
    assert pagination_line(response) == expected
    assert str(number) not in linked_pages(response), "the current page is not a link"
    assert response.content.decode().count('class="entry"') == 10


def test_index_page_five_links_its_neighbours(client, two_hundred_pages):
    response = client.get(reverse("digest:post-index"), {"page": 5})

    assert linked_pages(response) == ["1", "3", "4", "6", "7", "200"]
    assert 'rel="prev" href="?page=4"' in response.content.decode()
    assert 'rel="next" href="?page=6"' in response.content.decode()


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", "", "99999999999999999999", "٣", "3 "])
@pytest.mark.django_db
def test_a_page_that_is_not_a_page_number_is_a_helpful_404(client, bad):
    bulk_posts(15, author=UserFactory())

    response = client.get(reverse("digest:post-index"), {"page": bad})

    assert response.status_code == 404
    assert (
        "numbered" in response.content.decode() or "not a page number" in response.content.decode()
    )


@pytest.mark.django_db
def test_a_page_past_the_end_names_the_last_page(client):
    bulk_posts(15, author=UserFactory())

    response = client.get(reverse("digest:post-index"), {"page": 3})

    assert response.status_code == 404
    assert "the last page is 2" in response.content.decode()


@pytest.mark.django_db
def test_an_empty_site_has_a_first_page(client):
    response = client.get(reverse("digest:post-index"))

    assert response.status_code == 200
    assert "Nothing has been published here yet." in response.content.decode()


@pytest.mark.django_db
def test_pagination_keeps_the_search_query(client):
    bulk_posts(25, author=UserFactory())

    response = client.get(reverse("digest:search"), {"q": "entry", "page": 2})

    assert response.status_code == 200
    assert 'href="?q=entry&amp;page=3"' in response.content.decode()


# Deep pages are read from the far end of the list ---------------------------------------------


def titles_on(client, url):
    html = client.get(url).content.decode()
    return re.findall(r'<h2 class="entry-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.mark.django_db
def test_pages_read_from_the_far_end_are_the_same_entries_in_the_same_order(client):
    author = UserFactory()
    start = timezone.now() - timedelta(hours=1)
    bulk_posts(17, author, start=start)
    # Posts sharing one publish time are ordered by id: the reversed read must keep that.
    same_time = bulk_posts(6, author, start=start - timedelta(days=30))
    for post in same_time:
        post.publish_at = start - timedelta(days=30)
    Post.objects.bulk_update(same_time, ["publish_at"])
    expected = [post.title for post in Post.objects.published()]
    assert len(expected) == 23

    seen = []
    for number in (1, 2, 3):
        seen += titles_on(client, f"{reverse('digest:post-index')}?page={number}")
    assert seen == expected
    assert len(titles_on(client, f"{reverse('digest:post-index')}?page=3")) == 3


@pytest.mark.django_db
def test_a_years_archive_lists_a_hundred_titles_a_page_newest_first(client):
    author = UserFactory()
    bulk_posts(130, author, start=timezone.make_aware(datetime(2019, 12, 30, 12)))
    year_posts = list(Post.objects.published().in_period(2019).values_list("title", flat=True))
    url = reverse("digest:archive-year", kwargs={"year": 2019})

    def listed(response):
        return re.findall(
            r'<li><time[^>]*>[^<]*</time> <a href="[^"]+">([^<]+)</a>', response.content.decode()
        )

    first, second = client.get(url), client.get(url + "?page=2")
    assert f"{len(year_posts)} posts" in first.content.decode()
    assert listed(first) + listed(second) == year_posts
    assert len(listed(first)) == 100
    assert "Next 100 Entries" in pagination_line(first)
    assert client.get(url + "?page=3").status_code == 404


@pytest.mark.django_db
def test_deep_pages_read_by_ids_first_list_the_same_entries(client):
    author = UserFactory()
    bulk_posts(1300, author)
    expected = list(Post.objects.published().values_list("title", flat=True))
    index = reverse("digest:post-index")

    # Page 60 skips 590 rows (ids first), page 100 is read from the far end, page 2 plainly.
    for number in (2, 60, 64, 65, 66, 100, 130):
        start = (number - 1) * 10
        assert titles_on(client, f"{index}?page={number}") == expected[start : start + 10]


@pytest.mark.django_db
def test_every_page_of_a_tag_lists_its_posts_in_order_once(client):
    author = UserFactory()
    bulk_posts(35, author, tags=["caching"])
    bulk_posts(20, author, tags=["queues"], start=timezone.now() - timedelta(days=2, hours=1))
    expected = list(
        Post.objects.published().filter(tags__slug="caching").values_list("title", flat=True)
    )
    url = reverse("digest:tag-detail", kwargs={"slug": "caching"})

    seen = []
    for number in (1, 2, 3, 4):
        seen += titles_on(client, f"{url}?page={number}")
    assert seen == expected
    assert len(seen) == 35
    response = client.get(url, {"page": 5})
    assert response.status_code == 404
    assert "the last page is 4" in response.content.decode()
    assert "35 entries" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_tag_page_shows_a_post_published_since_it_was_read(client):
    author = UserFactory()
    bulk_posts(12, author, tags=["caching"])
    url = reverse("digest:tag-detail", kwargs={"slug": "caching"})
    client.get(url)

    PostFactory(title="Fresh caching news", publish_at=timezone.now(), tags=["caching"])
    assert titles_on(client, url)[0] == "Fresh caching news"


@pytest.mark.django_db
@pytest.mark.parametrize("from_end", [False, True])
@pytest.mark.parametrize("ids_first", [False, True])
@pytest.mark.parametrize("bottom,top", [(0, 10), (590, 600), (20, 23)])
def test_the_index_pages_compiled_once_are_the_querysets_sql(from_end, ids_first, bottom, top):
    from digest.pagination import SitePaginator
    from digest.views import ENTRY_KEY, PostIndexView

    prepared = PostIndexView.prepared_page
    paginator = SitePaginator(Post.objects.none(), 10, count=1000, fields=ENTRY_KEY)
    for now in (timezone.now(), timezone.now() + timedelta(days=3)):
        rows = paginator.rows_between(
            Post.objects.published(now), bottom, top, from_end=from_end, ids_first=ids_first
        )
        expected = rows.query.get_compiler(rows.db).as_sql()

        compiled = prepared.sql(paginator, bottom, top, now, from_end=from_end, ids_first=ids_first)

        assert compiled[0] == expected[0] and list(compiled[1]) == list(expected[1])


@pytest.mark.django_db
def test_a_post_whose_time_comes_joins_the_index_compiled_before_it(client, monkeypatch):
    author = UserFactory()
    bulk_posts(3, author)
    soon = timezone.now() + timedelta(hours=1)
    bulk_posts(1, author, start=soon)
    index = reverse("digest:post-index")
    assert len(titles_on(client, index)) == 3

    monkeypatch.setattr(timezone, "now", lambda: soon + timedelta(seconds=1))

    assert len(titles_on(client, index)) == 4
