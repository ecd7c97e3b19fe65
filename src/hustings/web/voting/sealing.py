"""The sealed ballot box, as pure functions (no Django): the contest key, its shares, sealing
a ballot, receipts and opening.

Libraries, not hand-written primitives:

* **libsodium through PyNaCl.** A contest has an X25519 key pair (``nacl.public``). A
  ballot is sealed to the public key with a *sealed box* (``crypto_box_seal``: an
  ephemeral key pair per ballot, X25519 + XSalsa20-Poly1305), so the server that seals it
  keeps nothing that opens it, and a changed ciphertext fails its authentication tag.
  Before sealing, the ballot is padded with libsodium's ``sodium_pad`` (ISO/IEC 7816-4) to
  one block per contest, so every online ciphertext has the same length: a length would
  otherwise tell a one-name ballot for "Ed Balls" from one for "David Miliband".
* **Shamir's secret sharing from pycryptodome** (``Crypto.Protocol.SecretSharing.Shamir``,
  GF(2^128)). It shares 16-byte secrets, so the 32-byte private key is shared as two
  halves, each split k of n with the same trustee numbers; a trustee's share is their
  number and both halves. Fewer than k shares give a different key (Shamir's k-1 shares
  say nothing about the secret); a combined key is accepted only if its public key is the
  contest's.

A share is written for people: a header line, then 12 groups of 5 letters and digits
(RFC 4648 base32, no look-alike problems in print) carrying the trustee's number, the two
halves and a 4-byte check bound to the contest's public key, so a mistyped share, or one
of another contest, is refused with a message rather than opening to nonsense.

The receipt of a ballot is the SHA-256 of its ciphertext (hex); its short form, to read
aloud, is the first 16 hex digits in groups of four.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from Crypto.Protocol.SecretSharing import Shamir
from nacl.bindings import (
    crypto_box_seal,
    crypto_box_seal_open,
    crypto_scalarmult_base,
    sodium_pad,
    sodium_unpad,
)
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey

from hustings.web.voting.errors import BoxError, ShareError

SHARE_HEADER = "hustings trustee share"
_HALF = 16  # bytes: what pycryptodome's Shamir shares
_CHECK = 4
_GROUPS = re.compile(r"[A-Z2-7]{5}")
SHORT_DIGITS = 16
PARALLEL_FROM = 20_000  # ballots: below this, one process opens them faster than starting two


@dataclass(frozen=True)
class Share:
    """One trustee's share: their number (1..n) and the two 16-byte halves."""

    index: int
    first: bytes
    second: bytes

    @property
    def payload(self) -> bytes:
        return bytes([self.index]) + self.first + self.second

    @property
    def fingerprint(self) -> str:
        """What the ledger records of a share: its SHA-256, which tells one share from
        another and says nothing of it (the halves are 128-bit random numbers)."""
        return hashlib.sha256(b"hustings share fingerprint:" + self.payload).hexdigest()


@dataclass(frozen=True)
class KeyShares:
    public_key: bytes  # 32 bytes, stored
    shares: tuple[Share, ...]  # handed out once, never stored


def new_key(k: int, n: int) -> KeyShares:
    """A fresh contest key pair; the private key split k of n, then dropped."""
    if not 1 <= k <= n <= 255:
        raise BoxError(f"trustees: {k} of {n}; expected 1 <= k <= n <= 255")
    private = PrivateKey.generate()
    secret = bytes(private)
    if n == 1:  # one trustee holds the key itself (Shamir needs k >= 2 pieces to mean anything)
        shares = (Share(1, secret[:_HALF], secret[_HALF:]),)
    else:
        firsts = _split(k, n, secret[:_HALF])
        seconds = _split(k, n, secret[_HALF:])
        shares = tuple(Share(i, firsts[i], seconds[i]) for i in range(1, n + 1))
    return KeyShares(bytes(private.public_key), shares)


