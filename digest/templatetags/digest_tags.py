from django import template

from .. import queries

register = template.Library()


@register.inclusion_tag("digest/_sidebar.html", takes_context=True)
def sidebar(context):
    """Search, tags, archive and feeds; the lists come from the per-version cache."""
    return {
        "request": context.get("request"),
        "tags": queries.tag_counts(limit=30),
        "years": queries.year_counts(),
    }


@register.inclusion_tag("digest/_pagination.html", takes_context=True)
def pagination(context, page, noun="Entries"):
    """The original site's pagination line, e.g.

    « Previous 10 Entries Page 1 ... 3 4 [5] 6 7 ... 200 Next 10 Entries »
    """
    return {"request": context["request"], "page": page, "noun": noun}
