"""The admin's election page: contests inline, their place on the ballot and roll mark
changed through ``setup_election.change_contest`` (audited); who may not; the contest's
own admin page joins it to an election until the ballot is fixed."""

from __future__ import annotations

import pytest

from hustings.web.contests.models import AuditEntry, Contest
from hustings.web.contests.setup_election import create_election

from .web_factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def election():
    return create_election(by=make_person("alice", can_create=True), preset="labour-2015",
                           slug="lab15", include=["london"])


def inline_data(election, **changes):
    contests = list(election.contests.order_by("ballot_order", "created_at"))
    data = {"title": election.title,
            "contests-TOTAL_FORMS": str(len(contests)),
            "contests-INITIAL_FORMS": str(len(contests)),
            "contests-MIN_NUM_FORMS": "0", "contests-MAX_NUM_FORMS": "1000"}
    for i, c in enumerate(contests):
        data.update({f"contests-{i}-id": str(c.pk), f"contests-{i}-election": str(election.pk),
                     f"contests-{i}-ballot_order": str(c.ballot_order),
                     f"contests-{i}-eligibility": c.eligibility})
    data.update(changes)
    return data


def test_superuser_reorders_and_remarks_contests_audited(election, client_for, superuser):
    client = client_for(superuser)
    page = client.get(f"/admin/contests/election/{election.pk}/change/").content.decode()
    assert "Deputy Leader of the Labour Party" in page and 'name="contests-2-eligibility"' in page
    r = client.post(f"/admin/contests/election/{election.pk}/change/",
                    inline_data(election, **{"contests-2-ballot_order": "0",
                                             "contests-0-ballot_order": "2",
                                             "contests-2-eligibility": "greater-london"}))
    assert r.status_code == 302, r.content.decode()[:3000]
    order = [c.slug for c in election.ordered_contests()]
    assert order == ["lab15-london", "lab15-deputy", "lab15-leader"]
    london = Contest.objects.get(slug="lab15-london")
    assert london.eligibility == "greater-london"
    entry = AuditEntry.objects.get(contest=london, action="contest changed on its election")
    assert entry.detail == {"ballot_order": [2, 0], "eligibility": ["london", "greater-london"]}
    assert entry.actor_name == "root"


def test_a_bad_mark_is_reported_and_not_saved(election, client_for, superuser):
    r = client_for(superuser).post(
        f"/admin/contests/election/{election.pk}/change/",
        inline_data(election, **{"contests-2-eligibility": "in london"}), follow=True)
    assert "eligibility &#x27;in london&#x27;; expected a roll mark" in r.content.decode()
    assert Contest.objects.get(slug="lab15-london").eligibility == "london"


def test_people_without_the_admin_right_are_refused(election, client_for, public_visitor):
    officer = make_person("alice")  # the contests' returning officer, not staff
    assert client_for(officer).get("/admin/contests/election/").status_code == 302  # to log in
    assert public_visitor.get(f"/admin/contests/election/{election.pk}/change/").status_code == 302
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("staff", password="staff-pw-123456",
                                                 is_staff=True)
    assert client_for(staff).get("/admin/contests/election/").status_code == 403
    r = client_for(staff).post(f"/admin/contests/election/{election.pk}/change/",
                               inline_data(election, **{"contests-2-eligibility": ""}))
    assert r.status_code == 403
    assert Contest.objects.get(slug="lab15-london").eligibility == "london"


def test_the_contest_admin_joins_an_election_until_the_ballot_is_fixed(
        election, client_for, returning_officer):
    from .test_admin import INLINE, form

    data = {**form().data, **INLINE, "election": str(election.pk), "ballot_order": "3",
            "eligibility": "Scotland"}
    r = client_for(returning_officer).post("/admin/contests/contest/add/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    joined = Contest.objects.get(slug="deputy-2015")
    assert (joined.election, joined.ballot_order, joined.eligibility) == (election, 3, "scotland")
    bad = {**form().data, **INLINE, "slug": "other-2015", "eligibility": "two words"}
    page = client_for(returning_officer).post("/admin/contests/contest/add/", bad).content.decode()
    assert "&#x27;two words&#x27; is not a roll mark" in page
    assert not Contest.objects.filter(slug="other-2015").exists()
