import re

import pytest
from django.urls import reverse

from digest.pagination import page_window
from tests.accounts.factories import UserFactory
from tests.digest.factories import bulk_posts


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
