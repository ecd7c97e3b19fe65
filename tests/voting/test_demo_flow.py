"""The demo contest run through to the end, as the README tells a reader to: nominations
close, the roll is frozen, codes issued (letters CSV), the ballot opened, votes cast with
those codes, closed and counted, published; then ``hustings verify`` reproduces it."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from hustings.cli import main
from hustings.web.voting.models import PublishedFile

from test_pages import csrf_client, vote

pytestmark = pytest.mark.django_db


def test_demo_contest_runs_to_a_verified_result(client, tmp_path):
    from django.contrib.auth import get_user_model

    from hustings.web import demo

    contest = demo.load_demo()
    staff = get_user_model().objects.get(username=demo.STAFF_USERNAME)
    contest.close_nominations(by=staff)
    client.force_login(staff)
    page = f"/contests/{contest.slug}/voting/"
    assert "Roll: 24 voters" in client.get(page).content.decode()
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
    for k, (ref, code) in enumerate(sorted(codes.items())):
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
    assert CliRunner().invoke(main, ["verify", "ledger", str(tmp_path / "ledger.json")]).exit_code == 0
