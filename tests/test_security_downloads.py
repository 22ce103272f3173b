"""Issue 20.4: every download names its file in a Content-Disposition any title survives
(RFC 6266 filename*=UTF-8''… with an ASCII fallback); a title outside Latin-1 hung the response."""
from __future__ import annotations

import http.client
import shutil
from urllib.parse import unquote

import pytest

from chronos.models import creators, videos
from chronos.pipeline.ingest import ingest_path
from tests.conftest import FIXTURES, LiveServer, add_video, process

TITLE = "évil 名前 🎓"


def _filename_star(header: str) -> str:
    """The file name a browser takes from filename*=UTF-8''…"""
    star = header.split("filename*=", 1)[1]
    assert star.startswith("UTF-8''")
    return unquote(star[len("UTF-8''"):].split(";")[0])


@pytest.fixture
def served(apps, tmp_path):
    """A running Chronos with one processed video titled TITLE, an owner token, and the server."""
    app, _ = apps()
    sv = app.extensions["chronos"]
    video = add_video(sv, "silent.mp4", title=TITLE)
    process(sv, video.id)
    with sv.db.connection() as conn:
        token = creators.create_token(conn, creators.get_owner(conn).id)
    server = LiveServer(app)
    yield server, token, video.id
    server.stop()


def _get(server: LiveServer, token: str, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    res = conn.getresponse()
    res.read()
    conn.close()
    return res


@pytest.mark.parametrize("fmt,kind", [("srt", "attachment"), ("vtt", "inline"), ("txt", "attachment"),
                                      ("json", "attachment")])
def test_transcript_of_a_title_outside_latin1_downloads_under_its_name(served, fmt, kind):
    server, token, video_id = served
    # Before the fix the server raised UnicodeEncodeError writing the header: no response at all,
    # so this request timed out.
    res = _get(server, token, f"/videos/{video_id}/transcript.{fmt}")
    assert res.status == 200
    header = res.getheader("Content-Disposition")
    assert header.startswith(f'{kind}; filename="evil _.{fmt}"')
    assert _filename_star(header) == f"évil 名前 _.{fmt}"  # the emoji is not a letter: "_"


def test_media_file_of_a_name_outside_latin1(apps, tmp_path):
    app, _ = apps()
    sv = app.extensions["chronos"]
    named = tmp_path / "講義 ünf 🎓.mp4"
    shutil.copy(FIXTURES / "silent.mp4", named)
    with sv.db.connection() as conn:
        video = ingest_path(named, conn=conn, media_dir=sv.settings.media_dir,
                            incoming_dir=sv.settings.upload_tmp_dir,
                            creator_id=creators.local_creator(conn).id,
                            max_bytes=sv.settings.max_upload_bytes)
        token = creators.create_token(conn, creators.get_owner(conn).id)
        assert videos.get_video(conn, video.id).original_filename == named.name
    server = LiveServer(app)
    try:
        res = _get(server, token, f"/media/videos/{video.id}")
    finally:
        server.stop()
    assert res.status == 200 and res.getheader("Content-Type") == "video/mp4"
    header = res.getheader("Content-Disposition")
    assert header.startswith('inline; filename="unf.mp4"')
    assert _filename_star(header) == named.name


def test_csv_export_names_are_plain_ascii(owner_client):
    res = owner_client.get("/api/analytics/export?report=videos&from=2026-01-01&to=2026-01-02")
    assert res.headers["Content-Disposition"] == \
        'attachment; filename="chronos-videos-2026-01-01-to-2026-01-02.csv"'
