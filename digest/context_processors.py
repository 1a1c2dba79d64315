from django.conf import settings


def site(request):
    """Site identity for every template; absolute links use SITE_URL, never the Host header."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "site_url": settings.SITE_URL,
    }
