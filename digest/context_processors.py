from django.conf import settings

from .models import SiteSettings


def site(request):
    """Site identity and editable texts for every template; absolute links use SITE_URL."""
    site_settings = SiteSettings.load()
    return {
        "site": site_settings,
        "site_name": site_settings.site_name,
        "site_tagline": site_settings.tagline,
        "site_url": settings.SITE_URL,
    }
