"""Pages rendered in the test process name static files by their own names, which the live
server serves, however pytest was started and whatever ran before (tests/conftest.py says
why this once depended on the command line)."""

import subprocess
import sys

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static

from tests.servers import ROOT, collect_static


def test_in_this_process_static_files_keep_their_own_names():
    assert static("comments/comments.js") == settings.STATIC_URL + "comments/comments.js"
    assert staticfiles_storage.location == str(settings.STATIC_ROOT)


def test_naming_the_page_cache_tests_first_on_the_command_line_changes_nothing():
    """Their conftest imports config.wsgi, whose WhiteNoise asks the static storage for the
    URL of every file in STATIC_ROOT: with the project's staticfiles/ collected (as the
    servers' tests do), that once left the manifest storage, and its hashed names, in place
    for the whole run."""
    collect_static()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/digest/page_cache",
            f"{__file__}::test_in_this_process_static_files_keep_their_own_names",
            "-k",
            "test_in_this_process_static_files_keep_their_own_names",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
