"""Security codes and receipts: random from ``secrets``, stored only as a keyed hash.

A security code has two parts, as Labour's 2015 postal and email ballots did: a public
*ballot id* that finds the credential (so wrong guesses can be counted against it and it
can be locked out), and a *secret* of 100 bits (20 Crockford base-32 characters) that is
never stored, anywhere: not in the credential, not in the task queue, not in a log.

The secret is *derived*, not drawn: ``HMAC-SHA256(secret key, voter id, ballot id)``, cut to
100 bits (``derive_secret``). The ballot id is drawn fresh from ``secrets`` at every issue
(it is the issue's generation: a reissue draws a new one, and the old code no longer
opens anything). So the mail task needs only the voter's id and the ballot id, and makes
the code when it sends the mail; the printed letters make it again when they are
downloaded. The database keeps ``HMAC-SHA256(digest key, secret)`` to check a typed code.

Both keys come from one setting, ``HUSTINGS_CODE_KEY`` (``code_keys``), held outside the
database and apart from Django's ``SECRET_KEY``: rotating the session secret voids no code.
A copy of the database without the code key can neither make a code nor test a guess.

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
    """A fresh (ballot id, secret) pair with a random secret (tests and benchmarks; an
    issued code's secret is ``derive_secret``'s)."""
    return random_chars(ID_CHARS), random_chars(SECRET_CHARS)


def new_ballot_id() -> str:
    return random_chars(ID_CHARS)


def code_keys(code_key: str) -> tuple[bytes, bytes]:
    """(secret key, digest key): two independent keys from ``HUSTINGS_CODE_KEY``, each an
    HMAC-SHA256 of the setting under its own label (HMAC as a PRF, as HKDF-Expand does for
    one block), so a digest never equals a secret-making MAC."""
    root = code_key.encode("utf-8")
    return (hmac.new(root, b"hustings/code-secret/v1", hashlib.sha256).digest(),
            hmac.new(root, b"hustings/code-digest/v1", hashlib.sha256).digest())


def derive_secret(key: bytes, voter_id: int, ballot_id: str) -> str:
    """The secret of the code issued to a voter under a ballot id: the first 100 bits of
    ``HMAC-SHA256(key, voter id, ballot id)`` as 20 letters of the alphabet (5 bits each,
    so every letter is uniform). The same inputs always give the same secret, which is what
    lets the mail task and the letters make a code without its ever being stored."""
    message = f"hustings/code/v1\0{int(voter_id)}\0{ballot_id}".encode("ascii")
    bits = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:13], "big") >> 4
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(SECRET_CHARS))


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


def code_of(secret_key: bytes, voter_id: int, ballot_id: str) -> str:
    """A voter's security code, made again from the code key (it is never stored)."""
    return format_code(ballot_id, derive_secret(secret_key, voter_id, ballot_id))
