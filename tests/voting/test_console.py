""""Run the ballot" as a checklist, and who may see and do what on the voting officer pages.

Personas, each appointed per contest (``contests.access``): the returning officer, a deputy,
a scrutineer (sees everything, changes nothing), a trustee (opens the box), the returning
officer of *another* contest, a member with no role, and an anonymous visitor."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from conftest import SHARES, add_voters, make_contest
from hustings.web.contests.models import Appointment, AuditEntry, Role
from hustings.web.voting import casting, console
from hustings.web.voting.models import Credential, PaperBatch, Voter

pytestmark = pytest.mark.django_db

ACTIONS = ("roll", "freeze", "exclude", "issue", "letters", "reissue", "remind", "paper",
           "trustees", "open", "close", "publish")


def person(django_user_model, name, contest=None, role=None):
    user = django_user_model.objects.create_user(name, password=f"{name}-pw-2010")
    if role is not None:
        Appointment.objects.create(contest=contest, user=user, role=role)
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def people(omov, django_user_model):
    other = make_contest("other-2015", "labour-2015", ["A B", "C D"])
    return {
        "ro": person(django_user_model, "ro", omov, Role.RETURNING_OFFICER),
        "deputy": person(django_user_model, "deputy", omov, Role.DEPUTY),
        "scrutineer": person(django_user_model, "scrutineer", omov, Role.SCRUTINEER),
        "trustee": person(django_user_model, "trustee", omov, Role.TRUSTEE),
        "other_ro": person(django_user_model, "other-ro", other, Role.RETURNING_OFFICER),
        "member": person(django_user_model, "member"),
    }


def as_(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def manage(omov) -> str:
    return f"/contests/{omov.slug}/voting/"


def box(omov) -> str:
    return f"/contests/{omov.slug}/voting/open-box/"


# -- personas -------------------------------------------------------------------------


def test_who_may_read_run_the_ballot_and_the_box_page(omov, omov_codes, people):
    for name in ("ro", "deputy", "scrutineer", "trustee"):
        assert as_(people[name]).get(manage(omov)).status_code == 200, name
        assert as_(people[name]).get(box(omov)).status_code == 200, name
    for name in ("other_ro", "member"):
        assert as_(people[name]).get(manage(omov)).status_code == 403, name
        assert as_(people[name]).get(box(omov)).status_code == 403, name
    assert as_(None).get(manage(omov)).status_code == 302  # to sign in
    assert as_(None).get(box(omov)).status_code == 302


def test_the_scrutineer_sees_the_figures_but_no_button(omov, omov_codes, people):
    page = as_(people["scrutineer"]).get(manage(omov)).content.decode()
    assert 'data-testid="read-only"' in page
    assert 'name="action"' not in page and 'method="post"' not in page.split("Sign out")[1]
    assert "L001" in page and 'data-testid="turnout"' in page  # the roll and the turnout
    officer_page = as_(people["ro"]).get(manage(omov)).content.decode()
    assert 'value="close"' in officer_page and 'data-testid="read-only"' not in officer_page


@pytest.mark.parametrize("who", ["scrutineer", "trustee", "other_ro", "member"])
def test_no_action_is_open_to_those_who_may_not_run_the_ballot(omov, omov_codes, people, who):
    before = (omov.stage, Voter.objects.count(), Credential.objects.count(),
              PaperBatch.objects.count(), AuditEntry.objects.count())
    c = as_(people[who])
    for action in ACTIONS:
        r = c.post(manage(omov), {"action": action, "reference": "L001", "reason": "x",
                                  "label": "B1", "section": "All voters"})
        assert r.status_code == 403, (who, action)
    omov.refresh_from_db()
    assert (omov.stage, Voter.objects.count(), Credential.objects.count(),
            PaperBatch.objects.count(), AuditEntry.objects.count()) == before


def test_paper_keying_is_refused_to_a_scrutineer_and_another_officer(omov, omov_codes, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for who in ("scrutineer", "other_ro"):
        batch = SimpleUploadedFile("b.csv", b"reference,pref1\nL001,Liz Kendall\n", "text/csv")
        r = as_(people[who]).post(manage(omov), {"action": "paper", "label": "B1",
                                                 "section": "All voters", "batch": batch})
        assert r.status_code == 403
    batch = SimpleUploadedFile("b.csv", b"reference,pref1\nL001,Liz Kendall\n", "text/csv")
    r = as_(people["deputy"]).post(manage(omov), {"action": "paper", "label": "B1",
                                                  "section": "All voters", "batch": batch})
    assert r.status_code == 302 and PaperBatch.objects.get().label == "B1"


def test_the_box_is_opened_by_a_trustee_or_the_officer_never_a_scrutineer(omov, omov_codes, people,
                                                                          tasks_at_once):
    casting.cast(omov, casting.check_code(omov, omov_codes["L001"]).voter, "All voters",
                 ["Liz Kendall"])
    omov.close_ballot(by=people["ro"])
    share = SHARES[omov.slug][0]
    for who in ("scrutineer", "other_ro", "member"):
        assert as_(people[who]).post(box(omov), {"share-1": share}).status_code == 403
    page = as_(people["scrutineer"]).get(box(omov)).content.decode()
    assert 'data-testid="read-only"' in page and "<textarea" not in page
    r = as_(people["trustee"]).post(box(omov), {"share-1": share})
    assert r.status_code == 302
    omov.refresh_from_db()
    assert omov.stage == "ballot_closed"  # a trustee opens the box; the officer counts
    r = as_(people["ro"]).post(manage(omov), {"action": "close"})
    omov.refresh_from_db()
    assert omov.stage == "counted"
    # the checklist leads to the preview, which the scrutineer may read and others may not
    page = as_(people["scrutineer"]).get(manage(omov)).content.decode()
    assert 'data-testid="preview-link"' in page
    results = f"/contests/{omov.slug}/results/"
    assert as_(people["scrutineer"]).get(results).status_code == 200
    assert as_(people["other_ro"]).get(results).status_code == 404


def test_a_global_officer_is_refused_once_the_contest_has_its_own(omov, omov_codes, officer,
                                                                  people):
    assert as_(officer).get(manage(omov)).status_code == 403
    assert as_(officer).post(manage(omov), {"action": "close"}).status_code == 403


# -- the checklist --------------------------------------------------------------------


def test_checklist_says_what_is_done_and_what_is_next(db, django_user_model):
    contest = make_contest("fresh-2015", "labour-2015", ["A B", "C D"], stage="nominations_closed",
                           trustees=None)
    ro = person(django_user_model, "ro2", contest, Role.RETURNING_OFFICER)
    page = as_(ro).get(f"/contests/{contest.slug}/voting/").content.decode()
    assert re.search(r'Next: <strong>Name the trustees of the ballot box</strong>', page)
    assert 'value="trustees"' in page and 'value="roll"' in page
    assert 'value="issue"' not in page and 'value="publish"' not in page  # not yet
    assert 'value="paper"' not in page  # paper is keyed only while the ballot is open or closed
    assert "Confirm: open the ballot" in page  # the next stage, behind its confirmation
    # 'Your vote is secret' is the voter's footer, not the officer's; the site's navigation is
    assert "Your vote is secret" not in page and 'aria-label="Contest"' in page


def test_only_the_steps_of_the_stage_are_offered(omov, omov_codes, people):
    page = as_(people["ro"]).get(manage(omov)).content.decode()
    assert 'value="close"' in page and 'value="remind"' in page and 'value="paper"' in page
    assert 'value="open"' not in page and 'value="publish"' not in page
    assert 'value="trustees"' not in page  # named before the ballot opened
    assert 'value="roll"' not in page  # the roll is fixed once the ballot is open
    from hustings.web.contests.models import Contest

    Contest.objects.filter(pk=omov.pk).update(stage="published")
    page = as_(people["ro"]).get(manage(omov)).content.decode()
    assert 'name="action"' not in page
    assert "The result is published" in page


def test_closing_names_its_consequence_in_figures(omov, omov_codes, people):
    casting.cast(omov, casting.check_code(omov, omov_codes["L002"]).voter, "All voters",
                 ["Jeremy Corbyn"])
    page = as_(people["ro"]).get(manage(omov)).content.decode()
    assert ('<p data-testid="consequence-close">Close the ballot: 1 of 5 voted; no more ballots '
            "will be accepted") in page
    assert '<details class="confirm"><summary>Close the ballot…</summary>' in page


def test_consequences_count_with_thousands_separators():
    figures = {"voters": 5000, "without_code": 5000, "eligible": 5000, "voted": 4212}
    text = console.consequences(figures, "ballot_open")
    assert text["close"].startswith("Close the ballot: 4,212 of 5,000 voted; no more ballots "
                                    "will be accepted")
    assert text["freeze"].startswith("Freeze the roll: 5,000 voters.")


def _frozen(django_user_model, n=3, emails=False):
    from hustings.web.voting import roll

    contest = make_contest("codes-2015", "labour-2015", ["A B", "C D"], stage="nominations_closed")
    ro = person(django_user_model, "ro3", contest, Role.RETURNING_OFFICER)
    rows = "".join(f"R{i:03d},Voter {i},{f'r{i}@example.org' if emails and i == 1 else ''},"
                   f"{i} High St,All voters\n" for i in range(1, n + 1))
    roll.import_roll(contest, "reference,name,email,postal_address,sections\n" + rows)
    roll.freeze(contest)
    return contest, ro


def test_issuing_codes_twice_explains_itself_instead_of_an_empty_file(db, django_user_model):
    contest, ro = _frozen(django_user_model)
    c = as_(ro)
    url = f"/contests/{contest.slug}/voting/"
    first = c.post(url, {"action": "issue"})
    assert first["Content-Type"].startswith("text/csv")
    assert len(first.content.decode().splitlines()) == 4  # the header and three letters
    second = c.post(url, {"action": "issue"}, follow=True)
    assert second["Content-Type"].startswith("text/html")
    page = second.content.decode()
    assert "Every voter on the roll already has a security code (3 issued), so no new codes " \
           "were issued and no file was made." in page
    assert 'data-testid="codes-all-issued"' in page and 'value="issue"' not in page
    again = c.post(url, {"action": "letters"})
    lines = b"".join(again.streaming_content).decode().splitlines()
    assert lines[0] == "reference,name,postal_address,security_code,link" and len(lines) == 4


def test_a_replaced_code_is_audited_with_its_officer_and_counted(db, django_user_model):
    contest, ro = _frozen(django_user_model)
    c = as_(ro)
    url = f"/contests/{contest.slug}/voting/"
    c.post(url, {"action": "issue"})
    r = c.post(url, {"action": "reissue", "reference": "R002"})
    rows = r.content.decode().splitlines()
    assert rows[0] == "reference,name,postal_address,security_code"
    assert rows[1].startswith("R002,Voter 2,2 High St,")
    entry = AuditEntry.objects.get(contest=contest, action="reissue security code")
    assert entry.actor == ro and entry.actor_name == "ro3" and entry.detail == {"reference": "R002"}
    page = c.get(url).content.decode()
    assert re.search(r"Replaced \(lost codes\)</th><td>1<", page)
    assert re.search(r"Issued</th><td>3<", page)
    assert re.search(r"Bounced</th><td>not recorded<", page)


def test_the_roll_is_searched_filtered_and_paged_on_the_server(db, django_user_model):
    contest = make_contest("roll-2010", "labour-2010",
                           ["Diane Abbott", "Ed Balls"], stage="ballot_open")
    ro = person(django_user_model, "ro4", contest, Role.RETURNING_OFFICER)
    sections = ["Members", "MPs and MEPs", "Affiliates"]
    codes = add_voters(contest, [(f"V{i:03d}", [sections[i % 3]]) for i in range(120)])
    casting.cast(contest, casting.check_code(contest, codes["V003"]).voter, "Members", ["Ed Balls"])
    c = as_(ro)
    url = f"/contests/{contest.slug}/voting/"
    page = c.get(url).content.decode()
    assert "120 voters; page 1 of 3." in page
    assert "V000" in page and "V049" in page and "V050" not in page  # 50 a page
    page = c.get(url, {"page": 3}).content.decode()
    assert "V119" in page and "V069" not in page
    page = c.get(url, {"section": "MPs and MEPs"}).content.decode()
    assert "40 voters match, page 1 of 1." not in page and "40 voters match." in page
    page = c.get(url, {"voted": "yes"}).content.decode()
    assert "1 voter matches." in page and "<td>V003</td>" in page
    page = c.get(url, {"q": "V11", "code": "issued"}).content.decode()
    assert "10 voters match." in page
    page = c.get(url, {"code": "none"}).content.decode()
    assert "0 voters match." in page
    # turnout per section, as it happens: one of the 40 members
    assert re.search(r"<th scope=\"row\">Members</th><td>40</td><td>1</td><td>2.5%</td>", page)
    # the page's links keep the filters
    page = c.get(url, {"section": "Members"}).content.decode()
    assert "40 voters match." in page
    page = c.get(url, {"q": "V", "page": 2}).content.decode()
    assert 'href="?q=V&amp;page=3#roll-h"' in page


def test_sqlite_section_filter_does_not_match_a_longer_name():
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the jsonb containment is exact by itself")
    assert console.in_section("MP").children == [("sections__icontains", '"MP"')]


# -- design and CSP -------------------------------------------------------------------


def test_style_src_allows_no_inline_style_and_no_template_needs_one(client):
    from pathlib import Path

    r = client.get("/")
    policy = dict((d.split()[0], d.split()[1:])
                  for d in r["Content-Security-Policy"].split(";") if d.strip())
    assert policy["style-src"] == ["'self'"]
    src = Path(__file__).resolve().parents[2] / "src" / "hustings" / "web"
    bad = [str(p) for p in src.glob("**/templates/**/*.html")
           if re.search(r"<style|\sstyle=", p.read_text(encoding="utf-8"))]
    assert bad == []


def test_codes_that_all_go_by_email_download_no_empty_file(db, django_user_model):
    contest, ro = _frozen(django_user_model, n=1, emails=True)
    r = as_(ro).post(f"/contests/{contest.slug}/voting/", {"action": "issue"}, follow=True)
    assert r["Content-Type"].startswith("text/html")
    assert "Issued 1 codes by email (queued); no voter needs a printed letter" in r.content.decode()
    assert Credential.objects.filter(voter__election=contest.election).count() == 1
