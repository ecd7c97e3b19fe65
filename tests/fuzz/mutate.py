"""A seeded mutation fuzzer for Hustings' readers: deterministic, dependency-free.

Why a seeded random mutator and not Hypothesis: the inputs are whole files (CSV, BLT,
PrefLib, TOML, JSON, XML, xlsx) and the property is one line — "every exception is in the
documented tree". What finds crashes there is mutating *real* files (a valid file one
edit away from broken exercises the deep code paths; generated-from-scratch text rarely
gets past a header check). A mutator over seed corpora does that directly, with an exact
budget per reader (>= 2,000 cases), no example database, no deadline or health-check
flakiness on a loaded 2-core machine, and every failure named by ``(target, case)``:
``case(target, i)`` rebuilds it byte for byte. Hypothesis's shrinking would shorten a
crashing file, but a crash here is already a small diff from a seed file.

``random.Random`` seeded with a string is reproducible across runs and platforms (the
string is hashed with SHA-512, not Python's salted ``hash``).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable

# Tokens that break readers: number edges (int64 overflow, huge sizes, floats, NaN),
# encodings (bad UTF-8, BOM, NUL), structure (quotes, separators, brackets, tags), and
# nesting bombs (deep brackets: parsers and recursive walkers).
TOKENS: tuple[bytes, ...] = (
    b"0", b"1", b"-1", b"2", b"00", b"9223372036854775807", b"9223372036854775808",
    b"18446744073709551616", b"99999999999999999999", b"-9223372036854775809",
    b"1e400", b"NaN", b"Infinity", b"-0", b"1.5", b"0x10", b"32768", b"65536", b"2147483648",
    b"\x00", b"\xff", b"\xfe\xff", b"\xc3", b"\xc3\x28", b"\xed\xa0\x80", b"\xef\xbb\xbf",
    "é".encode(), "\u2028".encode(), b"\r", b"\r\n", b"\n", b"\n\n", b"\t", b" ",
    b'"', b"'", b'""', b",", b",,,,", b";", b":", b"|", b"=", b"-", b"{", b"}", b"[", b"]",
    b"[[", b"]]", b"<", b">", b"</", b"/>", b"&", b"&amp;", b"&#0;", b"&x;", b"<!--",
    b"#", b"# ALTERNATIVE NAME 99999999999999999999: X\n",
    b"pref", b"pref0", b"pref99999999", b"rank1", b"weight", b"section",
    b"=HYPERLINK(\"http://x\")", b"max", b"true", b"false", b"null",
    b"[" * 200, b"{" * 200, b"[" * 100_000, b'{"a":' * 50_000, b"<a>" * 50_000,
    b"\nz = " + b"[" * 100_000, b"\nz = " + b"{a=" * 50_000,
    b"a." * 200, b"x" * 70_000,
)

# Values a structured (JSON) mutation puts in place of a node.
VALUES: tuple[object, ...] = (
    None, True, False, 0, 1, -1, 2**63, -(2**63) - 1, 10**30, 1.5, float("1e308"), "", " ",
    "x", "1", "-1", "max", "unlimited", "99999999999999999999", "\u0000", "\udc80", "é",
    [], {}, [None], [[1]], {"": None}, {"Id": []}, "=cmd|' /C calc'!A0", "x" * 10_000,
)


def mutate(data: bytes, rng: random.Random, *, structured: Callable | None = None) -> bytes:
    """One to four edits of ``data`` (or one structured edit, when ``structured`` is
    given and the draw picks it)."""
    if structured is not None and rng.random() < 0.4:
        out = structured(data, rng)
        if out is not None:
            return out
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        data = rng.choice(_OPS)(data, rng)
    return data


def _pos(data: bytes, rng: random.Random) -> int:
    return rng.randrange(len(data) + 1)


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]


def _insert(data: bytes, rng: random.Random) -> bytes:
    i = _pos(data, rng)
    return data[:i] + rng.choice(TOKENS) + data[i:]


def _overwrite(data: bytes, rng: random.Random) -> bytes:
    i = _pos(data, rng)
    token = rng.choice(TOKENS)
    return data[:i] + token + data[i + len(token):]


def _delete(data: bytes, rng: random.Random) -> bytes:
    i = _pos(data, rng)
    return data[:i] + data[i + rng.randint(1, 64):]


def _duplicate(data: bytes, rng: random.Random) -> bytes:
    i = _pos(data, rng)
    j = min(len(data), i + rng.randint(1, 256))
    return data[:j] + data[i:j] * rng.randint(1, 8) + data[j:]


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: _pos(data, rng)]


def _number(data: bytes, rng: random.Random) -> bytes:
    """Replace a run of digits with another number (the likeliest field to overflow)."""
    starts = [i for i in range(len(data)) if data[i:i + 1].isdigit()
              and (i == 0 or not data[i - 1:i].isdigit())]
    if not starts:
        return _insert(data, rng)
    i = rng.choice(starts)
    j = i
    while j < len(data) and data[j:j + 1].isdigit():
        j += 1
    token = rng.choice((b"0", b"-1", b"9223372036854775808", b"99999999999999999999", b"32768",
                        b"65536", b"1e400", b"", b"1.5", str(rng.randint(0, 10**6)).encode()))
    return data[:i] + token + data[j:]


def _lines(data: bytes, rng: random.Random) -> bytes:
    """Swap, drop or repeat a line (rows out of place, a header twice, a missing header)."""
    lines = data.split(b"\n")
    if len(lines) < 2:
        return _insert(data, rng)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    op = rng.randrange(3)
    if op == 0:
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 1:
        del lines[i]
    else:
        lines.insert(j, lines[i])
    return b"\n".join(lines)


_OPS = (_flip, _insert, _insert, _overwrite, _delete, _duplicate, _truncate, _number, _number,
        _lines)


def json_structured(data: bytes, rng: random.Random) -> bytes | None:
    """Replace one node of a JSON document with a value of another type or size."""
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    nodes: list[tuple[object, object]] = []  # (container, key)

    def walk(v: object) -> None:
        if len(nodes) > 5000:
            return
        if isinstance(v, dict):
            for k in v:
                nodes.append((v, k))
                walk(v[k])
        elif isinstance(v, list):
            for k in range(len(v)):
                nodes.append((v, k))
                walk(v[k])

    walk(doc)
    if not nodes:
        return None
    for _ in range(rng.choice((1, 1, 2, 3))):
        container, key = rng.choice(nodes)
        if rng.random() < 0.15 and isinstance(container, dict):
            del container[key]  # a missing key
            nodes = [(c, k) for c, k in nodes if not (c is container and k == key)]
            if not nodes:
                break
        else:
            container[key] = rng.choice(VALUES)  # type: ignore[index]
    return json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


# Values a cell, an XML element's text or a TOML value is replaced with.
CELLS: tuple[str, ...] = (
    "", " ", "0", "1", "-1", "2", "9223372036854775808", "99999999999999999999", "1.5", "1e400",
    "NaN", "max", "=HYPERLINK(\"x\")", "'=x", "@x", "x" * 300, "\u0000", "é", "a,b", 'q"q',
    "010", "1" * 70, "2" * 5000, "true", "yes", "no",
)


def csv_structured(data: bytes, rng: random.Random) -> bytes | None:
    """Replace one cell of a CSV file (header or body) with an edge value."""
    import csv
    import io

    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        return None
    cells = [(i, j) for i, row in enumerate(rows) for j in range(len(row))]
    if not cells:
        return None
    for _ in range(rng.choice((1, 1, 2, 3))):
        i, j = rng.choice(cells)
        value = rng.choice(CELLS)
        if i == 0 and rng.random() < 0.5:  # a header cell: a column name of another kind
            value = rng.choice(("pref1", "pref2", "rank1", "pref0", "pref1000", "pref1001",
                                "weight", "section", "Pref1 ", "pref" + "9" * 20, value))
        rows[i][j] = value
    out = io.StringIO()
    csv.writer(out, lineterminator=rng.choice(("\n", "\r\n"))).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def xml_structured(data: bytes, rng: random.Random) -> bytes | None:
    """Change one element of an XML document: its text, an attribute, a copy, a removal."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError, LookupError):
        return None
    elements = [(parent, child) for parent in root.iter() for child in parent]
    if not elements:
        return None
    for _ in range(rng.choice((1, 1, 2))):
        parent, child = rng.choice(elements)
        op = rng.randrange(4)
        if op == 0:
            child.text = rng.choice(CELLS)
        elif op == 1 and child in list(parent):
            parent.remove(child)
        elif op == 2:
            parent.append(child)  # the same element twice
        else:
            key = rng.choice(list(child.attrib) or ["ObjectId"])
            child.set(key, rng.choice(CELLS))
    try:
        return ET.tostring(root)
    except (ValueError, TypeError):
        return None


