from .calendar import digest_title, next_issue_day, period_bounds
from .imported import ImportedComment
from .lifecycle import IllegalTransition
from .links import attach_tags, tag_url
from .parts import Item, Quote, Stat
from .post import (
    LEAD_IMAGE_MAX_BYTES,
    SLUG_LENGTH,
    Post,
    PostQuerySet,
    StaleEdit,
    lead_image_path,
    slug_from_title,
)
from .revision import Revision
from .site import SiteSettings

__all__ = [
    "LEAD_IMAGE_MAX_BYTES",
    "IllegalTransition",
    "ImportedComment",
    "SLUG_LENGTH",
    "Item",
    "Post",
    "PostQuerySet",
    "Quote",
    "Revision",
    "SiteSettings",
    "Stat",
    "StaleEdit",
    "attach_tags",
    "digest_title",
    "lead_image_path",
    "next_issue_day",
    "period_bounds",
    "slug_from_title",
    "tag_url",
]
