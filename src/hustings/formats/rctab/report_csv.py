"""RCTab's detailed CSV report (``*_detailed_report.csv``, "CSV Format Version" 1).

The human-readable twin of the JSON report, for an RCTab contest: a "Contest Information"
block, a "Contest Summary" block, then one row per candidate and per inactive-ballot reason
with three columns per round (votes, % of vote, transfer to the next round). As RCTab:

* the percentage is truncated (not rounded) to two places, trailing zeros dropped but one
  kept (``20.2%``, ``25.0%``); its base is the active votes the round's threshold is
  taken from: the round's own in single-winner and percentage bottoms-up counts, the
  first round's in other multi-winner counts or when the first round fixes the threshold;
* a transfer is the change to the next round (0 in the last round);
* candidates are listed by first-round votes, most first, the undeclared write-in
  pseudo-candidate last; ties keep the iteration order of RCTab's round-1 ``HashMap``
  (Java string hashes, ``export.java_hash_order``), so rows come in RCTab's order (a slice
  report uses the whole contest's order);
* multi-winner surplus counts add "Residual surplus" (cumulative, when any was lost) and
  "Final Round Surplus" rows;
* a decision taken by a tie-break is starred, with RCTab's footnote at the end;
* a per-precinct / per-batch report (:func:`csv_slice`) names its slice instead of the
  final threshold, marks the whole contest's decisions with † and has no threshold row;
* with ``scales=`` (``hustings.formats.rctab.scales.trace``) every figure carries RCTab's
  ``BigDecimal`` scale: a transfer (``next - this``) and a sum (active ballots, inactive
  total) take the largest scale of their terms, the last round's transfer is a bare
  ``0``, and "Final Round Surplus" is blank only for RCTab's bare ``0`` (scale 0).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction

from hustings.counting import RESIDUAL, InactiveReason, Method, Result, Round
from hustings.formats import csv_cells
from hustings.formats.figures import votes_text
from hustings.formats.rctab import RctabContest
from hustings.formats.rctab.export import java_hash_order
from hustings.formats.rctab.scales import Scales, bigdecimal_text
from hustings.formats.report_json import generated_by

INACTIVE_ROWS = (
    ("Inactive Ballots by Overvotes", InactiveReason.OVERVOTE),
    ("Inactive Ballots by Skipped Rankings", InactiveReason.SKIPPED_RANKINGS),
    ("Inactive Ballots by Exhausted Choices", InactiveReason.EXHAUSTED_CHOICES),
    ("Inactive Ballots by Repeated Rankings", InactiveReason.REPEATED_RANKINGS),
)


def percent_text(part: Fraction, whole: Fraction) -> str:
    """``part`` / ``whole`` as RCTab prints it: truncated to 2 places, e.g. 49.39%, 25.0%;
    blank when there is nothing to take a share of."""
    if not whole:
        return ""
    hundredths = int(Fraction(part) * 10000 / whole)  # truncates toward zero
    whole_part, frac = divmod(hundredths, 100)
    digits = f"{frac:02d}".rstrip("0") or "0"
    return f"{whole_part}.{digits}%"


def csv_text(result: Result, contest: RctabContest, *, scales: Scales | None = None) -> str:
    """The detailed CSV report of a whole count (one pass of multi-pass IRV: see
    :func:`csv_passes`); ``scales`` writes figures at RCTab's ``BigDecimal`` scales."""
    return _report(result, result.rounds, contest, frozenset(), scales=scales)


def csv_slice(result: Result, kind: str, label: str, contest: RctabContest, *,
              scales: Scales | None = None) -> str:
    """RCTab's per-precinct / per-batch CSV: the whole count's decisions (marked †), the
    slice's figures (``result.slices[kind][label]`` from the counting core)."""
    slices = getattr(result, "slices", None) or {}
    try:
        part = slices[kind][label]
    except KeyError:
        raise KeyError(f"no {kind} slice {label!r} in this result") from None
    return _report(part, part.rounds, contest, frozenset(), slice_=(kind, label),
                   scales=scales, order=result.rounds[0] if result.rounds else None)


def csv_passes(result: Result, contest: RctabContest, *,
               scales: Scales | None = None) -> list[str]:
    """Multi-pass IRV: one report per pass, as RCTab writes them; pass k leaves out the
    winners of passes 1..k-1."""
    if not result.passes:
        return [csv_text(result, contest, scales=scales)]
    out: list[str] = []
    earlier: set[str] = set()
    for rounds in result.passes:
        out.append(_report(result, rounds, contest, frozenset(earlier), scales=scales))
        earlier.update(c for r in rounds for c in r.elected)
    return out


