"""Issue 10, findings 4, 8 and 9 (officer side): a reissue is audited and stage-bound;
uploads too big or not UTF-8 are refused with a message, not a 500; a roll cell over
128 KiB is a roll error; the letters CSV cannot carry a formula."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hustings.web import uploads
from hustings.web.contests.models import AuditEntry, Contest
from hustings.web.voting import casting, credentials, roll
from hustings.web.voting.errors import NotOpen, RollError
from hustings.web.voting.models import Voter

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[0-9A-Z]{8}(?:-[0-9A-Z]{5}){4}")
HEADER = "reference,name,email,postal_address,sections\n"


def test_a_reissue_is_audited_without_the_code(omov, omov_codes, officer):
    code = credentials.reissue(omov, "L003", by=officer)
    entry = AuditEntry.objects.get(contest=omov, action="reissue security code")
    assert entry.actor == officer and entry.detail == {"reference": "L003"}
    stored = f"{entry.reason} {entry.detail} {entry.actor_name} {entry.action}"
    assert code not in stored and code.split("-", 1)[1] not in stored
    assert casting.check_code(omov, code).voter.reference == "L003"


@pytest.mark.parametrize("stage", ["ballot_closed", "counted", "published"])
def test_no_reissue_after_the_close(omov, omov_codes, officer, stage):
    Contest.objects.filter(pk=omov.pk).update(stage=stage)
    with pytest.raises(NotOpen, match="the ballot has closed: "
                                      "a security code can no longer be reissued"):
        credentials.reissue(omov, "L003", by=officer)
    assert not AuditEntry.objects.filter(contest=omov, action="reissue security code").exists()
    assert casting.check_code(omov, omov_codes["L003"])  # the old code is untouched


def test_the_officer_page_refuses_a_reissue_after_the_close(omov, omov_codes, officer, client):
    Contest.objects.filter(pk=omov.pk).update(stage="ballot_closed")
    client.force_login(officer)
    r = client.post(f"/contests/{omov.slug}/voting/", {"action": "reissue", "reference": "L003"},
                    follow=True)
    assert r.status_code == 200
    assert "the ballot has closed: a security code can no longer be reissued" in r.content.decode()


def _upload(client, contest, name: str, data: bytes):
    return client.post(f"/contests/{contest.slug}/voting/",
                       {"action": "roll", "roll": SimpleUploadedFile(name, data)}, follow=True)


def test_a_roll_that_is_not_utf8_gets_a_message_not_a_500(omov, officer):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    latin1 = (HEADER + "L1,Zoë Example,zoe@example.org,,Member\n").encode("latin-1")
    r = _upload(client, omov, "roll.csv", latin1)
    assert r.status_code == 200
    assert ("roll.csv, line 2: byte 0xeb is not UTF-8 text; save the file as &quot;CSV "
            "UTF-8&quot; and upload it again; nothing was imported") in r.content.decode()
    assert Voter.objects.count() == 0


def test_an_upload_over_its_limit_is_skipped_with_a_message(omov, officer, settings):
    settings.HUSTINGS_ROLL_MAX_BYTES = 1024
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    big = (HEADER + "".join(f"L{i},N {i},n{i}@example.org,,Member\n" for i in range(200))).encode()
    r = _upload(client, omov, "big.csv", big)
    assert r.status_code == 200
    assert "big.csv: the file is over 1,024 bytes, the limit for this upload" in r.content.decode()
    assert Voter.objects.count() == 0


def test_a_roll_cell_over_128_kib_is_a_roll_error(omov, officer):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    wide = HEADER + "L1," + "x" * 140_000 + ",a@b.org,,Member\n"
    r = _upload(client, omov, "wide.csv", wide.encode())
    assert r.status_code == 200
    assert ("wide.csv, line 2: field larger than field limit (131072); expected CSV text with "
            "cells under 128 KiB") in r.content.decode()


def test_read_text_is_the_helper_other_uploads_call():
    assert uploads.read_text(SimpleUploadedFile("a.csv", "\ufeffé,1\n".encode())) == "é,1\n"
    with pytest.raises(uploads.UploadError, match=r"^b.csv, line 1: byte 0xff is not UTF-8"):
        uploads.read_text(SimpleUploadedFile("b.csv", b"\xff\n"))
    with pytest.raises(uploads.UploadError, match=r"^c.csv: the file is over 10 bytes"):
        uploads.read_text(SimpleUploadedFile("c.csv", b"x" * 100), limit=10)
    with pytest.raises(RollError, match=r"d.csv, line 1: byte 0xe9"):
        from hustings.web.voting.rollfile import roll_text

        roll_text(SimpleUploadedFile("d.csv", "é".encode("latin-1")))


def test_the_letters_csv_carries_no_formula(omov):
    roll.import_roll(omov, HEADER + '1,"=HYPERLINK(""http://x"",""y"")",,"@SUM(A1)",Member\n'
                     '2,+Ann,,-1 High St,Member\n')
    roll.freeze(omov)
    _, letters = credentials.issue_all(omov)
    rows = list(csv.reader(io.StringIO(letters)))
    cells = [c for row in rows[1:] for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert rows[1][1] == "'=HYPERLINK(\"http://x\",\"y\")" and rows[1][2] == "'@SUM(A1)"
    assert rows[2][1:3] == ["'+Ann", "'-1 High St"]
    assert CODE.fullmatch(rows[1][3])
    one = list(csv.reader(io.StringIO(credentials.reissue_letter(omov, "1"))))
    assert one[1][1].startswith("'=")
