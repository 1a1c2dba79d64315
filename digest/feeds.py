"""RSS 2.0 and Atom feeds with the full content of each post (site-wide and per tag)."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html
from taggit.models import Tag

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


class ContentRssFeed(CleanItemsMixin, Rss201rev2Feed):
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


class ContentAtomFeed(CleanItemsMixin, Atom1Feed):
    """Atom with the excerpt as <summary> and the whole post as <content>."""

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


class PostFeed(Feed):
    """The base of every feed: newest published posts, full content, tags as categories."""

    feed_type = ContentRssFeed

    def title(self, obj):
        return strip_control(SiteSettings.load().site_name)

    def description(self, obj):
        return strip_control(SiteSettings.load().tagline)

    def link(self):
        return reverse("digest:post-index")

    def posts(self, obj):
        return Post.objects.published()

    def items(self, obj):
        return attach_tags(list(self.posts(obj).select_related("author")[:FEED_LENGTH]))

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
        if not self.posts(tag).exists():
            raise NotFound("No published post has this tag.")
        return tag

    def title(self, obj):
        return strip_control(f"{SiteSettings.load().site_name}: {obj.name}")

    def description(self, obj):
        return strip_control(f"Posts tagged “{obj.name}” on {SiteSettings.load().site_name}.")

    def link(self, obj):
        return reverse("digest:tag-detail", kwargs={"slug": obj.slug})

    def posts(self, obj):
        return Post.objects.published().tagged(obj)
