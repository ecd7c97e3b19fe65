"""Django admin for staff: contests (rule book editable, stage read-only: it moves only
through the lifecycle methods), candidates, and the audit log (read-only)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin

from hustings.rulebook import RuleBookError, load_nominations, preset_names, preset_text
from hustings.web.contests.models import AuditEntry, Candidate, Contest


def check_rule_book(text: str) -> None:
    """Both halves of the rule book must parse: [nominations] here, the counting tables
    through hustings.config (which reads files, hence the temporary one)."""
    load_nominations(text, "rule book")
    from hustings.config import ConfigError, load_election

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "election.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load_election(path)
        except ConfigError as e:
            raise RuleBookError(str(e).replace(str(path), "rule book")) from None


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
        self.fields["rule_book"].strip = False  # keep the TOML byte for byte, so an untouched one is unchanged
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


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0
    fields = ["name", "slug", "user", "response", "on_ballot", "ballot_position", "qualification"]
    readonly_fields = ["on_ballot", "ballot_position", "qualification"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    form = ContestForm
    list_display = ["title", "slug", "office", "stage", "rule_book_preset"]
    readonly_fields = ["stage"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CandidateInline]


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
