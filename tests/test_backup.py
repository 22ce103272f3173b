"""Backup and restore: restored data equals the original, backups taken while serving are whole,
and a bad archive or an occupied folder loses nothing."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import threading
from contextlib import closing
from pathlib import Path

import pytest

from chronos import create_app
from chronos.backup import (BackupError, DataFolderBusy, create_backup, restore_backup,
                            using_data_folder)
from chronos.backup.lock import LOCK_FILE
from chronos.config import Settings, load_settings
from chronos.db import Database, connect
from chronos.models import courses, creators, meta, people
from chronos.rag.retrieval import retrieve
from tests.conftest import FIXTURES, OWNER, add_video, ask, process, signed_in
from tests.procs import Server, chronos_env, get_json, run_cli, upload_file


def table_rows(db_path: Path) -> dict[str, list]:
    """Every row of every table (vec0 and FTS5 ones included), in a stable order."""
    conn = connect(db_path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name <> 'apscheduler_jobs' ORDER BY name")]
        return {n: sorted((tuple(r) for r in conn.execute(f'SELECT * FROM "{n}"')), key=repr) for n in names}
    finally:
        conn.close()


def tree(folder: Path) -> dict[str, str]:
    """Every file under a folder by relative path, with its SHA-256 (the empty lock file aside)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != LOCK_FILE}


def passages(db_path: Path, embedder, question: str, mode: str) -> list[tuple]:
    conn = connect(db_path)
    try:
        found = retrieve(conn, embedder, question, creator_id=creators.local_creator(conn).id, mode=mode)
        return [(p.video_id, p.start_s, p.end_s, p.text) for p in found.passages]
    finally:
        conn.close()


@pytest.fixture
def backed_up(app, services, settings, owner_client, tmp_path):
    """A data folder with processed videos, a course, a student and a chat, and its backup."""
    lecture = process(services, add_video(services, "photosynthesis.mp4").id)
    rivers = process(services, add_video(services, "rivers.m4a").id)
    assert lecture.status == rivers.status == "completed" and lecture.thumbnail_path
    with services.db.connection() as conn:
        owner = creators.get_owner(conn)
        course = courses.create_course(conn, owner.id, title="Biology", published=True)
        courses.add_module(conn, course.id, owner.id, title="Plants", video_ids=[lecture.id])
        _, invite = people.create_invite(conn, owner.id, expires_at=None, max_uses=5)
        people.join_with_invite(conn, invite, name="Sam", username="sam", password="a long password here")
    assert ask(owner_client, "What does the Calvin cycle make?")["citations"]
    (settings.data_dir / "settings.toml").write_text('anthropic_model = "claude-test"\n')
    report = create_backup(settings, tmp_path / "backups")
    return settings, report


def test_restored_data_equals_the_original(backed_up, tmp_path, transcriber, embedder):
    settings, report = backed_up
    assert report.path.parent == tmp_path / "backups" and report.path.name.startswith("chronos-backup-")
    assert report.media_files == 3 and report.secret_files == ["settings.toml", "secret_key"]
    assert report.schema_version == meta.known_schema_version() and not report.skipped

    target = tmp_path / "restored"
    restored = restore_backup(Settings(data_dir=target), report.path)
    assert restored.previous_data is None and restored.schema_to == report.schema_version

    before, after = table_rows(settings.db_path), table_rows(target / "chronos.db")
    assert after == before
    for table in ("videos", "video_chunks", "chunk_vectors", "chunks_fts", "courses", "module_videos",
                  "students", "chat_sessions", "chat_messages", "message_citations"):
        assert before[table], f"{table} is empty: the comparison would prove nothing"
    media_before = {k: v for k, v in tree(settings.media_dir).items() if not k.startswith(".incoming")}
    assert tree(target / "media") == media_before and len(media_before) == 3
    for name in ("settings.toml", "secret_key"):
        assert (target / name).read_bytes() == (settings.data_dir / name).read_bytes()
    assert (target / "secret_key").stat().st_mode & 0o777 == 0o600
    assert not (target / "models").exists() and not (target / "backups").exists()

    question = "How do plants turn light into sugar?"
    for mode in ("vector", "keyword", "hybrid"):
        original = passages(settings.db_path, embedder, question, mode)
        assert original and passages(target / "chronos.db", embedder, question, mode) == original

    # The restored folder runs: the owner signs in with the same password and gets cited answers.
    app = create_app(load_settings(target, env={}, whisper_model="tiny.en", run_scheduler=False),
                     transcriber=transcriber, embedder=embedder)
    try:
        assert app.config["SECRET_KEY"] == settings.secret_key
        client = signed_in(app, OWNER)
        answer = ask(client, "Where do rivers deposit sediment?")
        assert answer["citations"] and not answer.get("error")
        video_id = answer["citations"][0]["video_id"]
        res = client.get(f"/media/videos/{video_id}")
        with closing(connect(target / "chronos.db")) as conn:
            path = conn.execute("SELECT media_path FROM videos WHERE id = ?", (video_id,)).fetchone()[0]
        assert res.status_code == 200 and res.data == (target / "media" / path).read_bytes()
    finally:
        app.extensions["chronos"].close(wait=True)


