"""The entries of a list page (index, tag, month, author), each rendered once per content
version and kept as HTML.

An entry (title, date, lead image, byline, excerpt, a digest's selection, tags) is the bulk
of a list page's rendering work. Kept under the content token and the post's own version,
a stored entry is never out of date: any change a reader could see sets a new token.
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .cache import MISSING, content_state, lifetime, local_values, shared
from .models import SiteSettings, attach_tags


def render_entries(posts):
    """Give each post `entry_html`: from this process's copies, else from the shared cache
    in one round trip, else rendered (and kept in both)."""
    state = content_state()
    if state is None:
        found, keys = {}, {}
    else:
        keys = {post.pk: f"entry:{state.token}:{post.pk}:{post.version}" for post in posts}
        found = {key: local_values.get(state.token, key) for key in keys.values()}
        found = {key: html for key, html in found.items() if html is not MISSING}
        wanted = [key for key in keys.values() if key not in found]
        if wanted:
            fetched = shared.get_many(wanted)
            for key, html in fetched.items():
                local_values.put(state.token, key, html)
            found.update(fetched)
    missing = [post for post in posts if keys.get(post.pk) not in found]
    if missing:
        attach_tags(missing)
        site = SiteSettings.load()
        rendered = {}
        for post in missing:
            html = render_to_string("digest/_post_excerpt.html", {"post": post, "site": site})
            if state is not None:
                rendered[keys[post.pk]] = html
                local_values.put(state.token, keys[post.pk], html)
            found[keys.get(post.pk, post.pk)] = html
        if rendered:
            shared.set_many(rendered, timeout=lifetime(state))
    for post in posts:
        # Our own template's output, escaped where it needs to be.
        post.entry_html = mark_safe(found[keys.get(post.pk, post.pk)])  # noqa: S308
    return posts
