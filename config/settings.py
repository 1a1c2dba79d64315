"""Scalepress settings: one file, every value from the environment (README.md lists them).

Development defaults only apply when DEBUG is on; with DEBUG off (the default) a missing
SECRET_KEY is an error rather than a silent, guessable fallback.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, env_bool, env_list

DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105 -- DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "High Scalability")
SITE_TAGLINE = os.environ.get("SITE_TAGLINE", "Building bigger, faster, more reliable websites.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)
# The original site's domains (with or without "www."): imported links to them are rewritten
# to this site's addresses (digest/importers/old_links.py).
LEGACY_DOMAINS = env_list("LEGACY_DOMAINS", "highscalability.com,www.highscalability.com")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    # Tags and login lockouts under the names editors read in the admin (config/apps.py).
    "config.apps.TagsConfig",
    "adminsortable2",
    "django_ratelimit",
    "config.apps.LoginAttemptsConfig",
    "csp",
    "hardening",
    "accounts",
    "safe_images",
    "digest",
    "sponsors",
    # Background jobs (docs/newsletter.md): the queue in the database, a scheduler beside it.
    "django_tasks",
    "config.apps.BackgroundJobsConfig",
    "jobs",
    "newsletter",
    "inbox",
    "comments",
]

MIDDLEWARE = [
    # First of all: a body larger than its view can use is refused (413) before the session,
    # the CSRF check or any form parsing reads it (hardening.middleware).
    "hardening.middleware.BodyLimitMiddleware",
    # ETag/Last-Modified answered with 304s; outermost so it sees stored pages too.
    "django.middleware.http.ConditionalGetMiddleware",
    # Whole public pages for anonymous readers (caching.pages). Outside all the others
    # that add headers, so it stores pages with every header added.
    "caching.pages.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hardening.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "digest.middleware.RequestSizeMiddleware",
    # Deletes, when a request ends, the uploads it wrote that no row ended up naming.
    "safe_images.pending.UploadCleanupMiddleware",
    # Every submitted value loses the characters XML forbids before any form reads it.
    "hardening.middleware.CleanInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns django-ratelimit's refusal into our 429 page (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # django-csp's, with the settings' policy built once (hardening.middleware).
    "hardening.middleware.SettingsPolicyCSPMiddleware",
    # Last, as django-axes asks: it answers locked-out logins with our 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "digest.context_processors.site",
            ],
        },
    },
]

# Persistent connections are not optional: a new PostgreSQL connection costs ~8 ms of
# database CPU, more than a cached page takes to serve.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or unreachable must answer in seconds (the 503 page), not
    # hang every worker for the operating system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer of the embedded default work side by side.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

# One cache shared by every process: content-version keys must be seen by all workers.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing its client objects (see caching/redis_client.py).
            "BACKEND": "caching.redis_client.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "scalepress",
            # A Redis that is down or hung costs a request at most this long, then the page
            # is built without the cache (caching.content) instead of every worker hanging.
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Whole-page cache for anonymous readers (caching.pages); off only to measure without it.
PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
# Set to the deployed version (e.g. the git commit): a new value retires every cached page.
RELEASE = os.environ.get("RELEASE", "")
# How long nginx keeps a public page (deploy/nginx): the longest a change takes to reach
# readers (the origin's cache is exact, see caching.pages).
EDGE_CACHE_SECONDS = int(os.environ.get("EDGE_CACHE_SECONDS", "1"))

# Rate limits (django-ratelimit) count in a cache of their own. It must increment atomically
# and be shared by every worker: Redis when REDIS_URL is set; otherwise each process counts
# for itself (the embedded default runs one process; with N workers a limit is at most N×).
CACHES["ratelimit"] = (
    {
        **CACHES["default"],
        "BACKEND": "caching.redis_client.FailSoftRedisCache",
        "KEY_PREFIX": "scalepress-rl",
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
)
RATELIMIT_USE_CACHE = "ratelimit"
# With Redis unreachable nothing can be counted: let requests through rather than refuse all.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "digest.views.too_many_requests"
# The request header that holds the reader's address. Behind nginx set it to HTTP_X_REAL_IP
# (and make nginx set X-Real-IP); never trust a header a client can send straight to us.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "REMOTE_ADDR")
RATELIMIT_IP_META_KEY = "accounts.network.client_ip"
SILENCED_SYSTEM_CHECKS = [
    # Django's own RedisCache increments atomically; the library only lists django-redis.
    "django_ratelimit.W001",
    # Local memory is not shared between processes: accepted for the single-process default.
    *([] if REDIS_URL else ["django_ratelimit.E003"]),
]

# Comments (comments/): a form sent sooner than this after the reader started it is a robot's;
# comment POSTs allowed per reader's address and per e-mail address (django-ratelimit).
COMMENTS_TRAP_MIN_SECONDS = int(os.environ.get("COMMENTS_TRAP_MIN_SECONDS", "3"))
COMMENTS_RATE_PER_ADDRESS = os.environ.get("COMMENTS_RATE_PER_ADDRESS", "5/m")
COMMENTS_RATE_PER_EMAIL = os.environ.get("COMMENTS_RATE_PER_EMAIL", "5/m")

# Sessions live in the database, which every app server shares (not in Redis: a Redis outage
# must not log everyone out or turn their pages into errors).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrUsernameBackend",
]
# Login brute force (django-axes, state in the database so every worker and app server sees
# it; the rules are accounts.lockout's): 5 failures lock an account from that address, 10 from
# one address lock the address, for 15 minutes. An account itself is never locked (anyone
# could lock its owner out): failures against it only slow attempts at it down, up to a few
# seconds each, and its owner can lift a lock for their browser with an e-mailed link.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", str(2 * AXES_FAILURE_LIMIT))
)
LOGIN_SLOWDOWN_MAX_SECONDS = float(os.environ.get("LOGIN_SLOWDOWN_MAX_SECONDS", "3"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
LOGIN_UNLOCK_SECONDS = 24 * 3600  # how long an owner's unlocked browser stays unlocked
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True  # for that account from that address only (accounts.lockout)
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
AXES_VERBOSE = False
# Sign-up links (accounts.verification) stay valid this long.
EMAIL_VERIFICATION_MAX_AGE = int(os.environ.get("EMAIL_VERIFICATION_MAX_AGE", 3 * 86400))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:after-login"
LOGOUT_REDIRECT_URL = "digest:post-index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
# Several app servers: uploads on an S3-compatible store (django-storages) when a bucket is
# named, so a picture uploaded through one server is served by all. Credentials come from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (read by boto3 itself).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            # e.g. a CDN in front of the bucket; media URLs then point there.
            "custom_domain": os.environ.get("S3_CUSTOM_DOMAIN") or None,
            # Published pictures are public: plain, stable URLs that cached pages can carry
            # (a signed URL would expire inside a cached page).
            "querystring_auth": False,
            "default_acl": os.environ.get("S3_DEFAULT_ACL") or None,
            "file_overwrite": False,
        },
    }

# Uploads larger than this go to a temporary file instead of memory; image fields have their
# own size limits (digest.validators).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A digest's change form sends about 8 fields a part: Django's 1,000 refused every digest of
# more than about 110 quotes, stats and items. Public forms have a handful of fields, and
# every body is capped in bytes (below) before this is counted.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Request bodies (hardening.BodyLimitMiddleware, answered 413 before anything reads them): a
# form without files; a form with one (its view's picture limit on top, e.g. a 2 MB logo);
# the admin, whose largest is a post: up to DATA_UPLOAD_MAX_MEMORY_SIZE of text and a 5 MB
# lead image (digest.models.LEAD_IMAGE_MAX_BYTES), with a megabyte for the multipart framing.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_KB", "256")) * 1024
ADMIN_REQUEST_BODY_MAX_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE + 6 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# E-mail, the job worker, the newsletter and the link inbox's fetcher (config/delivery.py).
from config.delivery import *  # noqa: E402, F403 -- settings of their own file, read as these
from config.delivery import ESP_APPS  # noqa: E402

INSTALLED_APPS += ESP_APPS

# Served over HTTPS (SITE_URL says so): secure cookies, HSTS and the redirect to HTTPS.
HTTPS = urlsplit(SITE_URL).scheme == "https"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
# Both reach beyond this site (every subdomain; browsers' built-in lists, which take months to
# leave): an operator turns them on, nothing does it for them.
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env_bool("HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HSTS_PRELOAD")
if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")  # off by choice (HSTS_INCLUDE_SUBDOMAINS)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # off by choice (HSTS_PRELOAD)
if env_bool("BEHIND_PROXY"):
    # Only behind a proxy that sets this header itself; otherwise a client could forge it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): scripts only from our own files, never inline, so an
# injected <script> or onerror= cannot run even if it got past the sanitiser. Styles may be
# inline (the admin's widgets set style attributes); images may come from any HTTPS host
# (imported posts embed them). Frames only from the two video players digest.embeds allows,
# which static/js/embeds.js loads when a reader plays a video.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Browser features no page of ours uses, switched off for every page (Permissions-Policy).
PERMISSIONS_POLICY_DENY = [
    "accelerometer", "ambient-light-sensor", "camera", "display-capture", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb", "browsing-topics",
]  # fmt: skip
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Every login and lockout at INFO is noise; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}

# Pages of the index and archives; a year's archive lists titles only, so more to a page.
POSTS_PER_PAGE = 10
ARCHIVE_PER_PAGE = 100
