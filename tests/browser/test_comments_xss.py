"""Every XSS payload of tests/security in every comment field (name, website, text), in
Chromium with the Content-Security-Policy bypassed, as test_xss_browser.py does for the rest of
the site: the post pages, the index, the admin queue, and the comment the form's script puts
into the page itself. No dialog, no `window.__xss`, nothing in the DOM that could run."""

from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment
from tests.accounts.factories import staff
from tests.browser.test_xss_browser import Visitor
from tests.comments.payloads import payload_comments
from tests.digest.factories import PostFactory
from tests.security.xss_helpers import PAYLOADS, SECTIONED

SUBMITTED = 8  # payloads sent through the form itself (the rest are written by the ORM)


def test_no_comment_payload_runs_for_readers_or_editors(live_server, new_page, settings):
    posts = payload_comments()
    held = payload_comments(approve=False)
    assert Comment.objects.visible().count() > 250
    visitor = Visitor(new_page(bypass_csp=True), live_server.url)
    for post in posts:
        visitor.visit(post.get_absolute_url())
        visitor.visit(reverse("comments:post-feed", args=[post.pk]))
    visitor.visit(reverse("digest:post-index"))
    visitor.visit(reverse("comments:feed-rss"))

    editor = staff("Editors")
    desk = Visitor(new_page(bypass_csp=True), live_server.url)
    desk.log_in(reverse("admin:login"), editor)
    queue = reverse("admin:comments_comment_changelist")
    for number in range(Comment.objects.count() // 50 + 1):
        desk.visit(f"{queue}?p={number + 1}")
    for comment in Comment.objects.filter(post__in=held)[::40]:
        desk.visit(reverse("admin:comments_comment_change", args=[comment.pk]))
    visitor.assert_nothing_ran()
    desk.assert_nothing_ran()


def test_a_payload_sent_through_the_form_is_inert_where_the_script_shows_it(
    live_server, new_page, settings
):
    settings.COMMENTS_TRAP_MIN_SECONDS = 0
    settings.COMMENTS_RATE_PER_ADDRESS = settings.COMMENTS_RATE_PER_EMAIL = "100/m"
    post = PostFactory()
    chosen = [p for section, p in SECTIONED if "\x00" not in p][:: len(PAYLOADS) // SUBMITTED]
    visitor = Visitor(new_page(bypass_csp=True), live_server.url)
    visitor.visit(post.get_absolute_url())
    form = visitor.page.locator("form.comment-form")
    for n, payload in enumerate(chosen[:SUBMITTED]):
        form.get_by_label("Name").fill(payload[:80])
        form.get_by_role("textbox", name="E-mail (never shown)").fill(f"x{n}@example.net")
        form.get_by_label("Comment", exact=True).fill(payload)
        form.get_by_role("button", name="Post comment").click()
        expect(visitor.page.locator(".comment-result")).to_have_text(
            "Thank you: your comment waits for an editor's approval."
        )
        visitor.check(f"form, payload {n}")
        visitor.page.locator(".comment-result").evaluate("el => el.textContent = ''")
    assert Comment.objects.count() == len(chosen[:SUBMITTED])
    visitor.assert_nothing_ran()
