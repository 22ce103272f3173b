"""Writes that belong together commit together; one connection per thread, closed when done."""
from __future__ import annotations

import threading

import pytest

from chronos.db import Database, OperationalError, ProgrammingError, transaction
from chronos.models import answer_cache, chat, creators
from chronos.rag.chat import Asker, ChatService
from tests.conftest import add_video, process


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "chronos.db")
    yield database
    database.close()


@pytest.fixture
def owner_id(db) -> int:
    with db.connection() as conn:
        return creators.create_owner(conn, "Ada Lovelace", "correct horse battery").id


def titles(db) -> list[str]:
    with db.connection() as conn:
        return [r[0] for r in conn.execute("SELECT title FROM chat_sessions ORDER BY id")]


def test_a_model_function_joins_the_callers_transaction(db, owner_id):
    """A model function's own `with transaction` becomes part of the caller's: it rolls back with it."""
    with db.connection() as conn:
        with pytest.raises(RuntimeError, match="later step failed"):
            with transaction(conn):
                chat.create_session(conn, owner_id, None, "first")
                chat.create_session(conn, owner_id, None, "second")
                assert titles(db) == ["first", "second"]  # visible inside, on the same connection
                raise RuntimeError("a later step failed")
        assert not conn.in_transaction
    assert titles(db) == []


def test_an_inner_failure_rolls_back_only_its_own_writes(db, owner_id):
    with db.connection() as conn:
        with transaction(conn):
            chat.create_session(conn, owner_id, None, "kept")
            with pytest.raises(ValueError):
                with transaction(conn):
                    chat.create_session(conn, owner_id, None, "undone")
                    raise ValueError("the inner part fails")
            assert conn.in_transaction  # the caller's transaction goes on and decides
            chat.create_session(conn, owner_id, None, "also kept")
    assert titles(db) == ["kept", "also kept"]


def test_a_thread_reuses_its_connection_and_another_thread_gets_its_own(db):
    with db.connection() as first:
        with db.connection() as nested:
            assert nested is first
    with db.connection() as again:
        assert again is first
    seen = []
    worker = threading.Thread(target=lambda: seen.append(_use(db)))
    worker.start()
    worker.join()
    assert seen and seen[0] is not first


def _use(db):
    with db.connection() as conn:
        conn.execute("SELECT 1").fetchone()
        return conn


def test_an_ended_threads_connection_is_closed(db):
    seen = []
    worker = threading.Thread(target=lambda: seen.append(_use(db)))
    worker.start()
    worker.join()
    with pytest.raises(ProgrammingError):
        seen[0].execute("SELECT 1")


def test_close_closes_every_connection_handed_out(db):
    with db.connection() as mine:
        pass
    entered, release, theirs = threading.Event(), threading.Event(), []

    def hold():
        with db.connection() as conn:
            theirs.append(conn)
            entered.set()
            release.wait()
            conn.execute("SELECT 1").fetchone()  # still usable: its block had not ended at close()

    worker = threading.Thread(target=hold)
    worker.start()
    entered.wait()
    db.close()
    with pytest.raises(ProgrammingError):
        mine.execute("SELECT 1")
    release.set()
    worker.join()
    with pytest.raises(ProgrammingError):  # closed as its block ended
        theirs[0].execute("SELECT 1")
    with db.connection() as fresh:  # a later use opens a new one
        assert fresh is not mine and fresh.execute("SELECT 1").fetchone()[0] == 1


def test_no_transaction_outlives_its_connection_block(db, owner_id):
    with pytest.raises(ZeroDivisionError):
        with db.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            chat.create_session(conn, owner_id, None, "lost")
            1 / 0
    assert not conn.in_transaction
    # A transaction left open without an error is a bug: rolled back, and said so.
    with pytest.raises(RuntimeError, match="left open"):
        with db.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            chat.create_session(conn, owner_id, None, "forgotten")
    assert not conn.in_transaction
    # The write lock is free: another thread's connection can write at once.
    other = []
    worker = threading.Thread(target=lambda: other.append(_write(db, owner_id)))
    worker.start()
    worker.join()
    assert other == ["written"] and titles(db) == ["another thread"]


