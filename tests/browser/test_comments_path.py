"""Comments in Chromium: a reader comments on a cached post page, an editor approves it in the
admin queue, the reader (and everyone else) sees it; a reply reaches the first reader by
e-mail through a real SMTP server; a second comment from the approved address appears at once;
a spammy one is held. Then screenshots of the post with its comments, narrow and wide, light
and dark, for a person to look at (test-artifacts/)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from comments.models import Comment, CommentSettings, ThreadSubscription
from tests.accounts.factories import PASSWORD, UserFactory, staff
from tests.comments.conftest import run_jobs
from tests.digest.factories import PostFactory
from tests.newsletter.smtp_sink import SmtpSink, send_mail_to


@pytest.fixture
def smtp(settings, live_server):
    sink = SmtpSink().start()
    send_mail_to(sink, settings)
    settings.SITE_URL = live_server.url  # the links in the e-mails lead to this server
    # The time trap counts seconds; a test must not wait for them.
    settings.COMMENTS_TRAP_MIN_SECONDS = 0
    yield sink
    sink.stop()


def write(page, name, email, body, notify=False):
    form = page.locator("form.comment-form")
    form.get_by_label("Name").fill(name)
    form.get_by_role("textbox", name="E-mail (never shown)").fill(email)
    form.get_by_label("Comment", exact=True).fill(body)
    if notify:
        form.get_by_label(re.compile("E-mail me about new comments")).check()
    form.get_by_role("button", name="Post comment").click()


def result(page):
    return page.locator(".comment-result")


def comments_of(new_page, url):
    """What a new anonymous reader sees under the post."""
    reader = new_page()
    reader.goto(url)
    return reader.locator(".comments")


def test_comment_moderate_reply_by_email_and_the_rules(live_server, new_page, smtp):
    author = UserFactory(email="author@example.org", display_name="Todd")
    post = PostFactory(title="Queues all the way down", author=author)
    url = live_server.url + post.get_absolute_url()
    CommentSettings.objects.update_or_create(pk=1, defaults={"max_links": 2})

    # The page is cached whole: a second reader gets the stored copy.
    new_page().goto(url)
    reader = new_page()
    response = reader.goto(url)
    assert response.header_value("x-page-cache") == "hit"
    assert "csrfmiddlewaretoken" not in reader.content()

    write(reader, "Grace", "grace@example.net", "Back-pressure *matters*.", notify=True)
    expect(result(reader)).to_have_text(re.compile("waits for an editor's approval"))
    expect(reader.locator(".comment-held")).to_contain_text("Waiting for moderation")
    held = Comment.objects.get()
    assert held.status == Comment.Status.PENDING
    expect(comments_of(new_page, url)).not_to_contain_text("Back-pressure")

    # Grace confirms that she wants e-mail about this thread (double opt-in).
    run_jobs()
    (confirmation,) = smtp.to("grace@example.net")
    link = re.search(r"http://\S+/comments/follow/\S+/", confirmation.get_content()).group()
    reader.goto(link)
    reader.get_by_role("button", name="Yes, follow these comments").click()
    expect(reader.get_by_text("You will get an e-mail")).to_be_visible()

    # The editor approves it in the queue.
    editor = staff(Role.EDITORS)
    desk = new_page()
    desk.goto(live_server.url + reverse("admin:comments_comment_changelist"))
    desk.locator("#id_username").fill(editor.username)
    desk.locator("#id_password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    row = desk.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Held for moderation")
    expect(row).to_contain_text("Queues all the way down")
    expect(row.locator(".comment-preview em")).to_have_text("matters")
    row.locator("input[name=_selected_action]").check()
    desk.locator("select[name=action]").select_option("approve")
    desk.get_by_role("button", name="Go").click()
    expect(desk.locator(".messagelist")).to_contain_text("1 comment(s) approved")

    # The reader sees it, and so does everyone: the cached page was rebuilt.
    reader.goto(url)
    expect(reader.locator(f"#comment-{held.pk}")).to_contain_text("Back-pressure matters.")
    everyone = comments_of(new_page, url)
    expect(everyone.locator("h2")).to_have_text("1 comment")
    expect(everyone.locator(f"#comment-{held.pk}")).to_be_visible()
    index = new_page()
    index.goto(live_server.url + reverse("digest:post-index"))
    expect(index.locator(".entry-comments").first).to_have_text("1 comment")

    # Another reader replies; once approved, Grace and the author are told by e-mail.
    other = new_page()
    other.goto(url)
    other.get_by_role("button", name="Reply to Grace").click()
    expect(other.locator(".comment-replying")).to_contain_text("Grace")
    other.locator("form.comment-form").get_by_label("Name").fill("Ada")
    other.locator("form.comment-form").get_by_role("textbox", name="E-mail (never shown)").fill(
        "ada@example.net"
    )
    other.locator("form.comment-form").get_by_label("Comment", exact=True).fill(
        "Agreed, queues lie."
    )
    other.get_by_role("button", name="Post comment").click()
    expect(result(other)).to_have_text(re.compile("waits"))
    reply = Comment.objects.get(name="Ada")
    assert reply.parent == held
    reply.approve(by=editor)
    run_jobs()
    (notice,) = [
        m for m in smtp.to("grace@example.net") if "Agreed, queues lie." in m.get_content()
    ]
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "ada@example.net" not in notice.as_string()
    assert any("Agreed" in m.get_content() for m in smtp.to("author@example.org"))
    assert ThreadSubscription.objects.get().status == ThreadSubscription.Status.CONFIRMED

    # Grace's address is approved now: her next comment appears at once, for everyone.
    reader.goto(url)
    write(reader, "Grace", "grace@example.net", "One more thing: `retry` budgets.")
    expect(result(reader)).to_have_text("Your comment is published.")
    expect(comments_of(new_page, url)).to_contain_text("One more thing: retry budgets.")

    # A spammy one from the same address waits.
    spam = "Cheap: https://a.example https://b.example https://c.example"
    write(reader, "Grace", "grace@example.net", spam)
    expect(result(reader)).to_have_text(re.compile("waits for an editor's approval"))
    assert Comment.objects.get(body_markdown=spam).hold_reason == "too many links"
    expect(comments_of(new_page, url)).not_to_contain_text("Cheap")

    # Within 15 minutes, her browser may still edit what she wrote.
    mine = Comment.objects.get(body_markdown__startswith="One more thing")
    latest = reader.locator(f"#comment-{mine.pk}")
    latest.get_by_role("button", name="Edit").click()
    # Editing starts from the text as she typed it, not from its rendering.
    expect(latest.locator("textarea")).to_have_value("One more thing: `retry` budgets.")
    latest.locator("textarea").fill("One more thing: *retry* budgets, edited.")
    latest.get_by_role("button", name="Save").click()
    expect(reader.locator(f"#comment-{mine.pk} .comment-body em")).to_have_text("retry")
    expect(comments_of(new_page, url)).to_contain_text("budgets, edited")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_a_post_with_comments(live_server, new_page, artifacts, scheme, width):
    post = PostFactory(title="How Discord stores trillions of messages")
    top, _ = Comment.submit(
        post,
        name="Grace Hopper",
        email="grace@example.net",
        website="https://grace.example",
        body="We moved to **ScyllaDB** for the same reason.\n\n> hot partitions\n\n"
        "were the real problem. See `nodetool tablestats`.",
    )
    top.approve()
    reply, _ = Comment.submit(
        post, name="Ada", email="ada@example.net", body="*Agreed*, and compaction too.", parent=top
    )
    reply.approve()
    other, _ = Comment.submit(
        post, name="Linus", email="linus@example.net", body="Benchmarks or it didn't happen."
    )
    other.approve()
    page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.goto(live_server.url + post.get_absolute_url() + "#comments")
    expect(page.locator(".comments h2")).to_have_text("3 comments")
    page.locator(".comments").screenshot(path=artifacts / f"comments-{width}-{scheme}.png")
    page.screenshot(path=artifacts / f"comments-page-{width}-{scheme}.png", full_page=True)
