"""Issue 10, finding 2: the per-address limit slows wrong codes but never refuses a right
one, and the client's address comes from X-Forwarded-For only through a trusted proxy.

1,000 voters behind one address each type a wrong code, then their own, and all 1,000
vote; one client trying 10,000 codes opens no ballot."""

from __future__ import annotations

import os
import random

import pytest
from django.test import Client, RequestFactory

from hustings.web.clientip import client_ip, parse_proxies
from hustings.web.voting import codes
from hustings.web.voting.models import Participation, SealedBallot

PROXY = "10.0.0.5"


@pytest.mark.parametrize("remote, forwarded, trusted, expected", [
    ("198.51.100.7", "", "", "198.51.100.7"),
    # a header from anyone but a trusted proxy is ignored: it could say anything
    ("198.51.100.7", "203.0.113.1", "", "198.51.100.7"),
    ("198.51.100.7", "203.0.113.1", PROXY, "198.51.100.7"),
    # through the trusted proxy: the address it received from
    (PROXY, "203.0.113.1", PROXY, "203.0.113.1"),
    # a client's own (forged) entries are to the left of what the proxy appended
    (PROXY, "1.2.3.4, 203.0.113.1", PROXY, "203.0.113.1"),
    # two trusted hops (a load balancer before the proxy)
    (PROXY, "203.0.113.1, 10.0.0.9", "10.0.0.0/24", "203.0.113.1"),
    # a malformed hop stops the walk at the last trusted address
    (PROXY, "203.0.113.1, junk", PROXY, PROXY),
    ("2001:db8::5", "2001:db8:1::7", "2001:db8::/64", "2001:db8:1::7"),
])
def test_client_address(settings, remote, forwarded, trusted, expected):
    settings.HUSTINGS_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_bad_trusted_proxy_is_named():
    with pytest.raises(ValueError, match="HUSTINGS_TRUSTED_PROXIES: 'proxy.local' is not an IP"):
        parse_proxies("10.0.0.1, proxy.local")


def _typo(code: str) -> str:
    """The voter's own code with one letter of the secret wrong (a typing slip)."""
    i = len(code) - 1
    return code[:i] + ("0" if code[i] != "0" else "1")


@pytest.mark.slow
@pytest.mark.django_db
def test_a_thousand_voters_behind_one_address_all_vote(omov, voters, settings):
    """Every request comes from the same address (an untrusted proxy or a NAT): the limit
    of 20 wrong codes an hour is passed 50 times over, and no right code is refused."""
    settings.HUSTINGS_CODE_FAILURES = "20/h"
    issued = voters(omov, [(f"P{i:04d}", ["All voters"]) for i in range(1000)])
    client = Client(REMOTE_ADDR=PROXY)
    url = f"/vote/{omov.slug}/"
    wrong = {}
    for ref, code in issued.items():
        r = client.post(url, {"code": _typo(code)})
        wrong[r.status_code] = wrong.get(r.status_code, 0) + 1
        r = client.post(url, {"code": code})
        assert r.status_code == 200, (ref, r.status_code)
        r = client.post(f"{url}cast/", {"code": code, "section": "All voters",
                                        "choice": ["Liz Kendall", "Andy Burnham"]})
        assert r.status_code == 200 and b"receipt" in r.content.lower(), (ref, r.status_code)
    assert wrong == {400: 20, 429: 980}  # the limit held for the wrong codes
    assert Participation.objects.filter(contest=omov).count() == 1000
    assert SealedBallot.objects.filter(contest=omov).count() == 1000


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                    reason="about a minute: once, in the SQLite pass "
                           "(the 1,000 voters run on both)")
@pytest.mark.django_db
def test_ten_thousand_guesses_open_no_ballot(omov, voters, settings, monkeypatch):
    """The guesser even knows every ballot id (the public half of each code) and spends
    half its guesses on them: the lockout and the 100-bit secret leave it nothing."""
    settings.HUSTINGS_CODE_FAILURES = "20/h"
    from django.http import HttpResponse

    from hustings.web.voting import views

    # the refusal page's HTML is not what is tested here (test_pages does): its status is
    monkeypatch.setattr(views, "_code_page",
                        lambda *a, status=200, **k: HttpResponse(status=status))
    issued = voters(omov, [(f"G{i:03d}", ["All voters"]) for i in range(50)])
    ids = [c.split("-", 1)[0] for c in issued.values()]
    rng = random.Random(10)
    client = Client(REMOTE_ADDR="198.51.100.66")
    seen = {}
    for i in range(10_000):
        ballot_id = ids[(i // 2) % len(ids)] if i % 2 else "".join(rng.choices(codes.ALPHABET, k=8))
        secret = "".join(rng.choices(codes.ALPHABET, k=20))
        r = client.post(f"/vote/{omov.slug}/", {"code": codes.format_code(ballot_id, secret)})
        seen[r.status_code] = seen.get(r.status_code, 0) + 1
    assert seen == {400: 20, 429: 9_980}
    assert Participation.objects.filter(contest=omov).count() == 0
    # every known ballot id was locked by its wrong secrets: 5 tries per 15 minutes each
    from hustings.web.voting.models import Credential

    locked = Credential.objects.filter(voter__election=omov.election, locked_until__isnull=False)
    assert locked.count() == 50


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_count(omov, omov_codes, settings):
    """django-ratelimit counts by the address ``clientip`` gives (RATELIMIT_IP_META_KEY)."""
    settings.HUSTINGS_CODE_FAILURES = "3/h"
    settings.HUSTINGS_TRUSTED_PROXIES = PROXY
    url = f"/vote/{omov.slug}/"

    def wrong(forwarded: str) -> int:
        c = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
        return c.post(url, {"code": "AAAAAAAA-BBBBB-CCCCC-DDDDD-EEEEE"}).status_code

    assert [wrong("203.0.113.1") for _ in range(4)] == [400, 400, 400, 429]
    assert wrong("203.0.113.2") == 400  # another voter behind the proxy: its own count
    # a client cannot pick its own count by writing the header: the proxy appends its peer
    assert wrong("198.51.100.9, 203.0.113.1") == 429
