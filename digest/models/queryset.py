"""What lists of posts are asked for: the visibility rules readers are served by, a tag's
posts, the shape of an index entry, and the refresh of stored search documents."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from taggit.models import TaggedItem

from .calendar import next_issue_day, period_bounds, week_start
from .search_document import search_document


class PostQuerySet(QuerySet):
    def visible(self, now=None, through=""):
        """The condition of what readers may see (see published()), on these posts or, with
        `through` ("post__"), on the post of a related row: a join to the post it already
        reads costs PostgreSQL's planner less than a subquery of published posts."""
        return Q(
            **{
                f"{through}status": self.model.Status.PUBLISHED,
                f"{through}publish_at__lte": now or timezone.now(),
            }
        )

    def published(self, now=None):
        """What readers may see: published, with a publish time that has come."""
        return self.filter(self.visible(now))

    def scheduled(self, now=None):
        """Published, but waiting for their publish time."""
        return self.filter(status=self.model.Status.PUBLISHED, publish_at__gt=now or timezone.now())

    def unseen(self, now=None):
        """What readers may not see (yet): drafts, scheduled posts and any other status."""
        return self.filter(~self.visible(now))

    def coming_issue_day(self):
        """The Friday of the coming digest: this week's, or next week's once this week's issue
        is out (a digest published since the Saturday after the last issue)."""
        day = next_issue_day()
        out = self.published().filter(kind=self.model.Kind.DIGEST, publish_at__gte=week_start(day))
        return day + timedelta(days=7) if out.exists() else day

    def drafts(self):
        return self.filter(status=self.model.Status.DRAFT)

    def pending(self):
        """Posts an author submitted, waiting for an editor to publish or send back."""
        return self.filter(status=self.model.Status.PENDING)

    def tagged(self, tag):
        """Posts carrying `tag`. Through a subquery rather than `filter(tags=tag)`: taggit's
        object_id is an integer and our ids are bigints, and the join taggit writes casts
        the column, which keeps PostgreSQL from using an index (100 ms for a tag of 8,000
        posts, against 2 ms this way)."""
        # The content type by id (cached per process), not by a join the planner misjudges.
        post_type = ContentType.objects.get_for_model(self.model)
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
                    ~Q(body="") | Q(kind=self.model.Kind.DIGEST), output_field=BooleanField()
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

    def refresh_search(self):
        """Recompute the search documents of these posts from their rows: for posts written
        around `Post.save` (bulk_create). Nothing to do off PostgreSQL."""
        document = search_document(using=self.db)
        if document is not None:
            self.update(search_vector=document)
