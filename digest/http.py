from django.http import Http404


class NotFound(Http404):
    """A 404 whose message is written for readers and shown on the 404 page.

    Other Http404s (Django's own, static file serving) can carry internal details such as
    file paths or model names; the 404 page shows only these.
    """
