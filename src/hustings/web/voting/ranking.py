"""Reading a ranked ballot form: one rank control per candidate, checked by the rule book.

Every candidate gets a control named ``rank-<n>`` (n = the candidate's position on the
ballot paper, from 0) whose value is "" (not ranked) or a rank 1..N. The Labour rule books
(2010 chapter 4 clause II; 2015 chapter 4 clause II.2) let a voter rank as many or as few
candidates as they wish, in order of preference; so a valid form has at least one rank,
no rank used twice and no rank skipped (a gap would leave the order ambiguous to a
scrutineer reading a paper ballot; online we ask the voter to close it up instead).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hustings.web.voting.errors import BallotFormError


def field_name(index: int) -> str:
    return f"rank-{index}"


def read_ranking(
    candidates: Sequence[str], form: Mapping[str, str], *, max_rankings: int | None = None,
    allow_blank: bool = False,
) -> tuple[str, ...]:
    """The candidates in preference order, or BallotFormError with a message per field.

    With ``allow_blank`` a form ranking nobody is () rather than an error: on an election's
    ballot a voter may leave one contest blank (Labour's 2015 ballot let a voter abstain in
    the deputy contest), so the visit decides whether anything at all was ranked."""
    limit = len(candidates) if max_rankings is None else min(max_rankings, len(candidates))
    errors: dict[str, str] = {}
    by_rank: dict[int, list[int]] = {}
    for i, _name in enumerate(candidates):
        raw = (form.get(field_name(i)) or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= limit:
            errors[field_name(i)] = f"Choose a rank from 1 to {limit}, or leave it unranked."
            continue
        by_rank.setdefault(int(raw), []).append(i)
    for rank, idxs in by_rank.items():
        if len(idxs) > 1:
            names = " and ".join(candidates[i] for i in idxs)
            for i in idxs:
                errors[field_name(i)] = (f"Rank {rank} is given to more than one candidate "
                                         f"({names}).")
    if not errors and not by_rank:
        if allow_blank:
            return ()
        raise BallotFormError(
            "Rank at least one candidate.", {field_name(0): "Rank at least one candidate."}
        )
    if not errors:
        top = max(by_rank)
        for rank in range(1, top + 1):
            if rank not in by_rank:
                after = min(r for r in by_rank if r > rank)
                for i in by_rank[after]:
                    errors[field_name(i)] = (
                        f"Rank {rank} is missing: number your choices 1, 2, 3… without gaps."
                    )
                break
    if errors:
        n = len(errors)
        raise BallotFormError(
            f"There {'is a problem' if n == 1 else f'are {n} problems'} with your ballot.", errors
        )
    return tuple(candidates[by_rank[r][0]] for r in sorted(by_rank))


def form_values(candidates: Sequence[str], ranking: Sequence[str]) -> dict[str, str]:
    """The form values that show ``ranking`` again (for "change my ranking")."""
    pos = {name: str(k + 1) for k, name in enumerate(ranking)}
    return {field_name(i): pos.get(name, "") for i, name in enumerate(candidates)}