def test_damaged_archives_are_refused_and_change_nothing(backed_up, tmp_path):
    settings, report = backed_up
    good = report.path.read_bytes()
    with tarfile.open(report.path) as tar:
        db_at = tar.getmember("data/chronos.db").offset_data
        manifest_at = tar.getmember("manifest.json").offset_data
    flipped = bytearray(good)
    flipped[db_at + 5000] ^= 0xFF
    damaged = {"truncated": good[: len(good) // 2], "cut in the manifest": good[: manifest_at + 100],
               "cut before the manifest": good[: manifest_at - 512],
               "flipped byte": bytes(flipped), "not a tar": b"PK\x03\x04 a zip, not a backup" * 100,
               "empty": b""}
    target = tmp_path / "existing"
    restore_backup(Settings(data_dir=target), report.path)  # a folder with data to protect
    (target / "media" / "notes.txt").write_text("mine")
    snapshot = tree(target)
    for name, data in damaged.items():
        bad = tmp_path / f"{name}.tar"
        bad.write_bytes(data)
        for force in (False, True):
            with pytest.raises(BackupError) as exc:
                restore_backup(Settings(data_dir=target), bad, force=force)
            message = str(exc.value)
            assert "Nothing was restored" in message or "already holds" in message, (name, message)
            if force:
                assert "damaged" in message or "not a Chronos backup" in message, (name, message)
        assert tree(target) == snapshot, name
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".existing", "existing"))) == ["existing"]


def test_a_backup_from_a_newer_schema_is_refused(settings, services, tmp_path):
    with services.db.connection() as conn:
        conn.execute("INSERT INTO schema_migrations(number, name) VALUES (?, 'from the future')",
                     (meta.known_schema_version() + 1,))
    archive = create_backup(settings, tmp_path / "future.tar").path
    with pytest.raises(BackupError, match="newer Chronos.*Upgrade Chronos"):
        restore_backup(Settings(data_dir=tmp_path / "fresh"), archive)
    assert not (tmp_path / "fresh").exists()


def test_restore_over_data_needs_force_and_keeps_the_old_data(backed_up, tmp_path, services):
    settings, report = backed_up
    target = tmp_path / "existing"
    restore_backup(Settings(data_dir=target), report.path)
    with closing(connect(target / "chronos.db")) as conn:
        conn.execute("DELETE FROM chat_messages")  # make the current data differ from the backup
    (target / "media" / "notes.txt").write_text("mine")
    (target / "backups").mkdir()
    (target / "backups" / "last-week.tar").write_bytes(report.path.read_bytes())
    snapshot = tree(target)

    with pytest.raises(BackupError, match="already holds Chronos data.*--force"):
        restore_backup(Settings(data_dir=target), report.path)
    assert tree(target) == snapshot

    # Restoring the backup kept in the folder's own backups/, the everyday case.
    restored = restore_backup(Settings(data_dir=target), target / "backups" / "last-week.tar", force=True)
    kept = restored.previous_data
    assert kept.parent == tmp_path and kept.name.startswith("existing.before-restore-")
    # Nothing lost: the replaced data is all there, and the backups stay in the data folder.
    assert tree(kept) == {k: v for k, v in snapshot.items() if not k.startswith("backups/")}
    assert tree(target / "backups") == {"last-week.tar": snapshot["backups/last-week.tar"]}
    assert table_rows(target / "chronos.db") == table_rows(settings.db_path)
    assert not (target / "media" / "notes.txt").exists()


def test_a_first_start_folder_is_filled_in_place(backed_up, tmp_path):
    """A folder holding only what a first start creates is not 'existing data'."""
    _, report = backed_up
    fresh = load_settings(tmp_path / "fresh", env={})
    restored = restore_backup(fresh, report.path)
    assert restored.previous_data is None
    assert (fresh.data_dir / "secret_key").read_text() != fresh.secret_key  # the backup's secret
    assert len(tree(fresh.media_dir)) == 3


HOLDER = """
import sys
from pathlib import Path
from chronos.backup import using_data_folder
with using_data_folder(Path(sys.argv[1])):
    print("holding", flush=True)
    sys.stdin.read()
"""


def test_restore_refuses_while_another_process_uses_the_folder(backed_up, tmp_path):
    settings, report = backed_up
    target = tmp_path / "in-use"
    restore_backup(Settings(data_dir=target), report.path)
    snapshot = tree(target)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=chronos_env())
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DataFolderBusy, match=rf"Chronos is running on .*in-use \(process {holder.pid}\)"):
            restore_backup(Settings(data_dir=target), report.path, force=True)
        assert tree(target) == snapshot
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert restore_backup(Settings(data_dir=target), report.path, force=True).previous_data.is_dir()
    # And the other way round: while a restore holds the folder, Chronos will not start on it.
    from chronos.backup import exclusive_data_folder

    with exclusive_data_folder(target), pytest.raises(DataFolderBusy, match="being restored"):
        with using_data_folder(target):
            pass


