"""Inbox entries into the week's digest, through the digest's one write path: the parts as
they stand plus the new ones (`sync_parts`), one save of the post, one revision."""

import re
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from digest.models import Post, Quote, Revision, Stat, digest_title, slug_from_title
from digest.models.calendar import week_start
from digest.models.parts import sync_parts
from digest.models.revision import PART_FIELDS
from digest.parsing import MAX_LABEL_LENGTH, guess_stat

from .models import Entry

SPEAKER_LENGTH = Quote._meta.get_field("speaker").max_length
# What a page's words or title may hold that Markdown would read as its own: a bracket ends the
# link's text, "<" opens HTML or an autolink (the sanitiser then drops the words), a backtick a
# code span, "*" and "_" emphasis.
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\\[\]<>`*_])")


def markdown_link_text(text):
    """Text safe inside [ ] of a Markdown link, shown as written."""
    return _MARKDOWN_SPECIAL_RE.sub(r"\\\1", text)


def markdown_link_destination(url):
    """`url` as a Markdown link's destination, in < >: spaces and parentheses may stand there,
    a backslash, "<" or ">" is escaped and a line break percent-encoded."""
    url = re.sub(r"([\\<>])", r"\\\1", url).replace("\n", "%0A").replace("\r", "%0D")
    return f"<{url}>"


def markdown_link(text, url):
    return f"[{markdown_link_text(text)}]({markdown_link_destination(url)})"


def page_words(text):
    """Words selected on a page (plain text) as Markdown that shows them as written: a "<"
    that Markdown would take for a tag or an autolink ("Vec<String>", "<b>") is escaped, or
    the sanitiser would drop the words after it."""
    return re.sub(r"<(?=[A-Za-z/!?])", r"\\<", text)


def fits_link_field(url, model, name):
    """Whether `url` can be the part's link field as it is: short enough, and an address the
    composer's form accepts (one it refuses would stop the editor's next save of the digest);
    any other goes into the part's Markdown."""
    try:
        model._meta.get_field(name).run_validators(url)
    except ValidationError:
        return False
    return True


def as_item(entry):
    """The page's title as the link; the editor's comment after it, or, with words selected
    on the page, the comment first and the words quoted after the link, as the digest's
    items read ("Skynet may just be stupid. [The NSA's SKYNET program…](…): At root, …")."""
    link = markdown_link(entry.display_title, entry.url)
    if entry.selected_text:
        quoted = f"{link}: {page_words(entry.selected_text)}"
        text = " ".join(filter(None, [entry.comment, quoted]))
    else:
        text = f"{link}. {entry.comment}" if entry.comment else link
    return {"text": text, "on_index": True}


def as_quote(entry):
    """The selected text as a quote; the speaker is a guess (the page's author, else its
    site), for the editor to confirm in the composer."""
    speaker = " ".join((entry.author_name or entry.site_name or "").split())[:SPEAKER_LENGTH]
    # A quote is one paragraph: a selection across paragraphs is joined into one.
    text = " ".join(page_words(entry.selected_text).split()) or entry.comment
    text = text or markdown_link_text(entry.display_title)
    if fits_link_field(entry.url, Quote, "source_url"):
        return {"speaker": speaker, "text": text, "source_url": entry.url, "on_index": True}
    text = f"{text} ({markdown_link('source', entry.url)})"
    return {"speaker": speaker, "text": text, "source_url": "", "on_index": True}


def as_stat(entry):
    """A headline number from the selected text (else the comment, else the title): the figure
    is a guess for the editor to confirm, linked to the page. With no figure in the text, the
    stat is the text itself, and the page's link goes on it so it is not lost."""
    figure, label = guess_stat(entry.selected_text or entry.comment or entry.display_title)
    if figure and fits_link_field(entry.url, Stat, "figure_url"):
        label = page_words(label) if entry.selected_text else label
        return {"figure": figure, "figure_url": entry.url, "label": label, "on_index": True}
    # The link on the label instead, the label's words cut to leave it room.
    destination = markdown_link_destination(entry.url)
    room = MAX_LABEL_LENGTH - len(f"[]({destination})")
    words = markdown_link_text(label)
    if room < 1:
        return None
    if len(words) > room:
        words = words[: room - 1].rstrip("\\") + "…"
    label = f"[{words}]({destination})"
    return {"figure": figure, "figure_url": "", "label": label, "on_index": True}


BUILD = {"stats": as_stat, "quotes": as_quote, "items": as_item}
KINDS = {"items": "item", "quotes": "quote", "stats": "stat"}


def guess_kind(entry):
    """What the entry most likely is, for the inbox to preselect: words selected on the page
    with no comment are a stat when they start with a figure ("200K : msgs per second", "750
    million xactions"), else a quote; the rest (a link, or words with the editor's comment on
    them, as the digest's items read) an item. Only an item keeps the comment along with the
    words, so a commented link is never guessed to be anything else; nor is a link a stat
    cannot hold guessed to be one."""
    words = " ".join(entry.selected_text.split())
    if not words or entry.comment:
        return "items"
    figure, _ = guess_stat(words)
    is_stat = figure and words.startswith(figure) and fits(entry, "stats")
    return "stats" if is_stat else "quotes"


def fits(entry, kind):
    """Whether the entry can be a part of `kind` (a stat cannot link an address longer than
    its label holds)."""
    return BUILD[kind](entry) is not None


def week_digest(user):
    """The coming digest that is not out yet — a draft, one waiting for review or one
    scheduled — else a new draft (dated like "New digest" in the admin: the coming issue's
    Friday, 09:00; next week's once this week's issue is out)."""
    day = Post.objects.coming_issue_day()
    waiting = (
        Post.objects.unseen()
        .filter(kind=Post.Kind.DIGEST, publish_at__gte=week_start(day))
        .order_by("publish_at", "pk")
        .first()
    )
    if waiting is not None:
        return waiting, False
    title = digest_title(day)
    post = Post(
        title=title,
        slug=slug_from_title(title),
        kind=Post.Kind.DIGEST,
        status=Post.Status.DRAFT,
        publish_at=timezone.make_aware(datetime.combine(day, time(9, 0))),
        author=user,
    )
    post.save()
    return post, True


def _standing(post, kind):
    model, fields = PART_FIELDS[kind]
    return [
        {f: getattr(part, f) for f in fields}
        for part in model.objects.filter(post=post).order_by("position", "pk")
    ]


class NoLongerWaiting(Exception):
    """Some of the chosen links were used, archived or deleted since the list was shown."""


@transaction.atomic
def send_to_digest(chosen, user, post):
    """Add the chosen (entry, kind) pairs to the digest, each after the parts of its kind (stats,
    quotes or items) in the order given, in one save and one revision, and mark them used.
    Every entry must fit its kind (`fits`); raises NoLongerWaiting, having written nothing,
    when one is no longer waiting."""
    # Claimed first, and only while still waiting: of two Adds sent at once (a double click),
    # the second finds them taken and writes nothing.
    claimed = 0
    for kind, name in KINDS.items():
        claimed += (
            Entry.objects.waiting()
            .filter(pk__in=[entry.pk for entry, k in chosen if k == kind])
            .update(status=Entry.Status.USED, used_in=post, used_as=name)
        )
    if claimed != len(chosen):
        raise NoLongerWaiting
    new = {kind: [] for kind in KINDS}
    for entry, kind in chosen:
        new[kind].append(BUILD[kind](entry))
    sync_parts(
        post, **{kind: _standing(post, kind) + parts for kind, parts in new.items() if parts}
    )
    post.save()
    Revision.record(post, by=user, note=f"{len(chosen)} from the link inbox")
