"""The demonstration contest against its sources: the June 2010 IBTimes table (shared press
file 004) and the endorsements' quotes (files 000-004)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from hustings.web import demo
from hustings.web.contests.models import AuditEntry, Contest, Stage
from hustings.web.endorsements.models import Endorsement
from hustings.web.nominations.models import NominatingBody, Nomination
from hustings.web.nominations.services import nominations_table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_share_in_tmp(settings, tmp_path):
    """load_demo writes its trustee's share: here, not into the working tree."""
    settings.HUSTINGS_DEMO_SHARE_FILE = str(tmp_path / "demo-trustee-share.txt")

TABLE_FILE = "data/news/004_3c1ac521de2cef32.txt"


def published_table(shared):
    """{row: {"MPs": n, "CLPs": n, ...}} parsed from the article's list."""
    rows, current = {}, None
    for line in (shared / TABLE_FILE).read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"(MPs|CLPs|MEPs|TUs|SSs): (\d+)", line.strip())
        if m and current:
            rows[current][m[1]] = int(m[2])
        elif line.strip() in demo.SUPPORT or line.strip() == "Yet to declare":
            current = line.strip()
            rows[current] = {}
    return rows


def test_the_demo_table_is_the_published_one(shared):
    contest = demo.load_demo()
    printed = published_table(shared)
    assert set(printed) == {*demo.SUPPORT, "Yet to declare"}
    table = nominations_table(contest)
    columns = [b.column for b in table.columns]
    assert columns == ["MPs", "CLPs", "MEPs", "TUs", "SSs"]
    for row in table.rows:
        assert dict(zip(columns, row.counts)) == printed[row.label], row.label
    ours = dict(zip(columns, table.yet_to_declare.counts))
    # Every figure but one matches. The paper printed 0 MPs yet to declare, but its own MP
    # column adds to 243 of Labour's 257 MPs; we compute 14 from the roll and say so.
    assert {k: v for k, v in ours.items() if k != "MPs"} == {
        k: v for k, v in printed["Yet to declare"].items() if k != "MPs"
    }
    assert printed["Yet to declare"]["MPs"] == 0
    assert sum(printed[c]["MPs"] for c in demo.SUPPORT) == 243
    assert ours["MPs"] == 257 - 243 == 14
    assert "243 of Labour’s 257 MPs" in contest.notes and "placeholder names" in contest.notes


def test_the_final_mp_figures_put_all_five_on_the_ballot():
    contest = demo.load_demo()
    staff = demo.STAFF_USERNAME
    from django.contrib.auth import get_user_model

    contest.close_nominations(by=get_user_model().objects.get(username=staff))
    assert {c.name: c.qualification.split(" (")[0] for c in contest.candidates.all()} == {
        "Diane Abbott": "33 of 257 MPs = 12.84% ≥ 12.5%",
        "Ed Balls": "33 of 257 MPs = 12.84% ≥ 12.5%",
        "Andy Burnham": "33 of 257 MPs = 12.84% ≥ 12.5%",
        "David Miliband": "81 of 257 MPs = 31.51% ≥ 12.5%",
        "Ed Miliband": "63 of 257 MPs = 24.51% ≥ 12.5%",
    }


def test_loading_twice_changes_nothing():
    demo.load_demo()
    counts = (
        Contest.objects.count(),
        NominatingBody.objects.count(),
        Nomination.objects.count(),
        Endorsement.objects.count(),
        AuditEntry.objects.count(),
    )
    demo.load_demo()
    assert counts == (
        Contest.objects.count(),
        NominatingBody.objects.count(),
        Nomination.objects.count(),
        Endorsement.objects.count(),
        AuditEntry.objects.count(),
    )
    # the 2010 contest's own (the 2015-style election beside it: tests/web/test_elections_demo)
    contest = Contest.objects.get(slug=demo.SLUG)
    assert (
        NominatingBody.objects.filter(contest=contest).count(),
        Nomination.objects.filter(body__contest=contest).count(),
        Endorsement.objects.filter(contest=contest).count(),
    ) == (257 + 635 + 13 + 14 + 15, 243 + 63 + 10 + 2, len(demo.ENDORSEMENTS))
    assert counts[0] == 1 + 3
    assert contest.stage == Stage.NOMINATIONS_OPEN


def test_placeholders_are_marked_and_named_bodies_are_sourced(shared):
    demo.load_demo()
    bodies = NominatingBody.objects.filter(contest__slug=demo.SLUG)
    named = bodies.filter(placeholder=False)
    assert set(named.values_list("name", flat=True)) == {name for _, name in demo.NAMED}
    assert bodies.filter(placeholder=True, name__startswith="Placeholder ").count() == 934 - 3
    # the 2015-style election's MPs are all placeholders, and named so
    others = NominatingBody.objects.exclude(contest__slug=demo.SLUG)
    placeholders = others.filter(placeholder=True, name__startswith="Placeholder MP ")
    assert others.count() == placeholders.count()
    source = (shared / TABLE_FILE).read_text(encoding="utf-8")
    assert "backed by Community Union" in source and "(USDAW)" in source
    assert "one Constituency Labour Party (his own)" in source  # Ed Balls's, Morley and Outwood


def _plain(text):
    text = unicodedata.normalize("NFKC", text)
    return re.sub(
        r"\s+", " ", text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    )


def test_demo_quotes_are_verbatim_from_the_sources(shared):
    corpus = _plain(
        " ".join(p.read_text(encoding="utf-8") for p in (shared / "data/news").glob("*.txt"))
    )
    quoted = [e for e in demo.ENDORSEMENTS if e.quote]
    assert quoted
    for e in demo.ENDORSEMENTS:
        assert e.who.split()[-1] in corpus, e.who
        if e.quote:
            assert _plain(e.quote).lower() in corpus.lower(), e.quote  # a capital may start a quote
