"""The voting app's settings, star-imported by ``hustings.web.settings`` (one line there).

- ``HUSTINGS_CODE_KEY``: the key every security code is made from and checked under
  (``codes.code_keys``). Required by ``hustings serve`` and ``worker``; separate from
  ``HUSTINGS_SECRET_KEY`` so rotating that voids no code. Keep it out of the database and
  its backups: with it, a copy of the database gives every unused code. Rotation:
  docs/deploying.md. ``HUSTINGS_CREDENTIAL_KEY`` (the digest key ``casting`` checks under)
  is derived from it, no longer read from the environment.
- ``HUSTINGS_CODE_FAILURES``: wrong codes one client address may enter (default ``20/h``)
  before its further wrong codes get 429 (django-ratelimit, counted in the database cache
  so every gunicorn worker sees the same count). A right code is always checked and
  accepted; the client address is taken from X-Forwarded-For only when the request comes
  from ``HUSTINGS_TRUSTED_PROXIES`` (``hustings.web.clientip``). Per-credential lockout is
  in ``casting``.
- ``HUSTINGS_EMAIL_BACKEND``: Django's mail backend (default: the console, which
  ``hustings serve`` and ``worker`` refuse unless ``HUSTINGS_DEV_MAIL=1``).
- Tasks (credential emails and reminders, queue "mail") go through django-tasks' database
  backend: they are rows in the project's own database, run by ``hustings worker``. No
  task ever carries a security code, a ballot or a trustee share.
- Mail at national scale (``mailing.py``): ``HUSTINGS_MAIL_BATCH`` codes per mail task
  (default 500: one task and one SMTP connection per batch, so the queue holds 960 rows
  for 480,000 emails, not 480,000), ``HUSTINGS_MAIL_RATE`` the most messages one worker
  process sends (default ``500/second``, the ``limits`` library's notation; per process,
  so N workers send up to N times it: see docs/deploying.md),
  ``HUSTINGS_MAIL_RETRIES`` attempts before a temporarily failing message is marked failed
  (default 5), ``HUSTINGS_EMAIL_HOST``/``HUSTINGS_EMAIL_PORT`` the SMTP server.
  ``HUSTINGS_ISSUE_BATCH``: codes made and written per transaction when issuing (5000).
- ``HUSTINGS_DEMO_SHARE_FILE``: the demo only (``HUSTINGS_DEMO=1``): where ``hustings
  demo`` writes the share of its sole trustee, the demo's returning officer, and where
  "Close and count" reads it to open the box, so the demo runs to a result in one
  command. Empty (the default outside the demo): no share is ever read from the server's
  disk.
"""

from __future__ import annotations

import os

from hustings.web.voting.codes import code_keys

# Only for the demo and tests: `hustings serve`, `worker` and wsgi.py refuse it.
DEV_CODE_KEY = "hustings-insecure-development-code-key-do-not-deploy"
HUSTINGS_CODE_KEY = os.environ.get("HUSTINGS_CODE_KEY") or DEV_CODE_KEY
HUSTINGS_CREDENTIAL_KEY = code_keys(HUSTINGS_CODE_KEY)[1].hex()
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
EMAIL_HOST = os.environ.get("HUSTINGS_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("HUSTINGS_EMAIL_PORT", "25"))
HUSTINGS_MAIL_BATCH = int(os.environ.get("HUSTINGS_MAIL_BATCH", "500"))
HUSTINGS_MAIL_RATE = os.environ.get("HUSTINGS_MAIL_RATE", "500/second")
HUSTINGS_MAIL_RETRIES = int(os.environ.get("HUSTINGS_MAIL_RETRIES", "5"))
HUSTINGS_ISSUE_BATCH = int(os.environ.get("HUSTINGS_ISSUE_BATCH", "5000"))
DEFAULT_FROM_EMAIL = os.environ.get("HUSTINGS_FROM_EMAIL", "returning.officer@localhost")
