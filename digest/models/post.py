import logging
import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models, router, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager

from safe_images import make_renditions

from ..markdown import (
    html_to_text,
    render_markdown,
    render_markdown_inline,
    sanitize_html,
    strip_control,
    summarize,
)
from ..validators import MaxFileSize
from .import_record import ImportRecord
from .lifecycle import Lifecycle
from .links import post_url
from .queryset import PostQuerySet
from .search_document import search_document

# The original site cut slugs made from titles at 60 characters; keeping the rule gives
# imported entries their old addresses back.
log = logging.getLogger(__name__)

SLUG_LENGTH = 60
LEAD_IMAGE_MAX_BYTES = 5 * 1024 * 1024


def slug_from_title(title):
    return slugify(title)[:SLUG_LENGTH].strip("-") or "post"


def lead_image_path(instance, filename):
    # The server names every upload; the client's file name never reaches the disk.
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"posts/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class StaleEdit(Exception):
    """Someone else saved the post after this copy was loaded; saving would overwrite them."""


class Post(Lifecycle, ImportRecord):
    """An entry of the blog: an article, a weekly digest or a sponsored post.

    Excerpt, body and byline are Markdown; their sanitised HTML and plain text are derived on
    save so that no page view parses Markdown. `version` grows by one on every save and a save
    from an outdated copy raises StaleEdit instead of overwriting someone else's edit.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        DIGEST = "digest", "Digest"
        SPONSORED = "sponsored", "Sponsored post"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # An author's post waiting for an editor: readers see it no more than a draft.
        PENDING = "pending", "Pending review"
        PUBLISHED = "published", "Published"

    class Format(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML (imported; sanitised)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=SLUG_LENGTH,
        unique_for_date="publish_at",
        help_text="Part of the permalink; made from the title when left empty.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        default=timezone.now,
        help_text="A published post with a future time stays hidden until then.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    byline = models.TextField(
        blank=True,
        help_text='For guest posts, e.g. "This is a guest repost by …". Markdown.',
    )
    lead_image = models.ImageField(
        upload_to=lead_image_path,
        blank=True,
        width_field="lead_image_width",
        height_field="lead_image_height",
        validators=[MaxFileSize(LEAD_IMAGE_MAX_BYTES)],
        help_text="JPEG, PNG, WebP or GIF, up to 5 MB.",
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_caption = models.CharField("caption", max_length=300, blank=True)
    # Smaller copies for the lead image's srcset, made on save (see make_lead_renditions):
    # {"source": the lead image they were made from, "sizes": [{"name", "width", "height"}]}.
    lead_image_renditions = models.JSONField(default=dict, blank=True, editable=False)
    excerpt = models.TextField(blank=True, help_text="Markdown, shown on the index.")
    body = models.TextField(
        blank=True, help_text='Markdown, the rest of the post after "Click to read more".'
    )
    text_format = models.CharField(
        "format of excerpt and body",
        max_length=10,
        choices=Format.choices,
        default=Format.MARKDOWN,
    )
    tags = TaggableManager(blank=True)
    more_quotes_marker = models.BooleanField(
        "always say there are more quotes",
        default=False,
        help_text="Show “There are more Quotable Quotes in the full article.” on the index even "
        "when every quote here is on it (imported digests whose other quotes are not known).",
    )

    byline_html = models.TextField(blank=True, editable=False)
    excerpt_html = models.TextField(blank=True, editable=False)
    body_html = models.TextField(blank=True, editable=False)
    excerpt_text = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    description = models.CharField(max_length=300, blank=True, editable=False)
    # A digest's stats, quotes and items rendered once (Post.refresh_parts): the excerpt's
    # selection for the index, all of them for the post page and feeds, plain text for search.
    parts_index_html = models.TextField(blank=True, editable=False)
    parts_full_html = models.TextField(blank=True, editable=False)
    parts_text = models.TextField(blank=True, editable=False)
    # A digest's own support paragraph as the original had it (imported, sanitised HTML);
    # empty: the site's blurb is shown.
    support_html = models.TextField(blank=True, editable=False)
    preview_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    search_vector = SearchVectorField(null=True, editable=False)

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        get_latest_by = "publish_at"
        permissions = [("edit_others_posts", "Can edit and publish posts of any author")]
        indexes = [
            models.Index(fields=["status", "-publish_at", "-id"], name="post_visible_idx"),
        ]

    def __str__(self):
        return self.title

    # Written only by their own methods, with .update(): a save() from an older copy of the
    # post must not put back stale renditions or a revoked preview token.
    SEPARATELY_WRITTEN = {"lead_image_renditions", "preview_token", "search_vector"}
    # A digest's rendering, written by a save that rendered them (`render_parts`).
    PARTS_FIELDS = ("parts_index_html", "parts_full_html", "parts_text")
    # Every save of an existing post writes these as well: its new version, its time of change
    # and its search document.
    ALWAYS_WRITTEN = ("version", "updated", "search_vector")

    def save(self, *args, **kwargs):
        """The one write of a post: its text rendered, its slug chosen, its row written once
        with its search document in the same statement, a save from an outdated copy refused
        (StaleEdit). A digest's parts are written first by their own rows (sync_parts, the
        admin's formsets) and rendered into the post in hand with `render_parts`; this save
        then writes them along. The content token is renewed once, at the commit (a signal,
        digest/signals.py)."""
        if not self._state.adding and "version" in self.get_deferred_fields():
            # The version is what tells an outdated copy; reading it now would read the
            # current one and let this copy overwrite whatever came since.
            raise ValueError("Load a post's version before saving it (not with only()/defer()).")
        self.render()
        using = kwargs.get("using") or router.db_for_write(Post, instance=self)
        written = None
        if not self._state.adding:
            written = self._written_fields(kwargs.get("update_fields"))
            kwargs["update_fields"] = written
        with transaction.atomic(using=using):
            # Two posts with the same title saved at the same moment must not both pick the
            # free slug of their day: choosing and inserting happen under a lock for that day.
            self._lock_day(using)
            self.ensure_slug()
            self.search_vector = search_document(self, written, using)
            super().save(*args, **kwargs)
            # The document was computed by the database; read it again only when asked.
            self.__dict__.pop("search_vector", None)
            self._parts_rendered = False
        self.make_lead_renditions()

    def _written_fields(self, asked):
        if asked is None:
            asked = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name not in self.SEPARATELY_WRITTEN
                and field.name not in self.PARTS_FIELDS
            ]
        parts = self.PARTS_FIELDS if getattr(self, "_parts_rendered", False) else ()
        return list(dict.fromkeys([*asked, *parts, *self.ALWAYS_WRITTEN]))

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        # The UPDATE itself checks the version the post was loaded at and counts one more, so
        # that no save from an outdated copy slips in between a form's check and this write.
        version = self._meta.get_field("version")
        values = [(f, m, F("version") + 1 if f is version else v) for f, m, v in values]
        base_qs = base_qs.filter(version=self.version)
        if not super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update):
            raise StaleEdit(f"“{self.title}” was changed by someone else after you opened it.")
        self.version += 1
        return True

    def get_absolute_url(self):
        day = timezone.localtime(self.publish_at)
        return post_url(day.year, day.month, day.day, self.slug)

    # Widths a browser may pick from: phones, the content column, and both at 2x.
    LEAD_IMAGE_WIDTHS = (480, 800, 1200, 1600)

    def make_lead_renditions(self):
        """Resize the lead image for its srcset once, when it changes, never on a page view.
        A picture that cannot be read is served as it is, without smaller copies."""
        source = self.lead_image.name if self.lead_image else ""
        if self.lead_image_renditions.get("source", "") == source:
            return
        renditions = {}
        if source:
            try:
                sizes = make_renditions(self.lead_image.storage, source, self.LEAD_IMAGE_WIDTHS)
            except (OSError, ValueError, SyntaxError):
                log.exception("no smaller copies of %s", source)
                sizes = []
            renditions = {"source": source, "sizes": sizes}
        self.lead_image_renditions = renditions
        Post.objects.filter(pk=self.pk).update(lead_image_renditions=renditions)

    @property
    def lead_image_srcset(self):
        """The srcset of the lead image: its smaller copies and the picture itself."""
        sizes = self.lead_image_renditions.get("sizes") if self.lead_image else None
        if not sizes:
            return ""
        storage = self.lead_image.storage
        candidates = [f"{storage.url(size['name'])} {size['width']}w" for size in sizes]
        candidates.append(f"{self.lead_image.url} {self.lead_image_width}w")
        return ", ".join(candidates)

    SLUG_LOCK_NAMESPACE = 7351

    def _lock_day(self, using):
        """PostgreSQL: hold a transaction lock for the post's day (SQLite writes one at a
        time anyway, and its transactions here begin IMMEDIATE)."""
        connection = connections[using]
        if connection.vendor != "postgresql" or self.slug:  # a given slug is kept as it is
            return
        day = timezone.localtime(self.publish_at).date().toordinal()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [self.SLUG_LOCK_NAMESPACE, day])

    # The same rule as PostQuerySet.published(), for a post already in hand (templates, the
    # admin's status label); lists always come from the queryset.
    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def display_status(self):
        if self.status != self.Status.PUBLISHED:
            return self.get_status_display()
        return "Scheduled" if self.is_scheduled else "Published"

    def render(self):
        """Derive the stored HTML and text from the Markdown fields."""
        for name in ("title", "excerpt", "body", "byline", "lead_image_caption"):
            setattr(self, name, strip_control(getattr(self, name)))
        imported = self.text_format == self.Format.HTML
        render = sanitize_html if imported else render_markdown
        self.byline_html = (
            sanitize_html(self.byline) if imported else render_markdown_inline(self.byline)
        )
        self.support_html = sanitize_html(self.support_html)
        self.excerpt_html = render(self.excerpt)
        self.body_html = render(self.body)
        self.excerpt_text = html_to_text(self.excerpt_html)
        self.body_text = html_to_text(self.body_html)
        self.description = summarize(self.excerpt_html or self.body_html, limit=200)

    def ensure_slug(self):
        if self.slug:
            # Slugs from the shell or an import must still fit the permalink pattern.
            self.slug = slugify(self.slug)[:SLUG_LENGTH].strip("-") or slug_from_title(self.title)
            return
        base = slug_from_title(self.title)
        self.slug = base
        local = timezone.localtime(self.publish_at)
        taken = set(
            Post.objects.in_period(local.year, local.month, local.day)
            .filter(slug__startswith=base[: SLUG_LENGTH - 4])
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        counter = 2
        while self.slug in taken:
            suffix = f"-{counter}"
            self.slug = base[: SLUG_LENGTH - len(suffix)] + suffix
            counter += 1

    def render_parts(self, stats, quotes, items):
        """Render the digest's stats, quotes and items, as they now stand and in order, into
        the post in hand; its next save writes them. Nothing is read or written here."""
        if stats or quotes or items:
            shown = [quote for quote in quotes if quote.on_index]
            self.parts_index_html = render_to_string(
                "digest/_digest_parts.html",
                {
                    "stats": [stat for stat in stats if stat.on_index],
                    "quotes": shown,
                    "more_quotes": len(shown) < len(quotes) or self.more_quotes_marker,
                    "items": [item for item in items if item.on_index],
                },
            )
            self.parts_full_html = render_to_string(
                "digest/_digest_parts.html", {"stats": stats, "quotes": quotes, "items": items}
            )
            self.parts_text = html_to_text(self.parts_full_html)
        else:
            self.parts_index_html = self.parts_full_html = self.parts_text = ""
        self._parts_rendered = True

    def refresh_parts(self):
        """Read the digest's parts and write their rendering (for parts written outside the
        admin, an import or a restore, which render what they have in hand)."""
        self.render_parts(list(self.stats.all()), list(self.quotes.all()), list(self.items.all()))
        self.save(update_fields=self.PARTS_FIELDS)

    def make_preview_token(self):
        """A new secret preview link (the old one stops working)."""
        self.preview_token = secrets.token_urlsafe(24)
        Post.objects.filter(pk=self.pk).update(preview_token=self.preview_token)
        return self.preview_token

    def revoke_preview_token(self):
        self.preview_token = None
        Post.objects.filter(pk=self.pk).update(preview_token=None)

    def adjacent(self, direction):
        """The published post before (-1) or after (+1) this one, in reading order."""
        visible = Post.objects.published().only("title", "slug", "publish_at")
        if direction < 0:
            older = Q(publish_at__lt=self.publish_at) | Q(
                publish_at=self.publish_at, pk__lt=self.pk
            )
            return visible.filter(older).order_by("-publish_at", "-pk").first()
        newer = Q(publish_at__gt=self.publish_at) | Q(publish_at=self.publish_at, pk__gt=self.pk)
        return visible.filter(newer).order_by("publish_at", "pk").first()
