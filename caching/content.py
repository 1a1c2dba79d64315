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
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

# A deploy that sets a new RELEASE starts from a new token: pages and fragments made by the
# old code are not mixed into the new one's.
STATE_KEY = f"content:state:v4:{settings.RELEASE}"
DEFAULT_TIMEOUT = 3600
MISSING = object()
# After a failed cache call this process leaves the cache alone this long: a hung Redis
# would otherwise cost every one of a page's cache calls its full timeout.
BREAKER_SECONDS = 5

log = logging.getLogger(__name__)


class SharedCache:
    """The default cache, with failures logged and answered as misses, and a breaker: after
    one failure, this process skips the cache for BREAKER_SECONDS. A content change that
    could not be recorded during an outage is recorded as soon as the cache answers again,
    so pages cached before the outage are not served after it."""

    def __init__(self):
        self.closed_until = 0.0
        self.change_missed = False
        # A change made in this process's open transaction, not yet in the state it reads.
        self.change_pending = False

    def available(self):
        return time.monotonic() >= self.closed_until

    def _call(self, method, *args, default=None, force=False, **kwargs):
        if not (force or self.available()):
            return default
        # While the writer prebuilds, every call is under the new state, not yet announced:
        # nothing cached before the change is read through its token, and recording the
        # missed change again from here would prebuild again, without end.
        if self.change_missed and not force and _prebuilding.get() is None:
            # Record the missed change first, and answer this call as a miss: what it would
            # read was cached before the change.
            _renew()
            if self.change_missed:
                return default
            return default if method.startswith("get") else self._call(method, *args, **kwargs)
        try:
            return getattr(cache, method)(*args, **kwargs)
        except Exception:  # noqa: BLE001 -- a cache outage must not take pages down
            self.closed_until = time.monotonic() + BREAKER_SECONDS
            log.exception("cache unreachable; not used for %s s", BREAKER_SECONDS)
            return default

    def get(self, key, default=None):
        return self._call("get", key, default, default=default)

    def get_many(self, keys):
        return self._call("get_many", keys, default={})

    def set(self, key, value, timeout, force=False):
        result = self._call("set", key, value, timeout=timeout, default=False, force=force)
        return result is not False

    def set_many(self, values, timeout):
        self._call("set_many", values, timeout=timeout, default=None)

    def count(self, key, timeout):
        """Add one to the counter `key` (made with `timeout` when new): the new count, or
        None when the cache cannot say."""
        self._call("add", key, 0, timeout=timeout, default=None)
        return self._call("incr", key, default=None)


shared = SharedCache()


class LocalValues:
    """This process's copies of values cached under the current token: a value kept under a
    token never changes, so a copy is as good as the shared one until the token does. The
    values are shared by every request of the process: read them, never change them."""

    LIMIT = 10_000

    def __init__(self):
        self.token, self.values = None, {}

    def get(self, token, key):
        if token != self.token:
            self.token, self.values = token, {}
        return self.values.get(key, MISSING)

    def put(self, token, key, value):
        if token == self.token and len(self.values) < self.LIMIT:
            self.values[key] = value


local_values = LocalValues()


class State(NamedTuple):
    """What the current content looks like to caches: `token` names it; `next_change` (a
    timestamp or None) is when it stops holding with no write (a scheduled post's time);
    `changed_at` when it was made; `modified` what its pages say in Last-Modified."""

    token: str
    next_change: float | None
    changed_at: float
    modified: float


# The state read in this request (see `state_scope`), so a page asks the cache for it once.
_scoped = ContextVar("content_state_scope", default=None)


@contextmanager
def state_scope():
    """Within the block, the content state is read from the shared cache once and reused
    (the page-cache middleware wraps each request in one). A change made in the block is
    seen at once: it renews the state and the scope's copy."""
    token = _scoped.set([])
    try:
        yield
    finally:
        _scoped.reset(token)


def _remember(state):
    scope = _scoped.get()
    if scope is not None:
        scope[:] = [state]
    return state


# Functions `now -> datetime or None` naming the next moment readers' pages change with no
# write to the database: digest registers the next scheduled post's time, sponsors the start
# of next week's sponsorships.
_next_change_sources = []


def register_next_change(source):
    if source not in _next_change_sources:
        _next_change_sources.append(source)


# Functions that build, under a new state, what every page after a change needs (the
# sidebar's counts): run by the writer between its commit and announcing the state, so the
# first reader after a change does not wait for them (see `_renew`).
_prebuilders = []
# The state being prebuilt, which `cached` uses in the writer before anyone else sees it.
_prebuilding = ContextVar("content_state_prebuilding", default=None)


# Set within `prebuild_paused`: changes are announced as they commit, with nothing prebuilt.
_paused = ContextVar("content_prebuild_paused", default=False)


def register_prebuild(build):
    if build not in _prebuilders:
        _prebuilders.append(build)


