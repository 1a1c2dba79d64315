"""axe-core on every page type a reader, a sponsor or a newcomer meets, in light and dark mode,
at phone and desktop widths: no serious or critical violation (issue 18).

axe-core comes from npm (`.ci/services.sh ensure_axe`, run by `make test`) and is injected by
Playwright into each page as it is served, CSP and all (an injected script is not subject to
the page's policy)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from digest.demo import create_demo_content, demo_authors
from digest.models import Post, Quote
from sponsors.compiling import compile_week
from sponsors.models import Listing, this_week
from tests.accounts.factories import PASSWORD
from tests.browser.axe import describe, violations
from tests.sponsors.factories import ListingFactory, SponsorFactory, SponsorUserFactory

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def site(live_server):
    """Demo content (digests, articles, tags, a sponsored post) and a sponsor who can log in."""
    create_demo_content(total=40, seed=11, now=timezone.now())
    last_week = this_week() - timedelta(days=7)
    sponsors = [SponsorFactory(name=name) for name in ("Queuemaster", "Acme Jobs", "DevConf")]
    for sponsor, section in zip(sponsors, Listing.Section.values, strict=True):
        ListingFactory(sponsor=sponsor, section=section, approved=True, weeks=[last_week])
    compile_week(last_week, author=demo_authors())  # this week's may not be out yet
    sponsor_user = SponsorUserFactory()
    sponsors[0].managers.add(sponsor_user)
    published = Post.objects.published()
    digest = published.filter(kind=Post.Kind.DIGEST).first()
    article = published.filter(kind=Post.Kind.ARTICLE).first()
    sponsored = published.filter(kind=Post.Kind.SPONSORED).first()
    tag = article.tags.first()
    speaker = Quote.objects.filter(post=digest).first().speaker_key
    pages = {
        "index": reverse("digest:post-index"),
        "deep index page": reverse("digest:post-index") + "?page=3",
        "digest": digest.get_absolute_url(),
        "article": article.get_absolute_url(),
        "sponsored post": sponsored.get_absolute_url() if sponsored else None,
        "tag": reverse("digest:tag-detail", args=[tag.slug]),
        "archive": reverse("digest:archive"),
        "search": reverse("digest:search") + "?q=latency",
        "quotes": reverse("digest:quote-list"),
        "speaker": reverse("digest:quote-speaker", args=[speaker]),
        "sponsors": reverse("sponsors:about"),
        "sign-up": reverse("sponsors:signup"),
        "login": reverse("accounts:login"),
        "404": "/no/such/page/",
    }
    return SimpleNamespace(url=live_server.url, pages=pages, sponsor=sponsor_user)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_no_serious_violations_on_any_page_type(new_page, site, axe_source, scheme, size):
    page = new_page(viewport=SIZES[size], color_scheme=scheme)
    problems = []
    for name, path in site.pages.items():
        assert path is not None, f"no {name} in the demo content"
        page.goto(site.url + path)
        found = violations(page, axe_source)
        if found:
            problems.append(f"{name} ({path}):\n{describe(found)}")
    # The sponsor's own page, logged in.
    page.goto(site.url + reverse("accounts:login"))
    page.locator("#id_username").fill(site.sponsor.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form [type=submit]").first.click()
    page.goto(site.url + reverse("sponsors:dashboard"))
    found = violations(page, axe_source)
    if found:
        problems.append(f"dashboard:\n{describe(found)}")
    assert not problems, f"{scheme}, {size}:\n" + "\n".join(problems)