def test_backup_while_serving_and_writing_is_consistent(tmp_path):
    """Backups taken while `chronos serve` takes uploads and processes them restore whole."""
    data = tmp_path / "live"
    data.mkdir()
    (data / "settings.toml").write_text("rate_uploads_per_min = 0\n[tiers.free]\nvideos_per_month = -1\n")
    token = run_cli("token", "create", "--data-dir", str(data)).stdout.strip()
    server = Server(data)
    acked: list[int] = []
    changed = threading.Condition()
    stop = threading.Event()
    failure: list[BaseException] = []

    def keep_uploading():
        try:
            while not stop.is_set():
                video = upload_file(server.url, token, FIXTURES / "rivers.m4a")
                with changed:
                    acked.append(video["id"])
                    changed.notify_all()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failure.append(exc)
            with changed:
                changed.notify_all()

    def wait_for_uploads(count: int) -> None:
        with changed:
            assert changed.wait_for(lambda: len(acked) >= count or failure, timeout=120), "uploads stalled"
        assert not failure, failure

    writer = threading.Thread(target=keep_uploading, daemon=True)
    writer.start()
    settings = load_settings(data, env={})
    archives = []
    try:
        for _ in range(3):
            wait_for_uploads(len(acked) + 2)  # the server is busy writing…
            before = len(acked)
            archives.append((before, create_backup(settings, tmp_path / "backups").path))
            wait_for_uploads(len(acked) + 1)  # …and still writing after the backup
        stop.set()
        writer.join(timeout=120)
        # The running server has the database open: restoring over it is refused, even with --force.
        with pytest.raises(DataFolderBusy, match="Chronos is running on .*Stop `chronos serve`"):
            restore_backup(Settings(data_dir=data), archives[0][1], force=True)
        assert server.proc.poll() is None and len(get_json(server.url, token, "/api/videos")) >= len(acked)
    finally:
        stop.set()
        writer.join(timeout=120)
        server.stop()
    fixture = (FIXTURES / "rivers.m4a").read_bytes()
    for i, (acked_before, archive) in enumerate(archives):
        target = tmp_path / f"restored-{i}"
        restore_backup(Settings(data_dir=target), archive)
        with closing(connect(target / "chronos.db")) as conn:
            assert meta.integrity_problems(conn) == []
            rows = conn.execute("SELECT id, media_path FROM videos").fetchall()
        assert len(rows) >= acked_before  # every upload answered before the backup is in it
        for _, media_path in rows:  # and every video it names has its file
            assert (target / "media" / media_path).read_bytes() == fixture
        Database(target / "chronos.db")  # opens and migrates like a start would
        assert "videos_per_month = -1" in (target / "settings.toml").read_text()


def test_cli_backup_and_restore(tmp_path):
    data, copy = tmp_path / "data", tmp_path / "copy"
    assert run_cli("ingest", str(FIXTURES / "rivers.m4a"), "--data-dir", str(data)).returncode == 0

    res = run_cli("backup", "--output", str(tmp_path / "out"), "--data-dir", str(data))
    assert res.returncode == 0, res.stderr
    archive = Path(res.stdout.split("Backup written: ")[1].split(" (")[0])
    assert archive.parent == tmp_path / "out" and archive.is_file()
    assert "media: 1 file(s)" in res.stdout and "secret_key: included" in res.stdout
    assert "Copying:" in res.stderr and "(100%)" in res.stderr  # progress was shown
    again = run_cli("backup", "--output", str(archive), "--data-dir", str(data))
    assert again.returncode == 1 and "already exists" in again.stderr

    res = run_cli("restore", str(archive), "--data-dir", str(copy))
    assert res.returncode == 0, res.stderr
    assert f"into {copy}" in res.stdout and "chronos serve --data-dir" in res.stdout
    status = [run_cli("status", "--json", "--data-dir", str(d)).stdout for d in (data, copy)]
    assert json.loads(status[1]) == json.loads(status[0]) and json.loads(status[0])[0]["status"] == "completed"
    answer = run_cli("ask", "Where do rivers deposit sediment?", "--json", "--data-dir", str(copy))
    assert answer.returncode == 0 and json.loads(answer.stdout)["citations"]

    refused = run_cli("restore", str(archive), "--data-dir", str(copy))
    assert refused.returncode == 1 and "--force" in refused.stderr
    forced = run_cli("restore", str(archive), "--force", "--data-dir", str(copy))
    assert forced.returncode == 0 and "kept in" in forced.stdout
    bad = tmp_path / "bad.tar"
    bad.write_bytes(archive.read_bytes()[:5000])
    res = run_cli("restore", str(bad), "--force", "--data-dir", str(copy))
    assert res.returncode == 1 and "Nothing was restored" in res.stderr
    missing = run_cli("backup", "--data-dir", str(tmp_path / "nothing"))
    assert missing.returncode == 1 and "nothing to back up" in missing.stderr
