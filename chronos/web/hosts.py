"""Which Host a request may name: this computer, the public address, the bound address.

A page on any site can point its own domain at 127.0.0.1 (DNS rebinding) and then talk to
Chronos as same-origin, for example to run first-run setup and own a fresh install. Such a
request still names the attacker's domain in its Host header, so it is refused here.
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, Response, request

from chronos.config import Settings

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::"})


def allowed_names(settings: Settings) -> frozenset[str]:
    """The host names Chronos answers to (any port): loopback, public_url's host, the bound host."""
    names = set(LOOPBACK_NAMES)
    if settings.public_url:
        names.add((urlsplit(settings.public_url).hostname or "").lower())
    if settings.host not in WILDCARD_BINDS:
        names.add(settings.host.lower())
    return frozenset(names - {""})


def host_name(host: str) -> str:
    """"Example.COM.:8765" -> "example.com"; "[::1]:80" -> "::1"; "" when the port is no number."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, port = host[1:].partition("]")
        port = port.removeprefix(":")
    elif host.count(":") == 1:
        name, _, port = host.partition(":")
    else:
        name, port = host, ""
    if port and not port.isdigit():
        return ""  # "localhost:80;script-src *" is no address, and would reach the CSP header
    return name.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def install(app: Flask) -> None:
    """Refuse (400) every request whose Host is not one of allowed_names, before every other hook."""
    settings: Settings = app.extensions["chronos"].settings
    names = allowed_names(settings)
    # Listening on every interface, Chronos is reached by this computer's addresses, which it
    # cannot list; an address typed as a number is no rebinding (that needs a domain name).
    any_address = settings.host in WILDCARD_BINDS
    where = settings.public_url or f"http://127.0.0.1:{settings.port}/"

    def check_host():
        name = host_name(request.host)
        if name in names or (any_address and _is_ip(name)):
            return None
        return Response(f"Chronos does not answer to the address {name!r}. Open {where} instead; "
                        "to reach Chronos under another name (a tunnel), set CHRONOS_PUBLIC_URL "
                        "to it.\n", 400, mimetype="text/plain")

    app.before_request_funcs.setdefault(None, []).insert(0, check_host)
