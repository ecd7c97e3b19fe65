"""The remnant attack on SQLite: the database file itself, every page of it (free pages and
the free space inside pages included), read as bytes. Before and after the close it holds
ciphertexts and no ranking; after the opening the opened ballots are there (the control:
the search finds rankings when they are stored).

The test suite's SQLite database lives in memory, so this runs the voting code in a child
process on a database file of its own, as ``hustings demo`` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_remnants_pg import found, names, rankings

SCRIPT = r"""
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import transaction
from hustings.web.contests.models import Candidate, Contest
from hustings.web.voting import box, casting, codes, trustees
from hustings.web.voting.models import Credential, SealedBallot, Voter

step, cands, plan = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
if step == "cast":
    call_command("migrate", interactive=False, verbosity=0)
    contest = Contest.objects.create(slug="remnant", title="Remnant",
                                     rule_book_preset="labour-2015")
    for i, name in enumerate(cands):
        c = Candidate.objects.create(contest=contest, name=name, slug=f"c{i}")
        Candidate.objects.filter(pk=c.pk).update(on_ballot=True, ballot_position=i + 1)
    with transaction.atomic():
        (share,) = trustees.name_trustees(contest, ["the officer"], 1)
    Contest.objects.filter(pk=contest.pk).update(stage="ballot_open")
    contest.refresh_from_db()
    for i, ranking in enumerate(plan):
        v = Voter.objects.create(election=contest.election, reference=f"R{i}", name=f"Voter {i}",
                                 sections=["All voters"])
        bid, secret = codes.new_credential()
        Credential.objects.create(voter=v, ballot_id=bid,
                                  secret_digest=codes.digest(casting.credential_key(), secret))
        casting.cast(contest, v, "All voters", ranking)
    Contest.objects.filter(pk=contest.pk).update(stage="ballot_closed")
    for c in SealedBallot.objects.values_list("ciphertext", flat=True):
        sys.stdout.write(bytes(c).hex() + "\n")
    sys.stderr.write(share.text)
else:
    contest = Contest.objects.get(slug="remnant")
    box.open_box(contest, [sys.stdin.read()])
"""


def run(step: str, db: Path, cands, plan, stdin: str = "") -> subprocess.CompletedProcess:
    import json

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "HUSTINGS_DATA_DIR": str(db.parent),
           "DJANGO_SETTINGS_MODULE": "hustings.web.settings"}
    return subprocess.run([sys.executable, "-c", SCRIPT, step, json.dumps(cands), json.dumps(plan)],
                          env=env, input=stdin, capture_output=True, text=True, timeout=120,
                          check=True)


def test_the_sqlite_file_holds_ciphertexts_never_a_ranking(tmp_path):
    cands = list(names())
    plan = rankings(cands)
    db = tmp_path / "remnant.sqlite3"
    cast = run("cast", db, cands, plan)
    ciphertexts = [bytes.fromhex(h) for h in cast.stdout.split()]
    assert len(ciphertexts) == 40
    data = db.read_bytes()
    assert all(c in data for c in ciphertexts)
    assert found(data, plan) == []
    run("open", db, cands, plan, stdin=cast.stderr)
    assert len(found(db.read_bytes(), plan)) == 40  # the control: opened, the search finds them
