"""The one renderer of a "Sponsored Post": a compiled week's, and an imported one's.

DESIGN.md, "A sponsored post": the title names the sponsors in listing order; the three
sections (Listing.Section) follow in their fixed order, an empty one showing the placeholder
that invites new sponsors of that section; then, when at least one sponsor has a description,
the line pointing below the fold, where those descriptions follow (without any, the body is
empty, so the index offers no "Click to read more"). The post is by the site's "Sponsored"
account, not by the editor who compiled it. It is stored as sanitised HTML like any other
(digest.Post renders on save), and WeeklyPost remembers it, so compiling the same week again
updates the same post and keeps its address, status and publish time.

An imported sponsored post (sponsors.importing) is rendered from its listing rows by the same
template, with the post's own words from the source kept around the sections.
"""

from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.forms import unique_username
from digest.models import Post

from .models import Listing, WeeklyPost

TITLE_PREFIX = "Sponsored Post: "
TITLE_MAX = 200
PUBLISH_TIME = time(9, 0)
# An address no form accepts (its domain has no dot), so no one can sign up as this account.
SPONSORED_AUTHOR_EMAIL = "sponsored@invalid"
SPONSORED_AUTHOR_NAME = "Sponsored"


class NothingToCompile(Exception):
    """No approved listing runs in that week."""


def sponsored_title(names):
    title = TITLE_PREFIX + ", ".join(names)
    while len(title) > TITLE_MAX and len(names) > 1:
        names = names[:-1]
        title = TITLE_PREFIX + ", ".join(names) + " and more"
    return title[:TITLE_MAX]


def sections_for(listings):
    by_section = {section: [] for section in Listing.SECTION_ORDER}
    for listing in listings:
        by_section[listing.section].append(listing)
    return [
        (Listing.Section(s).label, by_section[s], Listing.EMPTY_SECTION_TEXT[s])
        for s in Listing.SECTION_ORDER
    ]


def sponsors_in_order(listings):
    seen = {}
    for listing in listings:
        if listing.sponsor_id and listing.sponsor_id not in seen:
            seen[listing.sponsor_id] = listing.sponsor
    return list(seen.values())


def sponsored_author():
    """The account compiled sponsored posts are by: readers see "Sponsored", since no editor
    wrote them. Inactive and without a password, so nobody signs in as it."""
    User = get_user_model()
    account = User.objects.filter(email=SPONSORED_AUTHOR_EMAIL).first()
    if account is None:
        # get_or_create: two editors compiling at once make one account.
        account, _ = User.objects.get_or_create(
            email=SPONSORED_AUTHOR_EMAIL,
            defaults={
                "username": unique_username(SPONSORED_AUTHOR_EMAIL),
                "display_name": SPONSORED_AUTHOR_NAME,
                "is_active": False,
                "password": make_password(None),
            },
        )
    return account


def compile_week(week, author=None, publish=True):
    """(post, created) for the week starting on Monday `week`; NothingToCompile if empty.
    The post is by `author`, the "Sponsored" account (sponsored_author) when None."""
    with transaction.atomic():
        weekly = WeeklyPost.objects.select_for_update().filter(week=week).select_related("post")
        weekly = weekly.first()
        listings = list(Listing.objects.running_in(week))
        if listings:
            return _write_post(week, weekly, listings, author or sponsored_author(), publish)
        message = f"No approved listings run in the week of {week:%B %-d, %Y}."
        if weekly and weekly.post.status == Post.Status.PUBLISHED:
            # Its listings were all rejected or withdrawn since: readers must not keep seeing
            # them (their /go/ links answer 404 now).
            weekly.post.unpublish()
            message += f" Its earlier post “{weekly.post.title}” was unpublished (now a draft)."
    raise NothingToCompile(message)


def render_sections(listings, more_below):
    """The sections of a sponsored post with `listings` (approved, in the order shown), as
    HTML; ending with the line that points below the fold when `more_below` is there."""
    context = {"sections": sections_for(listings), "more_below": more_below}
    return render_to_string("sponsors/compiled/sections.html", context)


def render_imported(post, listings, before="", after=""):
    """Write the text of an imported sponsored post from its listing rows: the source's own
    words `before` and `after` the sections (sanitised HTML) stay where they were. Saves only
    what changed, so importing the same source again writes nothing."""
    sections = render_sections(listings, more_below=bool(after.strip()))
    excerpt = "\n".join(part for part in (before, sections) if part)
    text = (Post.Format.HTML, excerpt, after)
    if (post.text_format, post.excerpt, post.body) != text:
        post.text_format, post.excerpt, post.body = text
        post.save()


def _write_post(week, weekly, listings, author, publish):
    sponsors = sponsors_in_order(listings)
    post = weekly.post if weekly else None
    created = post is None
    publish_at = timezone.make_aware(datetime.combine(week, PUBLISH_TIME))
    if created:
        post = Post(kind=Post.Kind.SPONSORED, publish_at=publish_at)
    post.author = author
    post.title = sponsored_title([sponsor.name for sponsor in sponsors])
    post.text_format = Post.Format.HTML
    described = [sponsor for sponsor in sponsors if sponsor.description_html]
    post.excerpt = render_sections(listings, more_below=bool(described))
    # Truly empty without descriptions: a rendered newline would still be "more" to the index.
    post.body = (
        render_to_string("sponsors/compiled/descriptions.html", {"sponsors": described})
        if described
        else ""
    )
    if created and publish:
        post.publish(at=publish_at)  # a week to come is scheduled: readers see it at its time
    else:
        post.save()
    if created:
        WeeklyPost.objects.create(week=week, post=post)
    else:
        weekly.save(update_fields=["compiled_at"])
    return post, created
