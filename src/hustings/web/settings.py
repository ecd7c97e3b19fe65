"""Django settings, all from the environment.

- ``DATABASE_URL``: any URL dj-database-url reads (``postgres://...``); default a SQLite file
  ``hustings.sqlite3`` in ``HUSTINGS_DATA_DIR`` (default ``./var``).
- ``HUSTINGS_SECRET_KEY``: required by ``hustings serve`` and ``wsgi.py``; the demo and the
  tests use a fixed development key (never for a real deployment).
- ``HUSTINGS_ALLOWED_HOSTS``: comma-separated host names (default: localhost only).
- ``HUSTINGS_DEBUG``: "1"/"true" to show Django's debug pages.
- ``HUSTINGS_SECURE``: "1" behind HTTPS: secure cookies, HSTS for a year (with
  subdomains and the preload token; ``HUSTINGS_HSTS_PRELOAD=0`` leaves the token out),
  redirect to https.
- ``HUSTINGS_TRUSTED_PROXIES``: the reverse proxies (addresses or networks) whose
  ``X-Forwarded-For`` is believed, for rate limits and the login lockout
  (``hustings.web.clientip``). Default: none, so the header is ignored.
- ``HUSTINGS_UPLOAD_MAX_BYTES`` (default 4 MiB) and ``HUSTINGS_ROLL_MAX_BYTES`` (default
  128 MiB): the largest upload, and the largest roll (``hustings.web.uploads``).
- ``HUSTINGS_LOGIN_FAILURES`` (default 10): wrong passwords for one username before the
  account is locked for ``HUSTINGS_LOGIN_LOCKOUT_HOURS`` (default 1) (django-axes).
- ``HUSTINGS_DEV_MAIL``: "1" lets ``hustings serve`` and ``worker`` run with the console or
  file mail backends (development only: every code would land in the output).
The security-code key, ``HUSTINGS_CODE_KEY``, is read by ``voting/conf.py``. What a real
deployment sets, and how to rotate the keys: docs/deploying.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

WEB_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HUSTINGS_DATA_DIR", "var")).resolve()

# Only for the demo and tests: `hustings serve` and wsgi.py refuse to start without
# HUSTINGS_SECRET_KEY (see hustings.web.wsgi.require_environment).
DEV_SECRET_KEY = "hustings-insecure-development-key-do-not-deploy"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("HUSTINGS_SECRET_KEY") or DEV_SECRET_KEY
DEBUG = _flag("HUSTINGS_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("HUSTINGS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "hustings.web.contests",
    "hustings.web.nominations",
    "hustings.web.endorsements",
    # Required: registers the lifecycle's ledger, seal and count (contests.followups)
    "hustings.web.voting",
    "django_tasks",
    "django_tasks_db",
]
# voting's task queue, rate-limit cache, mail, code key
from hustings.web.voting.conf import *  # noqa: E402,F403

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # a database restarting or (SQLite) locked: 503 and a retry page, never a 500
    "hustings.web.resilience.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "hustings.web.urls"
WSGI_APPLICATION = "hustings.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'hustings.sqlite3'}",
        conn_max_age=int(os.environ.get("HUSTINGS_DB_CONN_MAX_AGE", "60")),
        # a kept connection is tested before each request: after the database restarts,
        # the first request opens a new one instead of failing on the dead one
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent gunicorn threads: wait for the write lock rather than fail at once, and
    # take it when the transaction begins (BEGIN IMMEDIATE). A deferred transaction that
    # reads and then writes cannot wait for the lock (SQLite would deadlock): it fails at
    # once with "database is locked", which concurrent casts of one code hit.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
# Only for `collectstatic` (optional): whitenoise serves from the source folders.
STATIC_ROOT = os.environ.get("HUSTINGS_STATIC_ROOT") or None
# Serve straight from the app folders (no collectstatic step): the files are few and small.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads are all CSV text: skipped with a message when too big or not UTF-8.
HUSTINGS_UPLOAD_MAX_BYTES = int(os.environ.get("HUSTINGS_UPLOAD_MAX_BYTES", str(4 * 1024 * 1024)))
HUSTINGS_ROLL_MAX_BYTES = int(os.environ.get("HUSTINGS_ROLL_MAX_BYTES", str(128 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "hustings.web.uploads.LimitedTextUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # form fields other than files

HUSTINGS_TRUSTED_PROXIES = os.environ.get("HUSTINGS_TRUSTED_PROXIES", "")
RATELIMIT_IP_META_KEY = "hustings.web.clientip.client_ip"  # django-ratelimit's "ip" key

# Staff login throttling (django-axes): wrong passwords count per username, whatever the
# address (spreading guesses over many addresses does not help), and per client address,
# whatever the username (one address cannot try a password on every account). A locked
# officer is unlocked by waiting, or at once with `django-admin axes_reset_username <name>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("HUSTINGS_LOGIN_FAILURES", "10"))
AXES_COOLOFF_TIME = float(os.environ.get("HUSTINGS_LOGIN_LOCKOUT_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "hustings.web.clientip.client_ip"  # recorded with each failure
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): scripts and styles only from this site's files, no
# inline script or style (the pages' CSS is in static/hustings/*.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "contest-list"
LOGOUT_REDIRECT_URL = "contest-list"

if _flag("HUSTINGS_SECURE"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600  # a year, as the HSTS preload list asks
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # the token only says the owner agrees to preloading; submitting the domain is separate
    SECURE_HSTS_PRELOAD = os.environ.get("HUSTINGS_HSTS_PRELOAD", "1") != "0"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("HUSTINGS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
