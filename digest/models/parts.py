"""The parts of a weekly digest: headline numbers, quotable quotes and link commentary.

The post stores its digest rendered to HTML, so a page view never walks the parts. The parts
are written first, by their own rows (`sync_parts`, or the admin's formsets), then rendered
from what is in hand into the post (`Post.render_parts`), whose one save writes them: a part's
own save never touches its post.
"""

from django.db import models, transaction

from ..markdown import render_markdown, render_markdown_inline, sanitize_html
from ..parsing import MAX_LABEL_LENGTH, speaker_key
from .links import speaker_url as speaker_page_url
from .post import Post


class PartQuerySet(models.QuerySet):
    def published(self, now=None):
        """Parts of the posts readers may see (the condition of Post.objects.published())."""
        return self.filter(Post.objects.visible(now, through="post__"))

    def matching(self, query):
        """Quotes whose speaker or text holds every word of `query` (at most eight words)."""
        for word in query.split()[:8]:
            self = self.filter(models.Q(speaker__icontains=word) | models.Q(text__icontains=word))
        return self

    def for_listing(self):
        """Newest issue first, with just what a quote list shows of its post."""
        return (
            self.select_related("post")
            .only(
                "speaker",
                "speaker_key",
                "text_html",
                "source_url",
                "source_on",
                "anchor",
                "post__title",
                "post__slug",
                "post__publish_at",
            )
            .order_by("-post__publish_at", "-post__pk", "position", "pk")
        )


class DigestPart(models.Model):
    """What stats, quotes and items share: their post, their order, their anchor and the
    format of their text (Markdown from editors, sanitised HTML from imports)."""

    Format = Post.Format

    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)
    # The number in the part's address on the post page (#quote-7), given once when the part
    # is created and never changed, so deep links survive edits, reordering and re-imports.
    # Parts from before anchors existed kept their id, which was their address then.
    anchor = models.PositiveIntegerField(editable=False)
    text_format = models.CharField(
        "format", max_length=10, choices=Format.choices, default=Format.MARKDOWN
    )

    objects = PartQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["post", "position"], name="%(class)s_post_position_idx")]
        constraints = [
            models.UniqueConstraint(fields=["post", "anchor"], name="%(class)s_unique_anchor")
        ]

    def save(self, *args, **kwargs):
        if self.anchor is None:
            self.anchor = self.next_anchor(self.post_id)
        self.render()
        super().save(*args, **kwargs)

    @classmethod
    def next_anchor(cls, post_id):
        last = cls.objects.filter(post_id=post_id).aggregate(last=models.Max("anchor"))["last"]
        return (last or 0) + 1

    def rendered(self, text, inline=True):
        """`text` as safe HTML: imported HTML is sanitised as it is, Markdown is rendered."""
        if self.text_format == self.Format.HTML:
            return sanitize_html(text or "")
        return render_markdown_inline(text) if inline else render_markdown(text)


class Stat(DigestPart):
    """A headline number: "200K : msgs send per second through iMessage"."""

    figure = models.CharField(
        max_length=80, blank=True, help_text="Empty for a stat kept as text as it was written."
    )
    figure_url = models.URLField(
        "figure link", max_length=500, blank=True, help_text="Where the figure comes from."
    )
    label = models.CharField(max_length=MAX_LABEL_LENGTH, help_text="Markdown, one line.")
    label_html = models.TextField(blank=True, editable=False)
    on_index = models.BooleanField(
        "on the index", default=True, help_text="Show this stat in the excerpt on the index."
    )

    class Meta(DigestPart.Meta):
        default_related_name = "stats"

    def __str__(self):
        return f"{self.figure} : {self.label}" if self.figure else self.label

    def render(self):
        self.figure = " ".join(self.figure.split())
        self.label_html = self.rendered(self.label)


class Quote(DigestPart):
    """A quotable quote, with its speaker exactly as written ("@antirez", "Joseph Bradley")."""

    class SourceOn(models.TextChoices):
        AFTER = "after", "after the quote, as “(source)”"
        SPEAKER = "speaker", "on the speaker"
        TEXT = "text", "on the quote’s text"

    speaker = models.CharField(
        max_length=120, blank=True, help_text="Empty for a quote whose speaker is not named."
    )
    speaker_key = models.SlugField(max_length=120, editable=False, db_index=True)
    text = models.TextField(help_text="Markdown, one paragraph.")
    text_html = models.TextField(blank=True, editable=False)
    source_url = models.URLField("source link", max_length=500, blank=True)
    source_on = models.CharField(
        "source link shown",
        max_length=10,
        choices=SourceOn.choices,
        default=SourceOn.AFTER,
        help_text="Imported quotes keep the link where the original had it.",
    )
    on_index = models.BooleanField(
        "on the index", default=True, help_text="Show this quote in the excerpt on the index."
    )

    class Meta(DigestPart.Meta):
        default_related_name = "quotes"

    def __str__(self):
        return f"{self.speaker} : {self.text[:60]}" if self.speaker else self.text[:60]

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#quote-{self.anchor}"

    def render(self):
        self.speaker = " ".join(self.speaker.split())
        self.speaker_key = speaker_key(self.speaker)
        self.text_html = self.rendered(self.text)

    def speaker_url(self):
        if not self.speaker_key:
            return ""
        return speaker_page_url(self.speaker_key)


