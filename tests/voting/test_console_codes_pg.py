"""On PostgreSQL: concurrent wrong guesses at one security code are all counted.

``check_code`` counts a failure in the database (``F("failed_attempts") + 1``), not from
the row it read, so guesses racing each other cannot overwrite each other's count and
slip past the lockout."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from hustings.web.voting import casting
from hustings.web.voting.errors import CredentialError
from hustings.web.voting.models import Credential

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _wrong(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def test_concurrent_wrong_guesses_are_all_counted_then_lock(omov, omov_codes):
    assert connection.vendor == "postgresql"
    code = omov_codes["L003"]
    guesses = casting.MAX_FAILED - 1
    start = threading.Barrier(guesses)

    def guess(_: int) -> str:
        try:
            start.wait()  # all leave together, each having read failed_attempts = 0
            casting.check_code(omov, _wrong(code))
        except CredentialError as e:
            return str(e)
        finally:
            connections.close_all()
        return "accepted"

    with ThreadPoolExecutor(guesses) as pool:
        outcomes = list(pool.map(guess, range(guesses)))
    assert outcomes == ["That security code is not right. Check it and try again."] * guesses
    cred = Credential.objects.get(voter__reference="L003")
    assert cred.failed_attempts == guesses  # none lost to a read-modify-write race
    assert cred.locked_until is None
    with pytest.raises(CredentialError, match="That security code is not right"):
        casting.check_code(omov, _wrong(code))  # the fifth
    with pytest.raises(CredentialError, match="locked after too many wrong tries"):
        casting.check_code(omov, code)
    cred.refresh_from_db()
    assert cred.failed_attempts == 0 and cred.locked_until is not None
