"""The `chronos` command: serve, ingest, reprocess, reembed, ask, status, transcript, token, doctor,
backup, restore."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
from pathlib import Path

from chronos.config import EMBEDDERS, SettingsError, load_settings
from chronos.timefmt import human_bytes


def _settings(args: argparse.Namespace, **overrides):
    return load_settings(getattr(args, "data_dir", None), **overrides)


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web app on Chronos's pooled server (chronos/server.py); stop gracefully."""
    from chronos.server import serve

    return serve(_settings(args, host=args.host, port=args.port), no_browser=args.no_browser)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Add files and process them here, showing progress, until each completes or fails."""
    from chronos.models import creators
    from chronos.models.states import VideoStatus
    from chronos.operations import OperationError
    from chronos.operations import videos as video_ops
    from chronos.services import build_services

    sv = build_services(_settings(args, run_scheduler=False))
    results, exit_code = [], 0
    with sv.db.connection() as conn:
        creator = creators.local_creator(conn)
    for file in args.files:
        path = Path(file)
        try:
            video = video_ops.add_file(sv, creator.id, path, title=args.title if len(args.files) == 1 else None,
                                       publish=args.publish)
        except OperationError as exc:
            _err(str(exc))
            results.append({"id": None, "title": path.name, "status": "rejected",
                            "error": "No such file." if exc.status == 404 else str(exc),
                            "duration_s": None, "chunks": 0})
            exit_code = 1
            continue
        _err(f"{path.name}: added as video {video.id}; processing…")
        final = _process_showing_progress(sv, video.id, path.name)
        results.append(_status_json(final))
        if final.status != VideoStatus.COMPLETED:
            exit_code = 1
        if final.error:
            _err(f"{path.name}: {final.status} — {final.error}")
    if args.json:
        print(json.dumps(results, indent=2))
    return exit_code


def cmd_reprocess(args: argparse.Namespace) -> int:
    """Run a completed or failed video again from transcription, here, showing progress."""
    from chronos.models import creators
    from chronos.models.states import VideoStatus
    from chronos.operations import OperationError
    from chronos.operations import videos as video_ops
    from chronos.services import build_services

    sv = build_services(_settings(args, run_scheduler=False))
    with sv.db.connection() as conn:
        creator = creators.local_creator(conn)
    try:
        video = video_ops.reprocess(sv, creator.id, args.video_id)
    except OperationError as exc:
        _err(f"{exc} See `chronos status` for the list." if exc.status == 404 else str(exc))
        return 2
    final = _process_showing_progress(sv, video.id, video.title)
    if final.error:
        _err(f"{video.title}: {final.status} — {final.error}")
    if args.json:
        print(json.dumps(_status_json(final), indent=2))
    return 0 if final.status == VideoStatus.COMPLETED else 1


def cmd_reembed(args: argparse.Namespace) -> int:
    """Re-embed every video of the library with the embedder setting's (or --embedder's) model."""
    import time

    from chronos.ai.embedder import make_embedder
    from chronos.ai.transcriber import usable_cores
    from chronos.ai.weights import WeightsMissing
    from chronos.config import DEFAULT_EMBEDDER
    from chronos.db import Database
    from chronos.models import vector_index
    from chronos.pipeline.reembed import reembed_library

    settings = _settings(args, run_scheduler=False)
    key = args.embedder or settings.embedder or DEFAULT_EMBEDDER
    try:  # every core: a re-embed is the only work it waits for
        embedder = make_embedder(key, batch_size=settings.embed_batch_size, threads=usable_cores())
    except WeightsMissing as exc:
        _err(str(exc))
        return 1
    db = Database(settings.db_path)
    try:
        with db.connection() as conn:
            before = vector_index.current(conn)
            if before.embedder == embedder.name:
                print(f"The library's vectors are already made with {embedder.name}.")
                return 0
            _err(f"Re-embedding the library with {embedder.name} (was {before.embedder}); it keeps "
                 "answering with its old vectors until the end, and a stopped run resumes.")
            t0 = time.perf_counter()
            done = reembed_library(conn, embedder, _ProgressBar("Re-embedding", "texts"))
    finally:
        db.close()
    seconds = time.perf_counter() - t0
    print(f"Re-embedded {done.texts} texts with {done.model} ({done.embedded} embedded now, the rest "
          f"from the cache) in {seconds:.0f} s; {done.vectors} vectors written.")
    if settings.embedder != key:
        print(f'Set embedder = "{key}" in settings.toml (or CHRONOS_EMBEDDER) to keep it the setting.')
    return 0


def _process_showing_progress(sv, video_id: int, name: str):
    """Process a video in this thread while a second thread prints its stages to stderr."""
    from chronos.operations import videos as video_ops

    with sv.bus.subscribe() as events:
        done = threading.Event()
        printer = threading.Thread(target=_print_progress, args=(events, done, name), daemon=True)
        printer.start()
        try:
            return video_ops.process_here(sv, video_id)
        finally:
            done.set()
            printer.join()


def _print_progress(events, done: threading.Event, name: str) -> None:
    import queue

    from chronos.models.states import VideoStatus

    last = None
    while not done.is_set() or not events.empty():
        try:
            event = events.get(timeout=0.2)
        except queue.Empty:
            continue
        video = event.get("video") or {}
        stage = video.get("stage") or video.get("status")
        pct = int(video.get("progress", 0) * 100) if video.get("status") == VideoStatus.TRANSCRIBING else None
        line = f"{name}: {stage}" + (f" {pct}%" if pct is not None else "")
        if line != last:
            _err(line)
            last = line


def _status_json(video) -> dict:
    return {"id": video.id, "title": video.title, "status": video.status, "error": video.error,
            "duration_s": video.duration_s, "chunks": video.chunks, "published": video.published}


def cmd_ask(args: argparse.Namespace) -> int:
    """Ask the videos a question and print the cited answer."""
    from chronos.models import creators
    from chronos.rag.chat import Asker, ChatError
    from chronos.services import build_services

    sv = build_services(_settings(args, run_scheduler=False))
    with sv.db.connection() as conn:
        creator = creators.local_creator(conn)
    try:
        answer = sv.chat.ask_and_wait(Asker(creator.id), args.question, video_id=args.video,
                                      session_id=args.session)
    except ChatError as exc:
        _err(str(exc))
        return 2
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        print(answer["answer"].strip())
        for i, c in enumerate(answer["citations"], 1):
            m, s = divmod(int(c["start_s"]), 60)
            print(f"  [{i}] {c['title']} at {m}:{s:02d} (video {c['video_id']}, {c['score']:.0%} match)")
        if answer["error"]:
            _err(answer["error"])
    return 1 if answer["error"] else 0


def cmd_status(args: argparse.Namespace) -> int:
    """List videos and their processing state."""
    from chronos.db import Database
    from chronos.models import creators, videos

    settings = _settings(args)
    db = Database(settings.db_path)
    with db.connection() as conn:
        ids = creators.creator_ids(conn)
        rows = [v for cid in ids for v in videos.list_videos(conn, cid)]
    if args.json:
        print(json.dumps([_status_json(v) for v in rows], indent=2))
        return 0
    if not rows:
        print("No videos yet. Add one with: chronos ingest FILE")
        return 0
    for v in rows:
        dur = f"{v.duration_s:7.1f}s" if v.duration_s else "       –"
        print(f"{v.id:>4}  {v.status:<12} {dur}  {v.chunks:>4} chunks  {v.title}"
              + (f"\n      ! {v.error}" if v.error else ""))
    return 0


def cmd_transcript(args: argparse.Namespace) -> int:
    """Print a video's transcript as json, txt, srt or vtt."""
    from chronos.operations import OperationError
    from chronos.db import Database
    from chronos.operations import videos as video_ops

    try:
        body = video_ops.transcript(Database(_settings(args).db_path), args.video_id, args.format)
    except OperationError as exc:
        _err(f"{exc} See `chronos status` for the list." if exc.status == 404 else str(exc))
        return 2
    sys.stdout.write(body + ("\n" if args.format == "json" else ""))
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """Create, list or revoke owner API tokens."""
    from chronos.db import Database
    from chronos.models import creators

    settings = _settings(args)
    db = Database(settings.db_path)
    with db.connection() as conn:
        creator = creators.local_creator(conn)
        if args.action == "create":
            print(creators.create_token(conn, creator.id, args.name))
            _err("Send it as 'Authorization: Bearer <token>'. It is shown only once.")
        elif args.action == "list":
            for t in creators.list_tokens(conn, creator.id):
                print(f"{t.id:>4}  {t.name:<16} created {t.created_at}  last used {t.last_used_at or 'never'}")
        elif args.action == "revoke":
            if not creators.revoke_token(conn, creator.id, args.id):
                _err(f"No live token {args.id}.")
                return 2
            print(f"Token {args.id} revoked.")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Report versions, models, sqlite-vec, free disk and any GPU."""
    import platform

    from chronos import __version__
    from chronos.ai.embedder import embedder_key
    from chronos.ai.weights import describe_models
    from chronos.db import Database, DatabaseError
    from chronos.models import vector_index

    settings = _settings(args)
    ok = True
    print(f"Chronos {__version__} on Python {platform.python_version()} ({platform.platform()})"
          + (" — the executable" if getattr(sys, "frozen", False) else ""))
    print(f"Libraries: {_library_versions()}")
    print(f"Data folder: {settings.data_dir}")
    try:
        db = Database(settings.db_path)
        print(f"sqlite-vec: {db.vec_version()}")
        with db.connection() as conn:
            index = vector_index.current(conn)
        own = embedder_key(index.embedder)
        print(f"Library vectors: {index.embedder} ({index.dims} dimensions)" + (
            f" — the embedder setting asks for {settings.embedder}: run `chronos reembed`"
            if settings.embedder and settings.embedder != own else ""))
    except DatabaseError as exc:
        ok = False
        print(f"sqlite-vec: NOT WORKING — {exc}")
    for info in describe_models(settings.models_dir):
        ok &= info.ok
        print(f"{info.name}: {info.detail}" + (f" ({info.path})" if info.path else ""))
    free = shutil.disk_usage(settings.data_dir).free
    print(f"Free disk: {free / 1024**3:.1f} GB")
    try:
        import ctranslate2

        gpus = ctranslate2.get_cuda_device_count()
    except Exception:  # noqa: BLE001 - any failure means no usable GPU
        gpus = 0
    print(f"GPU: {gpus} CUDA device(s)" if gpus else "GPU: none (transcription runs on the CPU)")
    return 0 if ok else 1


def cmd_backup(args: argparse.Namespace) -> int:
    """Write one archive of the database (copied live), media and settings."""
    from chronos.backup import BackupError, create_backup

    settings = _settings(args)
    try:
        report = create_backup(settings, args.output, progress=_ProgressLine("Copying"))
    except BackupError as exc:
        _err(str(exc))
        return 1
    except OSError as exc:  # a full disk, a folder we may not write to
        _err(f"The backup failed and was removed: {exc}. Free some space or choose another --output.")
        return 1
    print(f"Backup written: {report.path} ({human_bytes(report.size_bytes)})")
    print(f"  database: {human_bytes(report.database_bytes)} (schema {report.schema_version}), "
          "copied live with SQLite's backup")
    print(f"  media: {report.media_files} file(s), {human_bytes(report.media_bytes)}")
    if report.secret_files:
        print(f"  {', '.join(report.secret_files)}: included (API keys, the session secret): "
              "keep this file private")
    print("  left out: model weights (rebuilt on demand), logs, earlier backups")
    for rel in report.skipped:
        _err(f"  {rel} was deleted while the backup ran and is not in it.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Check a backup archive, then restore it into the data folder."""
    import os

    from chronos.backup import BackupError, DataFolderBusy, restore_backup
    from chronos.config import ENV_PREFIX, Settings, default_data_dir

    # Not load_settings: it would create folders and a secret in the target before the checks.
    chosen = getattr(args, "data_dir", None) or os.environ.get(ENV_PREFIX + "DATA_DIR") or default_data_dir()
    settings = Settings(data_dir=Path(chosen).expanduser().resolve())
    try:
        report = restore_backup(settings, args.archive, force=args.force, progress=_ProgressLine("Checking"))
    except (BackupError, DataFolderBusy) as exc:
        _err(str(exc))
        return 1
    except OSError as exc:  # a full disk while unpacking; the data folder was not touched
        _err(f"The restore failed: {exc}. The data folder was left as it was; free some space and retry.")
        return 1
    print(f"Restored the backup of {report.created_at} (Chronos {report.chronos_version}) into "
          f"{report.data_dir}: {report.files} file(s), {human_bytes(report.bytes)}.")
    if report.schema_to != report.schema_from:
        print(f"  database upgraded from schema {report.schema_from} to {report.schema_to}")
    if report.previous_data:
        print(f"  the data it replaced is kept in {report.previous_data}")
    print("Start it with: chronos serve --data-dir " + str(report.data_dir))
    return 0


