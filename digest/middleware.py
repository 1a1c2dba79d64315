"""Requests refused before any view runs."""

from django.shortcuts import render

MAX_PATH = 2048
MAX_QUERY = 8192


class RequestSizeMiddleware:
    """An address far longer than any page of ours has is a bad request (400), whatever view
    it would reach; gunicorn refuses longer request lines itself (--limit-request-line)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if len(request.path) > MAX_PATH or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY:
            return render(request, "400.html", status=400)
        return self.get_response(request)
