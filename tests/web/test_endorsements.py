"""Endorsements: CSV import with an error for every bad line, and the timelines.

The stated-preference example is Tom Blenkinsop MP in 2015 ("I am supporting Liz Kendall
and will give her my first preference ... Andy will get my second preference"), from the
shared press file 002.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hustings.web.endorsements.csvimport import parse
from hustings.web.endorsements.models import Endorsement
from hustings.web.errors import EndorsementImportError

from .web_factories import make_contest

HEADER = "endorser,role,body,candidate,date,publication,url,quote,preference\n"
CANDIDATES = ["Andy Burnham", "Yvette Cooper", "Jeremy Corbyn", "Liz Kendall"]


def test_good_lines_parse_with_month_dates_and_preferences():
    text = HEADER + (
        "Tom Blenkinsop,MP for Middlesbrough South and East Cleveland,,Liz Kendall,2015-08,"
        "LabourList,,"
        '"I am supporting Liz Kendall and will give her my first preference.",1\n'
        "Tom Blenkinsop,MP,,andy burnham,2015-08,LabourList,https://example.org/a,,2\n"
    )
    lines, errors = parse(text, CANDIDATES)
    assert errors == []
    assert [
        (ln.candidate, ln.preference, ln.date.isoformat(), ln.date_is_month) for ln in lines
    ] == [
        ("Liz Kendall", 1, "2015-08-01", True),
        ("Andy Burnham", 2, "2015-08-01", True),
    ]


def test_every_bad_line_is_reported_with_its_line_number():
    text = HEADER + (
        "Jon Cruddas,MP,,Liz Kendall,2010-08-25,New Statesman,,,\n"  # line 2: fine
        "Someone,,,Ed Milliband,2010-08-25,Paper,,,\n"  # line 3
        ",,,Liz Kendall,25/08/2010,,ftp://x,,first\n"  # line 4: four problems
        '"Multi\nline",,,Liz Kendall,2010-13-01,Paper,,,\n'  # lines 5-6: starts on 5
        "Too,many,fields,Liz Kendall,2010-08-25,Paper,,,,extra\n"  # line 7
    )
    _, errors = parse(text, CANDIDATES)
    assert errors == [
        (
            "line 3: candidate 'Ed Milliband' is not in this contest; expected one of "
            "Andy Burnham, Yvette Cooper, Jeremy Corbyn, Liz Kendall"
        ),
        "line 4: endorser is empty; expected a value",
        "line 4: publication is empty; expected a value",
        "line 4: date '25/08/2010' is not a date; expected YYYY-MM-DD or YYYY-MM",
        "line 4: url 'ftp://x' is not a web address; expected http(s)://...",
        "line 4: preference 'first' is not a whole number; expected 1, 2, ... or empty",
        "line 5: date '2010-13-01' is not a date; expected YYYY-MM-DD or YYYY-MM",
        "line 7: 10 fields; expected 9",
    ]


@pytest.mark.parametrize(
    "text, error",
    [
        (
            "",
            "line 1: the file is empty; expected a header line: endorser,role,body,candidate,date,",
        ),
        (
            "who,whom\nA,B\n",
            "line 1: missing column(s) endorser, candidate, date, publication; "
            "unknown column(s) who, whom;",
        ),
    ],
)
def test_a_bad_header_is_one_error(text, error):
    lines, errors = parse(text, CANDIDATES)
    assert lines == [] and len(errors) == 1 and errors[0].startswith(error)


@pytest.mark.django_db
def test_import_is_all_or_nothing(returning_officer):
    from hustings.web.endorsements.csvimport import import_endorsements

    contest = make_contest(
        slug="leader-2015", preset="labour-2015", candidates=CANDIDATES, stage="nominations_open"
    )
    bad = HEADER + "A,,,Liz Kendall,2015-08-01,P,,,\nB,,,Nobody,2015-08-01,P,,,\n"
    with pytest.raises(EndorsementImportError) as e:
        import_endorsements(contest, bad, by=returning_officer)
    assert e.value.errors[0].startswith("line 3: candidate 'Nobody' is not in this contest")
    assert not Endorsement.objects.exists()
    good = (
        HEADER
        + "Tom Blenkinsop,MP,,Andy Burnham,2015-08,LabourList,,"
        "Andy will get my second preference,2\n"
    )
    (created,) = import_endorsements(contest, good, by=returning_officer)
    assert created.preference_label == "2nd preference"
    assert contest.audit_log.get(action="endorsements imported").detail == {"count": 1}


@pytest.mark.django_db
def test_upload_page_shows_errors_and_then_the_timelines(client_for, returning_officer):
    contest = make_contest(
        slug="leader-2015", preset="labour-2015", candidates=CANDIDATES, stage="nominations_open"
    )
    client = client_for(returning_officer)
    url = reverse("endorsement-import", args=[contest.slug])
    bad = SimpleUploadedFile("e.csv", (HEADER + "A,,,Nobody,2015-08-01,P,,,\n").encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert (
        "line 2: candidate &#x27;Nobody&#x27; is not in this contest" in response.content.decode()
    )
    latin1 = SimpleUploadedFile(
        "e.csv", (HEADER + "Zoë,,,Liz Kendall,2015-08-01,P,,,\n").encode("latin-1")
    )
    assert "not UTF-8 text" in client.post(url, {"file": latin1}).content.decode()
    good = SimpleUploadedFile(
        "e.csv",
        (
            HEADER + "Tom Blenkinsop,MP,,Andy Burnham,2015-08,LabourList,https://labourlist.org/,"
            '"Andy will get my second preference",2\n'
        ).encode(),
    )
    assert client.post(url, {"file": good}).status_code == 302
    timeline = client.get(reverse("endorsements", args=[contest.slug])).content.decode()
    assert (
        "Tom Blenkinsop" in timeline and "2nd preference" in timeline and "August 2015" in timeline
    )
    assert '<a href="https://labourlist.org/" rel="noopener">LabourList</a>' in timeline
    page = client.get(
        reverse("candidate-detail", args=[contest.slug, "andy-burnham"])
    ).content.decode()
    assert "Andy will get my second preference" in page
    other = client.get(
        reverse("candidate-detail", args=[contest.slug, "liz-kendall"])
    ).content.decode()
    assert "Tom Blenkinsop" not in other


def test_the_preference_example_is_what_the_source_says(shared):
    text = (shared / "data/news/002_21225b954913c352.txt").read_text(encoding="utf-8")
    assert "I am supporting Liz Kendall and will give her my first preference" in text
    assert "Andy will get my second preference" in text