@contextmanager
def prebuild_paused():
    """Around a run of many commits (an import writes each entry in its own): each change is
    still announced at its commit, without prebuilding (hundreds of ms a commit on a large
    archive); one change at the end prebuilds once for all of them."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)
        content_changed()


def _prebuild(state):
    """Run the prebuilders under `state`, not yet announced; return the state to announce.
    Only after a commit: a state renewed inside a transaction (for the writer's own pages)
    would otherwise keep fragments of data that may still roll back."""
    if _paused.get() or transaction.get_connection().in_atomic_block:
        return state
    announced = _announced()
    token = _prebuilding.set(state)
    try:
        for build in _prebuilders:
            try:
                build()
            except Exception:  # noqa: BLE001 -- whatever fails, the state must be announced
                log.exception("prebuilding %s failed; the first page will build it", build)
    finally:
        _prebuilding.reset(token)
    if shared.available() and _announced() != announced:
        # Another writer announced a state while this one prebuilt: what was built may miss
        # their change, and `state` their next change (a post they scheduled). Announcing it
        # would replace theirs; a state read now, with nothing prebuilt, holds both changes.
        try:
            return _read_state(timezone.now())
        except DatabaseError:
            log.exception("database unreachable; announcing the state prebuilt")
    return state


def _announced():
    """The state stored now, read as it is: not through `shared.get`, which would record a
    missed change (the writer is recording it)."""
    return valid_state(shared._call("get", STATE_KEY, None, default=None, force=True))


def _read_state(now):
    """A new state: (token, next change, changed at, modified), timestamps or None.

    The next change is read straight from the database and the registered sources.
    `modified` is what pages of this state say in Last-Modified: the second after the
    change, and only once that second has begun (a request that started earlier sends
    none). HTTP dates count whole seconds; this way a date names one version only: a
    later state of the same second has the same date, but the earlier one's pages were
    never sent with it.
    """
    moments = [source(now) for source in _next_change_sources]
    moments = [moment.timestamp() for moment in moments if moment is not None]
    changed_at = now.timestamp()
    return State(
        uuid.uuid4().hex[:16], min(moments, default=None), changed_at, int(changed_at) + 1.0
    )


def _stored_state():
    state = shared.get(STATE_KEY)
    return valid_state(state)


def valid_state(state):
    return state if isinstance(state, State) else None


def _state(now=None):
    """The current state, renewed when its next change has come; None when the cache cannot
    be reached."""
    building = _prebuilding.get()
    if building is not None:
        return building
    now = now or timezone.now()
    if shared.change_pending:
        _renew()
    if not shared.available():
        return None
    scope = _scoped.get()
    if scope and is_current(scope[0], now.timestamp()):
        return scope[0]
    state = _stored_state()
    if not is_current(state, now.timestamp()):
        renewed = _read_state(now)
        # A writer may have set a newer state while we read the database; keep theirs.
        if _stored_state() == state and not shared.set(STATE_KEY, renewed, timeout=None):
            return None
        state = _stored_state() or renewed
    if state is not None and shared.available():
        return _remember(state)
    return None


# A state written by a server whose clock is ahead, or read after a clock was set back, is
# trusted this far; older than "now" by more than this, it is renewed.
CLOCK_SKEW = 5


def is_current(state, now):
    """Whether a state still holds at timestamp `now`: its next change has not come."""
    return (
        state is not None
        and state.changed_at - CLOCK_SKEW <= now
        and (state.next_change is None or now < state.next_change)
    )


def lifetime(state, now=None, default=DEFAULT_TIMEOUT):
    """How long something cached under `state` may live: never past its next change."""
    if state is None or state.next_change is None:
        return default
    remaining = state.next_change - (now or timezone.now()).timestamp()
    return max(1, min(default, int(remaining) + 1))


def content_state(now=None):
    """The current `State`; None when the cache is down."""
    return _state(now)


def _renew():
    """Set a new state. Tried even while the breaker is open (a change must not be lost to
    one slow call); if the cache still cannot take it, the next call that finds the cache
    working records it before anything else."""
    try:
        renewed = _read_state(timezone.now())
    except DatabaseError:
        log.exception("database unreachable; content change not recorded yet")
        renewed = None
    if renewed is not None and shared.available():
        renewed = _prebuild(renewed)
    if renewed is not None and shared.set(STATE_KEY, renewed, timeout=None, force=True):
        shared.change_missed = shared.change_pending = False
        _remember(renewed)
    else:
        # From now on the missed change is what is pending: it is recorded by the first call
        # that finds the cache working, not forced again by every read (each would wait out
        # a hung cache's timeout).
        shared.change_missed, shared.change_pending = True, False


def content_changed():
    """Call on every change readers could see.

    Outside a transaction the token is renewed at once. Inside one it is renewed when this
    process next reads it (so its own pages show the change even before the commit), and
    again when the transaction commits: a page another process built in between from data
    read before the commit carries the earlier token, which is then already out of date,
    so it is never served. A transaction that changes many things (an import) renews once
    at its commit, not once per change.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _renew()
        return
    shared.change_pending = True
    if not any(entry[1] is _renew for entry in connection.run_on_commit):
        transaction.on_commit(_renew)


def cached(name, build, now=None):
    """Return `build()` cached under `name` for the current content version."""
    state = _state(now)
    if state is None:
        return build()
    key = f"content:{name}:{state.token}"
    value = local_values.get(state.token, key)
    if value is MISSING:
        value = shared.get(key, MISSING)
        if value is MISSING:
            value = build()
            shared.set(key, value, timeout=lifetime(state, now))
        local_values.put(state.token, key, value)
    return value
