"""Cut a CSV file's data into blocks of whole records, so each block can be parsed on its
own (by pyarrow, on all cores) and freed before the next is read: the reader's memory is
then bounded by the block size, not by the file.

A block ends just after a newline that ends a record. A newline inside a quoted field
(``"Smith,\\nJohn"``) does not end one: when a block holds a ``"``, the cut is the last
newline with an even number of quotes before it (the block starts outside quotes, and
RFC 4180 quotes, doubled ``""`` included, come in pairs around a field). That reasoning
fails for a stray quote inside an unquoted field (``ab"c``, which pyarrow reads as text),
so a block holding one, or one where no cut is found near its end (an unclosed quote),
makes the rest of the file one block: correct, only no longer bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BufferedIOBase

# A quote with a non-boundary byte on both sides sits inside an unquoted field.
_STRAY_QUOTE = re.compile(rb'[^,\r\n"]"[^,\r\n"]')
# How many newlines to step back over, looking for one outside quotes, before giving up.
_MAX_STEPS = 64


def blocks(f: BufferedIOBase, size: int) -> Iterator[bytes | memoryview]:
    """Yield the rest of ``f`` in blocks of whole records of about ``size`` bytes (the
    last block may lack a final newline; a record longer than ``size`` makes a longer
    block). A block is a view of one reused buffer, valid until the next is asked for:
    reusing it spares the page faults of a fresh buffer per block."""
    buf = bytearray(max(size, 1))
    filled = 0  # the start of a record cut off at the end of the last block
    while True:
        if filled == len(buf):  # no record ends in the buffer yet: make room
            buf = buf + bytearray(len(buf))
        with memoryview(buf) as view:
            got = f.readinto(view[filled:])
        if not got:
            if filled:
                with memoryview(buf) as view:
                    yield view[:filled]
            return
        end = filled + got
        cut = _cut(buf, end)
        if cut is None:
            yield bytes(buf[:end]) + f.read()
            return
        if cut == 0:
            filled = end
            continue
        with memoryview(buf) as view:
            yield view[:cut]
        buf[: end - cut] = buf[cut:end]  # same length: allowed while pyarrow holds a view
        filled = end - cut


def _cut(buf: bytearray, end: int) -> int | None:
    """Where the last whole record of ``buf[:end]`` ends (0: no record ends in it), or None
    when quotes make that unsafe to tell."""
    stop = buf.rfind(b"\n", 0, end)
    if stop < 0:
        return 0
    if buf.find(b'"', 0, end) < 0:
        return stop + 1
    if _STRAY_QUOTE.search(buf, 0, end):
        return None
    odd = buf.count(b'"', 0, stop) % 2
    for _ in range(_MAX_STEPS):
        if not odd:
            return stop + 1
        prev = buf.rfind(b"\n", 0, stop)
        if prev < 0:
            return 0
        odd ^= buf.count(b'"', prev, stop) % 2
        stop = prev
    return None
