"""The client's address, as a rate limit or a login lockout should count it.

Behind a reverse proxy every request arrives from the proxy, and the client's address is
in ``X-Forwarded-For``. That header is only as trustworthy as whoever wrote it: anyone can
send one. So it is read only when the request comes from a proxy listed in
``HUSTINGS_TRUSTED_PROXIES`` (addresses or networks, comma-separated), and then from the
right: each trusted proxy appends the address it received from, so the first address from
the right that is not a trusted proxy is the client. With no trusted proxies (the default)
the header is ignored and ``REMOTE_ADDR`` is the client.

Used by the voting page's per-address limit (django-ratelimit's ``RATELIMIT_IP_META_KEY``)
and by the staff login lockout (django-axes' ``AXES_CLIENT_IP_CALLABLE``).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_proxies(text: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 192.168.0.0/16"`` as networks; a bad entry is a configuration error
    named in one line (raised at the first request, and by ``check --deploy``)."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                f"HUSTINGS_TRUSTED_PROXIES: {part!r} is not an IP address or network; "
                "expected e.g. 10.0.0.5 or 10.0.0.0/24"
            ) from None
    return tuple(out)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = parse_proxies(getattr(settings, "HUSTINGS_TRUSTED_PROXIES", ""))

    def trusted(addr) -> bool:
        return addr is not None and any(addr in net for net in proxies)

    if not trusted(_address(remote)):
        return remote
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        addr = _address(hop)
        if addr is None:  # a malformed hop: nothing to its left can be believed
            break
        client = str(addr)
        if not trusted(addr):
            break
    return client
