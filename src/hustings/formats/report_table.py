"""A count as a newspaper table (Rich): candidates down, rounds across.

Each round shows votes and the percentage of continuing votes; an eliminated candidate's
last figures are struck through in red, then "—"; the winner is marked ✓ in green. Under
the table: what each round's decision moved (transfers and exhausted ballots) and how any
tie was broken. A college count adds a table of weighted shares (what the rule book
compares: over 50% wins) before one table per section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from hustings.counting import EXHAUSTED, RESIDUAL, Method, Result, Round
from hustings.formats.figures import decimal_text, percent, votes_text

DASH = Text("—", style="dim")


def render(result: Result, *, title: str | None = None, width: int | None = None) -> RenderableType:
    """The whole report: tables, transfer lines and tie-break notes. With ``width`` (a
    terminal's), a table too wide for it is split into several, each for fewer rounds."""
    parts: list[RenderableType] = []

    def fitted(*args: Any, **kw: Any) -> RenderableType:
        return Group(*_fitted(result, width, *args, **kw))

    order = standing(result)
    places = result.rules.decimal_places
    if result.rules.is_college:
        parts.append(fitted(
            order, title or "Electoral college", "weighted % of the college",
            lambda rnd, name: (decimal_text(rnd.tally[name], 2) + "%", None),
            threshold=lambda rnd: f"over {decimal_text(rnd.threshold, 2)}%",
        ))
        for k, sec in enumerate(result.rounds[0].sections):
            parts.append(fitted(
                order, f"{sec.name} (weight {sec.weight})", "votes and % of section",
                lambda rnd, name, k=k: _votes_cells(rnd, k, name, places),
                exhausted=lambda rnd, k=k: votes_text(rnd.sections[k].exhausted, places),
            ))
    else:
        # first-preference comparators (FPTP, Condorcet) have no quota to reach
        ranked = result.rules.method not in (Method.FPTP, Method.CONDORCET)
        parts.append(fitted(
            order, title or "Count",
            "votes and % of continuing votes" if ranked else "first preferences",
            lambda rnd, name: _votes_cells(rnd, 0, name, places),
            exhausted=lambda rnd: votes_text(rnd.sections[0].exhausted, places),
            threshold=(lambda rnd: votes_text(rnd.threshold, places)) if ranked else None,
        ))
    if result.pairwise is not None:
        parts.append(_pairwise(result))
    parts.extend(_transfer_lines(result))
    parts.extend(_tie_lines(result))
    parts.append(Text(_summary(result), style="bold"))
    return Group(*parts)


def standing(result: Result) -> list[str]:
    """Candidates in finishing order: winners as elected, then those still standing at the
    end by their last tally, then the eliminated, last-out first."""
    last = result.rounds[-1].tally
    eliminated = [c for rnd in result.rounds for c in rnd.eliminated]
    rest = [c for c in result.rules.candidates
            if c not in result.winners and c not in eliminated]
    rest.sort(key=lambda c: -last.get(c, Fraction(0)))
    return [*result.winners, *rest, *reversed(eliminated)]


def _votes_cells(rnd: Round, k: int, name: str, places: int | None) -> tuple[str, str | None]:
    sec = rnd.sections[k]
    votes = sec.tally[name]
    return votes_text(votes, places), decimal_text(percent(votes, sec.continuing), 2) + "%"


def _fitted(result: Result, width: int | None, *args: Any, **kw: Any) -> list[Table]:
    """The table for all rounds, or, when it is wider than ``width``, for as many rounds
    at a time as fit (never fewer than one)."""
    rounds = result.rounds
    measure = Console(width=10**4).measure
    per = len(rounds)
    while True:
        chunks = [rounds[i : i + per] for i in range(0, len(rounds), per)]
        tables = [_table(result, chunk, *args, **kw) for chunk in chunks]
        if width is None or per == 1 or all(measure(t).maximum <= width for t in tables):
            return tables
        per -= 1


Cells = Callable[[Round, str], tuple[str, str | None]]


def _table(result: Result, rounds: Sequence[Round], order: Sequence[str], title: str,
           caption: str | None, cells: Cells, *,
           exhausted: Callable[[Round], str] | None = None,
           threshold: Callable[[Round], str] | None = None) -> Table:
    two = cells(rounds[0], next(iter(rounds[0].tally)))[1] is not None
    if len(rounds) < len(result.rounds):
        title = f"{title}, rounds {rounds[0].number}–{rounds[-1].number}"
    table = Table(title=title, caption=caption, title_style="bold", show_lines=False)
    table.add_column("Candidate", no_wrap=True)
    for rnd in rounds:
        table.add_column(f"Round {rnd.number}", justify="right", no_wrap=True)
        if two:
            table.add_column("%", justify="right", no_wrap=True, style="cyan")
    table.add_column("", no_wrap=True)
    for name in order:
        row: list[Text] = [Text(name)]
        for rnd in rounds:
            if name not in rnd.tally:
                row.extend([DASH] * (1 + two))
                continue
            style = ("strike red" if name in rnd.eliminated
                     else "bold green" if name in rnd.elected else "")
            first, second = cells(rnd, name)
            row.append(Text(first, style=style))
            if two:
                row.append(Text(second or "", style=style))
        table.add_row(*row, _note(result, name))
    if exhausted is not None:
        table.add_section()
        table.add_row(Text("Exhausted", "dim"),
                      *_spread((Text(exhausted(rnd), "dim") for rnd in rounds), two=two))
    if threshold is not None:
        table.add_row(Text("To win", "dim"),
                      *_spread((Text(threshold(rnd), "dim") for rnd in rounds), two=two))
    return table


def _note(result: Result, name: str) -> Text:
    if name in result.rules.excluded:
        return Text("excluded (withdrawn)", "dim")
    for rnd in result.rounds:
        if name in rnd.eliminated:
            return Text(f"eliminated, round {rnd.number}", "red")
        if name in rnd.elected:
            return Text(f"✓ elected, round {rnd.number}", "bold green")
    return Text("")


def _spread(cells: Iterable[Text], *, two: bool = False) -> list[Text]:
    out = []
    for cell in cells:
        out.append(cell)
        if two:
            out.append(Text(""))
    return out


def _transfer_lines(result: Result) -> list[Text]:
    places = result.rules.decimal_places
    lines = []
    for rnd in result.rounds:
        if not rnd.transfers:
            continue
        moved: dict[tuple[str, str], Fraction] = {}
        for t in rnd.transfers:
            moved[t.source, t.target] = moved.get((t.source, t.target), Fraction(0)) + t.votes
        for source in dict.fromkeys(s for s, _ in moved):
            parts = [
                f"{'exhausted' if target == EXHAUSTED else target} "
                f"{'' if target in (EXHAUSTED, RESIDUAL) else '+'}{votes_text(v, places)}"
                for (s, target), v in sorted(moved.items(), key=lambda kv: -kv[1])
                if s == source and v
            ]
            verb = "surplus" if source in rnd.elected else "votes"
            lines.append(Text(
                f"Round {rnd.number} → {rnd.number + 1}: {source}'s {verb}: {', '.join(parts)}"
            ))
    return lines


def _tie_lines(result: Result) -> list[Text]:
    return [
        Text(f"Tie, round {n.round} ({n.purpose}): {', '.join(n.tied)}; {n.chosen} chosen: "
             f"{n.reason}", style="yellow")
        for rnd in result.rounds
        for n in rnd.tie_breaks
    ]


def _pairwise(result: Result) -> Table:
    """Condorcet: how many ballots rank the row's candidate above the column's."""
    names = result.rules.candidates
    assert result.pairwise is not None  # a Condorcet result carries its matrix
    table = Table(title="Head to head", caption="ballots preferring the row to the column",
                  title_style="bold")
    table.add_column("")
    for name in names:
        table.add_column(name, justify="right")
    for i, name in enumerate(names):
        cells = []
        for j in range(len(names)):
            wins, losses = result.pairwise[i][j], result.pairwise[j][i]
            style = "green" if wins > losses else "red" if wins < losses else ""
            cells.append(DASH if i == j else Text(str(wins), style=style))
        table.add_row(Text(name), *cells)
    return table


def _summary(result: Result) -> str:
    won = ", ".join(result.winners) or "nobody"
    extra = f", {result.undervotes} with no marks" if result.undervotes else ""
    n = len(result.rounds)
    return f"Elected: {won}. {result.total_ballots} ballots{extra}; {n} round{'s' * (n != 1)}."