def _write(db, owner_id: int) -> str:
    with db.connection() as conn:
        conn.execute("PRAGMA busy_timeout=0")  # fail at once instead of waiting for a held lock
        try:
            chat.create_session(conn, owner_id, None, "another thread")
        except OperationalError as exc:
            return str(exc)
        return "written"


def answer_rows(services) -> dict[str, int]:
    """What an answer writes: its message, citations, chat references, preview counted, cache entry."""
    queries = {
        "answers": "SELECT count(*) FROM chat_messages WHERE role = 'assistant'",
        "citations": "SELECT count(*) FROM message_citations",
        "chat_references": "SELECT coalesce(sum(chat_references), 0) FROM video_analytics",
        # The owner's answer counts as a preview (students' answers spend credits).
        "previews": "SELECT coalesce(sum(preview_answers), 0) FROM usage_metrics",
        "cached": "SELECT count(*) FROM answer_cache",
    }
    with services.db.connection() as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in queries.items()}


def test_an_answer_whose_storage_fails_half_way_leaves_none_of_it(services, monkeypatch):
    video_id = add_video(services, "interest.mp4").id
    assert process(services, video_id).status == "completed"
    with services.db.connection() as conn:
        owner = creators.local_creator(conn)
    # Without settings no credit is reserved up front, so every usage row is the answer's own.
    answers = ChatService(services.db, services.embedder, services.chat.answerer, writer=services.writer)
    question = "How long does it take to double money at eight percent interest?"

    def broken_put(*args, **kwargs):  # the last write, after the message, references and usage
        raise OSError("disk full")

    monkeypatch.setattr(answer_cache, "put", broken_put)
    with pytest.raises(OSError, match="disk full"):
        answers.ask_and_wait(Asker(owner.id), question)
    assert answer_rows(services) == {"answers": 0, "citations": 0, "chat_references": 0, "previews": 0,
                                     "cached": 0}
    with services.db.connection() as conn:
        assert not conn.in_transaction
        assert conn.execute("SELECT count(*) FROM chat_messages WHERE role = 'user'").fetchone()[0] == 1

    monkeypatch.undo()  # the same answer, stored without a fault, lands whole
    answer = answers.ask_and_wait(Asker(owner.id), question)
    assert answer["citations"] and answer["error"] is None
    stored = answer_rows(services)
    assert stored["answers"] == 1 and stored["citations"] == len(answer["citations"])
    assert stored["chat_references"] == len({c["video_id"] for c in answer["citations"]})
    assert stored["previews"] == 1 and stored["cached"] == 1


def test_a_webhook_that_fails_half_way_applies_nothing_and_replays_whole(tmp_path, transcriber, embedder,
                                                                         monkeypatch):
    from chronos import create_app
    from chronos.config import load_settings
    from chronos.models import people, whop_records
    from tests.fakes.whop_server import deliver, membership_event

    secret = "ws_chronos_test_secret"
    app = create_app(load_settings(tmp_path / "data", env={"WHOP_WEBHOOK_SECRET": secret},
                                   whisper_model="tiny.en", run_scheduler=False),
                     transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    try:
        def broken_recompute(*args, **kwargs):  # after the membership and the student are written
            raise OSError("disk full")

        monkeypatch.setattr(people, "recompute_access", broken_recompute)
        event = membership_event("membership.activated", "mem_1", "user_bob", "active", "2026-11-01T10:00:00Z")
        body, headers = deliver(event, secret)
        res = app.test_client().post("/webhooks/whop", data=body, headers=headers)
        assert res.get_json()["outcome"] == "failed"
        with sv.db.connection() as conn:
            assert conn.execute("SELECT count(*) FROM whop_memberships").fetchone()[0] == 0
            assert people.student_by_whop_user(conn, 1, "user_bob") is None
            stored = whop_records.list_events(conn)[0]  # the event itself is kept, for Replay
        monkeypatch.undo()
        with sv.db.connection() as conn:
            assert sv.whop.apply(conn, stored)[0] == "applied"  # not "stale": nothing half-applied
            assert people.student_by_whop_user(conn, 1, "user_bob").access == "active"
    finally:
        sv.close()
