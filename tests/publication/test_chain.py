"""The ledger's hash chains (``hustings.publication.chain``): pure, no Django."""

from __future__ import annotations

import copy

import pytest

from hustings.publication import LedgerError, chain


def make_chain(n: int) -> list[dict]:
    out, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        body = chain.entry_body(seq, "cast", f"2026-01-01T00:00:0{seq}", {"receipt": f"R{seq}"})
        h = chain.entry_hash(prev, body)
        out.append({**body, "prev_hash": prev, "hash": h})
        prev = h
    return out


def test_chain_verifies_and_detects_a_changed_payload():
    entries = make_chain(4)
    assert chain.verify_entries(entries) == 4
    bad = copy.deepcopy(entries)
    bad[1]["payload"]["receipt"] = "FORGED"
    with pytest.raises(LedgerError,
                       match=r"lane 0 entry 2 \(cast\): stored hash .* does not match"):
        chain.verify_entries(bad)


def test_chain_detects_a_dropped_entry():
    entries = make_chain(4)
    del entries[2]
    with pytest.raises(LedgerError, match="lane 0: entry after 2 is numbered 4, expected 3"):
        chain.verify_entries(entries)


def lane_entry(prev: str, lane: int, seq: int, kind: str, payload: dict) -> dict:
    body = chain.entry_body(seq, kind, f"t{lane}.{seq}", payload, lane)
    return {**body, "prev_hash": prev, "hash": chain.entry_hash(prev, body)}


def test_close_seals_the_cast_lanes():
    a1 = lane_entry(chain.GENESIS, 1, 1, "cast", {"receipt": "A"})
    b1 = lane_entry(chain.GENESIS, 2, 1, "cast", {"receipt": "B"})
    heads = {"0": [0, chain.GENESIS], "1": [1, a1["hash"]], "2": [1, b1["hash"]]}
    close = lane_entry(chain.GENESIS, 0, 1, "ballot-closed", {"heads": heads})
    assert chain.verify_entries([a1, b1, close]) == 3
    late = lane_entry(a1["hash"], 1, 2, "cast", {"receipt": "LATE"})
    with pytest.raises(LedgerError, match="lane 1: the close recorded its head as entry 1, but "
                                          "the lane goes on to entry 2"):
        chain.verify_entries([a1, late, b1, close])
    with pytest.raises(LedgerError, match="lane 2: the close recorded entry 1 as .* which the "
                                          "lane does not hold"):
        chain.verify_entries([a1, close])  # a cast dropped, lane and all


def test_canonical_json_is_order_independent():
    assert chain.canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'
