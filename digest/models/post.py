import logging
import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models, router, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
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
from .calendar import period_bounds
from .import_record import ImportRecord
from .links import post_url

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


class PostQuerySet(models.QuerySet):
    def published(self, now=None):
        """What readers may see: published, with a publish time that has come."""
        return self.filter(status=Post.Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def scheduled(self, now=None):
        """Published, but waiting for their publish time."""
        return self.filter(status=Post.Status.PUBLISHED, publish_at__gt=now or timezone.now())

    def drafts(self):
        return self.filter(status=Post.Status.DRAFT)

    def tagged(self, tag):
        """Posts carrying `tag`. Through a subquery rather than `filter(tags=tag)`: taggit's
        object_id is an integer and our ids are bigints, and the join taggit writes casts
        the column, which keeps PostgreSQL from using an index (100 ms for a tag of 8,000
        posts, against 2 ms this way)."""
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import TaggedItem

        # The content type by id (cached per process), not by a join the planner misjudges.
        post_type = ContentType.objects.get_for_model(Post)
        items = TaggedItem.objects.filter(tag=tag, content_type=post_type)
        return self.filter(pk__in=items.values("object_id"))

    def for_listing(self):
        """The shape of a list of entries: what an excerpt shows, and nothing of the body.
        Their tags come with `attach_tags` once the page's posts are known."""
        return (
            self.select_related("author")
            .defer(
                "body",
                "body_html",
                "body_text",
                "excerpt_text",
                "parts_full_html",
                "parts_text",
                "search_vector",
            )
            .annotate(
                has_more=ExpressionWrapper(
                    ~Q(body="") | Q(kind=Post.Kind.DIGEST), output_field=BooleanField()
                )
            )
        )

    def previewable_by(self, user):
        """What `user` may open at a permalink: editors everything, authors their own too."""
        if not (user.is_authenticated and user.is_staff and user.has_perm("digest.view_post")):
            return self.published()
        if user.has_perm("digest.edit_others_posts"):
            return self
        return self.filter(Q(pk__in=self.published().values("pk")) | Q(author=user))

    def in_period(self, year, month=None, day=None):
        """Posts published in that year, month or day (site time zone); none if impossible."""
        bounds = period_bounds(year, month, day)
        if bounds is None:
            return self.none()
        return self.filter(publish_at__gte=bounds[0], publish_at__lt=bounds[1])


class Post(ImportRecord):
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
    # post must not put back a stale rendering of its parts or a revoked preview token.
    SEPARATELY_WRITTEN = {
        "lead_image_renditions",
        "parts_index_html",
        "parts_full_html",
        "parts_text",
        "search_vector",
        "preview_token",
    }

    def save(self, *args, **kwargs):
        from ..search import refresh_search_vectors

        self.render()
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.SEPARATELY_WRITTEN
            ]
        using = kwargs.get("using") or router.db_for_write(Post, instance=self)
        with transaction.atomic(using=using):
            # Two posts with the same title saved at the same moment must not both pick the
            # free slug of their day: choosing and inserting happen under a lock for that day.
            self._lock_day(using)
            self.ensure_slug()
            if self._state.adding:
                super().save(*args, **kwargs)
            else:
                claimed = Post.objects.filter(pk=self.pk, version=self.version).update(
                    version=F("version") + 1
                )
                if not claimed:
                    raise StaleEdit(
                        f"“{self.title}” was changed by someone else after you opened it."
                    )
                self.version += 1
                super().save(*args, **kwargs)
            # In the same transaction as the text, so search never answers from an older
            # document than the pages show (the content token is renewed at the commit).
            refresh_search_vectors([self.pk])
        self.make_lead_renditions()

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
        if self.status == self.Status.DRAFT:
            return "Draft"
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

    def refresh_parts(self):
        """Render the digest's stats, quotes and items into the stored HTML and text."""
        from ..cache import content_changed
        from ..search import refresh_search_vectors

        stats, quotes, items = (
            list(self.stats.all()),
            list(self.quotes.all()),
            list(self.items.all()),
        )
        if stats or quotes or items:
            shown = [quote for quote in quotes if quote.on_index]
            self.parts_index_html = render_to_string(
                "digest/_digest_parts.html",
                {
                    "stats": stats,
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
        with transaction.atomic():
            Post.objects.filter(pk=self.pk).update(
                parts_index_html=self.parts_index_html,
                parts_full_html=self.parts_full_html,
                parts_text=self.parts_text,
            )
            refresh_search_vectors([self.pk])
            content_changed()

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
