"""WSGI entry point: `gunicorn config.wsgi`.

Stored public pages are answered here, before Django handles the request (digest.page_cache).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_wsgi_application()

from digest.page_cache import serve_cached  # noqa: E402 -- needs the settings loaded above

application = serve_cached(django_application)
