"""Content versioning: one token that changes whenever anything a reader can see changes.

Every cached piece of a public page (the sidebar, page counts, later whole pages) puts the
token in its key. Saving or deleting content sets a new token, so nothing needs purging: old
entries are simply never read again and age out. A scheduled post becomes visible without
anyone acting, so the token also carries the time of the next scheduled publication; the
first request after that moment sets a new token itself. No cron, no manual purge.

The token lives in the shared cache (Redis in production), so every worker and every app
server sees the same one. If the cache cannot be reached, pages are built uncached rather
than failing. Writes made around signals (QuerySet.update, bulk_create) must call
`content_changed()` themselves.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

STATE_KEY = "content:state"
DEFAULT_TIMEOUT = 3600
_MISSING = object()

log = logging.getLogger(__name__)


def _read_state(now):
    """(token, next scheduled publish time as a timestamp or None), straight from the DB."""
    from .models import Post

    next_publish = (
        Post.objects.scheduled(now=now).order_by("publish_at").values_list("publish_at", flat=True)
    ).first()
    return (uuid.uuid4().hex[:16], next_publish.timestamp() if next_publish else None)


def _state(now=None):
    """The current (token, next change) pair, renewed when a scheduled post's time has come;
    None when the cache cannot be reached."""
    now = now or timezone.now()
    try:
        state = cache.get(STATE_KEY)
        if state is None or (state[1] is not None and now.timestamp() >= state[1]):
            renewed = _read_state(now)
            # A writer may have set a newer state while we read the database; keep theirs.
            if cache.get(STATE_KEY) == state:
                cache.set(STATE_KEY, renewed, timeout=None)
            state = cache.get(STATE_KEY) or renewed
        return state
    except Exception:  # noqa: BLE001 -- a cache outage must not take pages down
        log.exception("cache unreachable; serving uncached")
        return None


def _timeout(state, now, default=DEFAULT_TIMEOUT):
    if state is None or state[1] is None:
        return default
    remaining = state[1] - (now or timezone.now()).timestamp()
    return max(1, min(default, int(remaining) + 1))


def content_version(now=None):
    """The token to put in the key of anything cached that readers see (None: don't cache)."""
    state = _state(now)
    return state[0] if state else None


def content_changed():
    """Call on every change readers could see; takes effect when the transaction commits."""

    def renew():
        try:
            cache.set(STATE_KEY, _read_state(timezone.now()), timeout=None)
        except Exception:  # noqa: BLE001
            log.exception("cache unreachable; content version not renewed")

    transaction.on_commit(renew)


def cached(name, build, now=None):
    """Return `build()` cached under `name` for the current content version."""
    state = _state(now)
    if state is None:
        return build()
    key = f"content:{name}:{state[0]}"
    try:
        value = cache.get(key, _MISSING)
    except Exception:  # noqa: BLE001
        return build()
    if value is _MISSING:
        value = build()
        try:
            cache.set(key, value, timeout=_timeout(state, now))
        except Exception:  # noqa: BLE001
            log.exception("cache unreachable; %s not stored", name)
    return value
