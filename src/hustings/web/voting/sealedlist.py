"""The published sealed ballots and the checks anyone can run on them (no Django).

``sealed-ballots.csv`` is published with the result: one row per sealed ballot, sorted by
receipt (an order that says nothing), with the columns ``receipt`` (SHA-256 of the
ciphertext, hex), ``section`` and ``ciphertext`` (base64). ``check`` holds it to the
ledger:

* each ciphertext hashes to its receipt (a changed ballot does not);
* the ledger's cast receipts and the sealed list are the same multiset, section by
  section (a ballot added or removed shows as a receipt on one side only);
* sealed = opened = participations: the numbers the ``box-opened`` entry recorded, the
  cast entries, the sealed list and, when given, the published plain ballots.

Errors: ``SealedListError`` when the list and the ledger disagree (exit 1 in the CLI);
``ValueError`` subclass ``SealedListFormatError`` for a file that is not a sealed list
(exit 2).
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hustings.web.voting.errors import SealedListError

NAME = "sealed-ballots.csv"
HEADER = ["receipt", "section", "ciphertext"]
CAST, BOX_OPENED, BOX_KEY = "cast", "box-opened", "box-key"


class SealedListFormatError(ValueError):
    """A sealed list file that cannot be read (where, and what was expected)."""


@dataclass(frozen=True)
class Sealed:
    receipt: str
    section: str
    ciphertext: bytes


def write(rows: Iterable[Sealed]) -> str:
    return "".join(write_chunks((r.receipt, r.section, r.ciphertext)
                                for r in sorted(rows, key=lambda r: r.receipt)))


def write_chunks(ordered: Iterable[tuple[str, str, bytes]], *,
                 rows: int = 20_000) -> Iterator[str]:
    """The sealed list a piece at a time, from (receipt, section, ciphertext) rows already
    sorted by receipt (a database cursor's order): ``write``'s text, never held whole. A row
    whose receipt is plain hex (every row Hustings writes) is formatted directly, its section
    cell made once by the csv module; any other row goes through the csv module whole."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    cells: dict[str, str] = {}
    b64 = base64.b64encode
    lines: list[str] = [out.getvalue()]
    for n, (receipt, section, ciphertext) in enumerate(ordered, start=1):
        text = b64(ciphertext).decode("ascii")
        if section not in cells:
            out.seek(0)
            out.truncate()
            w.writerow(["x", section])
            cells[section] = out.getvalue()[2:-1]
        if _HEX.fullmatch(receipt):
            lines.append(f"{receipt},{cells[section]},{text}\n")
        else:
            out.seek(0)
            out.truncate()
            w.writerow([receipt, section, text])
            lines.append(out.getvalue())
        if n % rows == 0:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


_HEX = re.compile(r"[0-9a-f]+")


def read(text: str, *, source: str = NAME) -> list[Sealed]:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header != HEADER:
        raise SealedListFormatError(
            f"{source}, line 1: header {','.join(header or [])!r}; expected "
            f"{','.join(HEADER)}")
    out = []
    for n, row in enumerate(rows, start=2):
        if len(row) != 3:
            raise SealedListFormatError(f"{source}, line {n}: {len(row)} columns; expected 3")
        try:
            ct = base64.b64decode(row[2], validate=True)
        except (binascii.Error, ValueError):
            raise SealedListFormatError(
                f"{source}, line {n}: the ciphertext is not base64") from None
        out.append(Sealed(row[0], row[1], ct))
    return out


def key_entry(entries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The last ``box-key`` entry's payload: the public key and the trustees."""
    found = [e for e in entries if e.get("kind") == BOX_KEY]
    if not found:
        raise SealedListError("the ledger has no box-key entry: no trustees were named")
    return found[-1]["payload"]


def check(entries: Sequence[Mapping[str, Any]], sealed: Sequence[Sealed], *,
          plain: Mapping[str, int] | None = None,
          participations: int | None = None) -> dict[str, int]:
    """Hold the sealed list to the ledger (see module doc). ``plain``: the opened ballots
    per section, when known. Returns the figures; raises SealedListError at the first
    disagreement, saying which ballot or entry and what differs."""
    for s in sealed:
        if hashlib.sha256(s.ciphertext).hexdigest() != s.receipt:
            raise SealedListError(
                f"sealed ballot {s.receipt[:16]}: its ciphertext does not hash to its receipt "
                "(the ballot was changed)")
    listed = Counter((s.receipt, s.section) for s in sealed)
    casts = [e for e in entries if e.get("kind") == CAST]
    for e in casts:
        p = e.get("payload")
        if not (isinstance(p, dict) and isinstance(p.get("receipt"), str)
                and isinstance(p.get("section"), str)):
            raise SealedListFormatError(
                f"ledger lane {e.get('lane', 0)} entry {e.get('seq')}: a cast entry without a "
                "receipt and a section (text); expected a published ledger")
    ledgered = Counter((e["payload"].get("receipt"), e["payload"].get("section")) for e in casts)
    for (rec, sec), n in ledgered.items():
        if listed[(rec, sec)] < n:
            e = next(e for e in casts if e["payload"].get("receipt") == rec)
            raise SealedListError(
                f"receipt {str(rec)[:16]} ({sec}) of ledger lane {e.get('lane', 0)} entry "
                f"{e['seq']} is not in the sealed ballots (one was removed or changed)")
    for (rec, sec), n in listed.items():
        if ledgered[(rec, sec)] < n:
            raise SealedListError(
                f"sealed ballot {rec[:16]} ({sec}) has no cast entry in the ledger (one was "
                "added)")
    figures = {"sealed": len(sealed), "casts": len(casts)}
    opened = [e for e in entries if e.get("kind") == BOX_OPENED]
    if opened:
        rec = opened[-1]["payload"]
        for name in ("opened", "participations"):
            if not isinstance(rec.get(name), int) or isinstance(rec.get(name), bool):
                raise SealedListFormatError(
                    f"the ledger's box-opened entry: {name!r} is not a whole number")
            figures[name] = rec[name]
        for name in ("opened", "participations"):
            if figures[name] != len(sealed):
                raise SealedListError(
                    f"the ledger's box-opened entry records {figures[name]} {name}, but "
                    f"{len(sealed)} ballots are sealed; expected equal numbers")
    if participations is not None and participations != len(sealed):
        raise SealedListError(
            f"{participations} participations but {len(sealed)} sealed ballots; expected "
            "equal numbers")
    if participations is not None:
        figures["participations"] = participations
    if plain is not None:
        by_section = Counter(s.section for s in sealed)
        if dict(by_section) != {k: v for k, v in plain.items() if v}:
            raise SealedListError(
                f"the opened ballots per section {dict(sorted(plain.items()))} differ from "
                f"the sealed ones {dict(sorted(by_section.items()))}")
        figures["plain"] = sum(plain.values())
    return figures
