"""Locust users for benchmarks/load_cast.py: each casts ballots with codes from a file.

A user fetches the ballot page once (for the CSRF cookie and token), then posts casts —
the ballot's last step, which re-checks the code and runs the casting transaction — one
code each, with the review page's fields of every contest ($HUSTINGS_BENCH_FORM, made by
load_cast.py: one contest, or leader and deputy). A visit's receipts (one per contest) are
one line. Receipts returned are written to $HUSTINGS_BENCH_RECEIPTS when the run stops,
so load_cast.py can check that none was lost.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

SLUG = os.environ["HUSTINGS_BENCH_SLUG"]
CODES = iter(Path(os.environ["HUSTINGS_BENCH_CODES"]).read_text().split())
RECEIPTS: list[str] = []
FORM = os.environ["HUSTINGS_BENCH_FORM"]
RECEIPT = re.compile(r'receipt-full">([^<]+)<')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Voter(FastHttpUser):  # geventhttpclient: far less CPU per request than requests
    wait_time = constant(0)

    def on_start(self) -> None:
        page = self.client.get(f"/vote/{SLUG}/", name="ballot page")
        self.token = TOKEN.search(page.text).group(1)

    @task
    def cast(self) -> None:
        code = next(CODES, None)
        if code is None:
            raise StopUser()
        with self.client.post(
            f"/vote/{SLUG}/cast/",
            data=urlencode({"csrfmiddlewaretoken": self.token, "code": code, "action": "cast"})
            + "&" + FORM,
            headers={"Referer": f"{self.host}/vote/{SLUG}/",
                     "Content-Type": "application/x-www-form-urlencoded"},
            name="cast", catch_response=True,
        ) as r:
            got = RECEIPT.findall(r.text or "")
            if r.status_code == 200 and got:
                RECEIPTS.append(" ".join(got))
                r.success()
            else:
                r.failure(f"no receipt (HTTP {r.status_code})")


@events.test_stop.add_listener
def _save(**_kwargs) -> None:
    with open(os.environ["HUSTINGS_BENCH_RECEIPTS"], "w") as f:
        f.write("\n".join(RECEIPTS))
