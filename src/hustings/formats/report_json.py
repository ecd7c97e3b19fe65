"""RCTab's detailed-report JSON, written from a ``hustings.counting.Result``.

The format is RCTab 2.0's ``*_detailed_report.json`` (``jsonFormatVersion`` "1"), which the
rcvis visualiser and US election offices exchange; ``hustings count --output json`` writes
it for our own counts too. Shape (key names exactly as RCTab's)::

    {"config": {"contest", "date", "generatedBy", "jurisdiction", "office"},
     "jsonFormatVersion": "1",
     "results": [{"round", "tally", "threshold", "inactiveBallots", "tallyResults"}, ...],
     "summary": {"finalThreshold", "numCandidates", "numWinners", "totalNumBallots",
                 "undervotes"}}

* Vote figures are decimal strings (RCTab's ``BigDecimal``): whole numbers without a
  decimal part, others in the count's declared decimal places (``Rules.decimal_places``).
  With ``scales=`` (``hustings.formats.rctab.scales.trace``) every figure is written at
  the scale RCTab's ``BigDecimal`` has (``"14866.0000"`` for a tally holding a ballot that
  went through a surplus transfer), so the text matches RCTab's byte for byte.
  ``round``, ``numCandidates``, ``numWinners`` and ``undervotes`` are JSON integers.
* ``tallyResults``: the decisions at the end of the round, elected entries first, then
  eliminated ones, each group sorted by name; ``transfers`` maps each target (a candidate,
  ``"exhausted"`` or ``"residual surplus"``) to the votes that moved, omitting zeros.
* A sectioned (electoral-college) count: each round's ``tally`` and ``threshold`` hold the
  weighted college percentages, and the round also carries ``"sections": {NAME: {"tally",
  "exhausted", "share", "transfers"}}`` (votes, inactive votes, weighted percentage share,
  and ``{source: {target: votes}}`` moved in that section). The round's own ``transfers``
  then count ballots moved in all sections together.
* Multi-pass IRV: RCTab writes one report per pass; :func:`render_passes` returns them.
* Per-precinct / per-batch reports (RCTab's ``tabulateByPrecinct`` / ``tabulateByBatch``):
  :func:`render_slice`; ``config`` then also names the ``precinct`` or ``batch``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

from hustings.counting import InactiveReason, Method, Result, Round
from hustings.formats.figures import decimal_text, votes_text

PERCENT_PLACES = 4  # weighted college shares are percentages, shown to 4 places

INACTIVE_ORDER = (
    InactiveReason.EXHAUSTED_CHOICES,
    InactiveReason.FINAL_ROUND_SURPLUS,
    InactiveReason.OVERVOTE,
    InactiveReason.REPEATED_RANKINGS,
    InactiveReason.SKIPPED_RANKINGS,
)


class ScaleBook(Protocol):
    """How each figure is written (``hustings.formats.rctab.scales.Scales``)."""

    def tally(self, rnd: int, candidate: str, value: Fraction) -> str: ...
    def inactive_text(self, rnd: int, reason: InactiveReason, value: Fraction) -> str: ...
    def transfer(self, rnd: int, source: str, target: str, value: Fraction) -> str: ...
    def threshold(self, value: Fraction) -> str: ...


def generated_by() -> str:
    try:
        return f"Hustings {version('hustings')}"
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "Hustings"


def render(
    result: Result,
    *,
    contest: Mapping[str, str] | None = None,
    num_candidates: int | None = None,
    scales: ScaleBook | None = None,
) -> dict[str, Any]:
    """The detailed report of a whole count (for multi-pass IRV: every pass's rounds in one
    list; see :func:`render_passes` for RCTab's one file per pass).

    ``contest`` fills the ``config`` block (``contest``, ``date``, ``jurisdiction``,
    ``office``, and ``precinct`` / ``batch`` for slice reports); missing keys are "".
    ``num_candidates`` defaults to every candidate of the rules (RCTab counts excluded ones
    and the undeclared write-in pseudo-candidate too). ``scales`` writes every figure at
    RCTab's ``BigDecimal`` scale (see the module docstring).
    """
    return _report(result, result.rounds, contest, num_candidates, _num_winners(result),
                   scales)


def render_passes(
    result: Result,
    *,
    contest: Mapping[str, str] | None = None,
    num_candidates: int | None = None,
    scales: ScaleBook | None = None,
) -> list[dict[str, Any]]:
    """Multi-pass IRV: one report per pass (RCTab's ``<stem>_<k>_detailed_report.json``)."""
    if not result.passes:
        return [render(result, contest=contest, num_candidates=num_candidates, scales=scales)]
    return [_report(result, rounds, contest, num_candidates, 1, scales)
            for rounds in result.passes]


def render_slice(
    result: Result,
    kind: str,
    label: str,
    *,
    contest: Mapping[str, str] | None = None,
    num_candidates: int | None = None,
    scales: ScaleBook | None = None,
) -> dict[str, Any]:
    """RCTab's per-precinct / per-batch report: the whole contest's rounds, thresholds and
    decisions, with tallies, inactive ballots and transfers of one slice of the ballots.

    ``kind`` is ``"precinct"`` or ``"batch"`` (the keys of ``Ballots.slices``). The slice's
    figures come from the counting core as ``result.slices[kind][label]``, a ``Result`` of
    its own (same rules and decisions; the slice's tallies, ballots and undervotes).
    ``scales``: the slice's (``hustings.formats.rctab.scales.trace(..., slice_=...)``).
    """
    slices = getattr(result, "slices", None) or {}
    try:
        part = slices[kind][label]
    except KeyError:
        raise KeyError(f"no {kind} slice {label!r} in this result") from None
    meta = {**(contest or {}), kind: label}
    return _report(part, part.rounds, meta,
                   len(result.rules.candidates) if num_candidates is None else num_candidates,
                   _num_winners(result), scales)


def _num_winners(result: Result) -> int:
    if result.rules.method is Method.BOTTOMS_UP_PERCENTAGE:
        # RCTab's convention: the contest has no fixed seats (numberOfWinners is 0); the
        # winners are however many clear the threshold.
        return 0
    return result.rules.seats


def _report(
    result: Result,
    rounds: Iterable[Round],
    contest: Mapping[str, str] | None,
    num_candidates: int | None,
    num_winners: int,
    scales: ScaleBook | None = None,
) -> dict[str, Any]:
    rounds = tuple(rounds)
    places = result.rules.decimal_places
    meta = dict(contest or {})
    config = {
        "contest": meta.pop("contest", ""),
        "date": meta.pop("date", ""),
        "generatedBy": generated_by(),
        "jurisdiction": meta.pop("jurisdiction", ""),
        "office": meta.pop("office", ""),
        **{k: v for k, v in meta.items() if k in ("precinct", "batch")},
    }
    final = rounds[-1].threshold if rounds else Fraction(0)
    return {
        "config": config,
        "jsonFormatVersion": "1",
        "results": [_round(result, r, places, scales) for r in rounds],
        "summary": {
            "finalThreshold": _threshold(result, final, scales),
            "numCandidates": len(result.rules.candidates) if num_candidates is None
            else num_candidates,
            "numWinners": num_winners,
            "totalNumBallots": str(result.total_ballots),
            "undervotes": int(result.undervotes),
        },
    }


def _threshold(result: Result, value: Fraction, scales: ScaleBook | None = None) -> str:
    """Votes, or a weighted percentage in a college count."""
    if scales is not None:
        return scales.threshold(value)
    if result.rules.is_college:
        return decimal_text(value, PERCENT_PLACES)
    return votes_text(value, result.rules.decimal_places)


def _round(result: Result, rnd: Round, places: int | None,
           scales: ScaleBook | None = None) -> dict[str, Any]:
    college = result.rules.is_college
    if scales is not None:
        tally = {c: scales.tally(rnd.number, c, v) for c, v in rnd.tally.items()}
    elif college:
        tally = {c: decimal_text(v, PERCENT_PLACES) for c, v in rnd.tally.items()}
    else:
        tally = {c: votes_text(v, places) for c, v in rnd.tally.items()}
    threshold = _threshold(result, rnd.threshold, scales)
    inactive: dict[str, Fraction] = {}
    for s in rnd.sections:
        for reason, v in s.inactive.items():
            inactive[reason.value] = inactive.get(reason.value, Fraction(0)) + v
    out: dict[str, Any] = {
        "inactiveBallots": {
            k.value: votes_text(inactive[k.value], places) if scales is None
            else scales.inactive_text(rnd.number, k, inactive[k.value])
            for k in INACTIVE_ORDER if k.value in inactive
        },
        "round": rnd.number,
        "tally": tally,
        "tallyResults": _decisions(rnd, places, scales),
        "threshold": threshold,
    }
    if college:
        out["sections"] = {
            s.name: {
                "tally": {c: votes_text(v, places) for c, v in s.tally.items()},
                "exhausted": votes_text(s.exhausted, places),
                "share": {c: decimal_text(v, PERCENT_PLACES) for c, v in s.share.items()},
                "transfers": _section_transfers(rnd, s.name, places),
            }
            for s in rnd.sections
        }
    return out


def _section_transfers(rnd: Round, section: str, places: int | None) -> dict[str, dict[str, str]]:
    """{source: {target: votes}} moved in one section at the end of the round."""
    moved: dict[str, dict[str, Fraction]] = {}
    for t in rnd.transfers:
        if t.section == section and t.votes:
            into = moved.setdefault(t.source, {})
            into[t.target] = into.get(t.target, Fraction(0)) + t.votes
    return {src: {tgt: votes_text(v, places) for tgt, v in sorted(m.items())}
            for src, m in sorted(moved.items())}


def _decisions(rnd: Round, places: int | None,
               scales: ScaleBook | None = None) -> list[dict[str, Any]]:
    moved: dict[str, dict[str, Fraction]] = {}
    for t in rnd.transfers:
        into = moved.setdefault(t.source, {})
        into[t.target] = into.get(t.target, Fraction(0)) + t.votes
    out = []
    for key, names in (("elected", rnd.elected), ("eliminated", rnd.eliminated)):
        for name in sorted(names):
            transfers = {target: votes_text(v, places) if scales is None
                         else scales.transfer(rnd.number, name, target, v)
                         for target, v in sorted(moved.get(name, {}).items()) if v}
            out.append({key: name, "transfers": transfers})
    return out
