"""The entries of a list page (index, tag, month, author), each rendered once per content
version and kept as HTML.

An entry (title, date, lead image, byline, excerpt, a digest's selection, tags) is the bulk
of a list page's rendering work. Kept under the content token and the post's own version,
a stored entry is never out of date: any change a reader could see sets a new token.
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .cache import content_state, lifetime, shared
from .models import SiteSettings, attach_tags


def render_entries(posts):
    """Give each post `entry_html`, from the cache where it is there, in one round trip."""
    state = content_state()
    keys = (
        {post.pk: f"entry:{state[0]}:{post.pk}:{post.version}" for post in posts} if state else {}
    )
    found = shared.get_many(list(keys.values())) if keys else {}
    missing = [post for post in posts if keys.get(post.pk) not in found]
    if missing:
        attach_tags(missing)
        site = SiteSettings.load()
        rendered = {}
        for post in missing:
            html = render_to_string("digest/_post_excerpt.html", {"post": post, "site": site})
            post.entry_html = mark_safe(html)  # noqa: S308 -- our template's output
            if state:
                rendered[keys[post.pk]] = html
        if rendered:
            shared.set_many(rendered, timeout=lifetime(state))
    for post in posts:
        if post.pk in keys and keys[post.pk] in found:
            post.entry_html = mark_safe(found[keys[post.pk]])  # noqa: S308 -- as stored above
    return posts