class _ProgressLine:
    """Prints 'Copying: 12 MB of 40 MB (30%)' to stderr at every tenth of the way."""

    def __init__(self, verb: str):
        self.verb, self.shown = verb, -1

    def __call__(self, done: int, total: int) -> None:
    
        tenth = done * 10 // max(total, 1)
        if tenth != self.shown:
            self.shown = tenth
            percent = min(done * 100 // max(total, 1), 100)
            _err(f"{self.verb}: {human_bytes(done)} of {human_bytes(total)} ({percent}%)")


class _ProgressBar:
    """'Re-embedding [#####-----] 512 of 1,024 texts (50%)', redrawn in place on a terminal, else
    printed at every tenth of the way."""

    def __init__(self, verb: str, unit: str):
        self.verb, self.unit, self.shown = verb, unit, None

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        key = round(share * 100) if sys.stderr.isatty() else int(share * 10)
        if key == self.shown:
            return
        self.shown = key
        bar = "#" * int(share * 20)
        line = f"{self.verb} [{bar:-<20}] {done:,} of {total:,} {self.unit} ({share:.0%})"
        end = "\n" if not sys.stderr.isatty() or done >= total else ""
        print(("\r" if sys.stderr.isatty() else "") + line, end=end, file=sys.stderr, flush=True)


def _library_versions() -> str:
    """The versions that decide how transcription, embeddings and storage behave."""
    from importlib.metadata import PackageNotFoundError, version

    import sqlean

    parts = [f"SQLite {sqlean.sqlite_version}"]
    for dist in ("faster-whisper", "ctranslate2", "torch", "sentence-transformers", "flask"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist} (version unknown)")
    return ", ".join(parts)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="data folder (default: CHRONOS_DATA_DIR or the OS app-data folder)")
    parser = argparse.ArgumentParser(prog="chronos", description="Chronos: your own AI video tutor.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", parents=[common], help="run the web app")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser tab on first run")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ingest", parents=[common], help="add and process lecture files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--title")
    p.add_argument("--publish", action=argparse.BooleanOptionalAction, default=None,
                   help="show the videos to students at once (--no-publish: keep them drafts;"
                        " default: the publish_new_uploads setting)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("reprocess", parents=[common], help="run a video again from transcription")
    p.add_argument("video_id", type=int, metavar="VIDEO_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reprocess)

    p = sub.add_parser("reembed", parents=[common],
                       help="re-embed the library with another embedding model (after changing embedder)")
    p.add_argument("--embedder", choices=EMBEDDERS, help="the model (default: the embedder setting)")
    p.set_defaults(func=cmd_reembed)

    p = sub.add_parser("ask", parents=[common], help="ask the videos a question")
    p.add_argument("question")
    p.add_argument("--video", type=int, help="only this video")
    p.add_argument("--session", type=int, help="continue this chat")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("status", parents=[common], help="list videos")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("transcript", parents=[common], help="print a transcript")
    p.add_argument("video_id", type=int, metavar="VIDEO_ID")
    p.add_argument("--format", choices=["json", "txt", "srt", "vtt"], default="txt")
    p.set_defaults(func=cmd_transcript)

    p = sub.add_parser("token", parents=[common], help="owner API tokens")
    tsub = p.add_subparsers(dest="action", required=True)
    t = tsub.add_parser("create", parents=[common])
    t.add_argument("--name", default="cli")
    tsub.add_parser("list", parents=[common])
    t = tsub.add_parser("revoke", parents=[common])
    t.add_argument("id", type=int)
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("doctor", parents=[common], help="check this installation")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("backup", parents=[common], help="back up the data folder (safe while serving)")
    p.add_argument("--output", metavar="DIR_OR_FILE",
                   help="a folder, or a file name ending .tar (default: the data folder's backups/)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common], help="restore a backup into the data folder")
    p.add_argument("archive", metavar="ARCHIVE")
    p.add_argument("--force", action="store_true",
                   help="replace existing data (it is kept aside as <folder>.before-restore-<time>)")
    p.set_defaults(func=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `chronos` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:  # a bad settings.toml or environment: say which setting, no traceback
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
