"""Issue 10, findings 6 and 12 (and 7's keys): what a deployment may run with.

``check --deploy`` under the production settings docs/deploying.md gives finds nothing;
``serve``, ``worker`` and wsgi.py refuse development keys and mail that stays on the
machine; every page carries a Content-Security-Policy with no inline script, and HSTS
lasts a year."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hustings.cli import main

SRC = Path(__file__).resolve().parents[2] / "src" / "hustings"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def production(tmp_path: Path) -> dict[str, str]:
    """The environment docs/deploying.md lists, with fresh keys."""
    return {
        "HUSTINGS_SECRET_KEY": secrets.token_urlsafe(50),
        "HUSTINGS_CODE_KEY": secrets.token_urlsafe(50),
        "HUSTINGS_ALLOWED_HOSTS": "vote.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "HUSTINGS_SECURE": "1",
        "HUSTINGS_TRUSTED_PROXIES": "10.0.0.5",
        "HUSTINGS_EMAIL_BACKEND": SMTP,
    }


def django_run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("HUSTINGS_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "hustings.web.settings"})


def test_check_deploy_finds_nothing_under_the_production_settings(tmp_path):
    result = django_run(production(tmp_path), "-m", "django", "check", "--deploy",
                        "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_names_the_development_keys(tmp_path):
    env = {k: v for k, v in production(tmp_path).items()
           if k not in ("HUSTINGS_SECRET_KEY", "HUSTINGS_CODE_KEY")}
    result = django_run(env, "-m", "django", "check", "--deploy")
    assert "(hustings.W002) HUSTINGS_SECRET_KEY is the development key" in result.stderr
    assert "(hustings.W002) HUSTINGS_CODE_KEY is the development key" in result.stderr


def test_hsts_for_a_year_when_secure(tmp_path):
    result = django_run(production(tmp_path), "-c", (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT)"))
    assert result.stdout.split() == ["31536000", "True", "True"], result.stderr


@pytest.mark.django_db
def test_every_page_has_a_csp_with_no_inline_script(client):
    r = client.get("/")
    policy = dict(
        (d.split()[0], d.split()[1:]) for d in r["Content-Security-Policy"].split(";") if d.strip())
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_script():
    """What the policy forbids, the templates must not need: no <script> without src, no
    on...= handler, no javascript: URL (site and voting templates alike)."""
    bad = []
    for path in SRC.glob("web/**/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"javascript:"):
            bad += [f"{path.relative_to(SRC)}: {m.group(0)}"
                    for m in re.finditer(pattern, text, re.I)]
    assert bad == []


BASE = {"HUSTINGS_SECRET_KEY": "s" * 50, "HUSTINGS_CODE_KEY": "c" * 50,
        "HUSTINGS_ALLOWED_HOSTS": "example.org", "DATABASE_URL": "postgres://x@h/db",
        "HUSTINGS_EMAIL_BACKEND": SMTP, "HUSTINGS_DEV_MAIL": None}


@pytest.mark.parametrize("command", ["serve", "worker"])
@pytest.mark.parametrize("backend", ["console", "filebased", "locmem"])
def test_serve_and_worker_refuse_mail_that_stays_on_the_machine(command, backend):
    env = {**BASE, "HUSTINGS_EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}
    result = CliRunner().invoke(main, [command], env=env)
    assert result.exit_code == 2
    assert result.output.startswith(
        f"Error: refusing to {command}: HUSTINGS_EMAIL_BACKEND is "
        f"django.core.mail.backends.{backend}.EmailBackend: security codes would be written "
        "where the mail is kept, not sent;")
    # the console is the default, refused too
    result = CliRunner().invoke(main, [command], env={**BASE, "HUSTINGS_EMAIL_BACKEND": None})
    assert "HUSTINGS_EMAIL_BACKEND is django.core.mail.backends.console" in result.output


def test_the_development_flag_lets_console_mail_through():
    env = {k: v for k, v in BASE.items() if v is not None and k != "HUSTINGS_EMAIL_BACKEND"}
    env.update(HUSTINGS_DEV_MAIL="1", DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    result = django_run(env, "-m", "hustings", "serve")
    # past the refusals, to the database (which is not there)
    assert result.returncode == 2 and "refusing" not in result.stderr
    assert result.stderr.startswith("Error: cannot connect to the database in DATABASE_URL")


@pytest.mark.parametrize("change, message", [
    ({"HUSTINGS_SECRET_KEY": "hustings-insecure-development-key-do-not-deploy"},
     "HUSTINGS_SECRET_KEY is the development key"),
    ({"HUSTINGS_CODE_KEY": "hustings-insecure-development-code-key-do-not-deploy"},
     "HUSTINGS_CODE_KEY is the development key"),
    ({"HUSTINGS_CODE_KEY": "s" * 50}, "HUSTINGS_CODE_KEY is the same as HUSTINGS_SECRET_KEY"),
    ({"HUSTINGS_CODE_KEY": "short"}, "HUSTINGS_CODE_KEY has 5 characters; expected at least 32"),
])
def test_serve_refuses_development_and_weak_keys(change, message):
    result = CliRunner().invoke(main, ["serve"], env={**BASE, **change})
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: refusing to serve: {message}")


def test_wsgi_refuses_the_development_key(tmp_path):
    env = {**production(tmp_path),
           "HUSTINGS_SECRET_KEY": "hustings-insecure-development-key-do-not-deploy"}
    result = django_run(env, "-c", "import hustings.web.wsgi")
    assert result.returncode == 1
    assert ("RuntimeError: hustings: refusing to start: HUSTINGS_SECRET_KEY is the development "
            "key") in result.stderr
