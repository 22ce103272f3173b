"""Issue 20.1: `next` after sign-in sends a person only to a path on this Chronos."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import OWNER, csrf

ATTACKS = ["/%09/evil.example/", "/%0a/x", "/%0d/x", "//evil.example/", "/\\evil.example/",
           "/%5Cevil.example/", "https://evil.example/", "javascript:alert(1)", "/%2F/evil.example/",
           "/%252F%252Fevil.example/", "/%E2%80%A8/evil.example/", "/%00/x", "evil.example"]


def _sign_in(app, next_param: str):
    client = app.test_client()
    # The query string as a browser sends it: the attack's own percent-escapes, untouched.
    return client.post(f"/login?next={next_param}", data={**OWNER, "csrf_token": csrf(client)})


@pytest.mark.parametrize("next_param", ATTACKS)
def test_next_to_another_site_or_with_control_characters_goes_home(apps, next_param):
    app, _ = apps()
    res = _sign_in(app, next_param)
    assert res.status_code == 302
    assert res.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/courses", "/videos/3?t=12", "/learn?next=//x"])
def test_next_to_a_local_path_is_followed(apps, path):
    app, _ = apps()
    res = _sign_in(app, quote(path, safe=""))
    assert res.status_code == 302
    assert res.headers["Location"] == path
