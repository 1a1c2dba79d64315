from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def subscribe_form(where="footer"):
    """The subscribe form for any page (digest's templates know nothing of the newsletter).
    No CSRF token in it: pages with it are cached whole (see views.subscribe)."""
    html = render_to_string("newsletter/_subscribe_form.html", {"where": where})
    return mark_safe(html)  # noqa: S308 -- our own template's output, nothing from a reader
