"""Browser tests: Playwright for Python drives Debian's Chromium against the live server.

Playwright's own browser download cannot work on this machine, so the tests launch the system
Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium). Without it the tests are skipped, unless
`REQUIRE_BROWSER` is set (as CI does), in which case they fail: a missing browser must never
pass for a green run there.

Test data is made with the ORM inside each test (the `live_server` fixture brings
`transactional_db`, so the server thread sees it) before the browser visits.
"""

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

# Playwright's sync API runs an asyncio loop in this thread; the ORM calls the tests make to
# set up data would otherwise raise SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent
AXE = HERE.parent.parent / os.environ.get("AXE_JS", "var/axe/node_modules/axe-core/axe.min.js")
ARTIFACTS = HERE.parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
STEP_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (`-m "not browser"` leaves them out)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.access(executable, os.X_OK):
        message = f"No Chromium at {executable}: set CHROMIUM_PATH or `apt-get install chromium`."
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(
                f"REQUIRE_BROWSER is set but the browser tests cannot run: {message}", pytrace=False
            )
        pytest.skip(message)

    from playwright.sync_api import expect, sync_playwright

    # How long a step may wait for the page: long enough for a save on a CI machine running
    # two test processes beside their browsers (a 5 s wait ran out there once); a passing
    # step waits only as long as it takes.
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class InFlight:
    """The live server's requests still running. A page closed at a test's end may leave one
    behind (an autosave, a preview); on SQLite's shared in-memory test database it holds a
    table lock that makes the test's teardown flush fail ("database table is locked"), and
    the next tests on that worker find the database half-emptied."""

    def __init__(self):
        self.count, self.lock = 0, threading.Lock()

    # The live server answers in its own threads; the test client, in the test's thread, is
    # not counted (a streamed response it never closes would otherwise count forever).
    def started(self, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            with self.lock:
                self.count += 1

    def finished(self, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            with self.lock:
                self.count -= 1

    def wait_idle(self, seconds=15, quiet=0.2):
        """Until no request has run for `quiet` seconds (one the browser sent just before
        its page closed may not have started yet), or fail after `seconds`."""
        deadline, idle_since = time.monotonic() + seconds, None
        while time.monotonic() < deadline:
            if self.count > 0:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= quiet:
                return
            time.sleep(0.02)
        stuck, self.count = self.count, 0
        pytest.fail(
            f"{stuck} live-server request(s) still running {seconds}s after the pages closed"
        )


in_flight = InFlight()
request_started.connect(in_flight.started, dispatch_uid="browser-tests-in-flight-started")
request_finished.connect(in_flight.finished, dispatch_uid="browser-tests-in-flight-finished")


@pytest.fixture
def new_page(browser, transactional_db):
    """Open pages in fresh browser contexts: `new_page(viewport=…, color_scheme="dark")`.
    Set up after the database and torn down before it: the pages are closed, and the
    requests they left running have finished, before the database is emptied."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(**{"viewport": VIEWPORT, **options})
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    in_flight.wait_idle()


@pytest.fixture
def page(new_page):
    """A page in a new 1280×900 browser context, closed after the test."""
    return new_page()


@pytest.fixture
def artifacts():
    """The git-ignored folder for screenshots that humans look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def axe_source():
    """axe-core's script, installed by `make test` from npm (.ci/services.sh ensure_axe)."""
    if not AXE.exists():
        message = f"axe-core is missing at {AXE}: `bash -c 'source .ci/services.sh; ensure_axe'`"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE.read_text()