def _report(result: Result, rounds: Sequence[Round], contest: RctabContest,
            left_out: frozenset[str], slice_: tuple[str, str] | None = None,
            scales: Scales | None = None, order: Round | None = None) -> str:
    """One report; ``order`` is the round whose votes order the candidate rows (a slice
    report lists them in the whole contest's order)."""
    rules = result.rules
    fig = _Figures(rules.decimal_places, scales)
    # Winners in the order of the rounds that elected them; one round's by name.
    winners = [c for r in rounds for c in sorted(r.elected)]
    tied = {(n.round, n.chosen) for r in rounds for n in r.tie_breaks}
    places = rules.decimal_places
    single = contest.config.winner_mode == "singleWinnerMajority"
    out = io.StringIO()
    w = csv_cells.writer(out, lineterminator="\n")
    meta = contest.metadata
    final = rounds[-1].threshold if rounds else Fraction(0)
    if rules.method is Method.BOTTOMS_UP_PERCENTAGE:
        to_elect = (f"All candidates over the "
                    f"{votes_text(Fraction(rules.bottoms_up_threshold or 0) * 100, None)}"
                    "% threshold")
    elif rules.method is Method.MULTI_PASS_IRV:
        to_elect = "1"
    else:
        to_elect = str(rules.seats)
    w.writerows([
        ["Contest Information"],
        ["Generated By", generated_by()],
        ["CSV Format Version", "1"],
        ["Type of Election", "Single-Winner" if single else "Multi-Winner"],
        ["Contest", meta["contest"]],
        ["Jurisdiction", meta["jurisdiction"]],
        ["Office", meta["office"]],
        ["Date", meta["date"]],
        ["Winner(s)", ", ".join(winners)],
        ["Final Threshold", fig.threshold(final)] if slice_ is None
        else [slice_[0].title(), slice_[1]],
        [],
        ["Contest Summary"],
        ["Number to be Elected", to_elect],
        ["Number of Candidates",
         str(len(rules.candidates) - len(rules.excluded) - len(left_out))],
        ["Total Number of Ballots", str(result.total_ballots)],
        ["Number of Undervotes (No Rankings)", str(result.undervotes)],
        [],
    ])
    header = ["Rounds"]
    for r in rounds:
        header += [f"Round {r.number} Votes", "% of vote", "transfer"]
    w.writerow(header)
    dagger = "" if slice_ is None else "\u2020"  # decisions of the whole contest
    for label, attr in (("Eliminated", "eliminated"), ("Elected", "elected")):
        row = [label + dagger]
        for r in rounds:
            marked = [c + ("*" if (r.number, c) in tied else "") for c in sorted(getattr(r, attr))]
            row += ["; ".join(marked), "", ""]
        w.writerow(row)
    first = rounds[0] if rounds else None
    active = [sum(r.tally.values(), Fraction(0)) for r in rounds]
    inactive = [_inactive(r) for r in rounds]
    names = [c for c in rules.candidates if c not in rules.excluded and c not in left_out]
    # The percentage base is the vote total the threshold is taken from: the first
    # round's when that threshold holds for the whole count, else the round's own.
    fixed = rules.first_round_determines_threshold or not (
        single or rules.method is Method.BOTTOMS_UP_PERCENTAGE)
    uwi = rules.undeclared_write_in
    # RCTab's order: its round-1 HashMap's iteration order, stably sorted by votes (most
    # first), the undeclared write-ins last (RoundTally.getSortedCandidatesByTally).
    names = java_hash_order(names)
    order = order or first
    names.sort(key=lambda c: (c == uwi, -(order.tally.get(c, 0) if order else 0)))
    for c in names:
        row = [c]
        for k, r in enumerate(rounds):
            v = r.tally.get(c, Fraction(0))
            s = fig.tally_scale(r, c)
            base = active[0] if fixed else active[k]
            if k + 1 < len(rounds):
                nxt = rounds[k + 1].tally.get(c, Fraction(0))
                moved = fig.text(nxt - v, max(s, fig.tally_scale(rounds[k + 1], c)))
            else:
                moved = fig.last_transfer()
            row += [fig.text(v, s), percent_text(v, base), moved]
        w.writerow(row)
    # RCTab still counts the final surplus (votes about to leave) as active in the last round.
    frs = InactiveReason.FINAL_ROUND_SURPLUS
    shown = [a + i.get(frs, 0) for a, i in zip(active, inactive)]
    shown_scale = [max([fig.tally_scale(r, c) for c in r.tally]
                       + [fig.inactive_scale(r, frs) if frs in i else 0], default=0)
                   for r, i in zip(rounds, inactive)]
    w.writerow(["Active Ballots"] + [x for a, s in zip(shown, shown_scale)
                                     for x in (fig.text(a, s), "", "")])
    if slice_ is None:
        w.writerow(["Current Round Threshold"]
                   + [x for r in rounds for x in (fig.threshold(r.threshold), "", "")])
    for label, reason in INACTIVE_ROWS:
        w.writerow([label] + fig.series(
            [i.get(reason, Fraction(0)) for i in inactive],
            [fig.inactive_scale(r, reason) for r in rounds]))
    totals = [sum((v for k, v in i.items() if k is not frs), Fraction(0)) for i in inactive]
    w.writerow(["Inactive Ballots Total"] + fig.series(
        totals, [max((fig.inactive_scale(r, k) for k in i if k is not frs), default=0)
                 for r, i in zip(rounds, inactive)]))
    if rules.method is Method.STV:
        residual, lost = [], Fraction(0)
        for r in rounds:
            residual.append(lost)
            lost += sum((t.votes for t in r.transfers if t.target == RESIDUAL), Fraction(0))
        if any(residual):
            # RCTab's running total starts as a bare 0 and takes scale d with the first
            # residual added to it.
            w.writerow(["Residual surplus"]
                       + [x for v in residual
                          for x in (fig.text(v, fig.places if v else 0), "", "")])
        surplus = inactive[-1].get(InactiveReason.FINAL_ROUND_SURPLUS)
        # RCTab leaves the cell blank while no surplus has been computed at all (its
        # BigDecimal is still a bare 0: everyone was elected in the last round); once a
        # surplus was computed, even a zero is printed.
        surplus_taken = any(r.elected for r in rounds[:-1])
        if scales is not None:
            s = fig.inactive_scale(rounds[-1], frs)
            text = "" if surplus is None or (not surplus and not s) else fig.text(surplus, s)
        else:
            text = ("" if surplus is None or (not surplus and not surplus_taken)
                    else votes_text(surplus, places))
        w.writerow(["Final Round Surplus"] + ["", "", ""] * (len(rounds) - 1) + [text, "", ""])
    if slice_ is not None:  # RCTab's slice footnote comes first
        note = (f"\u2020Elect/Eliminate decisions are from the full contest. All other "
                f"results on this report are at the {slice_[0]} level.")
        w.writerows([[], [note]])
    if tied:
        w.writerows([[], ["*Tie resolved in accordance with election law"]])
    return out.getvalue()


