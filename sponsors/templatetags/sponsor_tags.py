from django import template

from ..showcase import current_sponsors

register = template.Library()


@register.inclusion_tag("sponsors/_sidebar.html")
def sponsors_sidebar():
    """The sidebar block of this week's sponsors (digest's templates know nothing of them)."""
    return {"sponsors": current_sponsors()}
