"""The demo contest run through to the end, as the README tells a reader to: nominations
close, the roll is frozen, codes issued (letters CSV), the ballot opened, votes cast with
those codes, closed and counted (the demo's officer is the sole trustee: "Close and count"
opens the box with the share the demo wrote), published; then ``hustings verify``
reproduces it, and the trustee's ``verify box`` re-opens the published sealed ballots."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from test_pages import csrf_client, vote

from hustings.cli import main
from hustings.web.voting.models import PublishedFile

pytestmark = pytest.mark.django_db


def test_demo_contest_runs_to_a_verified_result(client, tmp_path, settings):
    from django.contrib.auth import get_user_model

    from hustings.web import demo
    from hustings.web.voting import demo as voting_demo

    share = tmp_path / "share" / "demo-trustee-share.txt"
    settings.HUSTINGS_DEMO_SHARE_FILE = str(share)  # as `hustings demo` sets it
    contest = demo.load_demo()
    assert voting_demo.share_path() == share and share.stat().st_mode & 0o077 == 0
    assert share.read_text().startswith("hustings trustee share 1 of 1 (any 1 open the box)")
    staff = get_user_model().objects.get(username=demo.STAFF_USERNAME)
    contest.close_nominations(by=staff)
    client.force_login(staff)
    page = f"/contests/{contest.slug}/voting/"
    html = client.get(page).content.decode()
    assert "Roll: 24 voters" in html and f"the share is in <code>{share}</code>" in html
    client.post(page, {"action": "freeze"})
    letters = client.post(page, {"action": "issue"})
    assert letters["Content-Type"].startswith("text/csv")
    codes = {row["reference"]: row["security_code"]
             for row in csv.DictReader(io.StringIO(letters.content.decode()))}
    assert len(codes) == 22  # two voters were emailed instead
    client.post(page, {"action": "open"})
    contest.refresh_from_db()
    assert contest.stage == "ballot_open"
    voter = csrf_client()
    cands = [c.name for c in contest.ballot()]
    for k, (_ref, code) in enumerate(sorted(codes.items())):
        favourite = cands.index("Ed Miliband") if k % 3 else cands.index("David Miliband")
        r = vote(voter, contest.slug, code, {f"rank-{favourite}": "1"})
        assert r.status_code == 200 and b"Your vote has been recorded" in r.content
    client.post(page, {"action": "close"})
    r = client.post(page, {"action": "publish"}, follow=True)
    assert "Elected:" in r.content.decode()
    for f in PublishedFile.objects.filter(contest=contest):
        (tmp_path / f.name).write_text(f.content, encoding="utf-8")
    files = sorted(str(p) for p in tmp_path.glob("ballots-*.csv"))
    assert len(files) == 3  # one per college section
    result = CliRunner().invoke(main, [
        "verify", "ballots", "--rules", str(tmp_path / "election.toml"),
        "--result", str(tmp_path / "result.json"), *files])
    assert result.exit_code == 0, result.output
    assert "Reproduced:" in result.output
    r = CliRunner().invoke(main, ["verify", "ledger", str(tmp_path / "ledger.json")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["verify", "all", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "Verified: 22 sealed ballots = 22 receipts in the ledger; opened 22" in r.output
    r = CliRunner().invoke(main, ["verify", "box", str(tmp_path), "--share", str(share)])
    assert r.exit_code == 0, r.output
    assert "the 22 sealed ballots open to exactly the 22 published ballots" in r.output
