"""The video state machine: pending → transcribing → chunking → embedding → completed."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chronos.ai.embedder import Embedder
from chronos.ai.transcriber import Transcriber
from chronos.db import Connection, transaction
from chronos.models import chunks as chunk_store
from chronos.models import sentences as sentence_store
from chronos.models import stages, transcripts, vector_index, videos
from chronos.models import transcript_drafts as drafts
from chronos.models import transcript_edits as edit_store
from chronos.models.sentences import window_text
from chronos.models.states import VideoStatus
from chronos.pipeline import media
from chronos.pipeline.chaptering import Titler, refresh_chapters
from chronos.pipeline.chunking import chunk_sentences, sentences_from_segments
from chronos.pipeline.corrections import reapply_edits
from chronos.pipeline.events import Event
from chronos.pipeline.hints import hints_for_video

Publish = Callable[[Event], None]
log = logging.getLogger(__name__)
# Seconds between commits of the segments a transcription has decoded so far (its draft).
DRAFT_COMMIT_S = 2.0


class PermanentError(Exception):
    """A failure retrying cannot fix (the creator must act); the message says what to do."""


class VideoGone(Exception):
    """The video was deleted while it was being processed."""


class Interrupted(Exception):
    """Chronos is stopping: the finished stages are kept and the next stage runs at the next start."""


@dataclass
class Pipeline:
    """What processing needs: the models, where media lives, and where to report progress."""
    transcriber: Transcriber
    embedder: Embedder
    media_dir: Path
    publish: Publish = lambda event: None
    # Give Whisper the glossary, title and course titles as hints (the whisper_hints setting).
    hints: bool = False
    # Set when Chronos is stopping: the running stage finishes, the next one is left for later.
    stopping: threading.Event = field(default_factory=threading.Event)
    # Titles chapters (Claude, when a key is set); None: the offline titles.
    titler: Titler | None = None


def publish_video(conn: Connection, video_id: int, publish: Publish, stage: str | None = None) -> None:
    """Tell live pages about a video's current state."""
    video = videos.get_video(conn, video_id)
    if video is not None:
        publish({"type": "video", "video": {**video.to_json(), "creator_id": video.creator_id,
                                            "stage": stage or video.status}})


def process_video(video_id: int, *, conn: Connection, pipeline: Pipeline, attempt: int = 1) -> videos.Video:
    """Run every remaining stage of a video, committing each transition; resumes where it stopped."""
    video = _require(conn, video_id)
    if video.status in (VideoStatus.PENDING, VideoStatus.TRANSCRIBING):
        _transcribe(conn, video, pipeline, attempt)
    video = _next_stage(conn, video_id, pipeline)
    if video.status == VideoStatus.CHUNKING:
        with _stage(conn, video_id, "chunk", attempt):
            spoken = sentences_from_segments(transcripts.load_segments(conn, video_id))
            chunk_store.replace_chunks(conn, video_id, video.creator_id, chunk_sentences(spoken))
            # The sentences are replaced with the chunks, so no old vector outlives its text.
            _store_sentences(conn, video, spoken)
            edit_store.mark_indexed(conn, video_id)  # built from the transcript as it now stands
        _advance(conn, video_id, VideoStatus.EMBEDDING, pipeline)
    video = _next_stage(conn, video_id, pipeline)
    if video.status == VideoStatus.EMBEDDING:
        with _stage(conn, video_id, "embed", attempt):
            pipeline.embedder.follow(vector_index.current(conn).embedder)  # after a re-embed elsewhere
            embed_chunks(conn, video_id, pipeline.embedder)
            embed_sentences(conn, video_id, pipeline.embedder)
        _chapters(conn, video_id, pipeline, attempt)
        _advance(conn, video_id, VideoStatus.COMPLETED, pipeline)
    return _require(conn, video_id)


def _chapters(conn: Connection, video_id: int, pipeline: Pipeline, attempt: int) -> None:
    """Chapter the video (kept as they are if the creator edited them). A failure is logged and
    does not hold the video back: its page computes chapters until the start-up backfill stores them."""
    try:
        with _stage(conn, video_id, "chapters", attempt):
            refresh_chapters(conn, video_id, pipeline.titler)
    except Exception:  # noqa: BLE001 - chapters are a convenience; the lecture is ready without them
        log.exception("video %s: computing chapters failed", video_id)


