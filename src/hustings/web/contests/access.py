"""Who may see and do what. Views call these; the model layer checks again.

- Public visitors see every contest that is not a draft; drafts are 404 to them.
- Returning officers (permission ``contests.run_contest``) see drafts and run the lifecycle.
- Anonymous users asking for a staff page are sent to log in; logged-in users without the
  right get 403.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from hustings.web.contests.models import Contest, Stage


def is_returning_officer(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("contests.run_contest"))


def visible_contest(request, slug: str) -> Contest:
    contest = get_object_or_404(Contest, slug=slug)
    if contest.stage == Stage.DRAFT and not is_returning_officer(request.user):
        raise Http404("no such contest")
    return contest


def login_or_403(request, allowed: bool):
    """None when allowed; a redirect to log in for anonymous users; else PermissionDenied."""
    if allowed:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied("not allowed")


RETURNING_OFFICERS = "Returning officers"


def returning_officers_group():
    """The staff group that runs contests: the lifecycle permission plus the admin
    permissions for the platform's own models (not users or groups)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=RETURNING_OFFICERS)
    perms = Permission.objects.filter(
        content_type__app_label__in=["contests", "nominations", "endorsements"]
    )
    group.permissions.add(*perms)
    return group
