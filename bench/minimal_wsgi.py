"""The ceiling for the load benchmarks: the least a WSGI application can do per request.

    gunicorn --chdir bench minimal_wsgi   # GET /?bytes=45000 answers 45,000 bytes of HTML

Run under the same gunicorn settings as the site, it measures what the server, the loopback
network and the load generator cost on this machine, so a page's throughput divided by this
one's (same body size) is a figure that holds on any machine.
"""

from functools import lru_cache
from urllib.parse import parse_qs

DEFAULT_BYTES = 32 * 1024
MAX_BYTES = 16 * 1024 * 1024


@lru_cache(maxsize=64)
def body(size):
    line = b"<p>" + b"x" * 76 + b"</p>\n"
    return (line * (size // len(line) + 1))[:size]


def application(environ, start_response):
    asked = parse_qs(environ.get("QUERY_STRING", "")).get("bytes", [str(DEFAULT_BYTES)])[0]
    size = min(int(asked), MAX_BYTES) if asked.isdigit() else DEFAULT_BYTES
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(size))],
    )
    return [body(size)]
