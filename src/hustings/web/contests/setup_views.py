"""Setting a contest up on the site, as a short guided sequence:

1. ``new_contest``: the rule book (a preset or an uploaded ``election.toml``), the title,
   the office. The creator becomes the contest's returning officer.
2. ``setup``: one page listing what the rule book gives (sections, method, threshold) and
   the steps left: candidates (add, rename, withdraw until the ballot is fixed), the roll
   of nominators (``bodies``: a CSV import), the dates, the people (``people``).

``new_election`` makes an election of several contests from an election preset
(``presets/elections/``: leader, deputy and London in 2015), each contest then set up as
above; the work is ``setup_election.create_election``.

Thin: the work and the audit entries are in ``contests.setup``, ``contests.people`` and
``nominations.bodyimport``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hustings.rulebook import preset_names
from hustings.web import uploads
from hustings.web.contests import people, setup
from hustings.web.contests.access import Action, can, can_create_contest, login_or_403, officer_page
from hustings.web.contests.election_presets import election_preset_names, load_preset
from hustings.web.contests.models import Appointment, Office, Role
from hustings.web.contests.setup_election import create_election
from hustings.web.errors import PlatformError

MAX_UPLOAD = 2 * 1024 * 1024


class NewContestForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="As it will appear on every page.")
    slug = forms.SlugField(
        label="Short name",
        max_length=50,
        required=False,
        help_text="For web addresses, e.g. leader-2026; made from the title when empty.",
    )
    office = forms.ChoiceField(choices=Office.choices)
    seats = forms.IntegerField(min_value=1, max_value=99, initial=1)
    vacancy = forms.BooleanField(
        required=False, initial=True, label="A vacancy (untick for a challenge to a sitting holder)"
    )
    preset = forms.ChoiceField(
        label="Rule book",
        required=False,
        help_text="A packaged rule book; or upload your own election.toml below.",
    )
    rule_book_file = forms.FileField(
        label="Or upload election.toml",
        required=False,
        help_text="Its [count], [[sections]] and [nominations] tables are checked before "
        "anything is saved.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(p, p) for p in preset_names()]


class NewElectionForm(forms.Form):
    preset = forms.ChoiceField(label="Election preset")
    title = forms.CharField(max_length=200, required=False,
                            help_text="As it will appear on every page; the preset's when empty.")
    slug = forms.SlugField(label="Short name", max_length=29,
                           help_text="For web addresses, e.g. leader-2026; each contest's is "
                           "this, a hyphen and the contest's key (leader-2026-deputy).")
    include = forms.MultipleChoiceField(label="Optional contests", required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        presets = [load_preset(n) for n in election_preset_names()]
        self.fields["preset"].choices = [(p.name, f"{p.name}: {p.title}") for p in presets]
        self.fields["include"].choices = sorted({
            (c.key, f"{c.title} (for voters marked {c.eligibility})" if c.eligibility else c.title)
            for p in presets for c in p.contests if c.optional})


class DatesForm(forms.Form):
    nominations_open_on = forms.DateTimeField(required=False, label="Nominations open")
    nominations_close_on = forms.DateTimeField(required=False, label="Nominations close")
    ballot_open_on = forms.DateTimeField(required=False, label="Ballot opens")
    ballot_close_on = forms.DateTimeField(required=False, label="Ballot closes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget = forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )


def new_contest(request):
    denied = login_or_403(request, can_create_contest(request.user))
    if denied:
        return denied
    form = NewContestForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["rule_book_file"]
        text, name = "", "election.toml"
        if upload is not None:
            name = upload.name
            if upload.size > MAX_UPLOAD:
                errors = [f"{name}: {upload.size:,} bytes; expected at most {MAX_UPLOAD:,}"]
            else:
                try:
                    text = upload.read().decode("utf-8")
                except UnicodeDecodeError:
                    errors = [f"{name}: not UTF-8 text; expected a TOML file saved as UTF-8"]
        if not errors:
            try:
                contest = setup.create_contest(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    slug=form.cleaned_data["slug"],
                    office=form.cleaned_data["office"],
                    seats=form.cleaned_data["seats"],
                    vacancy=form.cleaned_data["vacancy"],
                    preset=form.cleaned_data["preset"],
                    rule_book=text,
                    rule_book_name=name,
                )
                messages.success(
                    request, f"Created “{contest.title}”: you are its returning officer."
                )
                return redirect("contest-setup", slug=contest.slug)
            except setup.SetupError as e:
                errors = e.errors
    status = 400 if request.method == "POST" else 200
    return render(
        request, "hustings/setup_new.html", {"form": form, "errors": errors}, status=status
    )


def new_election(request):
    denied = login_or_403(request, can_create_contest(request.user))
    if denied:
        return denied
    form = NewElectionForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            election = create_election(
                by=request.user, preset=form.cleaned_data["preset"],
                slug=form.cleaned_data["slug"], title=form.cleaned_data["title"],
                include=form.cleaned_data["include"])
            messages.success(request, f"Created “{election.title}” with "
                             f"{election.contests.count()} contests: you are the returning "
                             "officer of each. Set each one up (candidates, dates, people); "
                             "the roll is imported once, from any of them.")
            return redirect("election-detail", slug=election.slug)
        except setup.SetupError as e:
            errors = e.errors
    status = 400 if request.method == "POST" else 200
    return render(request, "hustings/setup_new_election.html",
                  {"form": form, "errors": errors}, status=status)


def setup_page(request, slug):
    contest, denied = officer_page(request, slug, Action.VIEW)
    if denied:
        return denied
    bodies = dict(
        contest.bodies.values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    summary = setup.rule_book_summary(contest)
    initial = {n: getattr(contest, n) for n in DatesForm.base_fields}
    return render(
        request,
        "hustings/setup.html",
        {
            "contest": contest,
            "summary": summary,
            "candidates": contest.candidates.select_related("user"),
            "bodies": [(k, bodies.get(k, 0)) for k in summary.get("body_types", [])],
            "body_total": sum(bodies.values()),
            "dates": DatesForm(initial=initial),
            "people": contest.appointments.select_related("user"),
            "editable": contest.stage in setup.EDITABLE,
            "may_edit": can(request.user, contest, Action.EDIT),
        },
    )


def _edit_or_denied(request, slug):
    contest, denied = officer_page(request, slug, Action.EDIT)
    return contest, denied


@require_POST
def candidates(request, slug):
    """POST action=add (name), rename (candidate, name), account (candidate, username) or
    withdraw (candidate)."""
    contest, denied = _edit_or_denied(request, slug)
    if denied:
        return denied
    action = request.POST.get("action", "")
    cand = None
    if action in ("rename", "withdraw", "account"):
        cand = contest.candidates.filter(pk=request.POST.get("candidate") or 0).first()
        if cand is None:
            raise Http404("no such candidate")
    try:
        if action == "add":
            c = setup.add_candidate(contest, request.POST.get("name", ""), by=request.user)
            messages.success(request, f"Added {c.name}.")
        elif action == "rename":
            old = cand.name
            setup.rename_candidate(cand, request.POST.get("name", ""), by=request.user)
            messages.success(request, f"{old} is now {cand.name}.")
        elif action == "account":
            setup.link_account(cand, request.POST.get("username", ""), by=request.user)
            messages.success(request, f"{cand.name}'s account: {cand.user or 'none'}.")
        elif action == "withdraw":
            setup.withdraw_candidate(cand, by=request.user)
            messages.success(request, f"{cand.name} has withdrawn.")
        else:
            messages.error(
                request, f"unknown action {action!r}; expected add, rename, account or withdraw"
            )
    except setup.SetupError as e:
        for line in e.errors:
            messages.error(request, line)
    return redirect("contest-setup", slug=contest.slug)


@require_POST
def dates(request, slug):
    contest, denied = _edit_or_denied(request, slug)
    if denied:
        return denied
    form = DatesForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label}: {e}")
    else:
        try:
            setup.set_dates(contest, by=request.user, **form.cleaned_data)
            messages.success(request, "Dates saved.")
        except setup.SetupError as e:
            for line in e.errors:
                messages.error(request, line)
    return redirect("contest-setup", slug=contest.slug)


def bodies(request, slug):
    """Import the roll of nominators from CSV (kind,name,membership)."""
    from hustings.web.nominations.bodyimport import COLUMNS, import_bodies

    contest, denied = _edit_or_denied(request, slug)
    if denied:
        return denied
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        text, errors = uploads.posted_csv(request, MAX_UPLOAD)
        if text is not None:
            try:
                created = import_bodies(contest, text, by=request.user)
                messages.success(request, f"Imported {len(created)} nominating bodies.")
                return redirect("contest-setup", slug=contest.slug)
            except setup.SetupError as e:
                errors = e.errors
        status = 400
    kinds = ", ".join(b.value for b in contest.nomination_rules().body_types)
    return render(
        request,
        "hustings/setup_bodies.html",
        {"contest": contest, "errors": errors, "columns": ",".join(COLUMNS), "kinds": kinds},
        status=status,
    )


def people_page(request, slug):
    """GET: who holds which role; POST action=appoint (username, role[, body]) or remove."""
    contest, denied = officer_page(request, slug, Action.VIEW)
    if denied:
        return denied
    may_appoint = can(request.user, contest, Action.APPOINT)
    if request.method == "POST":
        if not may_appoint:
            raise PermissionDenied("only this contest's returning officer may appoint people")
        try:
            _people_post(request, contest)
        except PlatformError as e:
            messages.error(request, str(e))
        return redirect("contest-people", slug=contest.slug)
    return render(
        request,
        "hustings/people.html",
        {
            "contest": contest,
            "appointments": contest.appointments.select_related("user"),
            "roles": Role.choices,
            "may_appoint": may_appoint,
            "bodies": contest.bodies.order_by("kind", "name") if may_appoint else [],
        },
    )


def _people_post(request, contest):
    action = request.POST.get("action", "")
    if action == "remove":
        a = Appointment.objects.filter(
            contest=contest, pk=request.POST.get("appointment") or 0
        ).first()
        if a is None:
            raise Http404("no such appointment")
        people.remove(a, by=request.user)
        messages.success(
            request, f"{a.user.get_username()} is no longer {a.get_role_display().lower()}."
        )
        return
    if action != "appoint":
        raise setup.SetupError([f"unknown action {action!r}; expected appoint or remove"])
    role = request.POST.get("role", "")
    if role not in Role.values:
        raise setup.SetupError(
            [f"role {role!r} is unknown; expected one of {', '.join(Role.values)}"]
        )
    body = None
    if role == Role.NOMINATOR:
        # A nominator acts for one body on the roll (the MP, the union's officer).
        body = contest.bodies.filter(pk=request.POST.get("body") or 0).first()
        if body is None:
            raise setup.SetupError(
                ["a nominator acts for a nominating body; expected one chosen from the roll"]
            )
    a = people.appoint(contest, request.POST.get("username", ""), role, by=request.user, body=body)
    messages.success(
        request,
        f"{a.user.get_username()} is now {a.get_role_display().lower()}"
        + (f" for {body.name}." if body else "."),
    )
