"""Inbox entries into the week's digest, through the digest's one write path: the parts as
they stand plus the new ones (`sync_parts`), one save of the post, one revision."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from digest.models import Post, Revision, digest_title, slug_from_title
from digest.models.calendar import week_start
from digest.models.parts import sync_parts
from digest.models.revision import PART_FIELDS

from .models import Entry


def markdown_link_text(text):
    """Text safe inside [ ] of a Markdown link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def as_item(entry):
    link = f"[{markdown_link_text(entry.display_title)}](<{entry.url}>)"
    return {"text": f"{link}. {entry.comment}" if entry.comment else link, "on_index": True}


def as_quote(entry):
    """The selected text as a quote; the speaker is a guess (the page's author, else its
    site), for the editor to confirm in the composer."""
    speaker = entry.author_name or entry.site_name or ""
    text = entry.selected_text or entry.comment or entry.display_title
    return {"speaker": speaker[:200], "text": text, "source_url": entry.url, "on_index": True}


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


@transaction.atomic
def send_to_digest(entries, kind, user, post=None):
    """Add the entries to the digest as items or quotes, after its parts; mark them used."""
    if post is None:
        post, _ = week_digest(user)
    build = {"items": as_item, "quotes": as_quote}[kind]
    wanted = _standing(post, kind) + [build(entry) for entry in entries]
    sync_parts(post, **{kind: wanted})
    post.save()
    Revision.record(post, by=user, note=f"{len(entries)} from the link inbox")
    Entry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        status=Entry.Status.USED, used_in=post, used_as=kind[:-1]
    )
    return post
