"""Issue 20.3: DNS rebinding. A request naming another site in its Host header is refused, so a
page elsewhere cannot drive Chronos (first-run setup above all) through a rebound domain."""
from __future__ import annotations

import http.client

import pytest

from chronos.models import creators
from chronos.web.hosts import host_name
from tests.conftest import LiveServer, csrf

SETUP = {"name": "Mallory", "password": "p" * 10, "confirm": "p" * 10}


@pytest.mark.parametrize("host", ["rebind.evil.example:8765", "rebind.evil.example", "localhost.evil.example",
                                  "127.0.0.1.nip.io:8765", "evil.example:80@localhost"])
def test_setup_through_a_rebound_name_is_refused(app, host):
    client = app.test_client()
    token = csrf(client)
    assert client.get("/setup", headers={"Host": host}).status_code == 400
    res = client.post("/setup", data={**SETUP, "csrf_token": token}, headers={"Host": host})
    assert res.status_code == 400 and "CHRONOS_PUBLIC_URL" in res.get_data(as_text=True)
    with app.extensions["chronos"].db.connection() as conn:
        assert creators.get_owner(conn) is None
    assert client.get("/static/common.js", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize("host", ["localhost", "localhost:8765", "127.0.0.1:5000", "[::1]:8765", "LOCALHOST."])
def test_this_computer_is_answered_under_any_port(app, host):
    assert app.test_client().get("/setup", headers={"Host": host}).status_code == 200


def _login_page(app, **headers) -> int:
    return app.test_client().get("/login", headers=headers).status_code


def test_the_public_url_and_the_bound_address_are_answered(apps):
    app, _ = apps(public_url="https://school.example.com", host="192.168.1.20")
    for host in ("school.example.com", "School.Example.com:443", "192.168.1.20:8765", "localhost"):
        assert _login_page(app, Host=host) == 200, host
    assert _login_page(app, Host="other.example.com") == 400
    assert _login_page(app, Host="192.168.1.21") == 400


def test_a_tunnel_forwarding_the_public_host_is_answered(apps):
    app, _ = apps(public_url="https://abc.trycloudflare.com", proxy_hops=1)
    assert _login_page(app, **{"X-Forwarded-Host": "abc.trycloudflare.com", "X-Forwarded-Proto": "https"}) == 200
    assert _login_page(app, **{"X-Forwarded-Host": "rebind.evil.example"}) == 400


def test_listening_everywhere_answers_addresses_but_not_names(apps):
    app, _ = apps(host="0.0.0.0")
    assert _login_page(app, Host="10.0.0.7:8765") == 200
    assert _login_page(app, Host="rebind.evil.example:8765") == 400


def test_a_real_server_refuses_a_rebound_host(app):
    server = LiveServer(app)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
        conn.request("GET", "/setup", headers={"Host": f"rebind.evil.example:{server.server.port}"})
        assert conn.getresponse().status == 400
        conn.close()
    finally:
        server.stop()


def test_host_name():
    assert host_name("Example.COM.:8765") == "example.com"
    assert host_name("[::1]:80") == "::1" and host_name("::1") == "::1"
