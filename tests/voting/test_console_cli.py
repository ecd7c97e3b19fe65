"""The newcomer's commands: ``hustings createofficer``, ``hustings demo --reset``, and the
demo's officer appointed returning officer of the demo contest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HUSTINGS = [str(Path(sys.executable).with_name("hustings"))]


def hustings(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([*HUSTINGS, *args], capture_output=True, text=True, timeout=300,
                          env={**base, **(env or {})}, cwd=cwd)


@pytest.mark.slow
def test_createofficer_from_the_hustings_command(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "HUSTINGS_OFFICER_PASSWORD": "a-long-enough-password-2026"}
    subprocess.run([sys.executable, "-m", "hustings.web", "migrate", "-v0"], check=True,
                   env={**os.environ, **env})
    made = hustings("createofficer", "alice", "--email", "alice@example.org", env=env)
    assert made.returncode == 0, made.stderr
    assert "Created alice: sign in at /accounts/login/" in made.stdout
    again = hustings("createofficer", "alice", env=env)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines()[-1] == (
        "Error: user 'alice' already exists; expected a new username (or --existing)")
    assert "Example:" in hustings("createofficer", "--help").stdout


@pytest.mark.slow
def test_demo_reset_starts_again(tmp_path):
    first = hustings("demo", "--no-serve", "--data-dir", str(tmp_path))
    assert first.returncode == 0, first.stderr
    marker = tmp_path / "hustings.sqlite3"
    import sqlite3

    with sqlite3.connect(marker) as db:  # a change a second run would keep
        db.execute("UPDATE contests_contest SET title = 'changed by a test'")
    kept = hustings("demo", "--no-serve", "--data-dir", str(tmp_path))
    assert kept.returncode == 0
    with sqlite3.connect(marker) as db:
        assert db.execute("SELECT title FROM contests_contest").fetchone()[0] == "changed by a test"
    reset = hustings("demo", "--no-serve", "--reset", "--data-dir", str(tmp_path))
    assert reset.returncode == 0, reset.stderr
    assert ("Reset: deleted hustings.sqlite3, demo-trustee-share.txt, "
            "demo-trustee-share-labour-2015-deputy.txt, demo-trustee-share-labour-2015-leader.txt, "
            f"demo-trustee-share-labour-2015-london.txt in {tmp_path}") in reset.stdout
    with sqlite3.connect(marker) as db:
        assert db.execute("SELECT title FROM contests_contest").fetchone()[0] == (
            "Labour Party leadership election 2010")
    (tmp_path / "keep-me.txt").write_text("not the demo's")
    hustings("demo", "--no-serve", "--reset", "--data-dir", str(tmp_path))
    assert (tmp_path / "keep-me.txt").read_text() == "not the demo's"  # only its own files


def test_make_demo_takes_a_port_and_a_reset():
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    dry = subprocess.run(["make", "--no-print-directory", "-n", "demo", "PORT=8123", "RESET=1"],
                         cwd=root, capture_output=True, text=True, env=env)
    assert dry.stdout.strip().splitlines()[-1] == ".venv/bin/hustings demo --port 8123 --reset"


@pytest.mark.django_db
def test_the_demo_officer_is_appointed_returning_officer_of_the_demo(client):
    from hustings.web import demo
    from hustings.web.contests.models import Appointment, Role

    contest = demo.load_demo()
    assert Appointment.objects.filter(contest=contest, user__username=demo.STAFF_USERNAME,
                                      role=Role.RETURNING_OFFICER).exists()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=demo.STAFF_USERNAME))
    assert client.get(f"/contests/{contest.slug}/voting/").status_code == 200
