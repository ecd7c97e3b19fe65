"""What a real deployment must set. Read by ``wsgi.py`` and ``hustings serve`` before
Django starts, so a missing variable is one clear line, not a traceback."""

from __future__ import annotations

import os
from collections.abc import Mapping

REQUIRED = ("HUSTINGS_SECRET_KEY", "HUSTINGS_ALLOWED_HOSTS", "DATABASE_URL")


def missing_environment(environ: Mapping[str, str] | None = None) -> list[str]:
    """The required variables that are unset or empty, in a fixed order."""
    env = os.environ if environ is None else environ
    return [name for name in REQUIRED if not env.get(name, "").strip()]
