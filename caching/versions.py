"""Narrow versions: a change that only some pages show renews only their version.

The content token (caching.content) covers everything, so renewing it retires every cached
page of the site. Some changes are seen on few pages: an approved comment shows on its post's
page and in the comment counts of list pages. Such a change renews a named version instead
(`renew("comments:post:42")`), and a page that shows what the name covers says so while it
is built (`depend("comments:post:42")`). The page cache (caching.pages) stores a page with
the versions it depended on, beside the content token, and serves it only while the token and
every one of those versions are unchanged; pages that did not depend on the name stay hits.

The rule that keeps this exact: `depend()` reads a version *before* the data it covers is read,
and `renew()` sets a new version both at once and again after the writing transaction commits.
A page built from data read before a commit therefore carries a version that is already out
of date when the commit becomes visible, and is never served.

A version is a random value, never a counter, so a version lost from the cache (evicted, a
cache restarted) comes back as a new value: pages made with the old one are misses, never
stale. With the cache unreachable, `depend()` says so and the page is not stored; a `renew()`
the cache did not take is recorded as a content change, made as soon as the cache answers.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .content import shared

PREFIX = f"version:v1:{settings.RELEASE}:"
# Versions outlive the pages made with them (those live an hour at most, content.lifetime).
TIMEOUT = None


class Version(NamedTuple):
    """`value` names one state of what the name covers; `modified` is what pages showing it
    say in Last-Modified (the second after the change, as content.State does)."""

    value: str
    modified: float


def _new(changed=True):
    """A new version. After a change its date is the second after it (as content.State's):
    pages built earlier in that second carry the earlier date. One made because the cache
    held none (never set, or lost) follows no change we know of; its date is the second
    that has begun, which is never earlier than a change that was lost with it."""
    now = timezone.now().timestamp()
    return Version(uuid.uuid4().hex[:16], int(now) + 1.0 if changed else float(int(now)))


def current(names):
    """{name: Version} of these names, a new version made for any the cache does not hold;
    None when the cache cannot be reached."""
    if not names:
        return {}
    if not shared.available():
        return None
    keys = {PREFIX + name: name for name in names}
    found = shared.get_many(list(keys))
    if not shared.available():
        return None
    versions = {keys[key]: value for key, value in found.items() if isinstance(value, Version)}
    for name in names:
        if name not in versions:
            made = _new(changed=False)
            if not shared.set(PREFIX + name, made, timeout=TIMEOUT):
                return None
            versions[name] = made
    return versions


def _set_new(name):
    if not shared.set(PREFIX + name, _new(), timeout=TIMEOUT, force=True):
        # The old version is still in the cache, and pages made with it would be served for
        # up to their lifetime. Record the change as a missed content change instead: the
        # first cache call that works renews the content token (caching.content), which
        # retires every page, these among them.
        shared.change_missed = True


def renew(*names):
    """A change to what these names cover: new versions now and, inside a transaction, again
    at its commit (see the module's docstring for why both)."""
    for name in names:
        _set_new(name)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(lambda: [_set_new(name) for name in names])


# The versions the page being built depends on ({name: Version}), or None outside a page.
_depends = ContextVar("page_versions", default=None)


@contextmanager
def page_scope():
    """Collect the versions the page built within the block depends on (the page-cache
    middleware opens one per request). Yields the dict they are collected in; it holds the
    key None when a version could not be read (the page must not be stored)."""
    collected = {}
    token = _depends.set(collected)
    try:
        yield collected
    finally:
        _depends.reset(token)


def depend(*names):
    """The page being built shows what these names cover: call before reading that data.
    Returns their current versions ({name: Version}, None when the cache cannot say), which
    may key fragments built from that data."""
    found = current(list(names))
    collected = _depends.get()
    if collected is not None:
        if found is None:
            collected[None] = None
        else:
            # The first reading counts: it came before any of the page's data was read.
            for name, version in found.items():
                collected.setdefault(name, version)
    return found


def unchanged(recorded):
    """Whether every version a stored page recorded ({name: value}) is still current."""
    if not recorded:
        return True
    versions = current(list(recorded))
    return versions is not None and all(
        versions[name].value == value for name, value in recorded.items()
    )


def latest_modified(recorded_versions, modified):
    """The later of a content state's `modified` and those of the versions."""
    return max([modified, *(v.modified for v in recorded_versions.values() if v is not None)])
