"""Adding, editing and deleting one endorsement on the site; each change is audited with
what it was and what it became (the audit log is the endorsement's history)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction

from hustings.web.contests.access import Action, can
from hustings.web.contests.models import AuditEntry, Contest
from hustings.web.endorsements.models import Endorsement

FIELDS = [
    "candidate",
    "endorser_name",
    "endorser_role",
    "endorser_body",
    "date",
    "date_is_month",
    "publication",
    "source_url",
    "quote",
    "preference_rank",
]


class EndorsementForm(forms.ModelForm):
    source_url = forms.URLField(
        label="Source URL", required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Endorsement
        fields = FIELDS
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "quote": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, contest: Contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = contest.candidates.all()
        self.fields["candidate"].empty_label = None


def _record(e: Endorsement) -> dict:
    return {
        "endorser": e.endorser_name,
        "candidate": e.candidate.name,
        "date": e.date.isoformat(),
        "publication": e.publication,
        "url": e.source_url,
        "quote": e.quote,
    }


def save(form: EndorsementForm, contest: Contest, *, by) -> Endorsement:
    """Save a valid form (a new endorsement or a change) and audit it."""
    if not can(by, contest, Action.EDIT):
        raise PermissionDenied("only this contest's officers may edit endorsements")
    with transaction.atomic():
        before = (
            None
            if form.instance.pk is None
            else _record(Endorsement.objects.get(pk=form.instance.pk))
        )
        e = form.save(commit=False)
        e.contest = contest
        if e.pk is None:
            e.added_by = by
        e.save()
        detail = {"endorsement": _record(e)}
        if before is not None:
            detail["was"] = before
        AuditEntry.record(contest, by, "endorsement edited" if before else "endorsement added",
                          detail=detail)
    return e


def delete(e: Endorsement, *, by) -> None:
    if not can(by, e.contest, Action.EDIT):
        raise PermissionDenied("only this contest's officers may delete endorsements")
    with transaction.atomic():
        AuditEntry.record(e.contest, by, "endorsement deleted",
                          detail={"endorsement": _record(e)})
        e.delete()
