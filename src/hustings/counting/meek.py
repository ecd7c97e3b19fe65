"""Meek STV (Hill, Wichmann and Woodall, "Algorithm 123: Single Transferable Vote by
Meek's Method", The Computer Journal 30 (1987); as in the New Zealand STV Calculation
Regulations 2006).

Every candidate has a *keep value*: 1 while hopeful, 0 once excluded, and for an elected
candidate the share of each vote reaching them that they keep. A ballot of weight w gives
each candidate it reaches w x (what is left) x keep value and passes the rest on; what is
left after the last preference is excess. The quota is (votes - excess) / (seats + 1), and
an elected candidate's keep value is scaled by quota / votes until every elected
candidate's votes are within 10^-places of the quota (keep values are rounded *up* to
``places + 5`` decimals, as the NZ regulations do with 9, so fractions stay small). Then
the hopefuls above the quota are elected, or, if none is, the lowest is excluded.

Each stage is one ``Round``: the tallies, the quota and the decision. Meek moves parts of
every ballot at once, so rounds carry no ``Transfer`` list; exhausted votes (excess) are
reported as inactive ("exhaustedChoices"). Ballots are read simply: marks in order, blank
and overvoted ranks passed over, a repeated name counting once.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from hustings.counting.ballots import Ballots
from hustings.counting.errors import CountingError
from hustings.counting.result import Result, Round, SectionRound, TieBreakNote, frozen_map
from hustings.counting.rounds import candidate_names
from hustings.counting.rules import InactiveReason, Rules, Section
from hustings.counting.tiebreak import TieBreaker

_MAX_ITERATIONS = 10_000


def _ceil_to(x: Fraction, places: int) -> Fraction:
    unit = 10**places
    return Fraction(math.ceil(x * unit), unit)


def _distinct(ballots: Ballots, width: int | None) -> list[tuple[tuple[int, ...], int]]:
    """Distinct preference orders with their total weight (Meek reads whole ballots)."""
    ranks = ballots.ranks if width is None else ballots.ranks[:, :width]
    if not len(ballots):
        return []
    rows, inverse = np.unique(ranks, axis=0, return_inverse=True)
    weights = np.zeros(len(rows), dtype=np.int64)
    np.add.at(weights, inverse.ravel(), ballots.weights)  # int64: exact
    out = []
    for row, w in zip(rows.tolist(), weights.tolist()):
        order: list[int] = []
        for c in row:
            if c >= 0 and c not in order:
                order.append(c)
        if order and w:
            out.append((tuple(order), int(w)))
    return out


def count_meek(rules: Rules, ballots: Ballots) -> Result:
    """Count ``ballots`` by Meek's method with exact fractions (``Method.MEEK_STV``).

    Keep values are Fractions rounded up to ``decimal_places + 5`` places (6 + 5 when the
    rules keep exact fractions); the quota is (votes - excess) / (seats + 1), not rounded;
    a hopeful is elected on *more than* the quota; iteration stops when every elected
    candidate is within 10^-decimal_places of the quota. This is Hill, Wichmann and
    Woodall's algorithm, not a statute's wording: for the PR Foundation's reference rule
    (and the New Zealand quota, truncated to 9 places plus 10^-9, elected at >= quota) use
    ``Method.MEEK_PRF`` (``counting.meek_prf``). Only ``max_rankings`` of the ballot rules
    applies here; ``meek-prf`` applies them all.

    Raises ``CountingError`` when a round's iteration has not settled after
    ``_MAX_ITERATIONS`` steps, instead of carrying on with unsettled keep values.
    """
    names = candidate_names(rules, ballots)
    C = len(names)
    places = 6 if rules.decimal_places is None else rules.decimal_places
    tolerance = Fraction(1, 10**places)
    keep = [Fraction(0) if n in rules.excluded else Fraction(1) for n in names]
    hopeful = {i for i in range(C) if names[i] not in rules.excluded}
    elected: list[int] = []
    papers = _distinct(ballots, rules.ballot_rules.max_rankings)
    counted = sum(w for _, w in papers)
    undervotes = ballots.total - counted
    tie = TieBreaker(rules.tie_break, rules.candidates)
    rounds: list[Round] = []
    history: list[dict[str, Fraction]] = []
    section = rules.sections[0]

    def distribute() -> tuple[list[Fraction], Fraction]:
        votes = [Fraction(0)] * C
        excess = Fraction(0)
        for order, w in papers:
            left = Fraction(w)
            for c in order:
                k = keep[c]
                if k:
                    votes[c] += left * k
                    left *= 1 - k
                    if not left:
                        break
            excess += left
        return votes, excess

    while len(elected) < rules.seats and hopeful:
        if len(hopeful) + len(elected) <= rules.seats:
            votes, excess = distribute()
            quota = (counted - excess) / (rules.seats + 1)
            new = sorted(hopeful, key=lambda c: (-votes[c], names[c]))
            rounds.append(_round(len(rounds) + 1, names, votes, excess, quota, hopeful,
                                 elected, [names[c] for c in new], [], [], section))
            elected += new
            break
        for _ in range(_MAX_ITERATIONS):
            votes, excess = distribute()
            quota = (counted - excess) / (rules.seats + 1)
            if all(abs(votes[c] - quota) < tolerance for c in elected):
                break
            for c in elected:
                keep[c] = min(Fraction(1), _ceil_to(keep[c] * quota / votes[c], places + 5))
        else:
            raise CountingError(
                f"round {len(rounds) + 1}: Meek's keep values did not settle within "
                f"10^-{places} of the quota in {_MAX_ITERATIONS} iterations"
            )
        figures = {names[c]: votes[c] for c in hopeful}
        over = sorted((c for c in hopeful if votes[c] > quota), key=lambda c: (-votes[c], names[c]))
        notes = []
        if over:
            chosen, out = [names[c] for c in over], []
            elected_now = over
        else:
            low = min(votes[c] for c in hopeful)
            tied = [names[c] for c in hopeful if votes[c] == low]
            loser = tied[0]
            if len(tied) > 1:
                note = tie.choose(tied, round_number=len(rounds) + 1, purpose="elimination",
                                  history=history, votes=low)
                notes.append(note)
                loser = note.chosen
            chosen, out, elected_now = [], [loser], []
        rounds.append(_round(len(rounds) + 1, names, votes, excess, quota, hopeful, elected,
                             chosen, out, notes, section))
        history.append(figures)
        for c in elected_now:
            if len(elected) < rules.seats:
                elected.append(c)
                hopeful.discard(c)
        for n in out:
            c = names.index(n)
            hopeful.discard(c)
            keep[c] = Fraction(0)
    return Result(rules, tuple(rounds), tuple(names[c] for c in elected), ballots.total,
                  undervotes)


def _round(number: int, names: list[str], votes: list[Fraction], excess: Fraction,
           quota: Fraction, hopeful: set[int], elected: list[int], chosen: list[str],
           out: list[str], notes: list[TieBreakNote], section: Section) -> Round:
    tally = {names[c]: votes[c] for c in sorted(hopeful | set(elected))}
    inactive = {r: Fraction(0) for r in (InactiveReason.OVERVOTE,
                                         InactiveReason.SKIPPED_RANKINGS,
                                         InactiveReason.EXHAUSTED_CHOICES,
                                         InactiveReason.REPEATED_RANKINGS)}
    inactive[InactiveReason.EXHAUSTED_CHOICES] = excess
    total = sum(tally.values(), Fraction(0))
    share = {c: (v / total * 100 if total else Fraction(0)) for c, v in tally.items()}
    sr = SectionRound(section.name, section.weight, frozen_map(tally), frozen_map(inactive),
                      frozen_map(share))
    return Round(number, (sr,), frozen_map(tally), quota, tuple(chosen), tuple(out), (),
                 tuple(notes))
