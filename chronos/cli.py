"""The `chronos` command: serve, ingest, status, transcript, token, doctor."""
from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import threading
from pathlib import Path

from chronos.config import load_settings


def _settings(args: argparse.Namespace, **overrides):
    return load_settings(getattr(args, "data_dir", None), **overrides)


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web app on Werkzeug's threaded server (it carries the websockets)."""
    from werkzeug.serving import make_server

    from chronos import create_app

    settings = _settings(args, host=args.host, port=args.port)
    if settings.host in ("0.0.0.0", "::"):
        _err("Warning: listening on every network interface. Anyone who can reach this computer "
             "can reach Chronos; prefer a tunnel (see README) for students.")
    app = create_app(settings)
    server = make_server(settings.host, settings.port, app, threaded=True)
    url = f"http://{'127.0.0.1' if settings.host in ('0.0.0.0', '::') else settings.host}:{server.port}/"
    print(f"Chronos is running at {url}\nData folder: {settings.data_dir}\nPress Ctrl+C to stop.",
          flush=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        _err("Stopping: letting the current processing stage finish…")
        app.extensions["chronos"].close(wait=True)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Add files and process them here, showing progress, until each completes or fails."""
    from chronos import tiers
    from chronos.models import creators, videos
    from chronos.pipeline.ingest import UploadError, ingest_path
    from chronos.services import build_services

    settings = _settings(args, run_scheduler=False)
    sv = build_services(settings)
    results, exit_code = [], 0
    with sv.db.connection() as conn:
        creator = creators.local_creator(conn)
        for file in args.files:
            path = Path(file)
            if not path.is_file():
                _err(f"{file}: no such file.")
                results.append({"id": None, "title": path.name, "status": "rejected",
                                "error": "No such file.", "duration_s": None, "chunks": 0})
                exit_code = 1
                continue
            try:
                video = ingest_path(path, conn=conn, media_dir=settings.media_dir,
                                    incoming_dir=settings.upload_tmp_dir, creator_id=creator.id,
                                    max_bytes=settings.max_upload_bytes,
                                    title=args.title if len(args.files) == 1 else None,
                                    tier=tiers.creator_tier(conn, settings, creator.id),
                                    declared_bytes=path.stat().st_size)
            except UploadError as exc:
                _err(str(exc))
                results.append({"id": None, "title": path.name, "status": "rejected", "error": str(exc),
                                "duration_s": None, "chunks": 0})
                exit_code = 1
                continue
            _err(f"{path.name}: added as video {video.id}; processing…")
            with sv.bus.subscribe() as events:
                done = threading.Event()
                printer = threading.Thread(target=_print_progress, args=(events, done, path.name),
                                           daemon=True)
                printer.start()
                sv.runner.process_until_done(video.id)
                done.set()
                printer.join()
            final = videos.get_video(conn, video.id)
            results.append(_status_json(final))
            if final.status != "completed":
                exit_code = 1
            if final.error:
                _err(f"{path.name}: {final.status} — {final.error}")
    if args.json:
        print(json.dumps(results, indent=2))
    return exit_code


def _print_progress(events, done: threading.Event, name: str) -> None:
    import queue

    last = None
    while not done.is_set() or not events.empty():
        try:
            event = events.get(timeout=0.2)
        except queue.Empty:
            continue
        video = event.get("video") or {}
        stage = video.get("stage") or video.get("status")
        pct = int(video.get("progress", 0) * 100) if video.get("status") == "transcribing" else None
        line = f"{name}: {stage}" + (f" {pct}%" if pct is not None else "")
        if line != last:
            _err(line)
            last = line


def _status_json(video) -> dict:
    return {"id": video.id, "title": video.title, "status": video.status, "error": video.error,
            "duration_s": video.duration_s, "chunks": video.chunks}


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
    from chronos.db import Database
    from chronos.models import videos
    from chronos.web.api_videos import render_transcript

    settings = _settings(args)
    db = Database(settings.db_path)
    with db.connection() as conn:
        video = videos.get_video(conn, args.video_id)
        if video is None:
            _err(f"No video {args.video_id}. See `chronos status` for the list.")
            return 2
        sys.stdout.write(render_transcript(conn, video, args.format))
        if args.format == "json":
            sys.stdout.write("\n")
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
    from chronos.ai.weights import describe_models
    from chronos.db import Database, DatabaseError

    settings = _settings(args)
    ok = True
    print(f"Chronos {__version__} on Python {platform.python_version()} ({platform.platform()})")
    print(f"Data folder: {settings.data_dir}")
    try:
        print(f"sqlite-vec: {Database(settings.db_path).vec_version()}")
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="data folder (default: CHRONOS_DATA_DIR or the OS app-data folder)")
    parser = argparse.ArgumentParser(prog="chronos", description="Chronos: your own AI video tutor.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", parents=[common], help="run the web app")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ingest", parents=[common], help="add and process lecture files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--title")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `chronos` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
