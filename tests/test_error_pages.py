"""Errors on pages are Chronos's error page (issue 18, point 10); on the API they stay JSON."""
from __future__ import annotations


def test_page_errors_use_the_error_page_and_the_api_keeps_json(owner_client):
    res = owner_client.get("/videos/9999")
    page = res.get_data(as_text=True)
    assert res.status_code == 404 and "Page not found" in page and "does not exist or was deleted" in page
    assert 'class="topbar"' in page and "Werkzeug" not in page
    res = owner_client.get("/no/such/page")
    assert res.status_code == 404 and "There is nothing at this address." in res.get_data(as_text=True)
    res = owner_client.post("/people")  # a page that only answers GET
    assert res.status_code in (400, 403, 405) and 'class="topbar"' in res.get_data(as_text=True)
    api = owner_client.get("/api/videos/9999")
    assert api.status_code == 404 and api.is_json and api.get_json()["status"] == 404
    assert owner_client.get("/api/no-such-thing").get_json()["status"] == 404
