"""Who may see and do what, per contest. Every view asks here; the model layer asks again.

One question, ``can(user, contest, action)``, answered from the people appointed to that
contest (``Appointment``)::

    action     ret. officer  deputy  scrutineer  trustee  nominator
    VIEW           yes        yes       yes        yes       -      drafts, audit log,
                                                                    every officer page (read)
    EDIT           yes        yes        -          -        -      candidates, bodies,
                                                                    endorsements, paper nominations
    RUN            yes        yes        -          -        -      lifecycle steps, the ballot
    APPOINT        yes         -         -          -        -      people
    HOLD_KEY        -          -         -         yes       -      a share of the ballot box key
    NOMINATE        -          -         -          -       yes     the nominate page

- A superuser may do everything, in every contest.
- Creating a contest needs the global permission ``contests.add_contest`` (given by
  ``hustings createofficer``); its creator is appointed its returning officer.
- Compatibility (``legacy_officer``): the old global permission ``contests.run_contest``
  (the "Returning officers" group, the demo's officer, the voting app's officer page)
  counts as returning officer only of a contest that has no appointed returning officer.
  Once a contest has one, a global officer is refused there like anyone else.
- Public visitors see every contest that is not a draft; drafts are 404 to anyone who
  cannot VIEW them. Anonymous users asking for an officer page are sent to log in;
  logged-in users without the right get 403.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from hustings.web.contests.models import Appointment, Contest, Role, Stage
from hustings.web.contests.permissions import ALLOWED, Action, can, legacy_officer, roles

__all__ = ["ALLOWED", "Action", "can", "legacy_officer", "roles"]  # the answer lives in permissions


def can_create_contest(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("contests.add_contest"))


def require(request, contest: Contest, action: Action) -> None:
    """Raise PermissionDenied (403) unless the request's user may; views whose anonymous
    visitors should be sent to log in use ``login_or_403`` instead."""
    if not can(request.user, contest, action):
        raise PermissionDenied(f"{action.value}: not allowed in this contest")


def visible_contest(request, slug: str) -> Contest:
    contest = get_object_or_404(Contest, slug=slug)
    if contest.stage == Stage.DRAFT and not can(request.user, contest, Action.VIEW):
        raise Http404("no such contest")
    return contest


def login_or_403(request, allowed: bool):
    """None when allowed; a redirect to log in for anonymous users; else PermissionDenied."""
    if allowed:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied("not allowed")


def officer_page(request, slug: str, action: Action = Action.VIEW):
    """(contest, None) when the user may; (contest, response) with a redirect to log in
    for anonymous users; PermissionDenied otherwise. The one call for an officer's page."""
    contest = visible_contest(request, slug)
    return contest, login_or_403(request, can(request.user, contest, action))


def officer_contest(request, slug: str, action: Action) -> Contest:
    """For pages behind ``login_required`` (the voting app's "Run the ballot"): the
    contest, or PermissionDenied. GET needs ``Action.VIEW``, a POST ``Action.RUN``."""
    contest = get_object_or_404(Contest, slug=slug)
    require(request, contest, action)
    return contest


def contests_for(user):
    """The contests ``user`` may see in the list: every public one, and drafts they may VIEW."""
    from django.db.models import Exists, OuterRef, Q

    contests = Contest.objects.all()
    if user is not None and user.is_authenticated and user.is_superuser:
        return contests
    visible = Q(~Q(stage=Stage.DRAFT))
    if user is not None and user.is_authenticated:
        viewers = [r for r, acts in ALLOWED.items() if Action.VIEW in acts]
        mine = Appointment.objects.filter(contest=OuterRef("pk"), user=user, role__in=viewers)
        visible |= Q(Exists(mine))
        if user.has_perm("contests.run_contest"):
            ro = Appointment.objects.filter(contest=OuterRef("pk"), role=Role.RETURNING_OFFICER)
            visible |= ~Q(Exists(ro))
    return contests.filter(visible)


def is_returning_officer(user, contest: Contest | None = None) -> bool:
    """Deprecated shape kept for callers not yet moved to ``can``: with a contest, whether
    ``user`` may run it; without one, whether they hold the old global permission."""
    if contest is not None:
        return can(user, contest, Action.RUN)
    return bool(user and user.is_authenticated and user.has_perm("contests.run_contest"))


RETURNING_OFFICERS = "Returning officers"


def returning_officers_group():
    """The old global group (the demo's officer still joins it): the lifecycle permission
    plus the admin permissions for the platform's own models (not users or groups)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=RETURNING_OFFICERS)
    perms = Permission.objects.filter(
        content_type__app_label__in=["contests", "nominations", "endorsements"]
    )
    group.permissions.add(*perms)
    return group


def officers_group():
    """The group ``hustings createofficer`` puts people in: may create contests (and so
    becomes returning officer of the ones they create), nothing global beyond that."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Contest creators")
    group.permissions.add(
        Permission.objects.get(codename="add_contest", content_type__app_label="contests")
    )
    return group