def _transcribe(conn: Connection, video: videos.Video, pipeline: Pipeline, attempt: int) -> None:
    path = pipeline.media_dir / video.media_path
    draft = _resumable_draft(conn, video.id, pipeline.transcriber.name, video.spoken_language)
    # A resumed transcription shows the progress it had saved from the start; a new one, none.
    videos.set_status(conn, video.id, VideoStatus.TRANSCRIBING,
                      progress=_share(draft.decoded_until_s, video.duration_s) if draft else 0.0)
    publish_video(conn, video.id, pipeline.publish, "probe")
    with _stage(conn, video.id, "probe", attempt):
        if not path.exists():
            raise PermanentError("The media file is missing from the data folder. Delete this video "
                                 "and upload it again.")
        try:
            info = media.probe(path)
        except media.MediaError as exc:
            raise PermanentError(str(exc)) from exc
        thumb = Path("thumbnails") / f"{video.id}.jpg"
        has_thumb = info.has_video and media.write_thumbnail(path, pipeline.media_dir / thumb)
        videos.set_probe(conn, video.id, duration_s=info.duration_s,
                         thumbnail_path=str(thumb) if has_thumb else None)
    publish_video(conn, video.id, pipeline.publish, "audio")
    with _stage(conn, video.id, "audio", attempt):
        audio = media.load_audio(path)
    last = [_share(draft.decoded_until_s, len(audio) / media.SAMPLE_RATE) if draft else 0.0]
    videos.set_progress(conn, video.id, last[0])
    publish_video(conn, video.id, pipeline.publish, "transcribe")

    def on_progress(fraction: float) -> None:
        _require(conn, video.id)  # stop early if the creator deleted the video meanwhile
        if fraction - last[0] >= 0.01 or fraction >= 1.0:
            last[0] = fraction
            videos.set_progress(conn, video.id, fraction)
            publish_video(conn, video.id, pipeline.publish, "transcribe")

    with _stage(conn, video.id, "transcribe", attempt):
        hints = hints_for_video(conn, video) if pipeline.hints else []
        # Hints, the creator's language and a resume are passed only when there are some.
        extra = {"hints": hints} if hints else {}
        if video.spoken_language:  # the creator fixed it: no detection
            extra["language"] = video.spoken_language
        if draft:
            extra.update(resume=draft.segments, language=draft.language)
        saver = _DraftSaver(conn, video.id, pipeline.transcriber.name)
        try:
            result = pipeline.transcriber.transcribe(audio, on_progress, on_decoded=saver.add, **extra)
        finally:
            if videos.get_video(conn, video.id) is not None:
                saver.flush()  # what a failure interrupted is kept for the retry
        if not any(s.text.strip() for s in result.segments):
            drafts.discard_draft(conn, video.id)
            raise PermanentError("No speech was found in this file's audio: it is silent or has "
                                 "only music or noise. Upload a version with the spoken lecture.")
        with transaction(conn):  # the new transcript lands with the creator's corrections on it
            transcripts.save_transcript(conn, video.id, result.language, result.segments)
            drafts.discard_draft(conn, video.id)
            reapply_edits(conn, video.id)
    _advance(conn, video.id, VideoStatus.CHUNKING, pipeline)


def _share(seconds: float, duration_s: float | None) -> float:
    """The fraction of the audio that `seconds` reach (0 when the duration is unknown)."""
    return min(1.0, seconds / duration_s) if duration_s else 0.0


def _resumable_draft(conn: Connection, video_id: int, model: str,
                     language: str | None) -> drafts.Draft | None:
    """The segments an interrupted transcription of the video saved, when this model made them in
    the language the creator fixed (if any); others are discarded (the rest would not match them)."""
    draft = drafts.load_draft(conn, video_id)
    if draft is not None and (draft.model != model or (language and draft.language != language)):
        drafts.discard_draft(conn, video_id)
        return None
    return draft if draft and draft.segments else None


class _DraftSaver:
    """Saves the segments Whisper decodes to the video's draft as they come, one commit at most
    every DRAFT_COMMIT_S: a crash loses the segments of the last few seconds (and the step under
    way), and commits stay too rare to slow decoding (bench/README.md, "Resuming")."""

    def __init__(self, conn: Connection, video_id: int, model: str):
        self.conn, self.video_id, self.model = conn, video_id, model
        self.language = ""
        self.pending: list[transcripts.Segment] = []
        self.saved_at = time.monotonic()

    def add(self, language: str, segments: list[transcripts.Segment]) -> None:
        self.language = language
        self.pending.extend(segments)
        if time.monotonic() - self.saved_at >= DRAFT_COMMIT_S:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            drafts.append_segments(self.conn, self.video_id, model=self.model, language=self.language,
                                   segments=self.pending)
            self.pending = []
        self.saved_at = time.monotonic()


