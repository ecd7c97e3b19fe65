"""``python -m hustings.web <command>``: Django's manage.py for this project."""

import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hustings.web.settings")
execute_from_command_line([sys.argv[0], *sys.argv[1:]])