def _inactive(r: Round) -> dict[InactiveReason, Fraction]:
    out: dict[InactiveReason, Fraction] = {}
    for s in r.sections:
        for k, v in s.inactive.items():
            out[k] = out.get(k, Fraction(0)) + v
    return out


class _Figures:
    """Figures as text: plain (whole numbers bare, others in d places) or, with scales, at
    RCTab's BigDecimal scale."""

    def __init__(self, places: int | None, scales: Scales | None) -> None:
        self.scales = scales
        self.places = places or 0
        self.plain = places

    def tally_scale(self, r: Round, candidate: str) -> int:
        if self.scales is None or candidate not in r.tally:
            return 0  # RCTab prints a bare 0 for a candidate out of the count
        return self.scales.tally_scale(r.number, candidate)

    def inactive_scale(self, r: Round, reason: InactiveReason) -> int:
        return 0 if self.scales is None else self.scales.inactive_scale(r.number, reason)

    def text(self, value: Fraction, scale: int) -> str:
        if self.scales is None:
            return votes_text(value, self.plain)
        return bigdecimal_text(value, scale)

    def threshold(self, value: Fraction) -> str:
        if self.scales is None:
            return votes_text(value, self.plain)
        return self.scales.threshold(value)

    def last_transfer(self) -> str:
        return "0"  # RCTab prints the int 0 in the last round

    def series(self, values: list[Fraction], scales: list[int]) -> list[str]:
        """value, blank, change to the next round (0 in the last) for each round."""
        out = []
        for k, v in enumerate(values):
            if k + 1 < len(values):
                moved = self.text(values[k + 1] - v, max(scales[k], scales[k + 1]))
            else:
                moved = self.last_transfer()
            out += [self.text(v, scales[k]), "", moved]
        return out
