"""Appointing the people of a contest, and removing them; each change is audited.

Only the contest's returning officer (``Action.APPOINT``) appoints. The last returning
officer cannot be removed: a contest always has someone answerable for it once one is
appointed (and the old global group stays locked out of it, see ``access``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from hustings.web.contests.access import Action, can
from hustings.web.contests.models import Appointment, AuditEntry, Contest, Role
from hustings.web.errors import AppointmentError


def appoint(
    contest: Contest, username: str, role: Role | str, *, by, check=True, body=None
) -> Appointment:
    """Appoint the user called ``username`` to ``role`` in ``contest``. ``check=False`` only
    for the creator's own appointment when the contest is made (``setup.create_contest``).
    A nominator is made an officer of ``body`` (a ``NominatingBody`` of the contest)."""
    role = Role(role)
    if check and not can(by, contest, Action.APPOINT):
        raise PermissionDenied("only this contest's returning officer may appoint people")
    username = (username or "").strip()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise AppointmentError(
            f"no user {username!r}; expected the username of an existing account "
            "(create one with `hustings createofficer` or in the admin)"
        )
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(contest=contest, user=user, role=role)
            detail = {"user": user.get_username(), "role": role.label}
            if body is not None:
                body.officers.add(user)
                detail["body"] = body.name
            AuditEntry.record(contest, by, "person appointed", detail=detail)
    except IntegrityError:
        raise AppointmentError(
            f"{username} is already {role.label.lower()} of this contest"
        ) from None
    return appointment


def remove(appointment: Appointment, *, by) -> None:
    contest = appointment.contest
    if not can(by, contest, Action.APPOINT):
        raise PermissionDenied("only this contest's returning officer may remove people")
    with transaction.atomic():
        Contest.objects.select_for_update().get(pk=contest.pk)
        if appointment.role == Role.RETURNING_OFFICER and (
            Appointment.objects.filter(contest=contest, role=Role.RETURNING_OFFICER).count() <= 1
        ):
            raise AppointmentError(
                "a contest needs a returning officer: appoint another before removing the last"
            )
        appointment.delete()
        if appointment.role == Role.NOMINATOR:
            # no longer acting for any of this contest's bodies
            user = appointment.user
            user.nominating_bodies.remove(*user.nominating_bodies.filter(contest=contest))
        AuditEntry.record(contest, by, "person removed", detail={
            "user": appointment.user.get_username(),
            "role": appointment.get_role_display(),
        })
