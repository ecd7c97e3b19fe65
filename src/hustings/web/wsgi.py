"""WSGI entry point for production servers (``hustings serve`` runs gunicorn on it).

Refuses to start without the environment a real deployment needs, naming what is missing.
"""

from __future__ import annotations

import os

REQUIRED = ("HUSTINGS_SECRET_KEY", "HUSTINGS_ALLOWED_HOSTS", "DATABASE_URL")


def missing_environment(environ: dict[str, str] | None = None) -> list[str]:
    """The required variables that are unset or empty."""
    env = os.environ if environ is None else environ
    return [name for name in REQUIRED if not env.get(name, "").strip()]


def require_environment() -> None:
    missing = missing_environment()
    if missing:
        raise RuntimeError(
            "hustings: missing environment variable(s) for a deployment: " + ", ".join(missing)
        )


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hustings.web.settings")
if os.environ.get("HUSTINGS_DEMO") != "1":
    require_environment()

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after the check

application = get_wsgi_application()
