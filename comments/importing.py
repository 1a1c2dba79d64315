"""Comments a WXR export brought (digest.ImportedComment, kept aside by `import_wxr`) become
comments of their posts. Re-runnable: each keeps its export id as a natural key (`source_id`,
unique per post), so a second run creates nothing.

WordPress's states map as: approved ("1") → approved and shown; held ("0") → held in the
queue; spam → spam (purged after 30 days like any); trash → deleted. Pingbacks and trackbacks
are not comments and stay aside. A reply to a reply joins its thread (replies are one level).
"""

from typing import NamedTuple

from django.db import transaction

from caching import versions
from digest.models import ImportedComment

from .models import Comment, cache_names
from .rendering import sanitize

STATUSES = {
    ImportedComment.Status.APPROVED: Comment.Status.APPROVED,
    ImportedComment.Status.HELD: Comment.Status.PENDING,
    ImportedComment.Status.SPAM: Comment.Status.SPAM,
    ImportedComment.Status.TRASH: Comment.Status.DELETED,
}
NOT_COMMENTS = {"pingback", "trackback"}


class Report(NamedTuple):
    created: int
    existing: int
    skipped: int


def _comment(row, parent_id):
    website = row.author_url if row.author_url.lower().startswith(("http://", "https://")) else ""
    return Comment(
        post_id=row.post_id,
        parent_id=parent_id,
        name=(row.author_name or "Anonymous")[:80],
        email=row.author_email.strip().lower()[:254],
        website=website[:200],
        # Already sanitised HTML (no Markdown): narrowed to what comments may hold.
        body_html=sanitize(row.body_html),
        status=STATUSES.get(row.status, Comment.Status.PENDING),
        hold_reason="imported" if row.status == ImportedComment.Status.HELD else "",
        created=row.posted_at or row.post.publish_at,
        source_id=row.source_id,
    )


def attach_imported():
    created = existing = skipped = 0
    rows = ImportedComment.objects.select_related("post").order_by("post_id", "posted_at", "pk")
    by_post = {}
    for row in rows:
        by_post.setdefault(row.post_id, []).append(row)
    for post_id, post_rows in by_post.items():
        with transaction.atomic():
            ids = dict(
                Comment.objects.filter(post_id=post_id)
                .exclude(source_id="")
                .values_list("source_id", "pk")
            )
            parents = {row.source_id: row.parent_source_id for row in post_rows}
            made = 0
            # Threads first, then their replies: a reply needs its thread's id.
            for replies in (False, True):
                new = []
                for row in post_rows:
                    if row.kind in NOT_COMMENTS or row.status not in STATUSES:
                        skipped += not replies
                        continue
                    top = row.source_id
                    while parents.get(top) and parents[top] in parents:
                        top = parents[top]
                    is_reply = top != row.source_id
                    if is_reply != replies:
                        continue
                    if row.source_id in ids:
                        existing += 1
                        continue
                    new.append(_comment(row, ids.get(top) if is_reply else None))
                for comment in Comment.objects.bulk_create(new):
                    ids[comment.source_id] = comment.pk
                made += len(new)
            created += made
            if made:
                versions.renew(*cache_names(post_id))
    return Report(created, existing, skipped)
