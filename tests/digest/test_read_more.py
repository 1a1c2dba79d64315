"""A digest's "Click to read more ..." on the index lands at the first part the index did not
show, so the reader does not re-read the stats and quotes already in front of them."""

import re

import pytest
from django.urls import reverse

from tests.digest.factories import PostFactory, digest_with_parts

pytestmark = pytest.mark.django_db


def read_more_href(client):
    html = client.get(reverse("digest:post-index")).content.decode()
    match = re.search(r'<p class="read-more"><a href="([^"]+)">', html)
    assert match, "no read-more link on the index"
    return match.group(1)


def anchor_ids(client, post):
    return re.findall(r'id="([^"]+)"', client.get(post.get_absolute_url()).content.decode())


def test_lands_at_the_first_quote_not_on_the_index(client):
    post = digest_with_parts(
        stats=[("2M", "messages a second")],
        quotes=[("@a", "Shown quote.", True), ("@b", "Hidden quote.", False)],
        items=[("Shown item.", True), ("Hidden item.", False)],
    )
    hidden = post.quotes.get(on_index=False)
    href = read_more_href(client)
    assert href == f"{post.get_absolute_url()}#quote-{hidden.anchor}"
    assert f"quote-{hidden.anchor}" in anchor_ids(client, post)


def test_lands_at_the_first_stat_below_the_fold_of_the_stats(client):
    post = digest_with_parts(
        stats=[("2M", "messages a second"), ("9", "nines"), ("3", "regions")],
        quotes=[("@a", "Shown quote.", True), ("@b", "Hidden quote.", False)],
    )
    post.stats.filter(figure__in=["9", "3"]).update(on_index=False)
    post.refresh_parts()
    first_hidden = post.stats.get(figure="9")
    assert read_more_href(client) == f"{post.get_absolute_url()}#stat-{first_hidden.anchor}"
    assert f"stat-{first_hidden.anchor}" in anchor_ids(client, post)


def test_lands_at_the_first_item_not_on_the_index_when_every_quote_was_shown(client):
    post = digest_with_parts(
        stats=[("2M", "messages a second")],
        quotes=[("@a", "Shown quote.", True)],
        items=[("Shown item.", True), ("First hidden.", False), ("Second hidden.", False)],
    )
    first_hidden = post.items.filter(on_index=False).order_by("position").first()
    assert read_more_href(client) == f"{post.get_absolute_url()}#item-{first_hidden.anchor}"


def test_lands_after_the_parts_when_the_index_showed_them_all(client):
    post = digest_with_parts(
        stats=[("2M", "messages a second")],
        quotes=[("@a", "Shown quote.", True)],
        items=[("Shown item.", True)],
        body="The rest of the story.",
    )
    href = read_more_href(client)
    path, _, anchor = href.partition("#")
    assert path == post.get_absolute_url()
    html = client.get(path).content.decode()
    # The anchor sits after the last part and before the body.
    assert html.index(f'id="{anchor}"') > html.index("Shown item.")
    assert html.index(f'id="{anchor}"') < html.index("The rest of the story.")


def test_an_article_still_lands_at_more(client):
    post = PostFactory(excerpt="Intro.", body="The rest.")
    assert read_more_href(client) == f"{post.get_absolute_url()}#more"
