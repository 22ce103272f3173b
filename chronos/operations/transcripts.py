"""Transcript corrections: edit a line, undo an edit, find and replace across videos; each change
is kept as an edit (migration 13) and re-indexes the video in the background (pipeline/reindex)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chronos.db import Connection, transaction
from chronos.models import transcript_edits as edit_store
from chronos.models import transcripts, videos
from chronos.models.states import VideoStatus
from chronos.operations import OperationError
from chronos.operations.videos import require_video
from chronos.pipeline.corrections import clean_text, retime_words, word_diff
from chronos.pipeline.reindex import index_event

if TYPE_CHECKING:
    from chronos.services import Services

TEXT_MAX = 2000  # one segment is a sentence or two; this is far above any Whisper gives
FIND_MAX = 200


@dataclass(frozen=True)
class LineMatch:
    """One segment a find and replace changes: its text before and after."""
    index: int
    start_s: float
    before: str
    after: str
    matches: int


@dataclass(frozen=True)
class VideoMatches:
    video_id: int
    title: str
    lines: list[LineMatch] = field(default_factory=list)

    @property
    def matches(self) -> int:
        return sum(line.matches for line in self.lines)


def _edit_json(edit: edit_store.Edit | None) -> dict | None:
    return None if edit is None else {**edit.to_json(), "diff": word_diff(edit.old_text, edit.new_text)}


def segment_json(conn: Connection, video_id: int, index: int, segment: transcripts.Segment) -> dict:
    """A segment as the editor shows it: text, times, and its latest edit with what it changed."""
    return {"index": index, "start_s": segment.start_s, "end_s": segment.end_s, "text": segment.text,
            "words": [[w.start_s, w.end_s, w.text.strip()] for w in segment.words],
            "edit": _edit_json(edit_store.latest_active(conn, video_id, index))}


def editor_state(conn: Connection, video: videos.Video) -> dict:
    """What the video page's editor starts from: each edited line's latest edit, the index state."""
    latest = edit_store.latest_active_by_segment(conn, video.id)
    return {"video_id": video.id, "title": video.title, "editable": video.status == VideoStatus.COMPLETED,
            "edits": {str(i): _edit_json(e) for i, e in latest.items()}, "index": state_json(conn, video)}


def state_json(conn: Connection, video: videos.Video) -> dict:
    """Whether the video's search data follows its transcript yet."""
    event = index_event(video, edit_store.index_state(conn, video.id))
    return {k: event[k] for k in ("state", "revision", "indexed_at")}


def _editable(conn: Connection, video_id: int, creator_id: int) -> videos.Video:
    video = require_video(conn, video_id, creator_id)
    if video.status == VideoStatus.FAILED:
        raise OperationError(f"Video {video_id} failed processing; retry it, then edit its transcript.", 409)
    if video.status != VideoStatus.COMPLETED:
        raise OperationError(f"Video {video_id} is being processed ({video.status}); edit its transcript "
                             "when processing completes.", 409)
    return video


def _clean(text: Any, what: str = "text") -> str:
    if not isinstance(text, str) or not clean_text(text):
        example = '{"text": "The Amazon carries a fifth of the river water."}' if what == "text" else \
            '{"find": "M&M on", "replace": "Amazon"}'
        raise OperationError(f"Send '{what}' as non-empty text, e.g. {example}.", 400)
    text = clean_text(text)
    if len(text) > TEXT_MAX:
        raise OperationError(f"The {what} is {len(text)} characters long; keep a line to {TEXT_MAX}.", 400)
    return text


def edit_segment(sv: Services, creator_id: int, video_id: int, index: int, text: Any) -> dict:
    """Give segment `index` new text (word times kept where words are unchanged); re-indexes."""
    text = _clean(text)
    with sv.db.connection() as conn:
        video = _editable(conn, video_id, creator_id)
        with transaction(conn):
            segment = _require_segment(conn, video_id, index)
            changed = segment.text != text
            if changed:
                edit_store.add_edit(conn, video_id, index, segment, text, "edit")
                transcripts.update_segment(conn, video_id, index, text, retime_words(segment.words, text))
                revision = edit_store.bump_revision(conn, video_id)
        if changed:
            _reindex(sv, conn, video, revision)
        return _answer(conn, video, index, changed)


def undo_segment(sv: Services, creator_id: int, video_id: int, index: int) -> dict:
    """Take back the newest edit of segment `index`: its text and word times as before."""
    with sv.db.connection() as conn:
        video = _editable(conn, video_id, creator_id)
        with transaction(conn):
            _require_segment(conn, video_id, index)
            edit = edit_store.latest_active(conn, video_id, index)
            if edit is None:
                raise OperationError(f"Line {index} has no edit to undo.", 404)
            transcripts.update_segment(conn, video_id, index, edit.old_text, edit.old_words)
            edit_store.set_state(conn, edit.id, edit_store.UNDONE)
            revision = edit_store.bump_revision(conn, video_id)
        _reindex(sv, conn, video, revision)
        return _answer(conn, video, index, True)


