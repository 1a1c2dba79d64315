"""Settings as an operator meets them: `manage.py` run in a fresh process with a chosen environment.

Each test starts from an environment that holds none of the suite's own settings (pytest-env
sets SECRET_KEY and DEBUG for this process), and with .env loading disabled so that a developer's
.env file cannot change the outcome.
"""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

# Only what a process needs to start; every setting is passed explicitly by the test.
KEPT_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
    "SITE_URL": "https://scalepress.example",
    "ALLOWED_HOSTS": "scalepress.example",
}


def manage(*args, **variables):
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    env["PYTHON_DOTENV_DISABLED"] = "1"
    env.update(variables)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_settings(*names, **variables):
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    result = manage("shell", "--no-imports", "-c", code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_fails_without_a_secret_key_when_debug_is_unset():
    result = manage("check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_may_run_without_a_secret_key_when_debug_is_on():
    result = manage("check", DEBUG="1")

    assert result.returncode == 0, result.stderr


def test_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_by_default():
    assert read_settings("DEBUG", SECRET_KEY=PRODUCTION["SECRET_KEY"]) == {"DEBUG": False}


def test_https_site_url_makes_cookies_secure_and_turns_on_hsts():
    values = read_settings(
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        **PRODUCTION,
    )

    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True


SCALE_OUT = {
    **PRODUCTION,
    "REDIS_URL": "redis://10.0.0.5:6379/0",
    "S3_BUCKET": "scalepress-media",
    "S3_ENDPOINT_URL": "https://s3.eu-central-1.example.net",
    "S3_CUSTOM_DOMAIN": "media.scalepress.example",
}


def test_several_app_servers_share_cache_sessions_and_media():
    values = read_settings("CACHES", "SESSION_ENGINE", "STORAGES", "PAGE_CACHE", **SCALE_OUT)

    assert values["CACHES"]["default"]["BACKEND"] == "caching.redis_client.SharedClientRedisCache"
    # Rate limits fail open, not with a 500, when Redis is unreachable.
    assert values["CACHES"]["ratelimit"]["BACKEND"] == "caching.redis_client.FailSoftRedisCache"
    for alias in ("default", "ratelimit"):
        assert values["CACHES"][alias]["LOCATION"] == SCALE_OUT["REDIS_URL"]
    # Rate-limit counters never collide with cached pages.
    assert values["CACHES"]["default"]["KEY_PREFIX"] != values["CACHES"]["ratelimit"]["KEY_PREFIX"]
    # Sessions are in the shared database: nothing per process, nothing lost with Redis.
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    media = values["STORAGES"]["default"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"]["bucket_name"] == "scalepress-media"
    assert media["OPTIONS"]["endpoint_url"] == SCALE_OUT["S3_ENDPOINT_URL"]
    # Cached pages carry media URLs, so they must not be signed URLs that expire.
    assert media["OPTIONS"]["querystring_auth"] is False
    assert values["PAGE_CACHE"] is True


def test_media_urls_point_at_the_bucket_and_deploy_check_passes_when_scaled_out():
    code = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__module__, s.url('posts/2026/11/a.jpg'))"
    )
    result = manage("shell", "--no-imports", "-c", code, **SCALE_OUT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3",
        "https://media.scalepress.example/posts/2026/11/a.jpg",
    ]
    check = manage("check", "--deploy", "--fail-level", "WARNING", **SCALE_OUT)
    assert check.returncode == 0, check.stdout + check.stderr


def test_one_server_keeps_sessions_in_the_database_and_pictures_on_disk():
    values = read_settings("SESSION_ENGINE", "STORAGES", **PRODUCTION)
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
