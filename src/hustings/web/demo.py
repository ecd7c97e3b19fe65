"""The demonstration contests: the 2010 Labour leadership, as the nominations stood in June;
and, beside it, a 2015-style election (``load_demo_2015``) with the ballot open.

Sources (in the project's shared press files, not copied here): the IBTimes table "so far
candidates have the following support" (MPs/CLPs/MEPs/TUs/SSs), with the final MP figures
81/63/33/33/33; Jon Cruddas's endorsement of David Miliband (New Statesman, reported by
politics.co.uk); Community Union and USDAW backing David Miliband (IBTimes).

Individual nominators were not all published: the demo says so and uses placeholder names
("Placeholder MP 001"), except for bodies a source names. Loading is idempotent.

The 2015-style election is the ``labour-2015`` election preset: leader and deputy under
one member one vote, and the London mayoral selection for voters the roll marks ``london``,
one code per voter for all three. Its candidates are those of 2015; the leadership's MP
nominations are the published ones (New Statesman, "Who nominated who for the 2015 Labour
leadership election?", 15 June 2015: Burnham 68, Cooper 59, Kendall 41, Corbyn 36 of 232
MPs, 35 needed); the deputy's and the mayoral selection's are placeholders, 35 each, and
the page says so. Its roll is synthetic. It is loaded with the ballot open: roll frozen,
codes issued (every voter by letter: "Download the letters again" on Run the ballot), the
demo's officer the sole trustee of each box.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from hustings.web.contests.access import returning_officers_group
from hustings.web.contests.elections import Election
from hustings.web.contests.models import AuditEntry, Candidate, CandidateResponse, Contest, Office
from hustings.web.endorsements.models import Endorsement
from hustings.web.nominations.models import NominatingBody, Nomination

SLUG = "labour-leader-2010"
COLUMNS = ("MP", "CLP", "MEP", "TU", "SS")
# The June 2010 table, with the final MP nominations.
SUPPORT = {
    "Diane Abbott": (33, 4, 0, 0, 0),
    "Ed Balls": (33, 1, 0, 0, 0),
    "Andy Burnham": (33, 8, 1, 0, 0),
    "David Miliband": (81, 22, 4, 2, 0),
    "Ed Miliband": (63, 28, 5, 0, 0),
}
# The rolls: 257 Labour MPs, 635 CLPs (572 yet to declare + 63), 13 MEPs, 14 affiliated
# unions, 15 socialist societies.
ELIGIBLE = {"MP": 257, "CLP": 635, "MEP": 13, "TU": 14, "SS": 15}
# Bodies a source names, with whom they nominated.
NAMED = {
    ("TU", "Community"): "David Miliband",
    ("TU", "USDAW (Union of Shop, Distributive and Allied Workers)"): "David Miliband",
    ("CLP", "Morley and Outwood CLP"): "Ed Balls",  # "one Constituency Labour Party (his own)"
}

NOTES = (
    "Demonstration data. The numbers of nominations are those published in June 2010 "
    "(IBTimes: “so far candidates have the following support”), with the final MP figures "
    "81/63/33/33/33. Individual nominators were not all published, so this demo uses "
    "placeholder names (“Placeholder MP 001”) except where a source names the body. "
    "The printed table showed 0 MPs yet to declare, but 33+33+33+81+63 = 243 of Labour’s 257 MPs: "
    "here the other 14 MPs are on the roll without a nomination, so the table shows 14."
)


@dataclass(frozen=True)
class E:
    who: str
    role: str
    body: str
    whom: str
    date: dt.date
    month_only: bool
    publication: str
    quote: str = ""


ENDORSEMENTS = [
    E(
        "USDAW",
        "affiliated trade union",
        "USDAW",
        "David Miliband",
        dt.date(2010, 6, 1),
        True,
        "IBTimes (reported two weeks before Community Union's endorsement)",
    ),
    E(
        "Michael J. Leahy OBE",
        "General Secretary",
        "Community Union",
        "David Miliband",
        dt.date(2010, 6, 1),
        True,
        "IBTimes",
        "It is my belief that of all the candidates, David Miliband, has the gravitas, the "
        "dignity and the commitment to the issues that will make him a successful leader.",
    ),
    E(
        "Jon Cruddas",
        "MP for Dagenham",
        "",
        "David Miliband",
        dt.date(2010, 8, 25),
        False,
        "New Statesman (interview by Jason Cowley)",
        "There's a pluralism I detect in David that I hadn't witnessed before.",
    ),
    E(
        "Kevan Jones",
        "MP, former minister",
        "",
        "David Miliband",
        dt.date(2010, 8, 1),
        True,
        "politics.co.uk (Ian Dunt, “Cruddas backs David Miliband”)",
    ),
    E(
        "Tom Clarke",
        "MP, former minister",
        "",
        "David Miliband",
        dt.date(2010, 8, 1),
        True,
        "politics.co.uk (Ian Dunt, “Cruddas backs David Miliband”)",
    ),
    E(
        "Virendra Sharma",
        "MP",
        "",
        "David Miliband",
        dt.date(2010, 8, 26),
        False,
        "A London Assembly member's blog, “Labour elections: different leader; same mayor”",
    ),
]

STAFF_USERNAME = "returning-officer"
STAFF_PASSWORD = "hustings-demo-2010"
NOMINATOR_USERNAME = "demo-mp"
NOMINATOR_PASSWORD = "hustings-demo-mp"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


@transaction.atomic
def load_demo() -> Contest:
    """Create the demonstration contest and its users; a second call changes nothing."""
    User = get_user_model()
    staff = User.objects.filter(username=STAFF_USERNAME).first()
    if staff is None:
        staff = User.objects.create_user(STAFF_USERNAME, password=STAFF_PASSWORD, is_staff=True)
        staff.groups.add(returning_officers_group())
    existing = Contest.objects.filter(slug=SLUG).first()
    if existing is not None:
        load_demo_2015(staff)
        return existing

    contest = Contest.objects.create(
        slug=SLUG,
        title="Labour Party leadership election 2010",
        office=Office.LEADER,
        rule_book_preset="labour-2010",
        notes=NOTES,
    )
    candidates = {
        name: Candidate.objects.create(
            contest=contest, name=name, slug=_slug(name), response=CandidateResponse.ACCEPTED
        )
        for name in SUPPORT
    }
    staff = User.objects.get(pk=staff.pk)  # fresh permission cache after joining the group
    # The demo's officer is this contest's returning officer by appointment, as a real
    # officer is (contests.access); the global group is only for the admin's pages.
    from hustings.web.contests.models import Role
    from hustings.web.contests.people import appoint

    appoint(contest, staff.get_username(), Role.RETURNING_OFFICER, by=staff, check=False)
    contest.open_nominations(by=staff)

    # The roll of nominators, named where a source names them.
    bodies: dict[str, list[NominatingBody]] = {}
    for kind, total in ELIGIBLE.items():
        named = [name for (k, name) in NAMED if k == kind]
        rows = [NominatingBody(contest=contest, kind=kind, name=name) for name in named]
        rows += [
            NominatingBody(
                contest=contest, kind=kind, name=f"Placeholder {kind} {i:03d}", placeholder=True
            )
            for i in range(1, total - len(named) + 1)
        ]
        bodies[kind] = NominatingBody.objects.bulk_create(rows)

    nominations = []
    for column, kind in enumerate(COLUMNS):
        pool = list(bodies[kind])
        # sourced bodies first, with the candidate the source names
        for (k, name), whom in NAMED.items():
            if k == kind:
                body = next(b for b in pool if b.name == name)
                pool.remove(body)
                nominations.append(Nomination(body=body, candidate=candidates[whom], made_by=staff))
        for name, counts in SUPPORT.items():
            already = sum(1 for (k, _), whom in NAMED.items() if k == kind and whom == name)
            for _ in range(counts[column] - already):
                nominations.append(
                    Nomination(body=pool.pop(0), candidate=candidates[name], made_by=staff)
                )
    Nomination.objects.bulk_create(nominations)

    for e in ENDORSEMENTS:
        Endorsement.objects.create(
            contest=contest,
            candidate=candidates[e.whom],
            endorser_name=e.who,
            endorser_role=e.role,
            endorser_body=e.body,
            date=e.date,
            date_is_month=e.month_only,
            publication=e.publication,
            quote=e.quote,
            added_by=staff,
        )
    AuditEntry.record(
        contest, staff, "demonstration data loaded",
        detail={"nominations": len(nominations), "endorsements": len(ENDORSEMENTS)},
    )

    # A nominating MP who has not yet declared, to try the nomination form.
    mp = User.objects.filter(username=NOMINATOR_USERNAME).first() or User.objects.create_user(
        NOMINATOR_USERNAME, password=NOMINATOR_PASSWORD
    )
    undeclared = NominatingBody.objects.filter(
        contest=contest, kind="MP", nominations__isnull=True
    ).first()
    undeclared.officers.add(mp)
    from hustings.web.voting.demo import add_demo_roll, name_demo_trustee

    add_demo_roll(contest)  # voting: a synthetic roll to vote with
    # and the officer as the sole trustee of the ballot box
    name_demo_trustee(contest, STAFF_USERNAME)
    load_demo_2015(staff)
    return contest


# -- the 2015-style election ----------------------------------------------------------------

ELECTION_2015 = "labour-2015"
PLP_2015 = 232  # Labour MPs after the 2015 general election
# candidate -> MP nominations: published for the leader, placeholders (35, the threshold)
# for the deputy and the mayoral selection (their nominations were not MPs' alone)
CANDIDATES_2015 = {
    "leader": {"Andy Burnham": 68, "Yvette Cooper": 59, "Jeremy Corbyn": 36, "Liz Kendall": 41},
    "deputy": {"Ben Bradshaw": 35, "Stella Creasy": 35, "Angela Eagle": 35,
               "Caroline Flint": 35, "Tom Watson": 35},
    "london": {"Diane Abbott": 35, "Tessa Jowell": 35, "Sadiq Khan": 35, "David Lammy": 35,
               "Gareth Thomas": 35, "Christian Wolmar": 35},
}
NOTES_2015 = {
    "leader": "Demonstration data. The candidates and their MP nominations are the published "
              "ones (New Statesman, 15 June 2015: 68/59/41/36 of 232 MPs, 35 needed); the MPs "
              "are placeholder names. The roll is synthetic.",
    "deputy": "Demonstration data. The candidates are those of 2015; their nominations are "
              "placeholders (35 MPs each, the threshold), not the published ones. The roll is "
              "synthetic.",
    "london": "Demonstration data. The candidates are those of Labour's 2015 London mayoral "
              "selection, chosen on the same ballot by voters marked london; the nominations "
              "are placeholders (35 MPs each). The roll is synthetic.",
}


def load_demo_2015(staff) -> Election:
    """The 2015-style election with its ballot open; a second call changes nothing."""
    from hustings.web.contests.setup_election import create_election
    from hustings.web.voting import credentials, roll
    from hustings.web.voting.demo import add_demo_roll, demo_roll_2015_csv, name_demo_trustee

    existing = Election.objects.filter(slug=ELECTION_2015).first()
    if existing is not None:
        return existing
    election = create_election(by=staff, preset="labour-2015", slug=ELECTION_2015,
                               title="Labour leadership, deputy and London mayoral elections "
                                     "2015 (demonstration)", include=["london"])
    contests = list(election.ordered_contests())
    for contest in contests:
        key = contest.slug.removeprefix(f"{ELECTION_2015}-")
        Contest.objects.filter(pk=contest.pk).update(notes=NOTES_2015[key])
        _nominated_2015(contest, CANDIDATES_2015[key], staff)
        name_demo_trustee(contest, STAFF_USERNAME, own_file=True)
    add_demo_roll(contests[0], demo_roll_2015_csv())  # one roll for the three contests
    roll.freeze(contests[0])
    credentials.issue_codes(contests[0])  # letters only: the roll has no email addresses
    for contest in contests:
        contest.open_ballot(by=staff)
    return election


def demo_code_2015() -> tuple[str, str]:
    """(reference, code) of the first 2015 demo voter, who is marked london: their code,
    made again from the (development) code key, as the letters are; for the demo's banner."""
    from hustings.web.voting.mailing import code_for
    from hustings.web.voting.models import Credential

    cred = (Credential.objects.select_related("voter")
            .filter(voter__election__slug=ELECTION_2015).order_by("voter__reference").first())
    return cred.voter.reference, code_for(cred)


def _nominated_2015(contest: Contest, support: dict[str, int], staff) -> None:
    """Candidates, placeholder MPs nominating them, and nominations closed (the ballot fixed
    by the rule book, as for any contest)."""
    candidates = {name: Candidate.objects.create(contest=contest, name=name, slug=_slug(name),
                                                 response=CandidateResponse.ACCEPTED)
                  for name in support}
    contest.open_nominations(by=staff)
    mps = NominatingBody.objects.bulk_create(
        NominatingBody(contest=contest, kind="MP", name=f"Placeholder MP {i:03d}",
                       placeholder=True) for i in range(1, PLP_2015 + 1))
    pool = iter(mps)
    Nomination.objects.bulk_create(
        Nomination(body=next(pool), candidate=candidates[name], made_by=staff)
        for name, n in support.items() for _ in range(n))
    AuditEntry.record(contest, staff, "demonstration data loaded",
                      detail={"nominations": sum(support.values())})
    contest.close_nominations(by=staff)
