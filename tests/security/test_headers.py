"""Security headers on every kind of page, and what production settings add over HTTPS.

The Content-Security-Policy (django-csp) allows scripts from our own files only, so markup that
slips past the sanitiser still cannot run a script; the page cannot be framed, and plugins and
`<base>` are off. Production settings are read when Django starts, so the HTTPS checks run in a
fresh process with the production environment (tests/test_settings.py does the same).
"""

import json
import os
import secrets
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from tests.accounts.factories import PASSWORD, staff
from tests.digest.factories import PostFactory
from tests.servers import collect_static
from tests.sponsors.factories import ListingFactory, SponsorFactory, SponsorUserFactory

ONE_YEAR = 31536000
# What may load scripts besides our own files: none of these, in any spelling.
SCRIPT_WILDCARDS = {"*", "'unsafe-inline'", "'unsafe-eval'", "http:", "https:", "data:", "blob:"}
# Referrer policies that never send the full URL (a secret preview link) to another site.
STRICT_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "origin",
}


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = [source.lower() for source in sources]
    return directives


@pytest.fixture
def site(db):
    """One of everything a header test fetches: a tagged post, a sponsor and its listing."""
    post = PostFactory(tags=["architecture"])
    sponsor_user = SponsorUserFactory()
    sponsor = SponsorFactory(managers=[sponsor_user])
    listing = ListingFactory(sponsor=sponsor)
    return {
        "post": post,
        "sponsor_user": sponsor_user,
        "sponsor": sponsor,
        "listing": listing,
        "editor": staff(Role.EDITORS),
    }


# (label, who is signed in, how the URL is found, expected status)
PAGES = [
    ("index", None, lambda s: reverse("digest:post-index"), 200),
    ("post", None, lambda s: s["post"].get_absolute_url(), 200),
    ("tag", None, lambda s: reverse("digest:tag-detail", args=["architecture"]), 200),
    ("archive", None, lambda s: reverse("digest:archive"), 200),
    ("search", None, lambda s: reverse("digest:search") + "?q=scaled", 200),
    ("quotes", None, lambda s: reverse("digest:quote-list"), 200),
    ("login", None, lambda s: reverse("accounts:login"), 200),
    ("sponsors-about", None, lambda s: reverse("sponsors:about"), 200),
    ("sponsors-signup", None, lambda s: reverse("sponsors:signup"), 200),
    ("sponsor-dashboard", "sponsor_user", lambda s: reverse("sponsors:dashboard"), 200),
    (
        "sponsor-company",
        "sponsor_user",
        lambda s: reverse("sponsors:company", args=[s["sponsor"].pk]),
        200,
    ),
    (
        "sponsor-listing",
        "sponsor_user",
        lambda s: reverse("sponsors:listing-detail", args=[s["listing"].pk]),
        200,
    ),
    ("profile", "sponsor_user", lambda s: reverse("accounts:profile"), 200),
    ("admin-login", None, lambda s: reverse("admin:login"), 200),
    ("admin-index", "editor", lambda s: reverse("admin:index"), 200),
    ("admin-posts", "editor", lambda s: reverse("admin:digest_post_changelist"), 200),
    (
        "admin-post-change",
        "editor",
        lambda s: reverse("admin:digest_post_change", args=[s["post"].pk]),
        200,
    ),
    ("admin-listings", "editor", lambda s: reverse("admin:sponsors_listing_changelist"), 200),
    ("not-found", None, lambda s: "/no/such/page/", 404),
    ("admin-not-found", "editor", lambda s: reverse("admin:index") + "no/such/page/", 404),
    ("feed-rss", None, lambda s: reverse("digest:feed-rss"), 200),
    ("feed-atom", None, lambda s: reverse("digest:feed-atom"), 200),
    ("tag-feed", None, lambda s: reverse("digest:tag-feed", args=["architecture"]), 200),
    ("sitemap", None, lambda s: reverse("digest:sitemap"), 200),
    ("robots", None, lambda s: reverse("digest:robots"), 200),
]


@pytest.fixture(params=PAGES, ids=[page[0] for page in PAGES])
def page(request, site, client):
    _label, who, url, status = request.param
    if who:
        client.force_login(site[who])
    response = client.get(url(site))
    assert response.status_code == status, response.status_code
    return response


def test_every_page_has_a_content_security_policy(page):
    assert "Content-Security-Policy" in page, "no CSP header"
    directives = csp_directives(page["Content-Security-Policy"])

    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, "neither script-src nor default-src: any script may run"
    assert not SCRIPT_WILDCARDS & set(scripts), scripts
    assert directives.get("object-src") == ["'none'"]
    assert directives.get("base-uri") == ["'none'"]
    assert directives.get("frame-ancestors") == ["'none'"]
    assert "default-src" in directives


def test_every_page_forbids_sniffing_framing_and_full_referrers(page):
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["X-Frame-Options"] == "DENY"
    assert page["Referrer-Policy"] in STRICT_REFERRER_POLICIES


def test_every_page_turns_off_the_browser_features_it_does_not_use(page):
    policy = {
        part.strip().split("=", 1)[0]: part.strip().split("=", 1)[1]
        for part in page["Permissions-Policy"].split(",")
    }

    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature


def test_the_session_cookie_is_httponly(site, client):
    client.post(
        reverse("accounts:login"),
        {"username": site["sponsor_user"].username, "password": PASSWORD},
    )

    assert client.cookies[settings.SESSION_COOKIE_NAME]["httponly"]
    assert client.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"


# --- Production settings over HTTPS -------------------------------------------------------------

KEPT_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")