def embed_chunks(conn: Connection, video_id: int, embedder: Embedder) -> int:
    """Embed the video's chunks that lack vectors, reusing cached vectors for unchanged text."""
    todo = chunk_store.chunks_without_vectors(conn, video_id)
    cached = chunk_store.cached_embeddings(conn, embedder.name, [c.content_hash for c in todo])
    fresh = [c for c in todo if c.content_hash not in cached]
    for i in range(0, len(fresh), 256):
        batch = fresh[i:i + 256]
        chunk_store.store_vectors(conn, embedder.name, batch, embedder.embed([c.text for c in batch]))
    reused = [c for c in todo if c.content_hash in cached]
    if reused:
        chunk_store.store_vectors(conn, embedder.name, reused, [cached[c.content_hash] for c in reused])
    return len(fresh)


def embed_sentences(conn: Connection, video_id: int, embedder: Embedder) -> int:
    """Embed the video's sentences, and each with its neighbours (its context vector), where
    missing; cached vectors are reused for unchanged text. Returns the texts embedded.

    A video chunked before sentences were stored (a library older than migration 9) gets its
    sentences from its transcript first: this is also the start-up backfill's work.
    """
    if not sentence_store.has_sentences(conn, video_id):
        _store_sentences(conn, _require(conn, video_id),
                         sentences_from_segments(transcripts.load_segments(conn, video_id)))
    todo = sentence_store.sentences_without_vectors(conn, video_id)
    cached = chunk_store.cached_embeddings(conn, embedder.name, [s.content_hash for s in todo])
    reused = [s for s in todo if s.content_hash in cached]
    if reused:
        sentence_store.store_vectors(conn, embedder.name, reused, [cached[s.content_hash] for s in reused])
    fresh = [s for s in todo if s.content_hash not in cached]
    for i in range(0, len(fresh), 256):
        batch = fresh[i:i + 256]
        sentence_store.store_vectors(conn, embedder.name, batch, embedder.embed([s.text for s in batch]))
    return len(fresh) + _embed_windows(conn, video_id, embedder)


def _embed_windows(conn: Connection, video_id: int, embedder: Embedder) -> int:
    """Store the context vector of each sentence lacking one: it with the sentences either side."""
    spoken = sentence_store.video_sentences(conn, video_id)
    todo = [(s, window_text(spoken, i)) for i, s in enumerate(spoken) if s.window is None]
    hashes = [chunk_store.content_hash(text) for _, text in todo]
    cached = chunk_store.cached_embeddings(conn, embedder.name, hashes)
    reused = [(s, h) for (s, _), h in zip(todo, hashes) if h in cached]
    if reused:
        sentence_store.store_windows(conn, embedder.name, [s for s, _ in reused], [h for _, h in reused],
                                     [cached[h] for _, h in reused])
    fresh = [(s, text, h) for (s, text), h in zip(todo, hashes) if h not in cached]
    for i in range(0, len(fresh), 256):
        batch = fresh[i:i + 256]
        sentence_store.store_windows(conn, embedder.name, [s for s, _, _ in batch], [h for _, _, h in batch],
                                     embedder.embed([text for _, text, _ in batch]))
    return len(fresh)


def _store_sentences(conn: Connection, video: videos.Video, spoken: list) -> None:
    sentence_store.replace_sentences(conn, video.id, video.creator_id, [
        sentence_store.SentenceDraft(s.start_s, s.end_s, s.text) for s in spoken])


def _advance(conn: Connection, video_id: int, status: VideoStatus, pipeline: Pipeline) -> None:
    _require(conn, video_id)
    videos.set_status(conn, video_id, status, progress=1.0)
    publish_video(conn, video_id, pipeline.publish)


def _next_stage(conn: Connection, video_id: int, pipeline: Pipeline) -> videos.Video:
    """The video before its next stage, unless Chronos is stopping (then Interrupted)."""
    video = _require(conn, video_id)
    if pipeline.stopping.is_set() and video.status != VideoStatus.COMPLETED:
        raise Interrupted(video_id)
    return video


def _require(conn: Connection, video_id: int) -> videos.Video:
    video = videos.get_video(conn, video_id)
    if video is None:
        raise VideoGone(video_id)
    return video


class _stage:
    """Times one stage run and records how it ended."""

    def __init__(self, conn: Connection, video_id: int, name: str, attempt: int):
        self.conn, self.video_id, self.name, self.attempt = conn, video_id, name, attempt

    def __enter__(self):
        self.run_id = stages.start_stage(self.conn, self.video_id, self.name, self.attempt)
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is VideoGone:
            return False
        error = None if exc is None else (str(exc) or exc_type.__name__)
        try:
            stages.finish_stage(self.conn, self.run_id, time.perf_counter() - self.t0, error)
        except Exception:  # noqa: BLE001 - the video row (and so this run) may have been deleted
            pass
        return False
