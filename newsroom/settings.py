"""Settings for Newsroom: one module, configured by environment variables.

Every variable has a safe default for `make run`; production sets DJANGO_DEBUG=0 (the default),
a real DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

from comments.conf import DEFAULTS as COMMENT_DEFAULTS


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_value(name, default, parse, expected):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected {expected}") from None


def env_int(name, default):
    return _env_value(name, default, int, "a whole number")


def env_float(name, default):
    return _env_value(name, default, float, "a number such as 0.9")


def _rate_limits(value):
    limits = []
    for item in value.split(","):
        who, colon, rule = item.strip().partition(":")
        posts, slash, seconds = rule.partition("/")
        if who.strip() not in {"ip", "email"} or not (colon and slash):
            raise ValueError(item)
        limits.append((who.strip(), int(posts), int(seconds)))
    return limits


def _section_name(value):
    if len(value) > 80:
        raise ValueError(value)
    return value


def env_rate_limits(name, default):
    """"ip:6/600, email:4/600": at most 6 posts per IP and 4 per email address in 10 minutes."""
    return _env_value(name, default, _rate_limits,
                      "a list like ip:6/600,email:4/600 (who:posts/seconds)")


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_flag("DJANGO_DEBUG")
# `check --deploy` flags this fallback, so production must set its own key.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-local-only")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Behind TLS (the production default) cookies are secure and plain HTTP is redirected.
# `make serve` turns this off so the site can be tried on http://127.0.0.1.
HTTPS = env_flag("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "django_ckeditor_5",
    "nested_admin",
    "reversion",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "newsroom",
    "accounts",
    "articles",
    "interviews",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Photos before anything else: no session, page cache or database, and no page policy,
    # which means nothing to an image (newsroom/media.py).
    "newsroom.media.MediaFilesMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "newsroom.outage.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside WhiteNoise (static files have their own .br/.gz), outside the page cache (which
    # stores its pages compressed and sends them as they are).
    "newsroom.compression.CompressionMiddleware",
    # Before sessions and authentication: a cached page is served without touching either.
    "newsroom.pagecache.PageCacheMiddleware",
    "newsroom.middleware.ErrorPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "newsroom.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers (or a test's threads) share one file: wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer must not hold a worker for minutes: readers get
    # the "back soon" page (newsroom.outage.DatabaseOutageMiddleware) after this long.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    )

# The cache holds rendered pages, their content version and comment rate limits, so every
# worker of the site must share it (see newsroom/cache.py). With REDIS_URL, Redis: shared by
# every machine, and a Redis outage only means uncached pages. Without it, a cache in files on
# this machine, shared by all of its workers: right for one server, no other service needed.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {
                # A Redis that hangs must not hang the site: give up quickly, retry once at
                # once (a pooled connection may be stale after a Redis restart), then the
                # backend's breaker serves pages uncached until Redis answers again.
                "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
                "retry": Retry(NoBackoff(), 1),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.SharedDiskCache",
            "LOCATION": os.environ.get("NEWSROOM_CACHE_DIR", str(BASE_DIR / ".cache")),
            "TIMEOUT": 300,
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff accounts ------------------------------------------------------------------------------
# Login guessing (django-axes): after NEWSROOM_LOGIN_FAILURE_LIMIT failed sign-ins for one
# username, or from one IP address (each counted on its own), sign-in is refused for
# NEWSROOM_LOGIN_COOLOFF_MINUTES. Attempts are kept in the database, so every worker and
# every machine sees them. An administrator unlocks under Axes > Access attempts, or with
# `manage.py axes_reset_username <name>` / `axes_reset_ip <address>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("NEWSROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("NEWSROOM_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The same address the comment rate limits use (see NEWSROOM_TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "comments.views.client_ip"
# Passwords are never written to the attempt log.
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

# Two-factor sign-in (django-otp): staff turn it on at /admin/two-factor/ (an authenticator
# app, plus recovery codes); from then on the admin login asks for a code. With
# NEWSROOM_REQUIRE_2FA=1, editors, moderators and superusers must set it up before they can
# use the admin. Off by default so `make run` works at once.
NEWSROOM_REQUIRE_2FA = env_flag("NEWSROOM_REQUIRE_2FA")
OTP_TOTP_ISSUER = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")

# A staff session unused for this long ends (sign in again). Every session of a person can be
# ended at once: by them on /admin/two-factor/, or by an administrator (Users, "Sign out
# everywhere"); a changed password ends the others too.
NEWSROOM_STAFF_SESSION_IDLE_MINUTES = env_int("NEWSROOM_STAFF_SESSION_IDLE_MINUTES", 60)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# With DEBUG off neither Django nor whitenoise serves uploads; a front server or object
# storage should. Until one does, Newsroom serves them itself (read-only, media root only).
SERVE_MEDIA = env_flag("NEWSROOM_SERVE_MEDIA", default=True)

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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
# CKEditor's upload adapter and the comment form on cached pages (comments/static/comments/
# form.js) read the token from the cookie.
CSRF_COOKIE_HTTPONLY = False
# A comment sent without a valid token gets its form back to send again; other forms get
# Django's own 403 page.
CSRF_FAILURE_VIEW = "comments.views.csrf_retry"

TAGGIT_CASE_INSENSITIVE = True
TAGGIT_TAGS_FROM_STRING = "articles.forms.parse_tags"

# The site as readers and search engines see it.
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "").rstrip("/")

# Anonymous readers get the front page from the cache for at most this long; any content
# change or a scheduled publication time refreshes it sooner. 0 turns the cache off.
NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSROOM_PAGE_CACHE_SECONDS", "300"))

# Parts of pages (a story's comments, a front-page block) stay rendered in the cache for at most
# this long, for readers (staff get every part drawn afresh); a change to what they show
# refreshes them at once, exactly as it does pages (newsroom/fragments.py). 0 turns them off.
NEWSROOM_FRAGMENT_CACHE_SECONDS = env_int("NEWSROOM_FRAGMENT_CACHE_SECONDS", 86400)

# The story and interview change forms: how often an open form tells the server it is still
# open (keeping the session alive and the "… has this story open" notice current), and how long
# that notice outlives the last sign of life (articles/editing.py).
NEWSROOM_EDIT_HEARTBEAT_SECONDS = env_int("NEWSROOM_EDIT_HEARTBEAT_SECONDS", 30)
NEWSROOM_EDIT_PRESENCE_SECONDS = env_int("NEWSROOM_EDIT_PRESENCE_SECONDS", 90)

# PostgreSQL text search configuration for the site's language.
NEWSROOM_SEARCH_CONFIG = os.environ.get("NEWSROOM_SEARCH_CONFIG", "english")

# Photos: what an upload may be (see articles/images.py).
PHOTO_MAX_BYTES = env_int("NEWSROOM_PHOTO_MAX_MB", 25) * 1024 * 1024
PHOTO_MAX_PIXELS = env_int("NEWSROOM_PHOTO_MAX_MEGAPIXELS", 40) * 1_000_000
# Steps of about 1.5 from a phone's thumbnail to a wide screen, so a browser's pick is never far
# above the width it draws: a phone's full-width photo is 720 px at 1.75 pixels per point and
# 1080 px at 2.75, which the old 640/960/1280 steps rounded up to 960 and 1280.
PHOTO_RENDITION_WIDTHS = _env_value(
    "NEWSROOM_PHOTO_WIDTHS", [320, 480, 720, 1080, 1440, 1920],
    lambda value: sorted(int(width) for width in value.split(",")),
    "widths in pixels, such as 320,640,1280",
)

# The text importer files stories whose text names no section ("Home » Section") here, as
# drafts; the section is created when it does not exist yet.
NEWSROOM_IMPORT_SECTION = _env_value("NEWSROOM_IMPORT_SECTION", "News", _section_name,
                                     "a section name of at most 80 characters, such as News")

# Content-Security-Policy (django-csp), checked in the browser tests against the public site,
# the admin, CKEditor 5 and the nested interview inlines: every script, style, font and image
# is our own; the only inline script, JSON-LD, is allowed by its hash (newsroom/middleware.py).
# CKEditor sets inline style attributes (image widths) and shows data: images in its UI.
# (Not kept as a CSP_* setting: django-csp takes those for its old configuration style.)
_csp_report_uri = os.environ.get("CSP_REPORT_URI", "")
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "script-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        **({"report-uri": _csp_report_uri} if _csp_report_uri else {}),
    }
}
# CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only: browsers report
# what it would block and block nothing (for trying a changed policy on a live site).
if env_flag("CSP_REPORT_ONLY"):
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# CKEditor 5: a newsroom toolbar; uploads go through our own view (articles.views.editor_upload),
# which is staff-only, needs the photo permission and validates like a photo upload.
CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME = "articles:editor-upload"
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "staff"
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "jpg", "png", "gif", "webp"]
CKEDITOR_5_CUSTOM_CSS = "admin_extra/ckeditor.css"
CKEDITOR_5_CONFIGS = {
    "default": {
        "toolbar": {
            "items": [
                "heading", "|",
                "bold", "italic", "link", "|",
                "bulletedList", "numberedList", "blockQuote", "|",
                "insertImage", "|",
                "undo", "redo",
            ],
        },
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                {"model": "heading2", "view": "h2", "title": "Subheading",
                 "class": "ck-heading_heading2"},
                {"model": "heading3", "view": "h3", "title": "Minor heading",
                 "class": "ck-heading_heading3"},
            ]
        },
        "image": {
            "toolbar": [
                "imageTextAlternative", "toggleImageCaption", "|",
                "imageStyle:alignLeft", "imageStyle:alignRight", "imageStyle:alignCenter",
            ],
        },
        "link": {"defaultProtocol": "https://"},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Comments ------------------------------------------------------------------------------------
# Reader comments (the comments app). Every value and its default is defined once, in
# comments/conf.py; these are the ones a deployment sets from the environment.
COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", COMMENT_DEFAULTS["COMMENTS_MAX_LENGTH"])
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS",
                                    COMMENT_DEFAULTS["COMMENTS_CLOSE_AFTER_DAYS"])
COMMENTS_RATE_LIMITS = env_rate_limits("COMMENTS_RATE_LIMITS",
                                       COMMENT_DEFAULTS["COMMENTS_RATE_LIMITS"])
COMMENTS_TRUSTED_MIN_APPROVED = env_int("COMMENTS_TRUSTED_MIN_APPROVED",
                                        COMMENT_DEFAULTS["COMMENTS_TRUSTED_MIN_APPROVED"])
COMMENTS_TRUSTED_MAX_SCORE = env_float("COMMENTS_TRUSTED_MAX_SCORE",
                                       COMMENT_DEFAULTS["COMMENTS_TRUSTED_MAX_SCORE"])
COMMENTS_SPAM_THRESHOLD = env_float("COMMENTS_SPAM_THRESHOLD",
                                    COMMENT_DEFAULTS["COMMENTS_SPAM_THRESHOLD"])
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", COMMENT_DEFAULTS["COMMENTS_MAX_LINKS"])
# Behind reverse proxies that append to X-Forwarded-For, how many to trust (0: REMOTE_ADDR).
NEWSROOM_TRUSTED_PROXY_COUNT = env_int("NEWSROOM_TRUSTED_PROXY_COUNT", 0)
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")
AKISMET_BLOG_URL = os.environ.get("AKISMET_BLOG_URL", NEWSROOM_SITE_URL)

# --- WordPress import (manage.py import_wordpress) ------------------------------------------
# Old WordPress permalinks and /?p=ID answer with a 301 to the imported story. Last in the
# chain: it acts only on the site's own 404s (and on /?p= before the front page).
MIDDLEWARE = [*MIDDLEWARE, "newsroom.wordpress.redirects.WordPressRedirectMiddleware"]
