"""RSS 2.0 and Atom feeds with the full content of each post (site-wide and per tag).

A feed is twenty posts in full, and writing them (reading every text, escaping it into XML)
was most of a feed request. Each item's XML is kept instead, per content version and post
version like the entries of list pages (digest.entries): a request reads the ids and versions
of its twenty posts, and only posts not kept yet are read and written.
"""

import re
from io import StringIO
from typing import NamedTuple

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html
from django.utils.xmlutils import SimplerXMLGenerator
from taggit.models import Tag

from caching.content import content_state

from . import queries
from .entries import keep_fragments, kept_fragments
from .http import NotFound
from .markdown import strip_control
from .models import Post, SiteSettings, attach_tags

FEED_LENGTH = 20
_SITE_RELATIVE = re.compile(r'\b(href|src)="/(?!/)')


class CleanItemsMixin:
    """Whatever a post holds, the feed stays well-formed XML: control characters a title
    or tag might carry (XML forbids them) are dropped from every value of an item."""

    def add_item(self, *args, **kwargs):
        def clean(value):
            if isinstance(value, str):
                return strip_control(value)
            if isinstance(value, (list, tuple)):
                return type(value)(clean(v) for v in value)
            return value

        args = [clean(value) for value in args]
        kwargs = {key: clean(value) for key, value in kwargs.items()}
        super().add_item(*args, **kwargs)


class KeptItemsMixin:
    """Items may also come as XML written before (`kept`: (xml, date) pairs, in order), copied
    into the document as they are; `item_xml` writes one item that way."""

    item_element = "item"
    kept = ()

    def item_xml(self, item):
        out = StringIO()
        handler = SimplerXMLGenerator(out, "utf-8", short_empty_elements=True)
        handler.startElement(self.item_element, self.item_attributes(item))
        self.add_item_elements(handler, item)
        handler.endElement(self.item_element)
        return out.getvalue()

    def latest_post_date(self):
        if not self.kept:
            return super().latest_post_date()
        return max(date for _xml, date in self.kept)

    def write_items(self, handler):
        super().write_items(handler)
        for xml, _date in self.kept:
            # Already XML: written without escaping (what ignorableWhitespace does).
            handler.ignorableWhitespace(xml)


class ContentRssFeed(KeptItemsMixin, CleanItemsMixin, Rss201rev2Feed):
    """RSS 2.0 with the whole post in content:encoded, as feed readers expect."""

    def add_root_elements(self, handler):
        # Readers show an RSS channel's description as HTML; ours is plain text (a tagline, a
        # tag's name), so it is escaped. Atom's subtitle is text by the spec and stays as is.
        self.feed["description"] = escape(strip_control(self.feed["description"]))
        super().add_root_elements(handler)

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class ContentAtomFeed(KeptItemsMixin, CleanItemsMixin, Atom1Feed):
    """Atom with the excerpt as <summary> and the whole post as <content>."""

    item_element = "entry"

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def full_content(post):
    """The post as a feed reader shows it: lead image, byline, excerpt, then the body."""
    parts = []
    if post.lead_image:
        parts.append(
            format_html(
                '<p><img src="{}" alt="{}"></p>',
                settings.SITE_URL + post.lead_image.url,
                post.lead_image_caption,
            )
        )
    if post.byline_html:
        parts.append(f"<p><em>{post.byline_html}</em></p>")
    parts.extend([post.excerpt_html, post.parts_full_html, post.body_html])
    html = "\n".join(part for part in parts if part)
    # Feed readers show content away from the site: links within it must be absolute.
    return _SITE_RELATIVE.sub(rf'\1="{settings.SITE_URL}/', html)


class Subject(NamedTuple):
    """What a feed is about (`tag`; None for the whole site), and the posts whose items are
    to be written for this request."""

    tag: Tag | None
    posts: list


# What a feed item shows of a post: its texts as HTML, never the Markdown or search text.
ITEM_FIELDS_UNUSED = (
    "body",
    "excerpt",
    "byline",
    "body_text",
    "excerpt_text",
    "parts_text",
    "parts_index_html",
    "search_vector",
)


class PostFeed(Feed):
    """The base of every feed: newest published posts, full content, tags as categories."""

    feed_type = ContentRssFeed

    def title(self, obj):
        return strip_control(SiteSettings.load().site_name)

    def description(self, obj):
        return strip_control(SiteSettings.load().tagline)

    def link(self):
        return reverse("digest:post-index")

    def latest(self, tag):
        """(id, version) of the feed's posts, newest first."""
        return list(Post.objects.published().values_list("pk", "version")[:FEED_LENGTH])

    def get_feed(self, obj, request):
        """The feed with its items' XML kept per content version: only the items of posts
        changed since (or not kept yet) are written."""
        latest = self.latest(obj)
        state = content_state()
        # An item holds absolute links to the host and scheme it was asked for.
        where = f"{request.get_host()}:{int(request.is_secure())}"
        names = {
            pk: f"feed-item:{self.feed_type.__name__}:{where}:{state.token}:{pk}:{version}"
            for pk, version in latest
            if state is not None
        }
        found = kept_fragments(state, names.values())
        wanted = [pk for pk, _version in latest if names.get(pk) not in found]
        posts = []
        if wanted:
            posts = Post.objects.published().filter(pk__in=wanted).select_related("author")
            posts = attach_tags(list(posts.defer(*ITEM_FIELDS_UNUSED)))
        feed = super().get_feed(Subject(obj, posts), request)
        written = {}
        for post, item in zip(posts, feed.items, strict=True):
            date = max(d for d in (item["pubdate"], item["updateddate"]) if d)
            written[names.get(post.pk, post.pk)] = (feed.item_xml(item), date)
        keep_fragments(state, written)
        found.update(written)
        feed.items = []
        feed.kept = [
            found[names.get(pk, pk)] for pk, _version in latest if names.get(pk, pk) in found
        ]
        return feed

    def items(self, obj):
        return obj.posts

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.excerpt_html or item.body_html

    def item_extra_kwargs(self, item):
        return {"content_html": full_content(item)}

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated

    def item_author_name(self, item):
        return item.author.name

    def item_categories(self, item):
        return [tag.name for tag in item.tag_list]


class AtomPostFeed(PostFeed):
    feed_type = ContentAtomFeed

    def subtitle(self, obj):
        return self.description(obj)


class TagFeed(PostFeed):
    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        if not queries.tag_post_ids(tag):
            raise NotFound("No published post has this tag.")
        return tag

    def latest(self, tag):
        newest = queries.tag_post_ids(tag)[:FEED_LENGTH]
        return list(Post.objects.published().filter(pk__in=newest).values_list("pk", "version"))

    def title(self, obj):
        return strip_control(f"{SiteSettings.load().site_name}: {obj.tag.name}")

    def description(self, obj):
        return strip_control(f"Posts tagged “{obj.tag.name}” on {SiteSettings.load().site_name}.")

    def link(self, obj):
        return reverse("digest:tag-detail", kwargs={"slug": obj.tag.slug})
