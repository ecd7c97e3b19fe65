"""The database server must not write casts into its log: ``voting/checks.py`` warns when it
would, as a system check and when ``hustings serve`` starts. Settings are changed for the
test's own session only (SET, undone when its transaction rolls back)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from django.db import connection

from hustings.cli import main
from hustings.web.voting import checks

pytestmark = pytest.mark.django_db

QUIET = ("SET log_statement = 'none'", "SET log_min_duration_statement = -1",
         "SET log_min_duration_sample = -1", "SET log_transaction_sample_rate = 0")


def session(*statements: str) -> None:
    with connection.cursor() as cur:
        for sql in QUIET + statements:
            cur.execute(sql)


@pytest.mark.postgres
def test_a_server_that_logs_nothing_has_no_warning():
    session()
    assert checks.statement_logging_risks(connection) == []
    assert checks.check_statement_logging(None, databases=["default"]) == []


@pytest.mark.postgres
@pytest.mark.parametrize("sql, risk", [
    ("SET log_statement = 'mod'", "log_statement = mod logs every cast"),
    ("SET log_statement = 'all'", "log_statement = all logs every cast"),
    ("SET log_min_duration_statement = 250",
     "log_min_duration_statement = 250 ms logs every cast that takes that long"),
    ("SET log_min_duration_sample = 0",
     "log_min_duration_sample = 0 ms logs a sample of the casts that take that long"),
    ("SET log_transaction_sample_rate = 0.01",
     "log_transaction_sample_rate = 0.01 logs every statement of a sample of the casts"),
])
def test_each_setting_that_would_log_casts_is_named(sql, risk):
    session(sql)
    assert checks.statement_logging_risks(connection) == [risk]
    [warning] = checks.check_statement_logging(None, databases=["default"])
    assert warning.id == "hustings.W001"
    assert warning.msg == (
        "the database server would write casts (a voter's id beside a sealed ballot) into its log: "
        f"{risk}; set it off for the ballot's database, e.g. ALTER DATABASE <name> SET "
        "log_min_duration_statement = -1")


@pytest.mark.postgres
def test_serve_says_it_before_serving(monkeypatch):
    session("SET log_min_duration_statement = 0")
    served = []
    monkeypatch.setattr("hustings.cli.web._gunicorn", lambda bind, **kw: served.append(bind))
    env = {"HUSTINGS_SECRET_KEY": "k" * 50, "HUSTINGS_CODE_KEY": "c" * 50,
           "HUSTINGS_ALLOWED_HOSTS": "example.org", "DATABASE_URL": os.environ["DATABASE_URL"],
           "HUSTINGS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    result = CliRunner().invoke(main, ["serve", "--bind", "127.0.0.1:8999"], env=env)
    assert result.exit_code == 0, result.output
    assert ("Warning: the database server would write casts (a voter's id beside a sealed ballot) "
            "into its log: log_min_duration_statement = 0 ms logs every cast that takes that "
            "long;") in result.output
    assert served == ["127.0.0.1:8999"]  # a warning, not a refusal


def test_sqlite_keeps_no_statement_log():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite pass")
    assert checks.statement_logging_risks(connection) == []
