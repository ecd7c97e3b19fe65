"""WSGI entry point for production servers (``hustings serve`` runs gunicorn on it).

Refuses to start without the environment a real deployment needs, naming what is missing
(the demo sets ``HUSTINGS_DEMO=1`` and runs on its development key).
"""

from __future__ import annotations

import os

from hustings.web.environment import missing_environment

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hustings.web.settings")
if os.environ.get("HUSTINGS_DEMO") != "1" and missing_environment():
    raise RuntimeError(
        "hustings: missing environment variable(s): " + ", ".join(missing_environment())
    )

from django.core.wsgi import get_wsgi_application  # imported after the environment check

application = get_wsgi_application()
