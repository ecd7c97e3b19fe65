"""The voter's visit to an election: which contests are on the ballot, and reading its form.

One security code opens one visit to the whole election (Labour's 2015 ballot: leader and
deputy, and for London voters the mayoral candidate, with one code). The ballot page holds a
*block* (a fieldset) per contest whose ballot is open and in which the voter still has a
ballot, in the election's ballot order; one review shows every ranking, one cast stores
them all (``casting.cast_visit``). A voter may leave a block blank: no ballot is cast in
that contest (the code still opens it later, while its ballot is open); at least one
contest must be ranked.

A college contest (2010) keeps its section-by-section flow: one block holds the one section
being voted, and the receipt offers the next. In 2010 each section's ballot was a separate
paper from a separate body (the party's, a union's), and the same candidates ranked twice
side by side on one page would read as one ballot with a mistake in it.

Field names: in a one-contest election the form keeps its plain names (``section``,
``rank-<n>``, ``choice``), so every link, test and load script written before elections
still posts them. In an election of several contests each contest's fields carry the prefix
``c<contest id>-``: the same on every page of a visit, whichever contests it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from hustings.web.voting import casting, contest_info
from hustings.web.voting.errors import BallotFormError, CredentialError, NotOpen
from hustings.web.voting.ranking import field_name, form_values, read_ranking

NOTHING_RANKED = "Rank at least one candidate in one of the contests."
UNREADABLE = "Your ballot could not be read. Please rank again."


@dataclass(eq=False)
class ElectionBallot:
    """An election's ballot as the voter's pages need it: its contests past draft, in
    ballot order (each with its candidates read once, ``contest_info.candidates``)."""

    election: Any
    contests: list[Any]

    @property
    def title(self) -> str:  # the pages' frame names the election
        return str(self.election.title)

    @property
    def slug(self) -> str:
        return str(self.election.slug)

    @property
    def single(self) -> bool:
        return len(self.contests) == 1

    @property
    def open_contests(self) -> list[Any]:
        return [c for c in self.contests if contest_info.ballot_is_open(c)]

    def prefix(self, contest: Any) -> str:
        return "" if self.single else f"c{contest.pk}-"


@dataclass(eq=False)
class Block:
    """One contest (one section of it) on the voter's ballot, and what the form says of it."""

    contest: Any
    section: str
    prefix: str
    voter_sections: list[str]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    ranking: tuple[str, ...] = ()

    @property
    def candidates(self) -> tuple[str, ...]:
        return contest_info.candidates(self.contest)

    @property
    def label(self) -> str:
        """The contest's title, and the section when the voter has several (a college)."""
        if len(self.voter_sections) > 1:
            return f"{self.contest.title}: {self.section}"
        return str(self.contest.title)

    @property
    def show_section(self) -> bool:
        return len(self.voter_sections) > 1

    @property
    def rows(self) -> list[dict[str, str]]:
        return [{"name": name, "field": self.prefix + field_name(i),
                 "value": self.values.get(field_name(i), ""),
                 "error": self.errors.get(field_name(i), "")}
                for i, name in enumerate(self.candidates)]

    @property
    def ranks(self) -> range:
        return range(1, len(self.candidates) + 1)


def start_blocks(ballot: ElectionBallot, voter: Any, post: QueryDict | dict) -> list[Block]:
    """The blocks of a new visit: each open contest where the voter still has a ballot; in a
    college, the section the form asks for (the receipt's "next ballot") if it remains,
    else the first that does."""
    remaining = casting.remaining_by_contest(ballot.open_contests, voter)
    out = []
    for contest in ballot.open_contests:
        left = remaining.get(contest.pk)
        if not left:
            continue
        prefix = ballot.prefix(contest)
        asked = post.get(prefix + "section")
        out.append(Block(contest, asked if asked in left else left[0], prefix,
                         casting.ballot_sections(contest, voter)))
    return out


def remaining_labels(ballot: ElectionBallot, voter: Any) -> list[Block]:
    """Every ballot the voter still has (one block per contest and section): for the
    receipt's "you also have a ballot in …"."""
    remaining = casting.remaining_by_contest(ballot.open_contests, voter)
    return [Block(c, s, ballot.prefix(c), casting.ballot_sections(c, voter))
            for c in ballot.open_contests for s in remaining.get(c.pk, [])]


def posted_blocks(ballot: ElectionBallot, voter: Any, post: QueryDict) -> list[Block]:
    """The blocks the review or cast form carries (a contest's block is there when its
    section field is). CredentialError for a section that is not the voter's (a forged
    form), NotOpen for a contest whose ballot has closed since the page was shown."""
    out = []
    for contest in ballot.contests:
        prefix = ballot.prefix(contest)
        if prefix + "section" not in post:
            continue
        section = post[prefix + "section"]
        sections = casting.ballot_sections(contest, voter)
        if section not in sections:
            raise CredentialError("That ballot is not yours.")
        if not contest_info.ballot_is_open(contest):
            raise NotOpen("The ballot is not open." if ballot.single else
                          f"The ballot in {contest.title} is not open: nothing was cast.")
        out.append(Block(contest, section, prefix, sections))
    return out


def read_ranks(blocks: list[Block], post: QueryDict) -> str:
    """Read each block's rank controls (the ballot page) into its ranking; returns the
    error summary, "" when every block is good and something is ranked."""
    for b in blocks:
        b.values = {field_name(i): post.get(b.prefix + field_name(i), "")
                    for i in range(len(b.candidates))}
    return _check(blocks)


def read_choices(blocks: list[Block], post: QueryDict) -> str:
    """Read each block's ranking from the review page's hidden fields, checked by the rule
    book again: a forged or stale form (unknown name, a name twice, too many ranks) is sent
    back, never stored. Returns the error summary, as ``read_ranks``."""
    forged = []
    for b in blocks:
        choices = post.getlist(b.prefix + "choice")
        b.values = form_values(b.candidates, choices)
        if set(choices) - set(b.candidates) or len(set(choices)) != len(choices):
            forged.append(b)
    summary = _check(blocks)
    if not forged:
        return summary
    for b in forged:
        b.errors, b.ranking = {field_name(0): UNREADABLE}, ()
    return UNREADABLE if len(blocks) == 1 else _problems(blocks)


def _check(blocks: list[Block]) -> str:
    several = len(blocks) > 1
    summary = ""
    for b in blocks:
        b.errors, b.ranking = {}, ()
        rules = contest_info.rules(b.contest)
        try:
            b.ranking = read_ranking(b.candidates, b.values, allow_blank=several,
                                     max_rankings=rules.ballot_rules.max_rankings)
        except BallotFormError as e:
            b.errors = e.field_errors or {field_name(0): str(e)}
            summary = str(e)
    if several:
        if not summary and not any(b.ranking for b in blocks):
            blocks[0].errors = {field_name(0): NOTHING_RANKED}
            return NOTHING_RANKED
        return _problems(blocks) if summary else ""
    return summary


def _problems(blocks: list[Block]) -> str:
    n = sum(len(b.errors) for b in blocks)
    return f"There {'is a problem' if n == 1 else f'are {n} problems'} with your ballot."
