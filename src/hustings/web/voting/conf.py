"""The voting app's settings, star-imported by ``hustings.web.settings`` (one line there).

- ``HUSTINGS_CREDENTIAL_KEY``: the HMAC key security codes are stored under. Keep it out
  of the database's backups: with the key, a copy of the database could test guesses.
  Default: derived from ``HUSTINGS_SECRET_KEY`` (or the development key).
- ``HUSTINGS_CODE_FAILURES``: wrong codes one IP may enter (default ``20/h``) before it is
  refused for the rest of the window (django-ratelimit, counted in the database cache so
  every gunicorn worker sees the same count). Per-credential lockout is in ``casting``.
- ``HUSTINGS_EMAIL_BACKEND``: Django's mail backend (default: the console).
- Tasks (credential emails and reminders, queue "mail") go through django-tasks' database
  backend: they are rows in the project's own database, run by ``hustings worker``. No
  task ever carries a ballot or a trustee share.
- ``HUSTINGS_DEMO_SHARE_FILE``: the demo only (``HUSTINGS_DEMO=1``): where ``hustings
  demo`` writes the share of its sole trustee, the demo's returning officer, and where
  "Close and count" reads it to open the box, so the demo runs to a result in one
  command. Empty (the default outside the demo): no share is ever read from the server's
  disk.
"""

from __future__ import annotations

import hashlib
import os

HUSTINGS_CREDENTIAL_KEY = os.environ.get("HUSTINGS_CREDENTIAL_KEY") or hashlib.sha256(
    b"hustings credential key:"
    + (os.environ.get("HUSTINGS_SECRET_KEY") or "hustings-insecure-development-key").encode()
).hexdigest()
HUSTINGS_CODE_FAILURES = os.environ.get("HUSTINGS_CODE_FAILURES", "20/h")
HUSTINGS_DEMO_SHARE_FILE = os.environ.get("HUSTINGS_DEMO_SHARE_FILE") or (
    os.path.join(os.environ.get("HUSTINGS_DATA_DIR", "var"), "demo-trustee-share.txt")
    if os.environ.get("HUSTINGS_DEMO") == "1" else "")

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "hustings_ratelimit",
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = None

# The demo runs no worker: its (console) mails go out at once.
_TASKS_DEFAULT = (
    "django_tasks.backends.immediate.ImmediateBackend"
    if os.environ.get("HUSTINGS_DEMO") == "1" else "django_tasks_db.DatabaseBackend"
)
TASKS = {
    "default": {
        "BACKEND": os.environ.get("HUSTINGS_TASKS_BACKEND", _TASKS_DEFAULT),
        "QUEUES": ["default", "mail"],
    }
}

EMAIL_BACKEND = os.environ.get(
    "HUSTINGS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("HUSTINGS_FROM_EMAIL", "returning.officer@localhost")