def _split(k: int, n: int, half: bytes) -> dict[int, bytes]:
    if k == 1:  # a 1-of-n "sharing" is n copies: pycryptodome wants k >= 2
        return {i: half for i in range(1, n + 1)}
    return dict(Shamir.split(k, n, half))


def combine(shares: Sequence[Share], k: int, public_key: bytes) -> bytes:
    """The private key from k (or more) shares, checked against the contest's public key.
    Raises ShareError naming what is wrong; never returns a key that does not open the box."""
    distinct = {s.index: s for s in shares}
    if len(distinct) < len(shares):
        raise ShareError("the same trustee's share was given twice; expected distinct shares")
    if len(distinct) < k:
        raise ShareError(
            f"{len(distinct)} share(s) given, but {k} trustees' shares are needed to open "
            "the ballot box"
        )
    chosen = sorted(distinct.values(), key=lambda s: s.index)[:k]
    if k == 1:
        secret = chosen[0].first + chosen[0].second
    else:
        secret = (Shamir.combine([(s.index, s.first) for s in chosen])
                  + Shamir.combine([(s.index, s.second) for s in chosen]))
    if crypto_scalarmult_base(secret) != public_key:
        raise ShareError(
            "these shares do not open this ballot box: one of them is wrong (each share "
            "carries a check, so it was written for this box but is not the one handed out)"
        )
    return secret


# -- shares as text ----------------------------------------------------------------------


def _check(public_key: bytes, payload: bytes) -> bytes:
    return hashlib.sha256(b"hustings share check:" + public_key + payload).digest()[:_CHECK]


def share_text(share: Share, *, k: int, n: int, contest: str, public_key: bytes) -> str:
    """The printable form: a header line, then the share as groups of five characters."""
    body = base64.b32encode(share.payload + _check(public_key, share.payload)).decode()
    body = body.rstrip("=")
    groups = " ".join(body[i:i + 5] for i in range(0, len(body), 5))
    return (f"{SHARE_HEADER} {share.index} of {n} (any {k} open the box) for contest "
            f"{contest}\n{groups}\n")


def read_share(text: str, public_key: bytes, *, where: str = "the share") -> Share:
    """A share typed, pasted or read from a file. Raises ShareError saying what is wrong."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if lines and lines[0].lower().startswith(SHARE_HEADER):
        lines = lines[1:]
    letters = re.sub(r"[\s-]", "", " ".join(lines)).upper()
    want = _payload_chars()
    if not letters:
        raise ShareError(f"{where}: empty; expected the {want} letters and digits of a "
                         "trustee share")
    if not re.fullmatch(r"[A-Z2-7]+", letters) or len(letters) != want:
        raise ShareError(
            f"{where}: {len(letters)} characters; expected {want} letters A-Z and digits 2-7 "
            "in groups of five, as printed on the share"
        )
    raw = base64.b32decode(letters + "=" * (-len(letters) % 8))
    payload, check = raw[:-_CHECK], raw[-_CHECK:]
    if _check(public_key, payload) != check:
        raise ShareError(
            f"{where}: its check does not match: mistyped, or a share of another contest's "
            "ballot box"
        )
    return Share(payload[0], payload[1:1 + _HALF], payload[1 + _HALF:])


def _payload_chars() -> int:
    return -(-(1 + 2 * _HALF + _CHECK) * 8 // 5)


def qr_svg(text: str) -> str:
    """The share as a QR code (inline SVG, for the printable page)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=4)


# -- sealing ---------------------------------------------------------------------------


