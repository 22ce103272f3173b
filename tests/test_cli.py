"""The `chronos` command: ingest, status, transcript, reprocess, token, doctor — in a child process."""
from __future__ import annotations

import json

from tests.conftest import FIXTURES
from tests.procs import chronos_env, run_cli


def test_ingest_status_and_transcript(tmp_path):
    data = str(tmp_path / "data")
    res = run_cli("ingest", str(FIXTURES / "rivers.m4a"), str(FIXTURES / "noaudio.mp4"),
                  "--json", "--data-dir", data)
    out = json.loads(res.stdout)
    assert res.returncode == 1  # one of the two files was refused
    good, bad = out
    assert set(good) == {"id", "title", "status", "error", "duration_s", "chunks", "published"}
    assert good["status"] == "completed" and good["chunks"] >= 1 and good["title"] == "Rivers"
    assert abs(good["duration_s"] - 20.7) < 0.5
    assert bad["status"] == "rejected" and "no audio track" in bad["error"]
    assert "rivers.m4a: transcribe" in res.stderr  # progress was shown

    status = json.loads(run_cli("status", "--json", "--data-dir", data).stdout)
    assert status == [good]

    tj = json.loads(run_cli("transcript", str(good["id"]), "--format", "json", "--data-dir", data).stdout)
    assert set(tj) == {"video_id", "language", "segments", "chunks"}
    assert tj["video_id"] == good["id"] and tj["language"] == "en"
    assert all(set(s) == {"start_s", "end_s", "text"} for s in tj["chunks"])
    assert [s["index"] for s in tj["segments"]] == list(range(len(tj["segments"])))
    assert all(set(s) == {"index", "start_s", "end_s", "text"} for s in tj["segments"])
    assert "sediment" in " ".join(s["text"] for s in tj["segments"]).lower()
    vtt = run_cli("transcript", str(good["id"]), "--format", "vtt", "--data-dir", data).stdout
    assert vtt.startswith("WEBVTT")
    missing = run_cli("transcript", "99", "--data-dir", data)
    assert missing.returncode == 2 and "No video 99" in missing.stderr

    again = run_cli("reprocess", str(good["id"]), "--json", "--data-dir", data)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) | {"id": good["id"]} == good and "Rivers: transcribe" in again.stderr
    gone = run_cli("reprocess", "99", "--data-dir", data)
    assert gone.returncode == 2 and "No video 99" in gone.stderr


def test_data_dir_from_environment_and_title(tmp_path):
    env = chronos_env(CHRONOS_DATA_DIR=str(tmp_path / "envdata"))
    res = run_cli("ingest", str(FIXTURES / "rivers.m4a"), "--title", "How rivers work", "--json", env=env)
    assert json.loads(res.stdout)[0]["title"] == "How rivers work"
    assert (tmp_path / "envdata" / "chronos.db").exists()
    assert "How rivers work" in run_cli("status", env=env).stdout


def test_token_and_doctor(tmp_path):
    data = str(tmp_path / "data")
    token = run_cli("token", "create", "--data-dir", data).stdout.strip()
    assert token.startswith("chr_") and len(token) > 30
    assert "cli" in run_cli("token", "list", "--data-dir", data).stdout
    doctor = run_cli("doctor", "--data-dir", data)
    assert doctor.returncode == 0, doctor.stdout
    assert "sqlite-vec: v0.1.9" in doctor.stdout and "whisper base: ready" in doctor.stdout
    assert "Free disk" in doctor.stdout and "GPU" in doctor.stdout
