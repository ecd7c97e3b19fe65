"""Django admin for staff: contests (stage read-only: it moves only through the lifecycle
methods), candidates, and the audit log (read-only).

Once the ballot is fixed (nominations closed, and every stage after), what the count
depends on is read-only here: the rule book (and with it the sections), its preset, the
seats, and the candidates' names and slugs; no candidate can be added or removed. Before
that, every change to them is written in the contest's audit log (who, which fields, the
rule book's SHA-256 before and after, a candidate's old and new name)."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import admin

from hustings.rulebook import RuleBookError, load_nominations, preset_names, preset_text
from hustings.web.contests import people
from hustings.web.contests.models import (
    STAGES,
    Appointment,
    AuditEntry,
    Candidate,
    Contest,
    Role,
    Stage,
)

# What the count reads: fixed with the ballot.
COUNTED_FIELDS = ("rule_book_preset", "rule_book", "seats")
CANDIDATE_FIELDS = ("name", "slug")


def ballot_fixed(contest: Contest | None) -> bool:
    return contest is not None and contest.pk is not None and (
        STAGES.index(Stage(contest.stage)) >= STAGES.index(Stage.NOMINATIONS_CLOSED))


def _sha(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def _audit(request, contest: Contest, action: str, detail: dict) -> None:
    AuditEntry.record(contest, request.user, action, from_stage=contest.stage,
                      to_stage=contest.stage, detail=detail)


def check_rule_book(text: str) -> None:
    """Both halves of the rule book must parse: [nominations] here, the counting tables
    through hustings.config."""
    load_nominations(text, "rule book")
    from hustings.config import ConfigError, parse_election

    try:
        parse_election(text)
    except ConfigError as e:
        raise RuleBookError(str(e)) from None


class ContestForm(forms.ModelForm):
    rule_book_preset = forms.ChoiceField(choices=[])

    class Meta:
        model = Contest
        fields = [
            "slug",
            "title",
            "office",
            "seats",
            "vacancy",
            "rule_book_preset",
            "rule_book",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_book_preset"].choices = [(n, n) for n in preset_names()]
        # keep the TOML byte for byte, so an untouched one is unchanged
        self.fields["rule_book"].strip = False
        self.fields["rule_book"].widget = forms.Textarea(
            attrs={"rows": 30, "cols": 100, "spellcheck": "false"}
        )

    def clean(self):
        data = super().clean()
        text = (data.get("rule_book") or "").strip()
        preset_changed = (
            "rule_book_preset" in self.changed_data and "rule_book" not in self.changed_data
        )
        if data.get("rule_book_preset") and (not text or preset_changed):
            # a new preset with the old text left alone means "use the new preset"
            text = preset_text(data["rule_book_preset"])
            data["rule_book"] = text
        if text:
            try:
                check_rule_book(text)
            except RuleBookError as e:
                self.add_error("rule_book", str(e))
        return data


class FixedContestForm(forms.ModelForm):
    """The contest once its ballot is fixed: only what the count does not read."""

    class Meta:
        model = Contest
        fields = ["title", "office", "vacancy", "notes"]


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0
    fields = ["name", "slug", "user", "response", "on_ballot", "ballot_position", "qualification"]
    readonly_fields = ["on_ballot", "ballot_position", "qualification"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        fixed = list(CANDIDATE_FIELDS) if ballot_fixed(obj) else []
        return [*fixed, *self.readonly_fields]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if ballot_fixed(obj) else self.prepopulated_fields

    def has_add_permission(self, request, obj=None):
        return not ballot_fixed(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not ballot_fixed(obj) and super().has_delete_permission(request, obj)


class AppointmentInline(admin.TabularInline):
    """Who holds which role, shown read-only: people are appointed and removed on the
    contest's People page (``contests.people``), which writes each change to the audit log."""

    model = Appointment
    fields = readonly_fields = ["user", "role", "appointed_at"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    form = ContestForm
    list_display = ["title", "slug", "office", "stage", "rule_book_preset"]
    readonly_fields = ["stage"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CandidateInline, AppointmentInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if ballot_fixed(obj):
            kwargs["form"] = FixedContestForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if ballot_fixed(obj):
            return ["slug", "title", "office", "vacancy", *COUNTED_FIELDS, "notes", "stage"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if ballot_fixed(obj):
            return ["slug", *COUNTED_FIELDS, "stage"]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if ballot_fixed(obj) else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        before = Contest.objects.filter(pk=obj.pk).first() if change else None
        if before is not None and ballot_fixed(before):
            for name in COUNTED_FIELDS:  # a forged form cannot reach them either
                setattr(obj, name, getattr(before, name))
        super().save_model(request, obj, form, change)
        if before is None:
            # as on the site's set-up page: whoever creates a contest runs it
            people.appoint(obj, request.user.get_username(), Role.RETURNING_OFFICER,
                           by=request.user, check=False)
            return
        changed = [f for f in ("title", "office", "vacancy", *COUNTED_FIELDS)
                   if getattr(before, f) != getattr(obj, f)]
        if changed:
            detail = {"changed": changed}
            if "rule_book" in changed:
                detail.update(rule_book_sha256_before=_sha(before.rule_book),
                              rule_book_sha256_after=_sha(obj.rule_book))
            _audit(request, obj, "edit contest in admin", detail)

    def save_formset(self, request, form, formset, change):
        contest = form.instance
        olds = {c.pk: c for c in Candidate.objects.filter(contest=contest)} if contest.pk else {}
        instances = formset.save(commit=False)
        fixed = ballot_fixed(Contest.objects.filter(pk=contest.pk).first())
        if fixed and (formset.deleted_objects or any(c.pk is None for c in instances)):
            raise PermissionError("the ballot is fixed: candidates cannot be added or removed")
        for cand in instances:
            old = olds.get(cand.pk)
            if fixed and old is not None:
                cand.name, cand.slug = old.name, old.slug  # read-only once fixed
            cand.save()
            if old is None:
                _audit(request, contest, "add candidate in admin", {"candidate": cand.name})
            elif (old.name, old.slug) != (cand.name, cand.slug):
                _audit(request, contest, "edit candidate in admin",
                       {"candidate": old.name, "name": [old.name, cand.name],
                        "slug": [old.slug, cand.slug]})
        for cand in formset.deleted_objects:
            _audit(request, contest, "remove candidate in admin", {"candidate": cand.name})
            cand.delete()
        formset.save_m2m()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "contest", "actor_name", "action", "from_stage", "to_stage", "reason"]
    list_filter = ["contest", "action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
