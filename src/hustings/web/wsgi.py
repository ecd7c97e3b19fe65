"""WSGI entry point for production servers (``hustings serve`` runs gunicorn on it).

Refuses to start without the environment a real deployment needs, naming what is missing
or unsafe (the demo sets ``HUSTINGS_DEMO=1`` and runs on its development keys).
"""

from __future__ import annotations

import os

from hustings.web.environment import missing_environment, unsafe_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hustings.web.settings")
if os.environ.get("HUSTINGS_DEMO") != "1":
    if missing_environment():
        raise RuntimeError(
            "hustings: missing environment variable(s): " + ", ".join(missing_environment())
        )
    if unsafe_settings("wsgi"):
        raise RuntimeError("hustings: refusing to start: " + "; ".join(unsafe_settings("wsgi")))

from django.core.wsgi import get_wsgi_application  # imported after the environment check

application = get_wsgi_application()
