"""A 2015-style election for the visit's tests: leader and deputy for every voter, and a
London-only contest (Labour's London mayoral selection, decided in 2015 with the same code).
Candidates as on the 2015 ballots; the tests' trustees' shares are kept in conftest.SHARES."""

from __future__ import annotations

DEPUTY_2015 = ("Ben Bradshaw", "Stella Creasy", "Angela Eagle", "Caroline Flint", "Tom Watson")
LONDON_2015 = ("Diane Abbott", "Tessa Jowell", "Sadiq Khan", "David Lammy", "Gareth Thomas",
               "Christian Wolmar")


def make_election(slug: str = "labour-2015", stage: str = "ballot_open"):
    """(election, leader, deputy, london), each contest at ``stage`` with a 1-of-1 box key."""
    from django.db import transaction

    from conftest import CANDIDATES_2015, SHARES
    from hustings.web.contests.elections import Election
    from hustings.web.contests.models import Candidate, Contest
    from hustings.web.voting import trustees

    election = Election.objects.create(slug=slug, title="Labour Party elections 2015")
    made = []
    # made deputy first, so the contests' ids are not their ballot order: the visit must
    # show them by ballot_order, and lock them by id
    plan = [(1, f"{slug}-deputy", "Deputy Leader", DEPUTY_2015, ""),
            (0, f"{slug}-leader", "Leader", CANDIDATES_2015, ""),
            (2, f"{slug}-london", "London Mayoral candidate", LONDON_2015, "london")]
    for order, cslug, title, names, mark in plan:
        contest = Contest.objects.create(
            slug=cslug, title=title, rule_book_preset="labour-2015", election=election,
            ballot_order=order, eligibility=mark)
        for i, name in enumerate(names):
            c = Candidate.objects.create(contest=contest, name=name, slug=f"c{i}")
            Candidate.objects.filter(pk=c.pk).update(on_ballot=True, ballot_position=i + 1)
        with transaction.atomic():
            handed = trustees.name_trustees(contest, ["Trustee 1"], 1)
        SHARES[cslug] = [h.text for h in handed]
        Contest.objects.filter(pk=contest.pk).update(stage=stage)
        contest.refresh_from_db()
        made.append(contest)
    deputy, leader, london = made
    return election, leader, deputy, london


def add_voters(election, rows):
    """rows: (reference, marks); every voter in the one OMOV section. {reference: code}."""
    from hustings.web.voting import casting, codes
    from hustings.web.voting.models import Credential, Voter

    out = {}
    for ref, marks in rows:
        v = Voter.objects.create(election=election, reference=ref, name=f"Voter {ref}",
                                 email=f"{ref.lower()}@example.org", sections=["All voters"],
                                 marks=list(marks))
        bid, secret = codes.new_credential()
        Credential.objects.create(voter=v, ballot_id=bid,
                                  secret_digest=codes.digest(casting.credential_key(), secret))
        out[ref] = codes.format_code(bid, secret)
    return out
