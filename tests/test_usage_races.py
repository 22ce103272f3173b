"""Limits hold under concurrent use: racing uploads and questions admit exactly what fits."""
from __future__ import annotations

import io
import threading

from chronos.models import creators, people
from chronos.pipeline.ingest import UploadError, ingest_stream
from chronos.rag.chat import Asker, ChatError
from chronos.tiers import tier_for
from tests.conftest import FIXTURES
from tests.test_tiers import stored

SILENT = (FIXTURES / "silent.mp4").read_bytes()
THREADS = 8


def race(worker, n: int = THREADS) -> list:
    """Run worker(i) in n threads released together; return their results in order."""
    results, gate = [None] * n, threading.Barrier(n)

    def run(i):
        gate.wait()
        results[i] = worker(i)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_racing_uploads_for_the_last_room_admit_exactly_what_fits(apps):
    limit = 3 * len(SILENT) + len(SILENT) // 2  # room for three and a half
    app, _ = apps(tiers={"free": {"storage_bytes": limit}})
    with app.extensions["chronos"].db.connection() as conn:
        token = creators.create_token(conn, creators.get_owner(conn).id)
    clients = [app.test_client() for _ in range(THREADS)]

    def post(i):
        return clients[i].post("/api/videos", data={"file": (io.BytesIO(SILENT), f"race{i}.mp4")},
                               headers={"Authorization": f"Bearer {token}"},
                               content_type="multipart/form-data").status_code
    codes = race(post)
    assert sorted(codes) == [201] * 3 + [413] * (THREADS - 3)
    rows, files, parts, held = stored(app)
    assert (rows, files, parts, held) == (3, 3, 0, 0)
    with app.extensions["chronos"].db.connection() as conn:
        assert conn.execute("SELECT sum(size_bytes) FROM videos").fetchone()[0] <= limit


def test_racing_uploads_of_unknown_size_are_settled_at_commit(apps):
    """No declared size: each holds only a video slot, and the real size is checked when recorded."""
    limit = 2 * len(SILENT)
    app, _ = apps(tiers={"free": {"storage_bytes": limit, "videos_per_month": 100}})
    sv = app.extensions["chronos"]
    tier = tier_for(sv.settings, "free")

    def ingest(i):
        with sv.db.connection() as conn:
            try:
                ingest_stream(io.BytesIO(SILENT), f"u{i}.mp4", conn=conn, media_dir=sv.settings.media_dir,
                              incoming_dir=sv.settings.upload_tmp_dir, creator_id=1,
                              max_bytes=sv.settings.max_upload_bytes, tier=tier, declared_bytes=None)
                return "ok"
            except UploadError as exc:
                return exc.status
    results = race(ingest)
    assert sorted(results, key=str) == sorted(["ok"] * 2 + [413] * (THREADS - 2), key=str)
    assert stored(app) == (2, 2, 0, 0)


def test_racing_uploads_for_the_last_video_slot(apps):
    app, _ = apps(tiers={"free": {"videos_per_month": 2}})
    sv = app.extensions["chronos"]
    tier = tier_for(sv.settings, "free")

    def ingest(i):
        with sv.db.connection() as conn:
            try:
                ingest_stream(io.BytesIO(SILENT), f"v{i}.mp4", conn=conn, media_dir=sv.settings.media_dir,
                              incoming_dir=sv.settings.upload_tmp_dir, creator_id=1,
                              max_bytes=sv.settings.max_upload_bytes, tier=tier, declared_bytes=len(SILENT))
                return "ok"
            except UploadError as exc:
                return exc.status
    results = race(ingest)
    assert results.count("ok") == 2 and results.count(402) == THREADS - 2
    assert stored(app) == (2, 2, 0, 0)


def test_racing_questions_for_the_last_credits(apps):
    app, _ = apps(tiers={"free": {"credits_per_month": 5}})
    chat = app.extensions["chronos"].chat
    with app.extensions["chronos"].db.connection() as conn:  # students spend credits, the owner's previews do not
        _, token = people.create_invite(conn, 1, expires_at=None, max_uses=None)
        student = people.join_with_invite(conn, token, name="Grace", username="grace", password="x" * 10)

    def ask(i):
        try:
            chat.ask_and_wait(Asker(1, student.id), f"Question number {i} about rivers?")
            return "ok"
        except ChatError as exc:
            return exc.status
    results = race(ask, 12)
    assert results.count("ok") == 5 and results.count(429) == 7
    with app.extensions["chronos"].db.connection() as conn:
        assert conn.execute("SELECT sum(ai_credits_used) FROM usage_metrics").fetchone()[0] == 5
