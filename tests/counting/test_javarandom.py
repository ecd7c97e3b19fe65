"""java.util.Random reproduced bit for bit (values from the JDK, as RCTab draws them)."""

from __future__ import annotations

import pytest

from hustings.counting.javarandom import (
    JavaRandom,
    java_hash_set_order,
    java_sorted,
    java_string_hash,
)


@pytest.mark.parametrize(
    ("seed", "bound", "expected"), [(42, 10, 0), (0, 100, 60)],
)
def test_next_int_matches_the_jdk(seed, bound, expected):
    assert JavaRandom(seed).next_int(bound) == expected


@pytest.mark.parametrize(
    ("seed", "expected"), [(42, 0.7275636800328681), (0, 0.730967787376657)],
)
def test_first_next_double_matches_the_jdk(seed, expected):
    assert JavaRandom(seed).next_double() == expected


def test_same_seed_same_sequence_and_different_seeds_differ():
    a, b, c = JavaRandom(7), JavaRandom(7), JavaRandom(8)
    xs = [a.next_double() for _ in range(5)]
    assert xs == [b.next_double() for _ in range(5)]
    assert xs != [c.next_double() for _ in range(5)]
    assert all(0 <= x < 1 for x in xs)


def test_next_int_stays_in_bounds_for_powers_of_two_and_others():
    r = JavaRandom(123)
    for bound in (1, 2, 7, 8, 1000, 1 << 20):
        assert all(0 <= r.next_int(bound) < bound for _ in range(50))
    with pytest.raises(ValueError):
        r.next_int(0)


def test_shuffle_is_a_seeded_permutation():
    items = list("ABCDEFGH")
    JavaRandom(12345).shuffle(items)
    again = list("ABCDEFGH")
    JavaRandom(12345).shuffle(again)
    assert items == again
    assert sorted(items) == list("ABCDEFGH")
    assert items != list("ABCDEFGH")


def test_string_hash_is_javas():
    # "hello".hashCode() == 99162322; "" hashes to 0; "Aa" and "BB" collide in Java.
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("") == 0
    assert java_string_hash("Aa") == java_string_hash("BB")


def test_java_sort_is_utf16_order():
    # U+FF21 (fullwidth A) sorts before U+1F600 in Python (code points) but after it in
    # Java, whose strings compare UTF-16 code units (the emoji starts with surrogate D83D).
    assert sorted(["\uFF21", "\U0001F600"]) == ["\uFF21", "\U0001F600"]
    assert java_sorted(["\uFF21", "\U0001F600"]) == ["\U0001F600", "\uFF21"]
    assert java_sorted(["b", "B", "a"]) == ["B", "a", "b"]


def test_hash_set_order_groups_by_bucket():
    # Small sets have 16 buckets: order is (hash ^ hash >>> 16) & 15, then insertion order.
    names = ["C", "A", "B"]  # hashes 67, 65, 66 -> buckets 3, 1, 2
    assert java_hash_set_order(names) == ["A", "B", "C"]
    assert java_hash_set_order(["Aa", "BB"]) == ["Aa", "BB"]  # same bucket: insertion order
    assert java_hash_set_order(["BB", "Aa"]) == ["BB", "Aa"]
