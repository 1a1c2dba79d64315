from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from caching.content import cached

from .. import queries

register = template.Library()


@register.simple_tag
def sidebar():
    """Search, tags, archive and feeds: the same on every page, so rendered once per content
    version and kept as HTML."""

    def build():
        context = {"tags": queries.tag_counts(limit=30), "years": queries.year_counts()}
        return render_to_string("digest/_sidebar.html", context)

    return mark_safe(cached("sidebar-html", build))  # noqa: S308 -- our own template's output


@register.inclusion_tag("digest/_pagination.html", takes_context=True)
def pagination(context, page, noun="Entries"):
    """The original site's pagination line, e.g.

    « Previous 10 Entries Page 1 ... 3 4 [5] 6 7 ... 200 Next 10 Entries »
    """
    return {"request": context["request"], "page": page, "noun": noun}
