"""Answers take turns (chronos/turns.py): a class asking at once is worked on a few at a time, in
the order asked, each question embedded (batched) before its turn; Claude streams after it."""
from __future__ import annotations

import threading

import pytest

from chronos.config import SettingsError, load_settings
from chronos.rag.chat import Asker, ChatService
from chronos.rag.subject import search_question
from chronos.turns import Turns
from tests.conftest import add_video, process, until
from tests.fakes.claude_server import FakeClaude, answer

WAIT_S = 30


@pytest.mark.parametrize("n", [1, 2])
def test_turns_admit_n_at_once_in_the_order_they_came(n):
    turns = Turns(n)
    inside, most, entered = [0], [0], []
    count = threading.Lock()
    release = threading.Event()

    def work(name: str, hold: threading.Event | None = None) -> None:
        with turns.turn():
            with count:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                entered.append(name)
            if hold is not None:
                hold.wait(WAIT_S)
            with count:
                inside[0] -= 1

    holders = [threading.Thread(target=work, args=(f"holder{i}", release)) for i in range(n)]
    for t in holders:
        t.start()
    until(lambda: len(entered) == n, "the holders")
    waiters = []
    for i in range(6):  # each queued before the next comes, so the arrival order is known
        waiters.append(threading.Thread(target=work, args=(f"waiter{i}",)))
        waiters[-1].start()
        until(lambda: len(turns._waiting) == i + 1, f"waiter {i} to queue")
    assert sorted(entered) == [f"holder{i}" for i in range(n)]  # nobody got past the n turns
    release.set()
    for t in holders + waiters:
        t.join(WAIT_S)
    if n == 1:  # one at a time: exactly the order they came (with two, a pair races to note it)
        assert entered[1:] == [f"waiter{i}" for i in range(6)]
    assert sorted(entered[n:]) == [f"waiter{i}" for i in range(6)]
    assert most[0] == n and inside[0] == 0


def test_a_turn_is_given_back_when_its_work_fails():
    turns = Turns(1)
    with pytest.raises(RuntimeError):
        with turns.turn():
            raise RuntimeError("retrieval failed")
    taken = threading.Event()

    def take() -> None:
        with turns.turn():
            taken.set()
    threading.Thread(target=take, daemon=True).start()
    assert taken.wait(5), "the failed block kept its turn"


def test_answer_turns_must_be_at_least_one(tmp_path):
    with pytest.raises(SettingsError, match="answer_turns.*at least one"):
        load_settings(tmp_path / "data", env={"CHRONOS_ANSWER_TURNS": "0"})
    assert load_settings(tmp_path / "data", env={}).answer_turns == 2


@pytest.fixture
def library(apps):
    """An app answering one question at a time, with the photosynthesis lecture processed."""
    app, _ = apps(answer_turns=1)
    sv = app.extensions["chronos"]
    video = add_video(sv, "photosynthesis.mp4")
    assert process(sv, video.id).status == "completed"
    return sv


def _asking(chat: ChatService, question: str) -> tuple[threading.Thread, dict]:
    got: dict = {}
    thread = threading.Thread(target=lambda: got.update(chat.ask_and_wait(Asker(1), question)), daemon=True)
    thread.start()
    return thread, got


def test_an_answer_waits_for_its_turn_with_its_question_already_embedded(library):
    question = "Where in the video is chlorophyll explained?"
    searched = search_question(question)
    with library.chat.turns.turn():  # another question is being worked on
        thread, got = _asking(library.chat, question)
        # Embedded while it waits (batched with whatever else is asked meanwhile) ...
        until(lambda: searched in library.embedder._cache, "the question's vector")
        thread.join(0.5)
        assert thread.is_alive() and not got  # ... but not answered before its turn
    thread.join(WAIT_S)
    assert got["answerer"] == "offline" and got["citations"]
    assert "chlorophyll" in got["citations"][0]["text"].lower()


def test_claude_streams_after_the_turn(library):
    """A Claude answer waits on the network, not the CPU: while one streams, the next question
    gets the only turn and is answered."""
    with FakeClaude() as claude:
        from chronos.ai.claude import ClaudeAnswerer

        answerer = ClaudeAnswerer(claude.api_key, model="claude-sonnet-4-6", max_tokens=256,
                                  base_url=claude.url, timeout_s=30, max_retries=0)
        chat = ChatService(library.db, library.embedder, answerer, writer=library.writer, turns=1)
        hold = threading.Event()
        claude.script(answer("Chlorophyll is green. ", "It reflects green light.", hold=hold),
                      answer("The Calvin cycle makes sugar."))
        first, first_got = _asking(chat, "What colour is chlorophyll?")
        until(lambda: len(claude.requests) == 1, "the first question to reach Claude")
        second, second_got = _asking(chat, "What does the Calvin cycle make?")
        second.join(WAIT_S)
        assert second_got["answer"].startswith("The Calvin cycle makes sugar.")
        assert first.is_alive() and not first_got  # still streaming, held by the fake
        hold.set()
        first.join(WAIT_S)
        assert first_got["answer"].startswith("Chlorophyll is green. It reflects green light.")