def production_env(tmp_path, **extra):
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    env.update(
        PYTHON_DOTENV_DISABLED="1",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        SITE_URL="https://scalepress.example",
        ALLOWED_HOSTS="scalepress.example",
        DEBUG="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        CACHE_DIR=str(tmp_path / "cache"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


def run(args, env):
    return subprocess.run(  # noqa: S603 -- our own interpreter with fixed arguments
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Runs in the production process: a migrated scratch database, one account, and the headers
# and cookies of a few pages fetched over HTTPS (and one over plain HTTP).
HTTPS_PROBE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.contrib.auth import get_user_model

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user("probe", "probe@example.com", "a long probe passphrase")
    client = Client(HTTP_HOST="scalepress.example")
    result = {}
    for label, path in [("index", "/"), ("login", "/accounts/login/"), ("missing", "/nope/")]:
        response = client.get(path, secure=True)
        result[label] = {"status": response.status_code, "headers": dict(response.headers)}
    plain = client.get("/", secure=False)
    result["plain"] = {"status": plain.status_code, "location": plain.get("Location", "")}
    login = client.post(
        "/accounts/login/",
        {"username": "probe", "password": "a long probe passphrase"},
        secure=True,
    )
    result["logged_in"] = {"status": login.status_code}
    result["cookies"] = {
        name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
               "samesite": morsel["samesite"]}
        for name, morsel in client.cookies.items()
    }
    print("RESULT " + json.dumps(result))
    """
)


@pytest.fixture(scope="module")
def https(tmp_path_factory):
    collect_static()  # production settings serve hashed names from the manifest
    tmp_path = tmp_path_factory.mktemp("production")
    result = run(["-c", HTTPS_PROBE], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.mark.parametrize("label", ["index", "login", "missing"])
def test_https_pages_send_hsts_for_at_least_a_year(https, label):
    headers = {name.lower(): value for name, value in https[label]["headers"].items()}
    hsts = [part.strip() for part in headers["strict-transport-security"].split(";")]
    max_age = next(int(part.split("=", 1)[1]) for part in hsts if part.startswith("max-age="))

    assert https[label]["status"] == (404 if label == "missing" else 200)
    assert max_age >= ONE_YEAR
    # Both reach beyond this site and are hard to undo: an operator turns them on.
    assert "includeSubDomains" not in hsts
    assert "preload" not in hsts
    assert "content-security-policy" in headers
    assert headers["x-content-type-options"] == "nosniff"


def test_plain_http_is_sent_to_https(https):
    assert https["plain"]["status"] == 301
    assert https["plain"]["location"] == "https://scalepress.example/"


def test_session_and_csrf_cookies_are_secure_over_https(https):
    cookies = https["cookies"]

    assert https["logged_in"]["status"] == 302
    assert cookies[settings.SESSION_COOKIE_NAME] == {
        "secure": True,
        "httponly": True,
        "samesite": "Lax",
    }
    assert cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


@pytest.mark.parametrize(
    "extra",
    [{}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}],
    ids=["embedded-cache", "redis"],
)
def test_deploy_checks_pass_with_production_settings(tmp_path, extra):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path, **extra),
    )

    assert result.returncode == 0, result.stdout + result.stderr


HSTS_PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print('RESULT ' + json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "s.SECURE_HSTS_PRELOAD]))"
)


def hsts_settings(tmp_path, **extra):
    result = run(["-c", HSTS_PROBE], production_env(tmp_path, **extra))
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_hsts_preload_and_subdomains_are_off_unless_the_operator_turns_them_on(tmp_path):
    assert hsts_settings(tmp_path) == [ONE_YEAR, False, False]
    assert hsts_settings(tmp_path, HSTS_INCLUDE_SUBDOMAINS="1", HSTS_PRELOAD="1") == [
        ONE_YEAR,
        True,
        True,
    ]
    plain = hsts_settings(tmp_path, SITE_URL="http://scalepress.example", HSTS_PRELOAD="1")
    assert plain == [0, False, False]  # no HSTS at all without HTTPS


def test_deploy_checks_pass_with_hsts_preload_turned_on(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path, HSTS_INCLUDE_SUBDOMAINS="1", HSTS_PRELOAD="1"),
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_policy_built_once_is_django_csps_and_follows_the_settings(client, db, settings):
    from csp.utils import build_policy

    settings.PAGE_CACHE = False
    index = reverse("digest:post-index")
    assert client.get(index)["Content-Security-Policy"] == build_policy()

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    answer = client.get(index)

    assert answer["Content-Security-Policy"] == "default-src 'none'"
    report_only = csp_directives(answer["Content-Security-Policy-Report-Only"])
    assert report_only["img-src"] == ["'self'"]


def test_a_response_with_a_policy_of_its_own_or_a_nonce_still_gets_it(rf, settings):
    from csp.constants import NONCE, SELF
    from django.http import HttpResponse

    from hardening.middleware import SettingsPolicyCSPMiddleware

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def view(request):
        response = HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")
        response._csp_update = {"img-src": ["https://images.example"]}
        return response

    request = rf.get("/")
    answer = SettingsPolicyCSPMiddleware(view)(request)

    directives = csp_directives(answer["Content-Security-Policy"])
    assert directives["img-src"] == ["https://images.example"]
    assert directives["script-src"] == ["'self'", f"'nonce-{request._csp_nonce}'".lower()]
    exempt = HttpResponse("no policy here")
    exempt._csp_exempt = True
    answer = SettingsPolicyCSPMiddleware(lambda request: exempt)(rf.get("/"))
    assert "Content-Security-Policy" not in answer
