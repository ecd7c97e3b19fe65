"""``hustings createofficer``: the first returning officer of a fresh deployment.

Creates (or, with ``--existing``, promotes) an account that may create contests on the site
and so becomes the returning officer of each contest it creates. The account is not staff
and not a superuser: it cannot open the Django admin or see other contests' drafts.

The password is read from ``HUSTINGS_OFFICER_PASSWORD`` when set (for scripts), else asked
twice at the terminal; it goes through Django's password validators and hasher.

Example::

    hustings createofficer alice --email alice@example.org
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hustings.web.contests.access import officers_group


class Command(BaseCommand):
    help = (
        "Create an officer account that may set up contests on the site (not staff). "
        "Example: hustings createofficer alice --email alice@example.org"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--existing",
            action="store_true",
            help="Give an existing account the right to create contests (its password is kept).",
        )

    def handle(self, *args, username, email, existing, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if existing:
            if user is None:
                raise CommandError(
                    f"no user {username!r}; expected an existing username (or drop --existing)",
                    returncode=2,
                )
            user.groups.add(officers_group())
            self.stdout.write(f"{username} may now create contests.")
            return
        if user is not None:
            raise CommandError(
                f"user {username!r} already exists; expected a new username (or --existing)",
                returncode=2,
            )
        password = os.environ.get("HUSTINGS_OFFICER_PASSWORD") or self._ask()
        candidate = User(username=username, email=email)
        try:
            validate_password(password, candidate)
        except ValidationError as e:
            raise CommandError("password refused: " + " ".join(e.messages), returncode=2) from None
        with transaction.atomic():
            user = User.objects.create_user(username, email=email, password=password)
            user.groups.add(officers_group())
        self.stdout.write(
            f"Created {username}: sign in at /accounts/login/ and choose “Set up a new contest”."
        )

    def _ask(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError(
                "no password given; expected one at the prompt or in HUSTINGS_OFFICER_PASSWORD",
                returncode=2,
            ) from None
        if first != second:
            raise CommandError(
                "the two passwords differ; expected the same password twice", returncode=2
            )
        return first
