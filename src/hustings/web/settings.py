"""Django settings, all from the environment.

- ``DATABASE_URL``: any URL dj-database-url reads (``postgres://...``); default a SQLite file
  ``hustings.sqlite3`` in ``HUSTINGS_DATA_DIR`` (default ``./var``).
- ``HUSTINGS_SECRET_KEY``: required by ``hustings serve`` and ``wsgi.py``; the demo and the
  tests use a fixed development key (never for a real deployment).
- ``HUSTINGS_ALLOWED_HOSTS``: comma-separated host names (default: localhost only).
- ``HUSTINGS_DEBUG``: "1"/"true" to show Django's debug pages.
- ``HUSTINGS_SECURE``: "1" behind HTTPS: secure cookies, HSTS, redirect to https.
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
    "hustings.web.contests",
    "hustings.web.nominations",
    "hustings.web.endorsements",
]
# Later apps built on these models (voting) join when their AppConfig exists, so the
# project does not have to be edited in lockstep with them.
for _name in ("voting",):
    if (WEB_DIR / _name / "apps.py").is_file():
        INSTALLED_APPS.append(f"hustings.web.{_name}")
if "hustings.web.voting" in INSTALLED_APPS:  # voting's task queue, rate-limit cache, mail, code key
    from hustings.web.voting.conf import *  # noqa: E402,F403
    INSTALLED_APPS += ["django_tasks", "django_tasks_db"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent gunicorn threads: wait for the write lock rather than fail at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "contest-list"
LOGOUT_REDIRECT_URL = "contest-list"

if _flag("HUSTINGS_SECURE"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 3600
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("HUSTINGS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