_TOML_VALUE = re.compile(rb"^([A-Za-z0-9_.\" -]+=\s*)(.+)$", re.MULTILINE)
TOML_VALUES: tuple[bytes, ...] = (
    b'""', b'"x"', b"0", b"-1", b"1", b"99999999999999999999", b"1.5", b"inf", b"nan", b"true",
    b"[]", b"[1, 2]", b'["A", "A"]', b"{}", b"{a = 1}", b'"1/0"', b'"1/3"', b'"-1/3"',
    b'"99999999999999999999/1"', b"1979-05-27", b'["x"]', b"[[1]]", b'"irv"', b'"stv"',
    b'"random"', b'"labour-2010"', b'"nope"', b'"' + b"9" * 5000 + b'/1"',
)


def toml_structured(data: bytes, rng: random.Random) -> bytes | None:
    """Replace the value of one ``key = value`` line (or append a deep nesting)."""
    if rng.random() < 0.15:
        depth = rng.choice((100, 1000, 100_000))
        return data + b"\nz = " + rng.choice((b"[" * depth, b"{a=" * depth))
    lines = list(_TOML_VALUE.finditer(data))
    if not lines:
        return None
    m = rng.choice(lines)
    return data[: m.start(2)] + rng.choice(TOML_VALUES) + data[m.end(2):]
