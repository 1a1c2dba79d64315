"""The demo content reads like a real site (issue 18): within a digest no quote or item twice
and every quote always credited to the same speaker; no sentence twice within a post; a lead
image's caption about its own article."""

import re
from collections import defaultdict

import pytest

from digest.demo import create_demo_content
from digest.models import Post, Quote
from tests.helpers import text


@pytest.fixture
def demo(db):
    create_demo_content(total=150, seed=7)
    return Post.objects.published()


def sentences(html):
    return [s for s in re.split(r"(?<=[.!?])\s+", text(html)) if len(s) > 20]


def test_a_digest_has_each_quote_and_item_once(demo):
    for digest in demo.filter(kind=Post.Kind.DIGEST):
        quotes = list(digest.quotes.values_list("text", flat=True))
        items = list(digest.items.values_list("text", flat=True))
        assert len(set(quotes)) == len(quotes), digest.title
        assert len(set(items)) == len(items), digest.title


def test_a_quote_is_always_credited_to_the_same_speaker(demo):
    speakers = defaultdict(set)
    for speaker, quote in Quote.objects.values_list("speaker", "text"):
        speakers[quote].add(speaker)
    assert {quote: names for quote, names in speakers.items() if len(names) > 1} == {}


def test_no_sentence_repeats_within_a_post(demo):
    for post in demo:
        said = sentences(post.excerpt_html + post.body_html + post.parts_full_html)
        repeated = {s for s in said if said.count(s) > 1}
        assert not repeated, (post.title, repeated)


def test_a_caption_names_the_company_its_article_is_about(demo):
    captioned = demo.filter(kind=Post.Kind.ARTICLE).exclude(lead_image_caption="")
    assert captioned.exists()
    for post in captioned:
        company = re.match(r"(?:How requests flow through )?(.+?)'s ", post.lead_image_caption)
        assert company and company[1] in post.title, (post.title, post.lead_image_caption)