def block_size(candidates: Sequence[str], sections: Iterable[str]) -> int:
    """The padded length of a contest's ballots: the longest online ballot (every
    candidate ranked, the longest section name) and its padding byte, to 16 bytes."""
    longest = max(sections, key=lambda s: len(s.encode()), default="")
    size = len(plaintext(longest, list(candidates))) + 1
    return -(-size // 16) * 16


def plaintext(section: str, ranking: Sequence[str | None]) -> bytes:
    return json.dumps({"r": list(ranking), "s": section}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def seal(public_key: bytes, section: str, ranking: Sequence[str | None], block: int) -> bytes:
    return crypto_box_seal(sodium_pad(plaintext(section, ranking), block), public_key)


def receipt(ciphertext: bytes) -> str:
    return hashlib.sha256(ciphertext).hexdigest()


def short_receipt(full: str) -> str:
    """The receipt to read aloud: its first 16 hex digits, in fours."""
    head = full[:SHORT_DIGITS]
    return " ".join(head[i:i + 4] for i in range(0, len(head), 4))


def normalise_receipt(text: str) -> str:
    """A pasted receipt, short or full, as lower-case hex without spaces ('' if not one)."""
    digits = re.sub(r"[\s\-]", "", text).lower()
    return digits if re.fullmatch(r"[0-9a-f]{16,64}", digits) else ""


# -- opening ---------------------------------------------------------------------------


def open_one(secret: bytes, public_key: bytes, ciphertext: bytes, block: int) -> tuple[str, list]:
    """(section, ranking) of one sealed ballot; BoxError if it does not open."""
    try:
        data = sodium_unpad(crypto_box_seal_open(ciphertext, public_key, secret), block)
        doc = json.loads(data.decode("utf-8"))
        return doc["s"], doc["r"]
    except (CryptoError, ValueError, KeyError, TypeError) as e:
        raise BoxError(
            f"sealed ballot {receipt(ciphertext)[:16]} does not open with the contest key "
            f"({type(e).__name__}); it was not sealed by this box"
        ) from None


_WORKER: dict = {}


def _init(secret: bytes, public_key: bytes, block: int) -> None:
    _WORKER.update(secret=secret, public=public_key, block=block)


def _open_chunk(chunk: list[bytes]) -> list[tuple[str, list]]:
    return [open_one(_WORKER["secret"], _WORKER["public"], c, _WORKER["block"]) for c in chunk]


def _open_chunk_json(chunk: list[bytes]) -> list[tuple[str, str]]:
    """As _open_chunk, with the ranking as JSON text: the worker does the encoding the
    database needs, so the opening process only streams rows."""
    return [(section, json.dumps(ranking, ensure_ascii=False))
            for section, ranking in _open_chunk(chunk)]


def iter_open(secret: bytes, public_key: bytes, ciphertexts: Sequence[bytes], block: int,
              *, processes: int | None = None, as_json: bool = False,
              chunk: int = 5000) -> Iterator[list[tuple[str, Any]]]:
    """Open every sealed ballot, in the order given, a chunk at a time (so the caller can
    store one chunk while the next are opened). A large box is opened by one process a
    core, ``spawn``ed (safe from a threaded server); the key reaches them through their
    start-up pipe, in memory, never a file. ``as_json``: rankings as JSON text."""
    import os

    work = _open_chunk_json if as_json else _open_chunk
    chunks = [list(ciphertexts[i:i + chunk]) for i in range(0, len(ciphertexts), chunk)]
    procs = processes or min(os.cpu_count() or 1, 8)
    if procs < 2 or len(ciphertexts) < PARALLEL_FROM:
        _init(secret, public_key, block)
        try:
            yield from map(work, chunks)
        finally:
            _WORKER.clear()
        return
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(procs, mp_context=get_context("spawn"), initializer=_init,
                             initargs=(secret, public_key, block)) as pool:
        yield from pool.map(work, chunks)


def open_all(secret: bytes, public_key: bytes, ciphertexts: Sequence[bytes], block: int,
             *, processes: int | None = None) -> list[tuple[str, list]]:
    """Every sealed ballot opened, as (section, ranking), in the order given."""
    return [x for part in iter_open(secret, public_key, ciphertexts, block, processes=processes)
            for x in part]
