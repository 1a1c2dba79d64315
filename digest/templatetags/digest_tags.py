import json

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from caching.content import cached

from .. import queries

register = template.Library()


@register.simple_tag
def sidebar():
    """Search, tags, archive and feeds: the same on every page, so rendered once per content
    version and kept as HTML (built by the writer of each change: digest.apps)."""
    return mark_safe(sidebar_html())  # noqa: S308 -- our own template's output


def sidebar_html():
    def build():
        context = {"tags": queries.tag_counts(limit=30), "years": queries.year_counts()}
        return render_to_string("digest/_sidebar.html", context)

    return cached("sidebar-html", build)


@register.inclusion_tag("digest/_pagination.html", takes_context=True)
def pagination(context, page, noun="Entries"):
    """The original site's pagination line (digest.pagination.SitePage.line), e.g.

    « Previous 10 Entries Page 1 ... 3 4 [5] 6 7 ... 200 Next 10 Entries »
    """
    line = page.line(context["request"].GET) if page.paginator.num_pages > 1 else None
    return {"line": line, "per_page": str(page.paginator.per_page), "noun": noun}


@register.tag
def sitewide(parser, token):
    """{% sitewide "name" %}…{% endsitewide %}: a part of the page that is the same on every
    page for every reader (the site's name, its navigation, the footer), rendered once per
    content version and kept as HTML, so the links in it are not reversed on every request.
    Nothing inside may depend on the request or on who is reading."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("{% sitewide %} takes one quoted name")
    nodelist = parser.parse(("endsitewide",))
    parser.delete_first_token()
    return SitewideNode(bits[1][1:-1], nodelist)


class SitewideNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        # A site served under a path prefix (SCRIPT_NAME) has links of its own.
        key = f"sitewide:{self.name}:{get_script_prefix()}"
        return cached(key, lambda: str(self.nodelist.render(context)))


# As Django's json_script escapes them: no "</script>" or "<!--" in a title can end the block.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def post_json_ld(context, post):
    """The post as a schema.org BlogPosting, in a <script type="application/ld+json">."""
    site_url = context["site_url"]
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.description,
        "datePublished": localtime(post.publish_at).isoformat(timespec="seconds"),
        "dateModified": localtime(post.updated).isoformat(timespec="seconds"),
        "author": {
            "@type": "Person",
            "name": post.author.name,
            "url": site_url + reverse("digest:author-detail", args=[post.author.username]),
        },
        "publisher": {"@type": "Organization", "name": context["site_name"], "url": site_url},
        "mainEntityOfPage": {"@type": "WebPage", "@id": site_url + post.get_absolute_url()},
    }
    if post.lead_image:
        data["image"] = site_url + post.lead_image.url
    text = json.dumps(data).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
