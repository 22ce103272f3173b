"""Behind a tunnel every request comes from 127.0.0.1: proxy_hops gives students their own address."""
from __future__ import annotations

import pytest

from chronos import create_app
from chronos.config import load_settings


def _app(tmp_path, transcriber, embedder, hops: int):
    settings = load_settings(tmp_path / f"hops{hops}", run_scheduler=False, proxy_hops=hops,
                             rate_per_address_per_min=3)
    return create_app(settings, transcriber=transcriber, embedder=embedder)


def _login_page(client, forwarded_for: str) -> int:
    return client.get("/login", headers={"X-Forwarded-For": forwarded_for},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code


@pytest.mark.parametrize("hops", [0, 1])
def test_per_address_limit_follows_the_tunnels_header_only_when_trusted(tmp_path, transcriber, embedder, hops):
    client = _app(tmp_path, transcriber, embedder, hops).test_client()
    assert [_login_page(client, "203.0.113.7") for _ in range(3)] == [200, 200, 200]
    assert _login_page(client, "203.0.113.7") == 429  # this student is over the limit
    # Another student through the same tunnel: their own budget only when the tunnel is trusted;
    # untrusted, the header is ignored and the whole class shares 127.0.0.1.
    assert _login_page(client, "198.51.100.9") == (200 if hops else 429)