def edits(sv: Services, creator_id: int, video_id: int) -> list[dict]:
    """Every edit of a video's transcript, oldest first (undone and unmatched ones too)."""
    with sv.db.connection() as conn:
        require_video(conn, video_id, creator_id)
        return [e.to_json() for e in edit_store.video_edits(conn, video_id)]


def replace(sv: Services, creator_id: int, find: Any, replacement: Any, video_ids: Any = None,
            dry_run: Any = False) -> dict:
    """Find a word or phrase (whole words, any case) across some or all of the creator's videos and
    replace it; with dry_run, only show every line it would change."""
    pattern = _pattern(find)
    replacement = _clean(replacement, "replace")
    if dry_run is None:
        dry_run = False
    if not isinstance(dry_run, bool):
        raise OperationError("Send 'dry_run' as true or false.", 400)
    with sv.db.connection() as conn:
        targets = _targets(conn, creator_id, video_ids)
        if dry_run:
            found = [m for m in (_matches(conn, v, pattern, replacement) for v in targets) if m.lines]
        else:
            revisions = {}
            with transaction(conn):  # matched and changed in one go: no edit lands in between
                found = [m for m in (_matches(conn, v, pattern, replacement) for v in targets) if m.lines]
                for vm in found:
                    for line in vm.lines:
                        segment = transcripts.get_segment(conn, vm.video_id, line.index)
                        edit_store.add_edit(conn, vm.video_id, line.index, segment, line.after, "replace")
                        transcripts.update_segment(conn, vm.video_id, line.index, line.after,
                                                   retime_words(segment.words, line.after))
                    revisions[vm.video_id] = edit_store.bump_revision(conn, vm.video_id)
            by_id = {v.id: v for v in targets}
            for video_id, revision in revisions.items():
                _reindex(sv, conn, by_id[video_id], revision)
    return {"matches": sum(vm.matches for vm in found), "applied": not dry_run,
            "find": clean_text(find), "replace": replacement,
            "videos": [{"video_id": vm.video_id, "title": vm.title, "matches": vm.matches,
                        "lines": [{"index": ln.index, "start_s": ln.start_s, "before": ln.before,
                                   "after": ln.after, "matches": ln.matches,
                                   "diff": word_diff(ln.before, ln.after)} for ln in vm.lines]}
                       for vm in found]}


def _pattern(find: Any) -> re.Pattern:
    if not isinstance(find, str) or not clean_text(find):
        raise OperationError('Send the words to look for as non-empty \'find\', e.g. {"find": "M&M on",'
                             ' "replace": "Amazon"}.', 400)
    if len(find) > FIND_MAX:
        raise OperationError(f"'find' is {len(find)} characters long; keep it to {FIND_MAX}.", 400)
    # Whole words: no letter or digit may touch either end; spaces inside match any spacing.
    body = r"\s+".join(re.escape(part) for part in find.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _targets(conn: Connection, creator_id: int, video_ids: Any) -> list[videos.Video]:
    """The videos to search: those named (each must be the creator's, and not being processed), or
    every completed video of the creator."""
    if video_ids is None:
        return [v for v in videos.list_videos(conn, creator_id) if v.status == VideoStatus.COMPLETED]
    if not isinstance(video_ids, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                  for v in video_ids):
        raise OperationError("Send 'video_ids' as a list of video ids, e.g. [3, 7], or leave it out for "
                             "the whole library.", 400)
    return [_editable(conn, v, creator_id) for v in dict.fromkeys(video_ids)]


def _matches(conn: Connection, video: videos.Video, pattern: re.Pattern, replacement: str) -> VideoMatches:
    found = VideoMatches(video.id, video.title)
    for index, segment in enumerate(transcripts.load_segments(conn, video.id)):
        after, n = pattern.subn(lambda _: replacement, segment.text)
        after = clean_text(after)
        if n and after != segment.text:
            found.lines.append(LineMatch(index, segment.start_s, segment.text, after, n))
    return found


def _require_segment(conn: Connection, video_id: int, index: int) -> transcripts.Segment:
    segment = transcripts.get_segment(conn, video_id, index)
    if segment is None:
        count = len(transcripts.load_segments(conn, video_id))
        raise OperationError(f"Video {video_id} has no line {index}; its lines are 0 to {count - 1}."
                             if count else f"Video {video_id} has no transcript yet.", 404)
    return segment


def _reindex(sv: Services, conn: Connection, video: videos.Video, revision: int) -> None:
    """Re-index in the background when a scheduler runs here, else now (the CLI, tests)."""
    sv.bus.publish(index_event(video, edit_store.index_state(conn, video.id)))
    if sv.runner.scheduler is not None:
        sv.runner.enqueue_reindex(video.id, revision)
    else:
        sv.runner.reindex(video.id)


def _answer(conn: Connection, video: videos.Video, index: int, changed: bool) -> dict:
    segment = transcripts.get_segment(conn, video.id, index)
    return {"segment": segment_json(conn, video.id, index, segment), "changed": changed,
            "index": state_json(conn, video)}
