"""Videos with their transcripts as spoken, for the quiz tests: a fixture's generator sidecar gives
its sentences and their times exactly, so no Whisper run is needed to draft and check questions."""
from __future__ import annotations

from chronos.models import creators, sentences, transcripts, videos
from chronos.pipeline.ingest import ingest_path
from tests.conftest import FIXTURES, sidecar


def spoken_video(sv, fixture: str, title: str, *, creator_id: int | None = None, published: bool = True) -> int:
    """A completed video of the fixture (the local creator's by default) whose transcript is the
    sidecar's sentences; its id."""
    s = sv.settings
    said = sidecar(fixture)
    with sv.db.connection() as conn:
        creator_id = creator_id or creators.local_creator(conn).id
        video = ingest_path(FIXTURES / fixture, conn=conn, media_dir=s.media_dir, incoming_dir=s.upload_tmp_dir,
                            creator_id=creator_id, max_bytes=s.max_upload_bytes, title=title, published=published)
        lines = [transcripts.Segment(x["start_s"], x["end_s"], x["text"]) for x in said["sentences"]]
        transcripts.save_transcript(conn, video.id, "en", lines)
        sentences.replace_sentences(conn, video.id, creator_id,
                                    [sentences.SentenceDraft(x.start_s, x.end_s, x.text) for x in lines])
        videos.set_probe(conn, video.id, duration_s=said["duration_s"], thumbnail_path=None)
        videos.set_status(conn, video.id, "completed")
    return video.id


def said_at(fixture: str, at_s: float) -> dict:
    """The sidecar sentence being spoken at `at_s` (its end included)."""
    return next(x for x in sidecar(fixture)["sentences"] if x["start_s"] - 0.01 <= at_s <= x["end_s"] + 0.01)
