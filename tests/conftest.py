"""Test-wide settings and fixtures.

Tests run with production settings (DEBUG off) plus a few speedups that live here, not in a
second settings file: a fast password hasher, a short login slow-down, a per-run media
folder, plain static storage (no collectstatic manifest needed) and a local-memory cache
emptied before every test. The folders are removed when the session ends.
"""

import os
import shutil
import tempfile

import pytest

MEDIA_ROOT = tempfile.mkdtemp(prefix="scalepress-test-media-")
# This process's WhiteNoise reads its own (empty) static folder: the project's staticfiles/
# belongs to the servers tests start, and is rewritten by collectstatic while other test
# processes run.
STATIC_ROOT = tempfile.mkdtemp(prefix="scalepress-test-static-")


def _use_test_settings():
    """The speedups above, applied to Django's settings and to what Django built from them.

    Called when this file is imported, not in pytest_configure: pytest imports the conftest
    files of the folders named on its command line (tests/digest/page_cache/conftest.py, say)
    before any pytest_configure hook runs, but always this one, the topmost, first; and
    pytest-django has set Django up by then. A conftest that imports config.wsgi builds the
    WSGI application, whose WhiteNoise lists the files of STATIC_ROOT and asks the static
    storage each one's URL: had the production settings still held then, that made the
    manifest storage of the project's staticfiles/ (written there by the servers' collectstatic)
    and kept it for the whole run, since assigning to `settings` tells no one. Every page this
    process rendered then named its static files by hashed names that the live server does not
    serve, so browser tests failed or passed according to the command line.

    Announcing each change as override_settings does makes Django drop whatever it built from
    the old values (storages, caches), so nothing made before this call outlives it."""
    from django.conf import settings
    from django.core.signals import setting_changed
    from django.test import signals  # noqa: F401 -- connects the receivers that reset storages

    values = {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Logins at an account under attack pause before the password check
        # (accounts.lockout); here the pause is kept, but short.
        "LOGIN_SLOWDOWN_MAX_SECONDS": 0.01,
        "MEDIA_ROOT": MEDIA_ROOT,
        "STATIC_ROOT": STATIC_ROOT,
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "CACHES": {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "ratelimit": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "ratelimit",
            },
        },
    }
    for name, value in values.items():
        setattr(settings, name, value)
        setting_changed.send(sender=type(settings), setting=name, value=value, enter=True)


_use_test_settings()


def pytest_configure(config):
    from django.conf import settings

    if os.environ.get("REQUIRE_POSTGRES") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL.")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Each test process (the main one and every xdist worker) made its own folders above
    when it imported this file; it removes them when its session ends, after the session's
    fixtures (servers among them) are torn down. (pytest-xdist's workers do not run
    pytest_unconfigure, so that hook would leave their folders behind.)"""
    for folder in (MEDIA_ROOT, STATIC_ROOT):
        shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    """The Makefile runs the suite in two parts and CI keeps only the end of its output, so
    the parallel part's failures are also written to FAILURES_FILE, for the Makefile to print
    again at the very end."""
    path = os.environ.get("FAILURES_FILE")
    if not path or hasattr(terminalreporter.config, "workerinput"):
        return
    lines = []
    for outcome in ("failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            crash = getattr(report.longrepr, "reprcrash", None)
            reason = crash.message.splitlines()[0] if crash and crash.message else ""
            lines.append(f"{outcome.upper()} {report.nodeid} - {reason}"[:300])
    with open(path, "w") as failures:
        failures.write("".join(line + "\n" for line in lines))


SERIAL_FOLDERS = ("faults", "scaleout")
# Sweeps whose result no database changes (what Chromium renders; markup from templates and
# the sanitiser): CI runs the suite on both databases and these in one of the two passes only
# (SKIP_DATABASE_NEUTRAL=1 in .ci/run's SQLite pass), to stay within its time budget;
# `make test` runs them.
DATABASE_NEUTRAL_FILES = (
    "tests/browser/test_xss_browser.py",
    "tests/browser/test_comments_xss.py",
    "tests/browser/test_accessibility.py",
    # The server sweeps of pages whose markup comes from templates and the sanitiser alone
    # (search, whose snippets each database marks its own way, stays in both passes).
    "tests/security/test_xss.py::test_admin_screens_are_inert",
    "tests/security/test_xss.py::test_public_pages_are_inert",
)


# The files that take longest (a minute or more each in CI), started first: the workers share
# out the many short files after them, so none is left alone with a long one at the end (the
# Makefile keeps this order with --no-loadscope-reorder; xdist would otherwise order files by
# their number of tests, which put these few-test sweeps last).
LONG_FILES_FIRST = (
    "tests/browser/test_xss_browser.py",
    "tests/security/test_xss.py",
    "tests/security/test_access.py",
    "tests/browser/test_comments_xss.py",
    "tests/security/test_fuzz.py",
    "tests/browser/test_accessibility.py",
)


def _start_rank(item):
    path = item.nodeid.split("::", 1)[0]
    return LONG_FILES_FIRST.index(path) if path in LONG_FILES_FIRST else len(LONG_FILES_FIRST)


def pytest_collection_modifyitems(config, items):
    """Tests that run real servers and time them run alone, after the parallel part of the
    suite (see the Makefile): a test process beside them would skew their clocks. The longest
    files come first (LONG_FILES_FIRST), each file's tests in their order."""
    items.sort(key=_start_rank)  # stable: the rest keep their order
    for item in items:
        if any(f"tests/{folder}/" in item.nodeid for folder in SERIAL_FOLDERS):
            item.add_marker(pytest.mark.serial)
    if os.environ.get("SKIP_DATABASE_NEUTRAL"):
        neutral = [item for item in items if item.nodeid.startswith(DATABASE_NEUTRAL_FILES)]
        if neutral:
            config.hook.pytest_deselected(items=neutral)
            items[:] = [item for item in items if item not in neutral]
            print(f"\nSKIP_DATABASE_NEUTRAL: {len(neutral)} sweeps left to the other pass")


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import caches

    from caching.content import local_values, shared

    for cache in caches.all(initialized_only=False):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=False):
        cache.clear()
    # A test that broke the cache on purpose leaves the next one a working cache.
    shared.closed_until, shared.change_missed, shared.change_pending = 0.0, False, False
    local_values.token, local_values.values = None, {}


@pytest.fixture
def is_postgres():
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.fixture
def editor(db):
    """A staff account in the Editors group."""
    from accounts.models import Role
    from tests.accounts.factories import staff

    return staff(Role.EDITORS)


@pytest.fixture
def editor_client(client, editor):
    """The test client, logged in as `editor`."""
    client.force_login(editor)
    return client
