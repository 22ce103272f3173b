"""Quota charged only for what gave something: a video that failed or was deleted before it ever
completed gives its upload back (and takes one again to be retried); the owner's own questions
are previews counted apart from the tier's AI answers; the usage page names the answerer."""
from __future__ import annotations

from tests.conftest import FIXTURES, csrf, process, upload
from tests.test_tiers import a_student, ask


def uploads_used(owner) -> int:
    return owner.get("/api/usage").get_json()["meters"]["videos"]["used"]


def test_a_failed_video_gives_its_upload_back_until_it_is_retried(apps):
    app, owner = apps(tiers={"free": {"videos_per_month": 1}})
    silent = upload(owner, FIXTURES / "silent.mp4").get_json()
    assert uploads_used(owner) == 1
    assert process(app.extensions["chronos"], silent["id"]).status == "failed"  # no speech
    assert uploads_used(owner) == 0
    # Failing again (a re-process) gives nothing back twice.
    assert process(app.extensions["chronos"], silent["id"]).status == "failed"
    assert uploads_used(owner) == 0
    rivers = upload(owner, FIXTURES / "rivers.m4a")
    assert rivers.status_code == 201 and uploads_used(owner) == 1
    retry = owner.post(f"/api/videos/{silent['id']}/retry", headers={"X-CSRF-Token": csrf(owner)})
    assert retry.status_code == 402 and "cannot be tried again until" in retry.get_json()["error"]
    assert owner.get(f"/api/videos/{silent['id']}").get_json()["status"] == "failed"  # left as it was
    # Once the slot is free again the retry takes it.
    owner.delete(f"/api/videos/{rivers.get_json()['id']}", headers={"X-CSRF-Token": csrf(owner)})
    assert uploads_used(owner) == 0  # deleted before it completed
    retry = owner.post(f"/api/videos/{silent['id']}/retry", headers={"X-CSRF-Token": csrf(owner)})
    assert retry.status_code == 200 and uploads_used(owner) == 1


def test_deleting_a_video_that_completed_keeps_its_upload_counted(apps):
    app, owner = apps()
    rivers = upload(owner, FIXTURES / "rivers.m4a").get_json()
    assert process(app.extensions["chronos"], rivers["id"]).status == "completed"
    owner.delete(f"/api/videos/{rivers['id']}", headers={"X-CSRF-Token": csrf(owner)})
    assert uploads_used(owner) == 1  # it was transcribed and answered from: it gave something


def test_the_usage_page_names_the_answerer_and_counts_previews_apart(apps):
    app, owner = apps(tiers={"free": {"credits_per_month": 10}})
    assert ask(owner, "What is a river?").status_code == 200
    assert ask(a_student(app, owner), "What is a lake?").status_code == 200
    body = owner.get("/api/usage").get_json()
    assert body["meters"]["credits"]["used"] == 1 and body["owner_previews"] == 1
    page = owner.get("/usage").get_data(as_text=True)
    assert "Claude" not in page
    assert "2 Offline (quoted from the videos)" in page
    assert "1 your own preview, not counted against the plan" in page
    assert page.count("· your preview") == 1
