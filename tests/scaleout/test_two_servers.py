"""Two app servers behind one load balancer behave as one site: a post published through one
is served by the other within a second, and a login made through one is valid on the other.

Everything goes over HTTP as a browser sends it (login forms with their CSRF tokens, the
admin's add form with every field of its page); readers are anonymous fetches, which the
page cache answers.
"""

import re
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from caching.pages import HIT_HEADER
from digest.models import Post
from tests.accounts.factories import PASSWORD, EditorFactory, UserFactory
from tests.digest.helpers import AdminForm
from tests.servers import Browser, production_password

pytestmark = pytest.mark.scaleout

VISIBLE_WITHIN = 1.0
# How long to keep looking after the limit, so a failure reports how late the post was.
POLL_SECONDS = 5
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html):
    found = CSRF_INPUT.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def log_in(browser, server, user):
    """A real login: fetch the form (CSRF cookie and token), post it."""
    url = server.url + reverse("accounts:login")
    form = browser.get(url)
    assert form.status == 200
    answer = browser.post(
        url,
        {
            "csrfmiddlewaretoken": csrf_token(form.body),
            "username": user.username,
            "password": PASSWORD,
            "next": "",
        },
    )
    assert answer.status == 302, f"login refused:\n{answer.body[:2000]}"
    assert browser.session, "the login set no session cookie"
    return answer


def admin_form_fields(html):
    form = AdminForm()
    form.feed(html)
    assert form.fields, "no post_form on the page"
    return form.fields


def read(url):
    """An anonymous reader's GET: (status, X-Page-Cache header, body)."""
    answer = Browser().get(url)
    return answer.status, answer.headers.get(HIT_HEADER), answer.body


def test_a_post_published_through_one_server_is_served_by_the_other_within_a_second(
    two_servers,
):
    server_a, server_b = two_servers
    editor = production_password(EditorFactory(username="scaleout-editor"), PASSWORD)
    index, feed = reverse("digest:post-index"), reverse("digest:feed-rss")
    # Both servers have stored the index and the feed: the second anonymous fetch is a hit.
    for server in two_servers:
        for page in (index, feed):
            assert read(server.url + page)[0] == 200
            assert read(server.url + page)[1] == "hit", (server.url, page)

    browser = Browser()
    log_in(browser, server_a, editor)
    add = server_a.url + reverse("admin:digest_post_add") + "?kind=digest"
    page = browser.get(add)
    assert page.status == 200
    fields = admin_form_fields(page.body)
    assert "stats-TOTAL_FORMS" in fields, "the digest form's inlines are missing"
    title = "Scale-out digest: two servers, one site"
    now = timezone.localtime(timezone.now().replace(microsecond=0))
    fields.update(
        title=title,
        slug="",
        status=Post.Status.PUBLISHED,
        publish_at_0=now.date().isoformat(),
        publish_at_1=now.time().isoformat(),
        author=str(editor.pk),
        paste_stats="2 : app servers sharing one Redis;",
    )

    saved = browser.post(add, fields)

    assert saved.status == 302, f"the admin did not save the post:\n{saved.body[:3000]}"
    assert saved.headers["Location"].startswith(reverse("admin:digest_post_changelist"))
    post = Post.objects.get(title=title)
    assert post.is_published
    permalink = post.get_absolute_url()
    seen, index_header = {}, None
    while len(seen) < 2 and time.monotonic() < saved.at + POLL_SECONDS:
        if index not in seen:
            status, index_header, body = read(server_b.url + index)
            if status == 200 and title in body:
                seen[index] = time.monotonic() - saved.at
        if permalink not in seen:
            status, _, body = read(server_b.url + permalink)
            if status == 200 and title in body and "app servers sharing one Redis" in body:
                seen[permalink] = time.monotonic() - saved.at
        if len(seen) < 2:
            time.sleep(0.01)
    print(
        f"\npublished through A; visible on B's index after "
        f"{seen.get(index, float('inf')):.3f} s (X-Page-Cache: {index_header}), "
        f"at its permalink after {seen.get(permalink, float('inf')):.3f} s"
    )
    assert seen.keys() == {index, permalink}, f"B never served the new post: {seen}"
    assert max(seen.values()) < VISIBLE_WITHIN

    for server in two_servers:
        status, _, body = read(server.url + feed)
        assert status == 200
        assert title in body, f"{server.url}{feed} does not list the new post"


def test_a_login_through_one_server_is_valid_on_the_other_and_so_is_its_logout(two_servers):
    server_a, server_b = two_servers
    reader = production_password(UserFactory(username="scaleout-reader"), PASSWORD)
    profile = reverse("accounts:profile")
    assert Browser().get(server_b.url + profile).status == 302, "profile open to anonymous"

    on_a = Browser()
    log_in(on_a, server_a, reader)
    # Only the session cookie travels to B: its CSRF cookie and token are B's own.
    on_b = Browser()
    on_b.cookies[settings.SESSION_COOKIE_NAME] = on_a.session
    page = on_b.get(server_b.url + profile)

    assert page.status == 200
    assert reader.username in page.body
    assert reader.email in page.body

    logout = on_b.post(
        server_b.url + reverse("accounts:logout"), {"csrfmiddlewaretoken": csrf_token(page.body)}
    )

    assert logout.status == 302
    assert on_b.session is None, "B did not end the session"
    after = on_a.get(server_a.url + profile)
    assert after.status == 302, "the session ended on B is still valid on A"
    assert after.headers["Location"].startswith(reverse("accounts:login"))
