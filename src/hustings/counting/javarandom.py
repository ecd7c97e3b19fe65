"""``java.util.Random`` in pure Python, so a lot drawn by RCTab can be drawn again here.

RCTab (the certified US tabulator) breaks ties by lot with ``new java.util.Random(seed)``;
reproducing its draws bit for bit is what lets a scrutineer re-run a published count and
get the same loser. The generator is the 48-bit linear congruential one documented in the
Java SE ``Random`` class: ``seed = (seed * 0x5DEECE66D + 0xB) mod 2**48``.

Java's string order (used to sort tied names before a draw) compares UTF-16 code units;
``java_string_key`` gives that order for any Python string.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableSequence
from typing import Any

_MULTIPLIER = 0x5DEECE66D
_ADDEND = 0xB
_MASK = (1 << 48) - 1


class JavaRandom:
    """The ``java.util.Random`` sequence for one seed (a Java ``long``)."""

    def __init__(self, seed: int) -> None:
        self._seed = (int(seed) ^ _MULTIPLIER) & _MASK

    def next(self, bits: int) -> int:
        """``Random.next(bits)``: the top ``bits`` of the new 48-bit state, as a signed int."""
        self._seed = (self._seed * _MULTIPLIER + _ADDEND) & _MASK
        value = self._seed >> (48 - bits)
        # Java returns an int: the 32-bit result is signed.
        if bits == 32 and value >= 1 << 31:
            value -= 1 << 32
        return value

    def next_double(self) -> float:
        """``Random.nextDouble()``: 53 random bits scaled into [0, 1)."""
        return ((self.next(26) << 27) + self.next(27)) * 2.0**-53

    def next_int(self, bound: int) -> int:
        """``Random.nextInt(bound)``: uniform in [0, bound), with Java's rejection loop."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        if bound & -bound == bound:  # a power of two: take the high bits
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            val = bits % bound
            # Java rejects draws from the incomplete last block (int overflow test).
            if bits - val + (bound - 1) < 1 << 31:
                return val

    def shuffle(self, items: MutableSequence[Any]) -> None:
        """``Collections.shuffle(list, rnd)``: swap(i, nextInt(i + 1)) for i = size-1 .. 1."""
        for i in range(len(items) - 1, 0, -1):
            j = self.next_int(i + 1)
            items[i], items[j] = items[j], items[i]


def java_string_key(s: str) -> bytes:
    """Sort key giving Java's ``String.compareTo`` order (UTF-16 code units)."""
    return s.encode("utf-16-be")


def java_sorted(names: Iterable[str]) -> list[str]:
    return sorted(names, key=java_string_key)


def java_string_hash(s: str) -> int:
    """``String.hashCode()``: s[0]*31^(n-1) + ... over UTF-16 code units, as a Java int."""
    h = 0
    data = s.encode("utf-16-be")
    for k in range(0, len(data), 2):
        h = (31 * h + (data[k] << 8 | data[k + 1])) & 0xFFFFFFFF
    return h  # unsigned view of the 32-bit value


def java_hash_set_order(names: list[str]) -> list[str]:
    """The iteration order of ``new HashSet<>(names)`` (JDK 8+ HashMap, no treeified bins).

    RCTab narrows a tie through earlier rounds by iterating such a set, and a lot drawn
    afterwards indexes into that order; so the order matters for reproducing its draw.
    """
    expected = max(int(len(names) / 0.75) + 1, 16)
    capacity = 1
    while capacity < expected:
        capacity <<= 1
    buckets: dict[int, list[str]] = {}
    for name in names:
        h = java_string_hash(name)
        spread = h ^ (h >> 16)
        buckets.setdefault(spread & (capacity - 1), []).append(name)
    return [n for b in sorted(buckets) for n in buckets[b]]
