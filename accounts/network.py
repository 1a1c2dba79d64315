from django.conf import settings


def client_ip(request):
    """The reader's address, from the header CLIENT_IP_HEADER names (REMOTE_ADDR unless a
    proxy we run sets another); used by rate limits, login lockouts and click counts."""
    value = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR", "")
    # A proxy may append: the first address is the client's.
    return value.split(",")[0].strip()
