"""Requests refused or cleaned before any view runs, and a header every answer carries.

`BodyLimitMiddleware` stands first in MIDDLEWARE: a body larger than the view it is sent to can
use is answered 413 before the session is loaded, the CSRF token checked or a form parsed, so a
400 MB POST to the login page costs a header read, not 400 MB. `CleanInputMiddleware` drops
what XML cannot hold from every submitted value (hardening.text) before any form sees it.
"""

import io

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from .text import has_forbidden, xml_safe

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def accepts_upload(max_bytes):
    """Mark a view that takes a file of up to `max_bytes`: its requests may carry that much
    more than a form without files (REQUEST_BODY_MAX_BYTES). An app that imports nothing of
    ours sets the view's `max_upload_bytes` itself."""

    def mark(view):
        view.max_upload_bytes = max_bytes
        return view

    return mark


def body_limit(request):
    """The most bytes a request body may have for the view its address resolves to."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return settings.REQUEST_BODY_MAX_BYTES
    if "admin" in match.namespaces:
        return settings.ADMIN_REQUEST_BODY_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES + getattr(match.func, "max_upload_bytes", 0)


def too_large(limit):
    """The 413 page. Nothing of the site is touched for it (no database, no session), and
    the headers the middleware further in would add are set here."""
    body = render_to_string("413.html", {"limit_mb": f"{limit / 1024 / 1024:.1f}"})
    response = HttpResponse(body, status=413)
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    response["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    return response


class BodyLimitMiddleware:
    """413 for a body over the limit: by its Content-Length, before a byte of it is read; a
    body without one (chunked, where the server de-chunks it) is read up to the limit and
    refused at the first byte past it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        declared = meta.get("CONTENT_LENGTH")
        if declared:
            try:
                length = int(declared)
            except ValueError:
                length = 0  # as Django reads it: no body
            if length > 0 and length > (limit := body_limit(request)):
                return too_large(limit)
        elif meta.get("wsgi.input_terminated") and request.method in BODY_METHODS:
            limit = body_limit(request)
            body = meta["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return too_large(limit)
            # Django reads a body only as far as its Content-Length: give it the one counted.
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


def _cleaned(query):
    """`query` without forbidden characters in its names and values; itself when clean."""
    if not any(has_forbidden(k) or any(map(has_forbidden, v)) for k, v in query.lists()):
        return query
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(xml_safe(key), [xml_safe(value) for value in values])
    cleaned._mutable = False
    return cleaned


class CleanInputMiddleware:
    """Every form of the site (ours, the admin's, taggit's, Django's own) receives values
    without the characters XML forbids (hardening.text): one place, before any form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _cleaned(request.GET)
        if request.method == "POST":
            try:
                post = request.POST
            except OSError:
                post = None  # the client went away; CSRF and the view see the same
            if post is not None:
                request.POST = _cleaned(post)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every answer: no page of ours uses the camera, microphone,
    location, payments or device sensors, so none may, whatever gets injected."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class SettingsPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the headers built from the settings once per process.

    django-csp builds the Content-Security-Policy from CONTENT_SECURITY_POLICY on every
    response, and the report-only one too: about a tenth of a millisecond each time. When
    neither the view (csp_update, csp_replace, csp_exempt …) nor a nonce asks for a policy
    of the response's own, the headers are the settings' policies: built once, reused while
    the settings hold the same policies, and set under django-csp's own rules (a header the
    view set stays; EXCLUDE_URL_PREFIXES; DEBUG's error pages). Any other response is
    django-csp's.
    """

    OWN_POLICY = (
        "_csp_config", "_csp_update", "_csp_replace",
        "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
    )  # fmt: skip

    def __init__(self, get_response):
        super().__init__(get_response)
        self.built = None  # (the settings' two policies, what `settings_headers` made of them)

    def settings_headers(self):
        """[(header name, value, exempting attribute, excluded path prefixes)] of the settings'
        policy and report-only policy; value "" when one is not set."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        if self.built is None or self.built[0] is not policy or self.built[1] is not report_only:
            headers = [
                self._header(HEADER, build_policy(), "_csp_exempt", policy),
                self._header(
                    HEADER_REPORT_ONLY,
                    build_policy(report_only=True),
                    "_csp_exempt_ro",
                    report_only,
                ),
            ]
            self.built = (policy, report_only, headers)
        return self.built[2]

    @staticmethod
    def _header(name, value, exempt, policy):
        return (name, value, exempt, tuple((policy or {}).get("EXCLUDE_URL_PREFIXES") or ()))

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in self.OWN_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for name, value, exempt, excluded in self.settings_headers():
            if (
                value
                and name not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[name] = value
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
