"""Content versioning: one token that changes whenever anything a reader can see changes.

Every cached piece of a public page (the sidebar, page counts, later whole pages) puts the
token in its key. Saving or deleting content sets a new token, so nothing needs purging: old
entries are simply never read again and age out. A scheduled post becomes visible without
anyone acting, so the token also carries the time of the next scheduled publication; the
first request after that moment sets a new token itself. No cron, no manual purge.

The token lives in the shared cache (Redis in production), so every worker and every app
server sees the same one.
"""

import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

STATE_KEY = "content:state"
DEFAULT_TIMEOUT = 3600
_MISSING = object()


def _new_state(now):
    from .models import Post

    next_publish = (
        Post.objects.scheduled(now=now).order_by("publish_at").values_list("publish_at", flat=True)
    ).first()
    state = (uuid.uuid4().hex[:16], next_publish.timestamp() if next_publish else None)
    cache.set(STATE_KEY, state, timeout=None)
    return state


def _state(now=None):
    now = now or timezone.now()
    state = cache.get(STATE_KEY)
    if state is None or (state[1] is not None and now.timestamp() >= state[1]):
        state = _new_state(now)
    return state


def content_version(now=None):
    """The token to put in the key of anything cached that readers see."""
    return _state(now)[0]


def cache_timeout(now=None, default=DEFAULT_TIMEOUT):
    """Seconds a cached public page may live: never past the next scheduled publication."""
    next_change = _state(now)[1]
    if next_change is None:
        return default
    remaining = next_change - (now or timezone.now()).timestamp()
    return max(1, min(default, int(remaining) + 1))


def content_changed():
    """Call on every change readers could see; takes effect when the transaction commits."""
    transaction.on_commit(lambda: _new_state(timezone.now()))


def cached(name, build, now=None):
    """Return `build()` cached under `name` for the current content version."""
    key = f"content:{name}:{content_version(now)}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, timeout=cache_timeout(now))
    return value
