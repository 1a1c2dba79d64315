from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from caching.content import cached

from ..models import this_week
from ..showcase import current_sponsors

register = template.Library()


@register.simple_tag
def sponsors_sidebar():
    """The sidebar block of this week's sponsors (digest's templates know nothing of them),
    rendered once per week and content version and kept as HTML."""

    def build():
        return render_to_string("sponsors/_sidebar.html", {"sponsors": current_sponsors()})

    html = cached(f"sponsors-sidebar-html:{this_week().isoformat()}", build)
    return mark_safe(html)  # noqa: S308 -- our own template's output, texts escaped in it
