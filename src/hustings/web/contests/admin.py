"""Django admin for staff: elections (their contests inline: place on the ballot and roll
mark), contests (stage read-only: it moves only through the lifecycle methods), candidates,
and the audit log (read-only).

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
from hustings.web.contests.election_presets import MARK
from hustings.web.contests.elections import Election
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
# Which election's roll the contest serves, where it comes on that ballot, and to whom it
# is open: fixed with the ballot here (the election's page may still move it, within
# ``setup_election.change_contest``'s limits).
ELECTION_FIELDS = ("election", "ballot_order", "eligibility")
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
            *ELECTION_FIELDS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ELECTION_FIELDS:  # left out: a contest alone, first on its ballot, open to all
            self.fields[name].required = False
        self.fields["election"].help_text = (
            "Blank: an election of its own (its roll serves this contest only).")
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
        self._clean_election(data)
        return data

    def _clean_election(self, data: dict) -> None:
        mark = (data.get("eligibility") or "").strip().lower()
        if mark and not MARK.match(mark):
            self.add_error("eligibility", f"{mark!r} is not a roll mark; expected lower-case "
                           "letters, digits, - or _ (e.g. london), or blank for every voter")
        data["eligibility"] = mark
        if data.get("ballot_order") is None:
            data["ballot_order"] = self.instance.ballot_order or 0
        current = self.instance.election if self.instance.election_id else None
        chosen = data.get("election") or current  # left blank: stays where it is
        data["election"] = chosen
        if current is not None and chosen != current and _has_roll(current, chosen):
            self.add_error("election", "a roll is imported for this contest's election or the "
                           "chosen one; expected the contest to stay on the roll it serves")


def _has_roll(*elections: Election) -> bool:
    """Is a roll imported for any of these elections? (Voting builds on contests, so it is
    asked lazily here, as ``views._turnout`` asks for turnout.)"""
    from hustings.web.voting.models import Voter

    return Voter.objects.filter(election__in=[e for e in elections if e is not None]).exists()


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
            return ["slug", "title", "office", "vacancy", *COUNTED_FIELDS, *ELECTION_FIELDS,
                    "notes", "stage"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if ballot_fixed(obj):
            return ["slug", *COUNTED_FIELDS, *ELECTION_FIELDS, "stage"]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if ballot_fixed(obj) else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        before = Contest.objects.filter(pk=obj.pk).first() if change else None
        if before is not None and ballot_fixed(before):
            for name in (*COUNTED_FIELDS, *ELECTION_FIELDS):  # nor can a forged form
                setattr(obj, name, getattr(before, name))
        super().save_model(request, obj, form, change)
        if before is None:
            # as on the site's set-up page: whoever creates a contest runs it
            people.appoint(obj, request.user.get_username(), Role.RETURNING_OFFICER,
                           by=request.user, check=False)
            return
        changed = [f for f in ("title", "office", "vacancy", *COUNTED_FIELDS, *ELECTION_FIELDS)
                   if getattr(before, f) != getattr(obj, f)]
        if changed:
            detail: dict = {"changed": changed}
            for f in set(changed) & {"ballot_order", "eligibility"}:
                detail[f] = [getattr(before, f), getattr(obj, f)]
            if "election" in changed:
                detail["election"] = [before.election.slug, obj.election.slug]
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


class ElectionContestInline(admin.TabularInline):
    """An election's contests, in ballot order: their place on the ballot and the roll mark
    they need are changed here (``setup_election.change_contest``: audited, and refused once
    voters hold the ballot or the roll is frozen). Contests join an election from the
    contest's page or a preset (``hustings election create``), never by a blank row here."""

    model = Contest
    fields = ["slug", "title", "office", "stage", "ballot_order", "eligibility"]
    readonly_fields = ["slug", "title", "office", "stage"]
    ordering = ["ballot_order", "created_at"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "contest_count", "created_at"]
    inlines = [ElectionContestInline]

    @admin.display(description="contests")
    def contest_count(self, obj: Election) -> int:
        return obj.contests.count()

    def get_readonly_fields(self, request, obj=None):
        # the voters' links and the mail name the election by its slug
        return ["slug", "created_at"] if obj is not None else ["created_at"]

    def save_formset(self, request, form, formset, change):
        from hustings.web.contests.setup_election import change_contest
        from hustings.web.errors import SetupError

        frozen = _roll_frozen(form.instance)
        formset.save(commit=False)  # writes nothing; the admin's change message reads it
        for f in formset.forms:
            if not f.has_changed() or f.instance.pk is None:
                continue
            try:
                change_contest(Contest.objects.get(pk=f.instance.pk), by=request.user,
                               ballot_order=f.cleaned_data.get("ballot_order"),
                               eligibility=f.cleaned_data.get("eligibility") or "",
                               roll_frozen=frozen)
            except SetupError as e:
                self.message_user(request, str(e), level="error")


def _roll_frozen(election: Election) -> bool:
    """Is the election's roll frozen? (Asked of voting lazily, as ``_has_roll``.)"""
    from hustings.web.voting.models import VotingSetup

    return VotingSetup.objects.filter(contest__election=election,
                                      roll_frozen_at__isnull=False).exists()


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
