from django.conf import settings


def client_ip(request):
    """The reader's address, from the header CLIENT_IP_HEADER names (REMOTE_ADDR unless a
    proxy we run sets another); used by rate limits, login lockouts and click counts."""
    value = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR", "")
    # A list (X-Forwarded-For) is appended to by each proxy: only the last entry was written
    # by ours; the ones before it came from the client and could say anything.
    return value.split(",")[-1].strip() or "0.0.0.0"  # noqa: S104 -- "unknown", not a bind
