"""The project's URLs with the e-mail services' webhooks, as config/urls.py has them when
ESP is set (it is not in the tests' environment)."""

from django.urls import include, path

from config.urls import handler404, handler500
from config.urls import urlpatterns as site

urlpatterns = [path("anymail/", include("anymail.urls")), *site]

__all__ = ["handler404", "handler500", "urlpatterns"]
