"""Staff edit contests and their rule books in Django's admin; a broken rule book is
refused with the rule-book loader's message; the audit log is read-only there."""

from __future__ import annotations

import pytest

from hustings.rulebook import preset_text
from hustings.web.contests.admin import ContestForm
from hustings.web.contests.models import AuditEntry, Contest

pytestmark = pytest.mark.django_db

INLINE = {
    "candidates-TOTAL_FORMS": "1",
    "candidates-INITIAL_FORMS": "0",
    "candidates-MIN_NUM_FORMS": "0",
    "candidates-MAX_NUM_FORMS": "1000",
    "candidates-0-name": "Harriet Harman",
    "candidates-0-slug": "harriet-harman",
    "candidates-0-response": "pending",
    # the read-only people inline's management form, as the admin page posts it
    "appointments-TOTAL_FORMS": "0",
    "appointments-INITIAL_FORMS": "0",
    "appointments-MIN_NUM_FORMS": "0",
    "appointments-MAX_NUM_FORMS": "1000",
}


def form(rule_book="", preset="labour-2015"):
    return ContestForm(
        data={
            "slug": "deputy-2015",
            "title": "Deputy leadership 2015",
            "office": "deputy",
            "seats": "1",
            "vacancy": "on",
            "rule_book_preset": preset,
            "rule_book": rule_book,
            "notes": "",
        }
    )


def test_an_empty_rule_book_is_filled_from_the_preset(client_for, returning_officer):
    data = {**form().data, **INLINE}
    response = client_for(returning_officer).post("/admin/contests/contest/add/", data)
    assert response.status_code == 302
    contest = Contest.objects.get(slug="deputy-2015")
    assert contest.rule_book == preset_text("labour-2015")
    assert contest.stage == "draft"
    assert contest.nomination_rules().vacancy.label == "15% of the PLP"
    assert contest.candidates.get().name == "Harriet Harman"
    # whoever creates a contest in the admin runs it, as on the set-up page, and it is logged
    appointment = contest.appointments.get()
    assert (appointment.user, appointment.role) == (returning_officer, "returning_officer")
    assert contest.audit_log.filter(action="person appointed").count() == 1


def test_an_edited_rule_book_is_the_contests_own():
    text = preset_text("labour-2015").replace('share = "15%"', 'share = "12.5%"', 1)
    f = form(text)
    assert f.is_valid(), f.errors
    assert f.save().nomination_rules().vacancy.share.numerator == 1  # 1/8


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ('share = "15%"', "share = 0.15"),
            "rule book: nominations.vacancy.share: expected a share as a string such as "
            '"12.5%" or "1/8", got 0.15',
        ),
        (('method = "irv"', 'method = "lottery"'), "lottery"),
        (("[nominations]", "[nominations"), "rule book: not valid TOML"),
    ],
)
def test_a_broken_rule_book_is_refused_with_the_loaders_message(change, message):
    f = form(preset_text("labour-2015").replace(*change, 1))
    assert not f.is_valid()
    assert message in f.errors["rule_book"][0]


def test_the_audit_log_is_read_only_in_the_admin(client_for, returning_officer, contest):
    entry = contest.go_back("draft", by=returning_officer, reason="testing the admin")
    client = client_for(returning_officer)
    page = client.get(f"/admin/contests/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and "testing the admin" in page.content.decode()
    assert (
        client.post(f"/admin/contests/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/contests/auditentry/add/").status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_stage_is_not_editable_in_the_admin(client_for, returning_officer, contest):
    page = (
        client_for(returning_officer)
        .get(f"/admin/contests/contest/{contest.pk}/change/")
        .content.decode()
    )
    assert 'name="stage"' not in page


def test_choosing_another_preset_replaces_an_untouched_rule_book():
    contest = form().save()
    assert contest.nomination_rules().vacancy.label == "15% of the PLP"
    f = ContestForm(
        instance=contest,
        data={**form().data, "rule_book": contest.rule_book, "rule_book_preset": "labour-2020"},
    )
    assert f.is_valid(), f.errors
    assert f.save().rule_book == preset_text("labour-2020")


# -- issue 10: what the count reads is read-only once the ballot is fixed, audited before --

def _change_data(contest, **changes):
    cands = list(contest.candidates.order_by("pk"))
    data = {
        "slug": contest.slug, "title": contest.title, "office": contest.office,
        "seats": str(contest.seats), "vacancy": "on" if contest.vacancy else "",
        "rule_book_preset": contest.rule_book_preset, "rule_book": contest.rule_book,
        "notes": contest.notes,
        "candidates-TOTAL_FORMS": str(len(cands)), "candidates-INITIAL_FORMS": str(len(cands)),
        "candidates-MIN_NUM_FORMS": "0", "candidates-MAX_NUM_FORMS": "1000",
        "appointments-TOTAL_FORMS": "0", "appointments-INITIAL_FORMS": "0",
        "appointments-MIN_NUM_FORMS": "0", "appointments-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(cands):
        data.update({f"candidates-{i}-id": str(c.pk), f"candidates-{i}-contest": str(contest.pk),
                     f"candidates-{i}-name": c.name, f"candidates-{i}-slug": c.slug,
                     f"candidates-{i}-response": c.response})
    data.update(changes)
    return data


def test_before_the_ballot_is_fixed_edits_are_audited(client_for, returning_officer, contest):
    first = contest.candidates.order_by("pk").first()
    text = contest.rule_book.replace("[nominations]", "# edited\n[nominations]", 1)
    r = client_for(returning_officer).post(
        f"/admin/contests/contest/{contest.pk}/change/",
        _change_data(contest, rule_book=text, **{"candidates-0-name": "Dianne Abbot"}))
    assert r.status_code == 302, r.content.decode()[:2000]
    first.refresh_from_db()
    assert first.name == "Dianne Abbot"
    edits = {e.action: e for e in AuditEntry.objects.filter(contest=contest)}
    assert edits["edit contest in admin"].detail["changed"] == ["rule_book"]
    assert edits["edit contest in admin"].actor_name == "ro"
    assert edits["edit candidate in admin"].detail["name"] == ["Diane Abbott", "Dianne Abbot"]


def test_once_the_ballot_is_fixed_names_and_rule_book_are_read_only(client_for, returning_officer):
    from .web_factories import make_contest

    fixed = make_contest(slug="fixed-2010", stage="ballot_open")
    rule_book, names = fixed.rule_book, sorted(fixed.candidates.values_list("name", flat=True))
    client = client_for(returning_officer)
    page = client.get(f"/admin/contests/contest/{fixed.pk}/change/").content.decode()
    assert 'name="rule_book"' not in page and 'name="candidates-0-name"' not in page
    forged = _change_data(fixed, rule_book=rule_book.replace("[nominations]", "#x\n[nominations]"),
                          seats="3", title="Renamed", **{"candidates-0-name": "Someone Else"})
    r = client.post(f"/admin/contests/contest/{fixed.pk}/change/", forged)
    assert r.status_code == 302
    fixed.refresh_from_db()
    assert fixed.rule_book == rule_book and fixed.seats == 1 and fixed.title == "Renamed"
    assert sorted(fixed.candidates.values_list("name", flat=True)) == names
    assert AuditEntry.objects.get(contest=fixed).detail == {"changed": ["title"]}
