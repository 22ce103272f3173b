"""Issue 20.6: forged webhooks cannot lock out Whop's real ones (behind a tunnel every sender is
127.0.0.1); only invalid deliveries count toward the flood limit."""
from __future__ import annotations

from tests.fakes.whop_server import deliver, membership_event
from tests.test_whop_flow import SECRET, fake, post_webhook, student_access, whop_env  # noqa: F401

FORGED = "ws_not_the_secret"


def _activation(n: int) -> bytes:
    return membership_event("membership.activated", f"mem_{n}", f"user_{n}", "active",
                            "2026-11-01T10:00:00Z")


def test_signed_deliveries_pass_after_a_flood_of_forged_ones(apps, fake):  # noqa: F811
    app, _ = apps(env=whop_env(fake))
    c = app.test_client()
    limit = app.extensions["chronos"].settings.rate_webhooks_per_min
    codes = [post_webhook(c, *deliver(_activation(n), FORGED)).status_code for n in range(limit + 5)]
    assert codes == [401] * limit + [429] * 5  # the flood is cut off ...
    real = post_webhook(c, *deliver(_activation(999), SECRET))  # ... and Whop still gets through
    assert real.status_code == 200 and real.get_json()["outcome"] == "applied"
    assert student_access(app, "user_999") == "active"
    assert post_webhook(c, *deliver(_activation(1000), FORGED)).status_code == 429


def test_valid_deliveries_are_never_counted(apps, fake):  # noqa: F811
    app, _ = apps(env=whop_env(fake), rate_webhooks_per_min=3)
    c = app.test_client()
    codes = [post_webhook(c, *deliver(_activation(n), SECRET)).status_code for n in range(30)]
    assert codes == [200] * 30  # many more than the limit, and the user limits do not apply
    assert [post_webhook(c, b"{}", {}).status_code for _ in range(4)] == [401, 401, 401, 429]
