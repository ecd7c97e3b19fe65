"""What a real deployment must set, and what it must not. Read by ``wsgi.py``, ``hustings
serve`` and ``hustings worker`` before Django starts, so a missing or unsafe setting is one
clear line, not a traceback (docs/deploying.md says what each one is for)."""

from __future__ import annotations

import os
from collections.abc import Mapping

REQUIRED = ("HUSTINGS_SECRET_KEY", "HUSTINGS_CODE_KEY", "HUSTINGS_ALLOWED_HOSTS", "DATABASE_URL")
# Mail backends that keep the mail on this machine (in the output, a file, memory or
# nowhere): every security code would land there. Development only.
LOCAL_MAIL = ("console", "filebased", "locmem", "dummy")
DEFAULT_MAIL = "django.core.mail.backends.console.EmailBackend"
MIN_KEY = 32


def missing_environment(environ: Mapping[str, str] | None = None) -> list[str]:
    """The required variables that are unset or empty, in a fixed order."""
    env = os.environ if environ is None else environ
    return [name for name in REQUIRED if not env.get(name, "").strip()]


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def unsafe_settings(command: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Why this environment must not run ``command`` (serve, worker, wsgi): the
    development keys, keys too short or shared, mail that stays on the machine."""
    from hustings.web.settings import DEV_SECRET_KEY
    from hustings.web.voting.conf import DEV_CODE_KEY

    env = os.environ if environ is None else environ
    secret, code = env.get("HUSTINGS_SECRET_KEY", ""), env.get("HUSTINGS_CODE_KEY", "")
    out = []
    if command != "worker" and secret == DEV_SECRET_KEY:
        out.append("HUSTINGS_SECRET_KEY is the development key; set a random one "
                   "(python -c 'import secrets; print(secrets.token_urlsafe(50))')")
    elif command != "worker" and secret and len(secret) < MIN_KEY:
        out.append(f"HUSTINGS_SECRET_KEY has {len(secret)} characters; expected at least {MIN_KEY}")
    if code == DEV_CODE_KEY:
        out.append("HUSTINGS_CODE_KEY is the development key; set a random one")
    elif code and len(code) < MIN_KEY:
        out.append(f"HUSTINGS_CODE_KEY has {len(code)} characters; expected at least {MIN_KEY}")
    if code and code == secret:
        out.append("HUSTINGS_CODE_KEY is the same as HUSTINGS_SECRET_KEY; it must be its own "
                   "key, so that rotating the secret key voids no code")
    backend = env.get("HUSTINGS_EMAIL_BACKEND", "").strip() or DEFAULT_MAIL
    if any(f".{name}." in backend for name in LOCAL_MAIL) and not _flag(env, "HUSTINGS_DEV_MAIL"):
        out.append(f"HUSTINGS_EMAIL_BACKEND is {backend}: security codes would be written "
                   "where the mail is kept, not sent; set an SMTP backend "
                   "(django.core.mail.backends.smtp.EmailBackend), or HUSTINGS_DEV_MAIL=1 "
                   "for development")
    return out
