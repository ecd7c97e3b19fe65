"""Building contests for the web tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from hustings.web.contests.models import Candidate, CandidateResponse, Contest, Stage
from hustings.web.nominations.models import NominatingBody, Nomination

CANDIDATES_2010 = ("Diane Abbott", "Ed Balls", "Andy Burnham", "David Miliband", "Ed Miliband")


def make_contest(
    slug="test-2010",
    preset="labour-2010",
    candidates=CANDIDATES_2010,
    roll=None,
    stage=Stage.DRAFT,
    accepted=True,
    vacancy=True,
):
    """A contest with candidates and a roll of nominators ({kind: count or [(name,
    membership), ...]}), put at ``stage`` directly (the lifecycle is tested on its own)."""
    contest = Contest.objects.create(
        slug=slug, title=f"Test {slug}", rule_book_preset=preset, vacancy=vacancy
    )
    for name in candidates:
        Candidate.objects.create(
            contest=contest,
            name=name,
            slug=name.lower().replace(" ", "-"),
            response=CandidateResponse.ACCEPTED if accepted else CandidateResponse.PENDING,
        )
    for kind, spec in (roll or {"MP": 257}).items():
        rows = (
            spec
            if isinstance(spec, list)
            else [(f"{kind} {i:03d}", None) for i in range(1, spec + 1)]
        )
        NominatingBody.objects.bulk_create(
            NominatingBody(contest=contest, kind=kind, name=name, affiliated_membership=m)
            for name, m in rows
        )
    Contest.objects.filter(pk=contest.pk).update(stage=stage)
    contest.refresh_from_db()
    return contest


def nominate_directly(contest, candidate_name, kind, count, start=0):
    """Bulk nominations without the service (for threshold set-ups): bodies of ``kind``
    from position ``start`` nominate ``candidate_name``."""
    cand = contest.candidates.get(name=candidate_name)
    bodies = list(
        NominatingBody.objects.filter(contest=contest, kind=kind).order_by("id")[
            start : start + count
        ]
    )
    assert len(bodies) == count, f"only {len(bodies)} {kind} bodies on the roll"
    Nomination.objects.bulk_create(Nomination(body=b, candidate=cand) for b in bodies)
    return bodies


def make_person(username, *, contest=None, role=None, can_create=False, superuser=False,
                legacy=False):
    """One persona: a plain account (not staff), appointed to ``role`` in ``contest`` when
    given; ``can_create``: may create contests (what ``hustings createofficer`` gives);
    ``legacy``: in the old global "Returning officers" group; ``superuser``: everything.
    Returned fresh from the database (no stale permission cache)."""
    from django.contrib.auth import get_user_model

    from hustings.web.contests.access import officers_group, returning_officers_group
    from hustings.web.contests.models import Appointment

    User = get_user_model()
    user = User.objects.filter(username=username).first() or (
        User.objects.create_superuser(username, password=f"{username}-password-2010")
        if superuser
        else User.objects.create_user(username, password=f"{username}-password-2010")
    )
    if role is not None:
        Appointment.objects.get_or_create(contest=contest, user=user, role=role)
    if can_create:
        user.groups.add(officers_group())
    if legacy:
        user.groups.add(returning_officers_group())
    return User.objects.get(pk=user.pk)
