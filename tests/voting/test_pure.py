"""The voting app's pure parts: security codes, ballot form, roll file (the hash chain:
tests/publication/test_chain.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("django")

from hustings.web.voting import codes
from hustings.web.voting.errors import BallotFormError, RollError
from hustings.web.voting.ranking import form_values, read_ranking
from hustings.web.voting.rollfile import parse_roll


def test_codes_have_at_least_80_bits_and_round_trip():
    ballot_id, secret = codes.new_credential()
    assert len(secret) * 5 >= 80  # 32-letter alphabet: 5 bits a character
    text = codes.format_code(ballot_id, secret)
    assert codes.split_code(text.lower().replace("-", " ")) == (ballot_id, secret)
    assert codes.split_code("too-short") is None


def test_random_characters_use_every_letter_evenly_in_every_position():
    """One 100-bit draw per secret, 5 bits a letter: a slip in the bit arithmetic (a
    letter never drawn, a position always the same) shows here."""
    draws = [codes.random_chars(20) for _ in range(6400)]
    for position in (0, 9, 19):
        counts = {ch: 0 for ch in codes.ALPHABET}
        for d in draws:
            counts[d[position]] += 1
        # 200 expected per letter; 120-280 is over 5 standard deviations either side
        assert all(120 <= n <= 280 for n in counts.values()), (position, counts)
    assert len(set(draws)) == len(draws)


def test_lookalike_letters_are_forgiven():
    assert codes.normalise("o0-iL1") == "00111"


def test_digest_is_keyed():
    assert codes.digest(b"k1", "SECRET") != codes.digest(b"k2", "SECRET")
    assert codes.matches(b"k1", "SECRET", codes.digest(b"k1", "SECRET"))
    assert not codes.matches(b"k1", "SECRES", codes.digest(b"k1", "SECRET"))


CANDS = ("Abbott", "Burnham", "Corbyn", "Kendall")


def test_ranking_in_order():
    form = {"rank-0": "", "rank-1": "2", "rank-2": "1", "rank-3": ""}
    assert read_ranking(CANDS, form) == ("Corbyn", "Burnham")
    assert form_values(CANDS, ("Corbyn", "Burnham")) == form


def test_repeated_rank_is_reported_next_to_both_fields():
    with pytest.raises(BallotFormError) as e:
        read_ranking(CANDS, {"rank-0": "1", "rank-1": "1"})
    assert e.value.field_errors == {
        "rank-0": "Rank 1 is given to more than one candidate (Abbott and Burnham).",
        "rank-1": "Rank 1 is given to more than one candidate (Abbott and Burnham).",
    }


def test_gap_and_empty_and_out_of_range():
    with pytest.raises(BallotFormError) as e:
        read_ranking(CANDS, {"rank-0": "1", "rank-3": "3"})
    assert e.value.field_errors == {
        "rank-3": "Rank 2 is missing: number your choices 1, 2, 3… without gaps."
    }
    with pytest.raises(BallotFormError, match="Rank at least one candidate"):
        read_ranking(CANDS, {})
    with pytest.raises(BallotFormError) as e:
        read_ranking(CANDS, {"rank-2": "9"})
    assert e.value.field_errors["rank-2"] == "Choose a rank from 1 to 4, or leave it unranked."


LABELS = {"mp": "MPs and MEPs", "member": "Members", "members": "Members", "tu": "Affiliates"}


def test_roll_parses_sections_by_label():
    text = (
        "reference,name,email,postal_address,sections\n"
        "L1,Ann Example,ann@example.org,,Member;TU\n"
        "L2,Bob Example,,1 High St,MP\n"
    )
    lines = parse_roll(text, LABELS)
    assert [(x.reference, x.sections) for x in lines] == [
        ("L1", ("Members", "Affiliates")),
        ("L2", ("MPs and MEPs",)),
    ]


def test_roll_reports_every_bad_line():
    text = (
        "reference,name,email,postal_address,sections\n"
        "L1,Ann,ann@example.org,,Member\n"
        "L1,Ann again,not-an-email,,Member\n"
        ",Nobody,,,Wizards\n"
    )
    with pytest.raises(RollError) as e:
        parse_roll(text, LABELS, source="roll.csv")
    assert e.value.problems == [
        "roll.csv, line 3: reference 'L1' already used on line 2",
        "roll.csv, line 3: 'not-an-email' is not an email address",
        "roll.csv, line 4: the voter reference is empty",
        "roll.csv, line 4: neither an email nor a postal address to send the code to",
        "roll.csv, line 4: unknown section 'Wizards'; expected one of Affiliates, MPs and MEPs, "
        "Members",
    ]


def test_roll_needs_its_header():
    with pytest.raises(RollError, match="line 1: missing column"):
        parse_roll("ref,name\nL1,Ann\n", LABELS)
