"""Security codes and receipts: random from ``secrets``, stored only as a keyed hash.

A security code has two parts, as Labour's 2015 postal and email ballots did: a public
*ballot id* that finds the credential (so wrong guesses can be counted against it and it
can be locked out), and a *secret* of 100 bits (20 Crockford base-32 characters) that is
never stored: the database keeps only ``HMAC-SHA256(key, secret)``, the key coming from
settings (``HUSTINGS_CREDENTIAL_KEY``), so a copy of the database alone cannot cast a vote.

Printed form: ``ID-XXXXX-XXXXX-XXXXX-XXXXX``. Entry is forgiving: case, spaces, dashes and
the look-alikes O/0, I/L/1 are normalised as Crockford's alphabet does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Crockford's base 32: no I, L, O, U (look-alikes and accidental words).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_CHARS = 8  # 40 bits: finds the credential; not secret on its own
SECRET_CHARS = 20  # 100 bits >= the 80 the issue asks for
RECEIPT_CHARS = 12  # 60 bits: a tracking code, unique per contest
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def random_chars(n: int) -> str:
    """n characters from one draw of 5n bits: the alphabet has exactly 32 letters, so each
    5 bits pick one uniformly (one system call, not one per character)."""
    bits = secrets.randbits(5 * n)
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(n))


def new_credential() -> tuple[str, str]:
    """A fresh (ballot id, secret) pair."""
    return random_chars(ID_CHARS), random_chars(SECRET_CHARS)


def format_code(ballot_id: str, secret: str) -> str:
    groups = [secret[i : i + 5] for i in range(0, len(secret), 5)]
    return "-".join([ballot_id, *groups])


def normalise(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOKALIKE)


def split_code(text: str) -> tuple[str, str] | None:
    """(ballot id, secret) from what a voter typed, or None when it cannot be a code."""
    chars = normalise(text)
    if len(chars) != ID_CHARS + SECRET_CHARS or any(c not in ALPHABET for c in chars):
        return None
    return chars[:ID_CHARS], chars[ID_CHARS:]


def digest(key: bytes, secret: str) -> str:
    """The keyed hash stored in place of the secret."""
    return hmac.new(key, secret.encode("ascii"), hashlib.sha256).hexdigest()


def matches(key: bytes, secret: str, stored: str) -> bool:
    return hmac.compare_digest(digest(key, secret), stored)


def new_receipt() -> str:
    code = random_chars(RECEIPT_CHARS)
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_CHARS, 4))
