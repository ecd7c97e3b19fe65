"""Properties every count must have, on random small elections (Hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from hustings.counting import (
    RESIDUAL,
    BallotRules,
    Ballots,
    Method,
    OvervoteRule,
    Rules,
    Section,
    TieBreak,
    TieBreakMode,
    count,
)

NAMES = ("Abbott", "Balls", "Burnham", "Miliband D", "Miliband E", "Kinnock")
ORDER = TieBreak(TieBreakMode.CANDIDATE_ORDER)
FAST = settings(max_examples=60, deadline=None)


@st.composite
def elections(draw, min_candidates=2, max_candidates=6, blanks=False):
    k = draw(st.integers(min_candidates, max_candidates))
    cands = NAMES[:k]
    mark = st.sampled_from(cands)
    if blanks:
        mark = st.one_of(mark, st.none(), st.frozensets(st.sampled_from(cands), min_size=2,
                                                        max_size=2))
    rankings = draw(st.lists(st.lists(mark, max_size=k), min_size=1, max_size=40))
    weights = draw(st.lists(st.integers(1, 3), min_size=len(rankings),
                            max_size=len(rankings)))
    return cands, rankings, weights


def ballots_of(cands, rankings, weights, **kw):
    return Ballots.from_rankings(cands, [list(r) for r in rankings], weights=weights, **kw)


def summary(result):
    return (result.winners, [(dict(r.tally), r.eliminated, r.elected) for r in result.rounds])


@FAST
@given(elections(blanks=True), st.sampled_from(list(OvervoteRule)),
       st.sampled_from([None, 0, 1]), st.booleans())
def test_votes_are_conserved_every_round(election, rule, skips, dup):
    cands, rankings, weights = election
    rules = Rules(cands, ballot_rules=BallotRules(rule, skips, None, dup))
    result = count(rules, ballots_of(cands, rankings, weights))
    valid = result.total_ballots - result.undervotes
    for rnd in result.rounds:
        section = rnd.sections[0]
        assert section.continuing + section.exhausted == valid
        assert sum(rnd.tally.values()) == section.continuing
        # every change from this round to the next is a listed transfer
    for before in result.rounds[:-1]:
        moved_out = sum(t.votes for t in before.transfers)
        assert moved_out == sum(before.tally[c] for c in before.eliminated)


@FAST
@given(elections(min_candidates=3), st.integers(2, 3), st.sampled_from([4, None]))
def test_stv_conserves_votes_and_fills_the_seats(election, seats, places):
    cands, rankings, weights = election
    rules = Rules(cands, method=Method.STV, seats=seats, decimal_places=places, tie_break=ORDER)
    result = count(rules, ballots_of(cands, rankings, weights))
    assert len(result.winners) == min(seats, len(cands))
    assert len(set(result.winners)) == len(result.winners)
    residual = Fraction(0)
    for rnd in result.rounds:
        section = rnd.sections[0]
        valid = result.total_ballots - result.undervotes
        assert section.continuing + section.exhausted + residual == valid
        residual += sum(t.votes for t in rnd.transfers if t.target == RESIDUAL)


@FAST
@given(elections(), st.randoms(use_true_random=False),
       st.sampled_from([TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM, TieBreakMode.RANDOM,
                        TieBreakMode.CANDIDATE_ORDER]))
def test_ballot_order_does_not_matter(election, rnd, mode):
    cands, rankings, weights = election
    rules = Rules(cands, tie_break=TieBreak(mode, seed=7))
    pairs = list(zip(rankings, weights))
    rnd.shuffle(pairs)
    shuffled = count(rules, ballots_of(cands, [p[0] for p in pairs], [p[1] for p in pairs]))
    assert summary(shuffled) == summary(count(rules, ballots_of(cands, rankings, weights)))


@FAST
@given(elections(), st.randoms(use_true_random=False))
def test_candidate_labels_do_not_matter(election, rnd):
    cands, rankings, weights = election
    new = {c: f"Candidate {i}" for i, c in enumerate(rnd.sample(cands, len(cands)))}
    stored = list(cands)
    rnd.shuffle(stored)  # a different index order inside the ballot array too
    relabelled = Ballots.from_rankings(
        [new[c] for c in stored], [[new[m] for m in r] for r in rankings], weights=weights,
    )
    result = count(Rules(cands, tie_break=ORDER), ballots_of(cands, rankings, weights))
    renamed = count(Rules(tuple(new[c] for c in cands), tie_break=ORDER), relabelled)
    assert renamed.winners == tuple(new[w] for w in result.winners)
    for a, b in zip(result.rounds, renamed.rounds):
        assert dict(b.tally) == {new[c]: v for c, v in a.tally.items()}
        assert b.eliminated == tuple(new[c] for c in a.eliminated)


@FAST
@given(elections())
def test_a_majority_first_choice_wins_in_round_one(election):
    cands, rankings, weights = election
    result = count(Rules(cands), ballots_of(cands, rankings, weights))
    first = result.rounds[0]
    total = sum(first.tally.values())
    top = max(first.tally, key=first.tally.get)
    if first.tally[top] * 2 > total:
        assert result.winners == (top,)
        assert len(result.rounds) == 1


@FAST
@given(elections(), st.fractions(min_value=Fraction(1, 10), max_value=5))
def test_a_one_section_college_is_plain_av(election, weight):
    cands, rankings, weights = election
    plain = count(Rules(cands), ballots_of(cands, rankings, weights))
    one = count(Rules(cands, sections=(Section("members", weight),)),
                ballots_of(cands, rankings, weights, section_names=("members",)))
    assert summary(one) == summary(plain)
    for rnd in one.rounds:
        total = sum(rnd.tally.values())
        for c, v in rnd.tally.items():
            assert rnd.sections[0].share[c] == (v / total * weight * 100 if total else 0)


@FAST
@given(elections())
def test_three_identical_sections_are_plain_av(election):
    cands, rankings, weights = election
    n = len(rankings)
    names = ("MPs", "Members", "Affiliates")
    college = count(
        Rules(cands, sections=tuple(Section(s, Fraction(1, 3)) for s in names)),
        ballots_of(cands, rankings * 3, weights * 3,
                   sections=[s for s in names for _ in range(n)], section_names=names),
    )
    plain = count(Rules(cands), ballots_of(cands, rankings, weights))
    assert college.winners == plain.winners
    assert [r.eliminated for r in college.rounds] == [r.eliminated for r in plain.rounds]
    for c_round, p_round in zip(college.rounds, plain.rounds):
        total = sum(p_round.tally.values())
        if total:
            assert dict(c_round.tally) == {c: v / total * 100 for c, v in p_round.tally.items()}


@FAST
@given(elections())
def test_fptp_winner_has_most_first_preferences(election):
    cands, rankings, weights = election
    result = count(Rules(cands, method=Method.FPTP), ballots_of(cands, rankings, weights))
    tally = result.rounds[0].tally
    assert tally[result.winners[0]] == max(tally.values())
    firsts = {c: 0 for c in cands}
    for r, w in zip(rankings, weights):
        if r:
            firsts[r[0]] += w
    assert dict(tally) == firsts


@FAST
@given(elections(min_candidates=3))
def test_a_condorcet_winner_wins_schulze(election):
    cands, rankings, weights = election
    result = count(Rules(cands, method=Method.CONDORCET), ballots_of(cands, rankings, weights))
    d = result.pairwise
    k = len(cands)
    beats_all = [a for a in range(k) if all(d[a][b] > d[b][a] for b in range(k) if b != a)]
    if beats_all:
        assert result.winners == (cands[beats_all[0]],)
        assert not result.rounds[0].tie_breaks
    else:
        assert "no Condorcet winner" in result.rounds[0].tie_breaks[0].reason
    # the matrix counts ballots: a over b plus b over a never exceeds the ballots cast
    total = sum(weights)
    assert all(d[a][b] + d[b][a] <= total for a in range(k) for b in range(k))


@FAST
@given(elections(), st.lists(st.fractions(min_value=Fraction(1, 10), max_value=3), min_size=2,
                             max_size=3), st.data())
def test_college_conserves_votes_per_section_and_shares_add_up(election, weights_, data):
    cands, rankings, weights = election
    names = tuple(f"S{i}" for i in range(len(weights_)))
    labels = [data.draw(st.sampled_from(names)) for _ in rankings]
    rules = Rules(cands, sections=tuple(Section(n, w) for n, w in zip(names, weights_)))
    result = count(rules, ballots_of(cands, rankings, weights, sections=labels,
                                     section_names=names))
    cast = {n: sum(w for w, s, r in zip(weights, labels, rankings) if s == n and any(r))
            for n in names}
    for rnd in result.rounds:
        for sr in rnd.sections:
            assert sr.continuing + sr.exhausted == cast[sr.name]
            share = sum(sr.share.values())
            assert share == (sr.weight * 100 if sr.continuing else 0)
        assert sum(rnd.tally.values()) == sum(sum(sr.share.values()) for sr in rnd.sections)
        assert rnd.threshold == sum(weights_) * 50
