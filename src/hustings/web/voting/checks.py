"""Does the database server write casts into its log? A system check, and ``hustings serve``
says it at start-up.

A cast inserts the participation (the voter's id) and the sealed ballot. A PostgreSQL
server that logs statements would write both into its log, with the time and the session:
a record of who voted, and when, beside the ciphertext (not the ranking: the ballot is
sealed before it reaches the database). So this check warns when the server is set to do
that:

* ``log_statement`` is ``mod`` or ``all``;
* ``log_min_duration_statement`` is 0 or more (slow statements are logged, and a cast
  waiting on a lock is slow);
* ``log_min_duration_sample`` is 0 or more with a non-zero ``log_statement_sample_rate``;
* ``log_transaction_sample_rate`` is above 0.

The check reads the settings of the application's own session, so a per-database or
per-role setting (``ALTER DATABASE … SET``) counts too. ``log_parameter_max_length = 0``
does not make these safe: Django binds most values on the client side, so they are in the
statement text itself.

A second check, for ``check --deploy`` only (hustings.W002, W003), names what ``hustings
serve`` would refuse: the development keys, keys too short or shared, a mail backend that
keeps the mail on the machine, an unreadable ``HUSTINGS_TRUSTED_PROXIES``.
"""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import connections

ADVICE = ("set it off for the ballot's database, e.g. ALTER DATABASE <name> SET "
          "log_min_duration_statement = -1")


def statement_logging_risks(connection) -> list[str]:
    """What, in this server's logging settings, would write casts into its log."""
    if connection.vendor != "postgresql":
        return []
    names = ("log_statement", "log_min_duration_statement", "log_min_duration_sample",
             "log_statement_sample_rate", "log_transaction_sample_rate")
    with connection.cursor() as cur:
        cur.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(names)])
        found = dict(cur.fetchall())
    risks = []
    if found.get("log_statement") in ("mod", "all"):
        risks.append(f"log_statement = {found['log_statement']} logs every cast")
    if int(found.get("log_min_duration_statement", -1)) >= 0:
        risks.append(f"log_min_duration_statement = {found['log_min_duration_statement']} ms "
                     "logs every cast that takes that long")
    if (int(found.get("log_min_duration_sample", -1)) >= 0
            and float(found.get("log_statement_sample_rate", 0)) > 0):
        risks.append(f"log_min_duration_sample = {found['log_min_duration_sample']} ms logs a "
                     "sample of the casts that take that long")
    if float(found.get("log_transaction_sample_rate", 0)) > 0:
        risks.append(f"log_transaction_sample_rate = {found['log_transaction_sample_rate']} "
                     "logs every statement of a sample of the casts")
    return risks


def message(risks: list[str]) -> str:
    return ("the database server would write casts (a voter's id beside a sealed ballot) into "
            "its log: " + "; ".join(risks) + "; " + ADVICE)


@register(Tags.database)
def check_statement_logging(app_configs, databases=None, **kwargs) -> list[Warning]:
    """Run by ``migrate`` and ``django-admin check --database default``."""
    out = []
    for alias in databases or []:
        risks = statement_logging_risks(connections[alias])
        if risks:
            out.append(Warning(message(risks), id="hustings.W001",
                               hint=f"database {alias!r}: see hustings/web/voting/checks.py"))
    return out


@register(Tags.security, deploy=True)
def check_deployment_keys(app_configs, **kwargs) -> list[Warning]:
    """Run by ``check --deploy``: the settings ``hustings serve`` would refuse (development
    keys, mail kept on the machine, an unreadable trusted-proxy list), as warnings."""
    import os

    from django.conf import settings

    from hustings.web.clientip import parse_proxies
    from hustings.web.environment import unsafe_settings

    env = {**os.environ, "HUSTINGS_CODE_KEY": settings.HUSTINGS_CODE_KEY,
           "HUSTINGS_SECRET_KEY": settings.SECRET_KEY,
           "HUSTINGS_EMAIL_BACKEND": settings.EMAIL_BACKEND}
    out = [Warning(problem, id="hustings.W002", hint="see docs/deploying.md")
           for problem in unsafe_settings("serve", env)]
    try:
        parse_proxies(getattr(settings, "HUSTINGS_TRUSTED_PROXIES", ""))
    except ValueError as e:
        out.append(Warning(str(e), id="hustings.W003", hint="see docs/deploying.md"))
    return out
