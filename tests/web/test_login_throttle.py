"""Issue 10, finding 5: staff login is throttled (django-axes). Fifty wrong passwords lock
the account: the right password is then refused too, on the site's login and the admin's."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_fifty_wrong_passwords_lock_the_account(url, returning_officer):
    client = Client()
    statuses = {client.post(url, {"username": "ro", "password": f"guess-{i}"}).status_code
                for i in range(50)}
    assert statuses <= {200, 429}  # the form again, then "locked"
    r = client.post(url, {"username": "ro", "password": "ro-password-2010"})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    # the lockout is per account: another address does not get past it either
    other = Client(REMOTE_ADDR="203.0.113.9")
    r = other.post(url, {"username": "ro", "password": "ro-password-2010"})
    assert r.status_code == 429 and "_auth_user_id" not in other.session
    from axes.models import AccessAttempt

    stored = " ".join(f"{a.get_data} {a.post_data}" for a in AccessAttempt.objects.all())
    assert "guess-" not in stored and "ro-password-2010" not in stored  # passwords masked


def test_a_few_wrong_passwords_then_the_right_one_logs_in(returning_officer):
    client = Client()
    for i in range(3):
        client.post("/accounts/login/", {"username": "ro", "password": f"typo-{i}"})
    r = client.post("/accounts/login/", {"username": "ro", "password": "ro-password-2010"})
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(returning_officer.pk)
