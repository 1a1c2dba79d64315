"""The entries of a list page (index, tag, month, author), each rendered once per content
version and kept as HTML.

An entry (title, date, lead image, byline, excerpt, a digest's selection, tags) is the bulk
of a list page's rendering work. Kept under the content token and the post's own version,
a stored entry is never out of date: any change a reader could see sets a new token.

A list page therefore needs only each post's id and version to find its entries; the posts
themselves (their text, author and tags) are read only for the entries not kept yet.
"""

from typing import NamedTuple

from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from caching.content import MISSING, content_state, lifetime, local_values, shared

from .models import Item, Post, Quote, SiteSettings, Stat, attach_tags


class Entry(NamedTuple):
    """One post's entry on a list page, as the templates show it (`entry_html`)."""

    pk: int
    version: int
    entry_html: SafeString


def render_entries(keys):
    """The entries of the posts `keys`, (id, version) pairs in reading order: from this
    process's copies, else from the shared cache in one round trip, else rendered from the
    posts read in one query (and kept in both)."""
    state = content_state()
    names = {pk: f"entry:{state.token}:{pk}:{version}" for pk, version in keys} if state else {}
    found = kept_fragments(state, names.values())
    missing = [pk for pk, _version in keys if names.get(pk) not in found]
    if missing:
        rendered = {names.get(pk, pk): html for pk, html in _render(missing).items()}
        keep_fragments(state, rendered)
        found.update(rendered)
    # Our own template's output, escaped where it needs to be.
    return [
        Entry(pk, version, mark_safe(found[names.get(pk, pk)]))  # noqa: S308
        for pk, version in keys
        if names.get(pk, pk) in found
    ]


def kept_fragments(state, names):
    """{name: value} of the fragments kept under `state` by these names: this process's
    copies first, then the shared cache in one round trip for the others."""
    if state is None:
        return {}
    found = {}
    for name in names:
        value = local_values.get(state.token, name)
        if value is not MISSING:
            found[name] = value
    wanted = [name for name in names if name not in found]
    if wanted:
        fetched = shared.get_many(wanted)
        for name, value in fetched.items():
            local_values.put(state.token, name, value)
        found.update(fetched)
    return found


def keep_fragments(state, values):
    """Keep {name: value} under `state`, in this process and the shared cache."""
    if state is None or not values:
        return
    for name, value in values.items():
        local_values.put(state.token, name, value)
    shared.set_many(values, timeout=lifetime(state))


def _render(ids):
    """{id: entry HTML} of these published posts, read with their tags in two queries."""
    posts = attach_tags(
        list(
            Post.objects.published()
            .filter(pk__in=ids)
            .for_listing()
            .annotate(
                first_hidden_stat=_first_hidden(Stat),
                first_hidden_quote=_first_hidden(Quote),
                first_hidden_item=_first_hidden(Item),
            )
        )
    )
    for post in posts:
        post.read_more_anchor = read_more_anchor(post)
    site = SiteSettings.load()
    return {
        post.pk: render_to_string("digest/_post_excerpt.html", {"post": post, "site": site})
        for post in posts
    }


def _first_hidden(part_model):
    """The anchor of a post's first part of this kind left off the index, in the same query."""
    hidden = part_model.objects.filter(post=OuterRef("pk"), on_index=False)
    return Subquery(hidden.order_by("position", "pk").values("anchor")[:1])


def read_more_anchor(post):
    """Where "Click to read more ..." lands on the post page: the first part the index did
    not show. The index shows an article's excerpt (the rest starts at #more) and a digest's
    intro and the stats, quotes and items above each list's fold; the post page shows the
    stats, then the quotes, then the items, then the body (#continued)."""
    if post.kind != Post.Kind.DIGEST:
        return "more"
    if post.first_hidden_stat is not None:
        return f"stat-{post.first_hidden_stat}"
    if post.first_hidden_quote is not None:
        return f"quote-{post.first_hidden_quote}"
    if post.first_hidden_item is not None:
        return f"item-{post.first_hidden_item}"
    return "continued"
