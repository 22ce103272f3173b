"""Videos: the uploaded lecture files and their processing state."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from chronos.db import Connection, transaction
from chronos.timefmt import iso_utc
from chronos.models.states import UNFINISHED, VideoStatus
from chronos.models.visibility import answerable_sql, visible_to_students


@dataclass(frozen=True)
class Video:
    id: int
    creator_id: int
    title: str
    original_filename: str
    media_path: str
    container: str
    size_bytes: int
    has_video: bool
    thumbnail_path: str | None
    duration_s: float | None
    language: str | None
    status: VideoStatus
    progress: float
    error: str | None
    attempts: int
    published: bool
    created_at: str
    updated_at: str
    completed_at: str | None
    available_at: str | None = None  # when it first completed: from then on students may see it
    chunks: int = 0
    description: str = ""
    spoken_language: str | None = None  # fixed by the creator; None: Whisper detects it

    @property
    def visible_to_students(self) -> bool:
        """Whether students may watch and ask about it (see models/visibility.py)."""
        return visible_to_students(self.published, self.available_at)

    def to_json(self) -> dict:
        """The public JSON shape used by the API and `chronos status --json`."""
        d = asdict(self)
        return {k: d[k] for k in ("id", "title", "status", "error", "duration_s", "chunks", "progress",
                                  "language", "original_filename", "size_bytes", "has_video",
                                  "created_at", "updated_at", "completed_at", "published", "description",
                                  "spoken_language")}


_SELECT = ("SELECT v.*, (SELECT count(*) FROM video_chunks c WHERE c.video_id = v.id) AS chunks"
           " FROM videos v")


def _video(row) -> Video:
    return Video(
        id=row["id"], creator_id=row["creator_id"], title=row["title"],
        original_filename=row["original_filename"], media_path=row["media_path"],
        container=row["container"], size_bytes=row["size_bytes"], has_video=bool(row["has_video"]),
        thumbnail_path=row["thumbnail_path"], duration_s=row["duration_s"], language=row["language"],
        status=VideoStatus(row["status"]), progress=row["progress"], error=row["error"], attempts=row["attempts"],
        published=bool(row["published"]), created_at=row["created_at"], updated_at=row["updated_at"],
        completed_at=row["completed_at"], available_at=row["available_at"], chunks=row["chunks"],
        description=row["description"], spoken_language=row["spoken_language"])


def create_video(conn: Connection, *, creator_id: int, title: str, original_filename: str,
                 media_path: str, container: str, size_bytes: int, has_video: bool,
                 duration_s: float | None, published: bool = False) -> Video:
    """Record a stored upload as a pending video (a draft unless published)."""
    with transaction(conn):
        video_id = insert_video(conn, creator_id=creator_id, title=title, original_filename=original_filename,
                                media_path=media_path, container=container, size_bytes=size_bytes,
                                has_video=has_video, duration_s=duration_s, published=published)
    return get_video(conn, video_id)


def insert_video(conn: Connection, *, creator_id: int, title: str, original_filename: str,
                 media_path: str, container: str, size_bytes: int, has_video: bool,
                 duration_s: float | None, published: bool = False) -> int:
    """The pending video's row (a draft unless published), inside the caller's transaction; returns its id."""
    return conn.execute(
        "INSERT INTO videos(creator_id, title, original_filename, media_path, container,"
        " size_bytes, has_video, duration_s, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (creator_id, title, original_filename, media_path, container, size_bytes,
         int(has_video), duration_s, int(published))).lastrowid


def get_video(conn: Connection, video_id: int, creator_id: int | None = None) -> Video | None:
    """One video; with creator_id, only if it belongs to that creator."""
    sql, args = _SELECT + " WHERE v.id = ?", [video_id]
    if creator_id is not None:
        sql += " AND v.creator_id = ?"
        args.append(creator_id)
    row = conn.execute(sql, args).fetchone()
    return _video(row) if row else None


def list_videos(conn: Connection, creator_id: int) -> list[Video]:
    """The creator's videos, newest first."""
    rows = conn.execute(_SELECT + " WHERE v.creator_id = ? ORDER BY v.id DESC", (creator_id,))
    return [_video(r) for r in rows]


def unfinished_video_ids(conn: Connection) -> list[int]:
    """Videos whose processing has not reached completed or failed, oldest first."""
    marks = ",".join("?" * len(UNFINISHED))
    rows = conn.execute(f"SELECT id FROM videos WHERE status IN ({marks}) ORDER BY id", UNFINISHED)
    return [r[0] for r in rows]


def set_status(conn: Connection, video_id: int, status: VideoStatus, *, progress: float | None = None,
               error: str | None = None) -> None:
    """Move a video to a state (committed at once, so a crash resumes from here)."""
    status = VideoStatus(status)  # ValueError for an unknown status: a bug
    done = status == VideoStatus.COMPLETED
    now = iso_utc()
    with transaction(conn):
        conn.execute(
            "UPDATE videos SET status = ?, progress = coalesce(?, progress), error = ?,"
            " updated_at = ?, completed_at = CASE WHEN ? THEN ? ELSE completed_at END,"
            " available_at = CASE WHEN ? THEN coalesce(available_at, ?) ELSE available_at END"
            " WHERE id = ?",
            (status, progress, error, now, done, now, done, now, video_id))


def set_progress(conn: Connection, video_id: int, progress: float) -> None:
    """Record how far the current stage has got (0..1)."""
    with transaction(conn):
        conn.execute("UPDATE videos SET progress = ?, updated_at = ? WHERE id = ?",
                     (max(0.0, min(1.0, progress)), iso_utc(), video_id))


