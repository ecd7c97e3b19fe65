"""Issue 10, finding 1 and 7: no security code at rest, and a code key of its own.

An auditor who holds the database (every table, the task queue included) and the logs
tries every string found there as a security code: none opens a ballot. The codes that
were mailed do (the control: the same procedure finds a code when one is there)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from hustings.web.voting import casting, codes, credentials, roll
from hustings.web.voting.errors import CredentialError, NotOpen
from hustings.web.voting.models import Credential, Voter

ROLL = (
    "reference,name,email,postal_address,sections\n"
    "L1,Ann Example,ann@example.org,,Member\n"
    "L2,Bob Example,,\"1 High St, Leeds\",Registered supporter\n"
    "L3,Cat Example,cat@example.org,,Affiliated supporter\n"
    "L4,Dan Example,dan@example.org,,Member\n"
)
CODE = re.compile(r"[0-9A-Z]{8}(?:-[0-9A-Z]{5}){4}")
# anything that could hold a code: a run of letters, digits and dashes of a code's length
TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\- ]{26,}[0-9A-Za-z]|[0-9A-Za-z]{28}")
RUN = re.compile(r"[0-9A-Za-z\-]{20,}")


def _database_strings() -> list[str]:
    """Every text value in the database: SQLite's dump, or on PostgreSQL pg_dump of the
    test database when the tool is there, and a SELECT of every text/json column."""
    found: list[str] = []
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        found.extend(connection.connection.iterdump())
        return found
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('text', 'character varying', 'jsonb', 'json', 'character', 'bytea')"
        )
        for table, column in cur.fetchall():
            cur.execute(f'SELECT "{column}"::text FROM "{table}"')
            found.extend(v for (v,) in cur.fetchall() if v)
    if shutil.which("pg_dump"):
        s = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
        dump = subprocess.run(
            ["pg_dump", "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432),
             "-U", s["USER"], "--data-only", s["NAME"]],
            capture_output=True, text=True, env=env, check=True)
        found.append(dump.stdout)
    return found


def _candidates(texts: list[str]) -> set[str]:
    """Whole strings and dash-joined runs that read as a code, as a voter would type them."""
    out = set()
    for text in texts:
        out.add(text.strip())
        out.update(m.group(0) for m in TOKEN.finditer(text))
    return {c for c in out if codes.split_code(c) is not None}


def _secrets_found(texts: list[str]) -> list[tuple[str, str]]:
    """Every 20 letters anywhere in the texts (runs of letters, digits and dashes, read as
    a voter's typing is) tried as the secret of every credential: a secret found alone,
    next to no ballot id, or inside a longer string, is found too."""
    digests = dict(Credential.objects.values_list("ballot_id", "secret_digest"))
    key = casting.credential_key()
    found = []
    for text in texts:
        for run in RUN.findall(text):
            chars = codes.normalise(run)
            for i in range(len(chars) - codes.SECRET_CHARS + 1):
                window = chars[i:i + codes.SECRET_CHARS]
                found += [(bid, window) for bid, d in digests.items()
                          if codes.matches(key, window, d)]
    return found


def _opens(contest, text: str) -> bool:
    Credential.objects.update(failed_attempts=0, locked_until=None)  # no lockout hides a hit
    try:
        casting.check_code(contest, text)
        return True
    except CredentialError:
        return False


@pytest.mark.django_db(transaction=True)  # committed, as pg_dump and the worker see it
def test_no_string_in_the_database_or_the_logs_opens_a_ballot(omov, settings, caplog, capsys):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}
    caplog.set_level(logging.DEBUG)
    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    queued, letters = credentials.issue_all(omov)
    assert queued == 3
    assert credentials.remind(omov) == 3  # reminders queued too
    call_command("db_worker", "--batch", "--queue-name", "mail", "--no-startup-delay",
                 verbosity=3)
    mailed = {CODE.search(m.body).group(0) for m in mail.outbox}
    assert len(mailed) == 3 and len(mail.outbox) == 6  # a reminder carries the same code
    printed = CODE.search(letters).group(0)

    out = capsys.readouterr()
    texts = _database_strings() + [r.getMessage() for r in caplog.records] + [out.out, out.err]
    assert any("voting_credential" in t for t in texts)  # the dump was read
    candidates = _candidates(texts)
    assert [c for c in candidates if _opens(omov, c)] == []
    assert _secrets_found(texts) == []
    # the control: the codes that were sent and printed do open their ballots, and one
    # written anywhere, even inside other text, would have been found
    assert all(_opens(omov, c) for c in mailed | {printed})
    leak = f"task args: [7, {printed!r}]; sent x{printed.replace('-', '').lower()}y"
    assert _candidates([leak]) == {printed}
    assert len(_secrets_found([leak])) == 2


@pytest.mark.django_db
def test_the_mail_task_holds_the_voter_and_the_ballot_id_not_the_code(omov, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}
    from django_tasks_db.models import DBTaskResult

    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        credentials.issue_all(omov)
    ann = Voter.objects.get(reference="L1")
    args = [r.args_kwargs["args"] for r in DBTaskResult.objects.all()]
    # one task per batch of emails (mailing.send_batch): [[voter id, ballot id], ...], link
    assert len(args) == 1
    assert [ann.pk, ann.credential.ballot_id] in args[0][0]
    assert args[0][1:] == ["http://127.0.0.1:8000/vote/omov-2015/"]


@pytest.mark.django_db
def test_a_mail_queued_before_a_reissue_sends_nothing(omov, django_capture_on_commit_callbacks):
    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        credentials.issue_all(omov)
    credentials.reissue(omov, "L1")  # a lost mail, replaced before the worker ran
    for send in queued:
        send()
    assert sorted(m.to[0] for m in mail.outbox) == ["cat@example.org", "dan@example.org"]


@pytest.mark.django_db
def test_letters_are_made_again_on_demand(omov):
    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    _, first = credentials.issue_all(omov)
    again = "".join(credentials.letters(omov))
    assert first == again and CODE.search(again)
    assert casting.check_code(omov, CODE.search(again).group(0)).voter.reference == "L2"


def test_a_code_is_made_from_the_code_key_voter_and_ballot_id_only():
    key = codes.code_keys("k" * 40)[0]
    one = codes.derive_secret(key, 7, "ABCDEFGH")
    assert one == codes.derive_secret(key, 7, "ABCDEFGH") and len(one) == 20
    assert set(one) <= set(codes.ALPHABET)
    others = {codes.derive_secret(key, 8, "ABCDEFGH"), codes.derive_secret(key, 7, "ABCDEFGJ"),
              codes.derive_secret(codes.code_keys("j" * 40)[0], 7, "ABCDEFGH")}
    assert one not in others and len(others) == 3
    secret_key, digest_key = codes.code_keys("k" * 40)
    assert secret_key != digest_key


def _credential_key(env: dict[str, str]) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith("HUSTINGS_")}
    out = subprocess.run(
        [sys.executable, "-c", "from hustings.web.voting import conf; "
         "print(conf.HUSTINGS_CREDENTIAL_KEY)"],
        env={**full, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_rotating_the_secret_key_voids_no_code():
    code_key = {"HUSTINGS_CODE_KEY": "c" * 40}
    assert (_credential_key({**code_key, "HUSTINGS_SECRET_KEY": "a" * 50})
            == _credential_key({**code_key, "HUSTINGS_SECRET_KEY": "b" * 50}))
    assert _credential_key({"HUSTINGS_CODE_KEY": "d" * 40}) != _credential_key(code_key)


@pytest.mark.django_db
def test_no_codes_after_the_close(omov):
    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    from hustings.web.contests.models import Contest

    Contest.objects.filter(pk=omov.pk).update(stage="ballot_closed")
    for act in (lambda: credentials.issue_all(omov), lambda: credentials.letters(omov),
                lambda: credentials.remind(omov)):
        with pytest.raises(NotOpen, match="the ballot has closed"):
            act()