class Item(DigestPart):
    """One bullet of link commentary."""

    text = models.TextField(help_text="Markdown.")
    text_html = models.TextField(blank=True, editable=False)
    on_index = models.BooleanField(
        "on the index", default=True, help_text="Show this item in the excerpt on the index."
    )

    class Meta(DigestPart.Meta):
        default_related_name = "items"

    def __str__(self):
        return self.text[:80]

    def render(self):
        self.text_html = self.rendered(self.text, inline=False)


# What makes two parts the same part, for `sync_parts`: the fields an import or a restore writes.
PART_CONTENT = {
    Stat: ("figure", "figure_url", "label", "text_format"),
    Quote: ("speaker", "text", "source_url", "source_on", "text_format"),
    Item: ("text", "text_format"),
}


def sync_parts(post, stats=None, quotes=None, items=None):
    """Make the digest's parts these, in this order, touching only what changed, and render
    them into the post in hand (`Post.render_parts`): the caller's save of the post writes it.

    Each of `stats`, `quotes`, `items` (None leaves that kind alone) is a list of dicts of field
    values (see PART_CONTENT; `on_index` and `anchor` may be given too). A part already there
    with the same content keeps its row and its anchor (only its position may change); an
    edited part at the same place keeps its anchor too; the rest are created with new anchors
    (or the anchor given, when it is free) and deleted. Each kind is read once.
    Returns the number of part rows written or deleted.
    """
    written, standing = 0, []
    with transaction.atomic():
        for model, wanted in ((Stat, stats), (Quote, quotes), (Item, items)):
            if wanted is None:
                standing.append(list(model.objects.filter(post=post)))
                continue
            count, parts = _sync(model, post, wanted)
            written += count
            standing.append(parts)
    post.render_parts(*standing)
    return written


def _sync(model, post, wanted):
    fields = PART_CONTENT[model]
    defaults = {f: model._meta.get_field(f).get_default() for f in fields}
    existing = list(model.objects.filter(post=post).order_by("position", "pk"))
    key = lambda values: tuple(values.get(f, defaults[f]) for f in fields)  # noqa: E731
    by_content = {}
    for part in existing:
        by_content.setdefault(key(vars(part)), []).append(part)
    by_anchor = {part.anchor: part for part in existing}
    kept, rest = [None] * len(wanted), []
    # Same content first (whatever moved), then a given anchor, then an edit in place.
    for index, values in enumerate(wanted):
        given = by_anchor.get(values.get("anchor"))
        if given is not None and key(vars(given)) == key(values):
            kept[index] = given
        elif by_content.get(key(values)):
            kept[index] = by_content[key(values)][0]
        else:
            continue
        by_content[key(vars(kept[index]))].remove(kept[index])
        by_anchor.pop(kept[index].anchor, None)
    unused = [part for parts in by_content.values() for part in parts]
    for index, values in enumerate(wanted):
        if kept[index] is None:
            candidate = by_anchor.get(values.get("anchor"))
            if candidate is None and index < len(existing) and existing[index] in unused:
                candidate = existing[index]
            if candidate is not None and candidate in unused:
                unused.remove(candidate)
                by_anchor.pop(candidate.anchor, None)
                kept[index] = candidate
            else:
                rest.append(index)
    written = 0
    changed = []
    for index, part in enumerate(kept):
        if part is None:
            continue
        # Every content field is written, a missing one as its default: an edit in place must
        # not keep the old row's link (a quote without one would carry its predecessor's).
        values = {**defaults, **wanted[index], "position": index}
        values.pop("anchor", None)
        if any(getattr(part, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(part, f, v)
            part.render()
            changed.append(part)
    if unused:
        model.objects.filter(pk__in=[part.pk for part in unused]).delete()
        written += len(unused)
    if changed:
        update = sorted({f for part in changed for f in vars(part) if f in _writable(model)})
        model.objects.bulk_update(changed, update)
        written += len(changed)
    taken = {part.anchor for part in kept if part is not None}
    next_anchor = max([*taken, *(p.anchor for p in existing)], default=0) + 1
    created = []
    for index in rest:
        values = {**defaults, **wanted[index]}
        anchor = values.pop("anchor", None)
        if anchor is None or anchor in taken:
            anchor, next_anchor = next_anchor, next_anchor + 1
        taken.add(anchor)
        next_anchor = max(next_anchor, anchor + 1)
        part = model(post=post, position=index, anchor=anchor, **values)
        part.render()
        created.append(part)
    if created:
        model.objects.bulk_create(created)
        written += len(created)
    fresh = iter(created)
    return written, [part if part is not None else next(fresh) for part in kept]


def _writable(model):
    return {
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in ("post", "anchor")
    }