def set_probe(conn: Connection, video_id: int, *, duration_s: float | None,
              thumbnail_path: str | None) -> None:
    """Store what probing the media found."""
    with transaction(conn):
        conn.execute("UPDATE videos SET duration_s = ?, thumbnail_path = ?, updated_at = ? WHERE id = ?",
                     (duration_s, thumbnail_path, iso_utc(), video_id))


def next_attempt(conn: Connection, video_id: int) -> int | None:
    """The number of the attempt about to run: one more than the attempts that ended (None when
    the video is gone). An attempt a crash or a stop cut short never ended, so the next run
    carries it on under the same number."""
    row = conn.execute("SELECT attempts FROM videos WHERE id = ?", (video_id,)).fetchone()
    return None if row is None else row[0] + 1


def count_attempt(conn: Connection, video_id: int, attempt: int) -> None:
    """Record that attempt number `attempt` ended, in success or in failure (which also ends the
    run of interruptions it may have had)."""
    with transaction(conn):
        conn.execute("UPDATE videos SET attempts = max(attempts, ?), interruptions = 0 WHERE id = ?",
                     (attempt, video_id))


def count_interruptions(conn: Connection, video_id: int, crashes: int) -> int:
    """Record that crashes cut the current attempt short `crashes` more times; returns how many
    times in a row it has been."""
    with transaction(conn):
        conn.execute("UPDATE videos SET interruptions = interruptions + ? WHERE id = ?", (crashes, video_id))
        return conn.execute("SELECT interruptions FROM videos WHERE id = ?", (video_id,)).fetchone()[0]


def requeue(conn: Connection, video_id: int) -> None:
    """Put a settled video back in the queue, from transcription, with a fresh attempt budget."""
    with transaction(conn):
        conn.execute("UPDATE videos SET status = ?, progress = 0, error = NULL, attempts = 0,"
                     " interruptions = 0, updated_at = ? WHERE id = ?", (VideoStatus.PENDING, iso_utc(), video_id))


def update_video(conn: Connection, video_id: int, *, title: str | None = None,
                 description: str | None = None, published: bool | None = None) -> None:
    """Change any of a video's title, description and visibility (None leaves it as it is)."""
    with transaction(conn):
        conn.execute("UPDATE videos SET title = coalesce(?, title), description = coalesce(?, description),"
                     " published = coalesce(?, published), updated_at = ? WHERE id = ?",
                     (title, description, None if published is None else int(published), iso_utc(), video_id))


def set_spoken_language(conn: Connection, video_id: int, language: str | None) -> None:
    """Fix the language a video is transcribed in (None: Whisper detects it)."""
    with transaction(conn):
        conn.execute("UPDATE videos SET spoken_language = ?, updated_at = ? WHERE id = ?",
                     (language, iso_utc(), video_id))


def delete_video(conn: Connection, video_id: int) -> None:
    """Delete a video row; chunks, vectors, FTS rows, segments and stages go with it."""
    with transaction(conn):
        # Chunks first so their triggers remove the FTS5 and vec0 rows in the same transaction.
        conn.execute("DELETE FROM video_chunks WHERE video_id = ?", (video_id,))
        conn.execute("DELETE FROM videos WHERE id = ?", (video_id,))


def description(conn: Connection, video_id: int) -> str:
    """A video's description ('' when it has none or the video is gone)."""
    row = conn.execute("SELECT description FROM videos WHERE id = ?", (video_id,)).fetchone()
    return row[0] if row else ""


def answerable_video_ids(conn: Connection, creator_id: int, *, drafts: bool = False) -> list[int]:
    """The creator's videos students may ask about, or with drafts the owner may (models/visibility.py)."""
    rows = conn.execute(f"SELECT v.id FROM videos v WHERE v.creator_id = ? AND {answerable_sql('v', drafts=drafts)}"
                        " ORDER BY v.id", (creator_id,))
    return [r[0] for r in rows]


def spoken_languages(conn: Connection, video_ids: list[int]) -> dict[int, str | None]:
    """The language each video's transcript is in, by id (None before it is transcribed)."""
    if not video_ids:
        return {}
    marks = ",".join("?" * len(video_ids))
    return {r[0]: r[1] for r in conn.execute(f"SELECT id, language FROM videos WHERE id IN ({marks})",
                                             list(video_ids))}


def titles(conn: Connection, video_ids: list[int]) -> dict[int, str]:
    """Video titles by id."""
    if not video_ids:
        return {}
    marks = ",".join("?" * len(video_ids))
    return {r[0]: r[1] for r in conn.execute(f"SELECT id, title FROM videos WHERE id IN ({marks})",
                                             list(video_ids))}


def videos_with_chunks(conn: Connection, creator_id: int) -> set[int]:
    """The creator's videos that have chunks (through idx_chunks_video, not a table scan)."""
    rows = conn.execute("SELECT v.id FROM videos v WHERE v.creator_id = ? AND EXISTS"
                        " (SELECT 1 FROM video_chunks c WHERE c.video_id = v.id)", (creator_id,))
    return {r[0] for r in rows}


def touch(conn: Connection, video_id: int) -> None:
    """Record that the video's searchable content changed (cached answers keyed on it miss)."""
    with transaction(conn):
        conn.execute("UPDATE videos SET updated_at = ? WHERE id = ?", (iso_utc(), video_id))
