"""The demo contest run to a published result, as test_demo_flow runs it (for the results
page's tests): 22 ballots in the 2010 college's three sections."""

from __future__ import annotations

import csv
import io

from test_pages import csrf_client, vote


def publish_demo(client, tmp_path, settings, *, publish: bool = True):
    from django.contrib.auth import get_user_model

    from hustings.web import demo

    settings.HUSTINGS_DEMO_SHARE_FILE = str(tmp_path / "share" / "demo-trustee-share.txt")
    contest = demo.load_demo()
    staff = get_user_model().objects.get(username=demo.STAFF_USERNAME)
    contest.close_nominations(by=staff)
    client.force_login(staff)
    page = f"/contests/{contest.slug}/voting/"
    client.post(page, {"action": "freeze"})
    letters = client.post(page, {"action": "issue"})
    codes = {row["reference"]: row["security_code"]
             for row in csv.DictReader(io.StringIO(letters.content.decode()))}
    client.post(page, {"action": "open"})
    voter = csrf_client()
    cands = [c.name for c in contest.ballot()]
    for k, (_, code) in enumerate(sorted(codes.items())):
        # spread first preferences, so the count runs over several rounds with transfers
        first = ["David Miliband", "Ed Miliband", "Ed Miliband", "Andy Burnham",
                 "Ed Balls"][k % 5]
        second = "Ed Miliband" if first != "Ed Miliband" else "David Miliband"
        vote(voter, contest.slug, code,
             {f"rank-{cands.index(first)}": "1", f"rank-{cands.index(second)}": "2"})
    client.post(page, {"action": "close"})
    if publish:
        client.post(page, {"action": "publish"})
    contest.refresh_from_db()
    return contest, staff
