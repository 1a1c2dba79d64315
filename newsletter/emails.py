"""Each issue as an e-mail: rendered once per issue, personalised per subscriber by string
substitution of two links (preferences and unsubscribe), so a batch of thousands costs one
template render and one CSS inlining."""

import functools
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.module_loading import import_string

from digest.models import Post, SiteSettings

from . import tokens
from .models import Subscriber

INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
# Every link and picture must work from a mailbox: root-relative ones get the site's origin.
# The HTML here is our own or nh3-sanitised, which always writes attributes double-quoted.
RELATIVE_URL = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')
PREHEADER_LENGTH = 140


def absolute_links(html):
    return RELATIVE_URL.sub(lambda m: f'{m[1]}="{urljoin(settings.SITE_URL, m[2])}"', html)


@dataclass(frozen=True)
class IssueEmail:
    """One issue's message with placeholders in place of each subscriber's own links."""

    subject: str
    html: str
    text: str
    manage_mark: str
    unsubscribe_mark: str

    def message(self, subscriber, message_id, issue_id=None):
        # One token for both links; it names the issue so that an unsubscribe is counted in
        # this issue's figures.
        token = tokens.make(subscriber, tokens.MANAGE, issue_id)
        manage = absolute_url("newsletter:preferences", token)
        unsubscribe = absolute_url("newsletter:unsubscribe", token)

        def personal(body):
            return body.replace(self.manage_mark, manage).replace(
                self.unsubscribe_mark, unsubscribe
            )

        message = EmailMultiAlternatives(
            subject=self.subject,
            body=personal(self.text),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[subscriber.email],
            headers={
                # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" there.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"<newsletter.{urlsplit(settings.SITE_URL).hostname}>",
                # The same id whenever this delivery is handed over again (see sending.py):
                # mailboxes that drop repeated ids show a re-sent copy once.
                "Message-ID": message_id,
                "Precedence": "bulk",
            },
        )
        message.attach_alternative(personal(self.html), "text/html")
        return message


def absolute_url(name, token):
    return urljoin(settings.SITE_URL, reverse(name, args=[token]))


def extra_blocks():
    """HTML blocks other apps add to each issue (settings.NEWSLETTER_BLOCKS): the sponsors
    app's block of this week's sponsors, found by dotted path so that this app imports no
    other app than digest. A block whose app is not installed is left out."""
    blocks = []
    for path in settings.NEWSLETTER_BLOCKS:
        try:
            block = import_string(path)
        except ImportError:
            continue
        blocks.append(absolute_links(str(block())))
    return blocks


def preheader(post):
    text = " ".join(strip_tags(post.description or post.excerpt_text or "").split())
    return text[:PREHEADER_LENGTH]


@functools.lru_cache(maxsize=8)
def render_issue(post_id, version):
    """The issue's e-mail (cached per post version: one render for a whole sending)."""
    post = Post.objects.select_related("author").get(pk=post_id)
    return build(post)


def build(post):
    manage_mark, unsubscribe_mark = (f"@@{secrets.token_hex(12)}@@" for _ in range(2))
    site = SiteSettings.load()
    context = {
        "post": post,
        "site": site,
        "site_name": site.site_name,
        "site_url": settings.SITE_URL,
        "post_url": urljoin(settings.SITE_URL, post.get_absolute_url()),
        "lead_image_url": urljoin(settings.SITE_URL, post.lead_image.url)
        if post.lead_image
        else "",
        "preheader": preheader(post),
        "blocks": extra_blocks(),
        "manage_url": manage_mark,
        "unsubscribe_url": unsubscribe_mark,
    }
    html = render_to_string("newsletter/email/issue.html", context)
    html = INLINER.inline(absolute_links(html))
    text = render_to_string("newsletter/email/issue.txt", context)
    return IssueEmail(post.title, html, text, manage_mark, unsubscribe_mark)


def issue_email(post):
    return render_issue(post.pk, post.version)


def send_test(post, address):
    """The post's e-mail to one address (an editor's), its subject marked "[Test]"; no
    delivery is recorded and nobody else is sent anything."""
    probe = Subscriber(pk=0, email=address)
    message = build(post).message(probe, make_msgid("newsletter-test"))
    message.subject = f"[Test] {message.subject}"
    message.send()
