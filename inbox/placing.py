"""Inbox entries into the week's digest, through the digest's one write path: the parts as
they stand plus the new ones (`sync_parts`), one save of the post, one revision."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from digest.models import Post, Revision, digest_title, slug_from_title
from digest.models.calendar import week_start
from digest.models.parts import sync_parts
from digest.models.revision import PART_FIELDS
from digest.parsing import MAX_LABEL_LENGTH, guess_stat

from .models import Entry

# The longest address a quote's source or a stat's figure can link to (longer ones go into the
# part's Markdown).
LINK_FIELD_LENGTH = 500


def markdown_link_text(text):
    """Text safe inside [ ] of a Markdown link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def as_item(entry):
    """The page's title as the link; the editor's comment after it, or, with words selected
    on the page, the comment first and the words quoted after the link, as the digest's
    items read ("Skynet may just be stupid. [The NSA's SKYNET program…](…): At root, …")."""
    link = f"[{markdown_link_text(entry.display_title)}](<{entry.url}>)"
    if entry.selected_text:
        text = " ".join(filter(None, [entry.comment, f"{link}: {entry.selected_text}"]))
    else:
        text = f"{link}. {entry.comment}" if entry.comment else link
    return {"text": text, "on_index": True}


def as_quote(entry):
    """The selected text as a quote; the speaker is a guess (the page's author, else its
    site), for the editor to confirm in the composer."""
    speaker = entry.author_name or entry.site_name or ""
    text = entry.selected_text or entry.comment or entry.display_title
    if len(entry.url) <= LINK_FIELD_LENGTH:
        return {"speaker": speaker[:200], "text": text, "source_url": entry.url, "on_index": True}
    # An address too long for the source field goes in the quote's own text.
    text = f"{text} ([source](<{entry.url}>))"
    return {"speaker": speaker[:200], "text": text, "source_url": "", "on_index": True}


def as_stat(entry):
    """A headline number from the selected text (else the comment, else the title): the figure
    is a guess for the editor to confirm, linked to the page. With no figure in the text, the
    stat is the text itself, and the page's link goes on it so it is not lost."""
    figure, label = guess_stat(entry.selected_text or entry.comment or entry.display_title)
    if figure and len(entry.url) <= LINK_FIELD_LENGTH:
        return {"figure": figure, "figure_url": entry.url, "label": label, "on_index": True}
    # The link on the label instead, the label's words cut to leave it room.
    room = MAX_LABEL_LENGTH - len(f"[](<{entry.url}>)")
    words = markdown_link_text(label)
    if room < 1:
        return None
    if len(words) > room:
        words = words[: room - 1].rstrip("\\") + "…"
    label = f"[{words}](<{entry.url}>)"
    return {"figure": figure, "figure_url": "", "label": label, "on_index": True}


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
    """Add the entries to the digest as `kind` (stats, quotes or items), after its parts of that
    kind, and mark them used. Returns (placed, left): an entry whose address cannot fit in a
    stat stays in the inbox."""
    if post is None:
        post, _ = week_digest(user)
    build = {"stats": as_stat, "quotes": as_quote, "items": as_item}[kind]
    built = [(entry, build(entry)) for entry in entries]
    placed = [(entry, part) for entry, part in built if part is not None]
    if placed:
        sync_parts(post, **{kind: _standing(post, kind) + [part for _, part in placed]})
        post.save()
        Revision.record(post, by=user, note=f"{len(placed)} from the link inbox")
        Entry.objects.filter(pk__in=[entry.pk for entry, _ in placed]).update(
            status=Entry.Status.USED, used_in=post, used_as=kind[:-1]
        )
    return [entry for entry, _ in placed], [entry for entry, part in built if part is None]
