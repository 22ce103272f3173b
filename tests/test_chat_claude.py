"""The whole ask path with Claude switched on: the real SDK against a fake Messages API."""
from __future__ import annotations

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import chat as chat_store
from chronos.models import creators
from chronos.rag.chat import Asker
from tests.conftest import OWNER, add_video, ask, process, sidecar, signed_in
from tests.fakes.claude_server import FakeClaude, answer, overloaded, search_results, stream_error


@pytest.fixture(scope="module")
def claude():
    with FakeClaude() as fake:
        yield fake


@pytest.fixture(scope="module")
def app(tmp_path_factory, transcriber, embedder, claude):
    """Chronos configured the way a creator would switch Claude on: a key (and here a base URL)."""
    env = {"ANTHROPIC_API_KEY": claude.api_key, "ANTHROPIC_BASE_URL": claude.url,
           "CHRONOS_ANTHROPIC_MAX_RETRIES": "0", "CHRONOS_ANTHROPIC_MODEL": "claude-sonnet-4-6"}
    settings = load_settings(tmp_path_factory.mktemp("claude-data"), env=env, whisper_model="tiny.en",
                             run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    with sv.db.connection() as conn:
        owner = creators.create_owner(conn, OWNER["name"], OWNER["password"])
    video = add_video(sv, "photosynthesis.mp4")
    assert process(sv, video.id).status == "completed"
    app.config["owner_id"], app.config["video_id"] = owner.id, video.id
    yield app
    sv.close()


@pytest.fixture
def client(app):
    return signed_in(app)


def test_claude_answer_is_cited_costed_and_stored(client, app, claude):
    gold = next(s for s in sidecar("photosynthesis.mp4")["sentences"] if "oxygen is released" in s["text"])

    def cite_oxygen(request, ex):
        # Cite the sentence block that mentions oxygen in the first search result, as Claude would.
        first = search_results(request.body)[0]
        block = next(i for i, b in enumerate(first["content"]) if "oxygen" in b["text"].lower())
        answer(("When water is split, **oxygen** is released.", 0, block, block + 1),
               follow_ups=("What else do the light reactions make?", "Where does this happen?"))(request, ex)

    claude.script(cite_oxygen)
    result = ask(client, "Which gas is released when water is split?")
    assert result["answerer"] == "claude" and result["error"] is None
    assert result["answer"].startswith("When water is split, **oxygen** is released.")
    assert "FOLLOW_UPS" not in result["answer"]
    assert result["follow_ups"] == ["What else do the light reactions make?", "Where does this happen?"]
    cite = result["citations"][0]
    assert cite["video_id"] == app.config["video_id"]
    assert cite["start_s"] - 1 <= gold["start_s"] and gold["end_s"] <= cite["end_s"] + 1  # that sentence
    assert cite["end_s"] - cite["start_s"] < 10
    # Usage and cost: 420 in, 96 out, 1800 cache reads, 300 cache writes at $3 / $15 per Mtok.
    assert result["usage"] == {"input_tokens": 420, "output_tokens": 96, "cache_read_tokens": 1800,
                               "cache_write_tokens": 300}
    expected = (420 * 3 + 96 * 15 + 300 * 3 * 1.25 + 1800 * 3 * 0.1) / 1e6
    assert result["cost_usd"] == pytest.approx(expected)
    request = claude.requests[-1].body
    assert request["model"] == "claude-sonnet-4-6"
    assert request["system"][0]["cache_control"] == {"type": "ephemeral"}
    blocks = search_results(request)
    assert blocks and blocks[0]["source"].startswith(f"{app.config['video_id']}#t=")
    assert all(b["citations"] == {"enabled": True} for b in blocks)
    with app.extensions["chronos"].db.connection() as conn:
        stored = chat_store.list_messages(conn, result["session_id"])[-1]
    assert stored.model == "claude-sonnet-4-6" and stored.cost_usd == pytest.approx(expected)
    assert stored.citations[0].start_s == cite["start_s"]


def test_follow_up_questions_carry_the_history(client, claude):
    first = ask(client, "What colour of light does chlorophyll reflect?")
    ask(client, "And which colours does it absorb?", session_id=first["session_id"])
    messages = claude.requests[-1].body["messages"]
    assert messages[0] == {"role": "user", "content": "What colour of light does chlorophyll reflect?"}
    assert messages[1]["role"] == "assistant" and messages[1]["content"] == first["answer"]
    assert messages[-1]["content"][-1] == {"type": "text", "text": "And which colours does it absorb?"}


def test_overloaded_claude_gets_a_clear_message(client, claude):
    claude.script(overloaded())
    result = ask(client, "Where does the Calvin cycle happen?")
    assert result["error"] and "overloaded" in result["error"].lower()
    assert result["answer"] == ""


def test_mid_stream_error_keeps_what_was_streamed(client, app, claude):
    claude.script(stream_error(("Chlorophyll reflects green light. ", 0), "It also absorbs"))
    result = ask(client, "What does chlorophyll do with light?")
    assert result["answer"].startswith("Chlorophyll reflects green light.")
    assert result["error"] and result["citations"]
    with app.extensions["chronos"].db.connection() as conn:
        stored = chat_store.list_messages(conn, result["session_id"])[-1]
    assert stored.error == result["error"] and stored.content == result["answer"]
    # A failed answer is never cached: asking again reaches Claude again.
    before = len(claude.requests)
    again = ask(client, "What does chlorophyll do with light?")
    assert len(claude.requests) == before + 1 and again["error"] is None and not again["cached"]


def test_off_topic_question_does_not_spend_tokens(client, claude):
    before = len(claude.requests)
    result = ask(client, "Who won the football world cup in 2022?")
    assert "couldn't find this in the course videos" in result["answer"]
    assert len(claude.requests) == before and result["cost_usd"] == 0


def test_without_a_key_the_offline_answerer_answers(tmp_path, transcriber, embedder):
    settings = load_settings(tmp_path / "d", env={}, whisper_model="tiny.en", run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    try:
        assert app.extensions["chronos"].chat.answerer.name == "offline"
    finally:
        app.extensions["chronos"].close()


def test_answerer_choice_follows_settings(tmp_path, transcriber, embedder):
    settings = load_settings(tmp_path / "d", env={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
                             whisper_model="tiny.en", run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    try:
        svc = app.extensions["chronos"]
        assert svc.chat.answerer.name == "openai"
        with svc.db.connection() as conn:
            owner = creators.local_creator(conn)
        # Nothing listens on port 9: the student gets a clear message, nothing crashes.
        out = svc.chat.ask_and_wait(Asker(owner.id), "anything")
        assert out["answer"].startswith("I couldn't find")  # no videos yet: not covered, no call
    finally:
        app.extensions["chronos"].close()


def test_a_citation_quoting_words_the_lecture_does_not_say_is_dropped_and_counted(client, app, claude):
    """Issue 16, point 2: Claude's cited_text is checked against the transcript at the cited time."""
    def misquote(request, ex):
        answer(("Chlorophyll is blue. ", 0, 0, 1, "Chlorophyll absorbs only ultraviolet light from the moon."),
               follow_ups=())(request, ex)

    def quote_right(request, ex):
        first = search_results(request.body)[0]
        block = next(i for i, b in enumerate(first["content"]) if "chlorophyll" in b["text"].lower())
        said = first["content"][block]["text"]
        answer(("It absorbs red and blue light. ", 0, block, block + 1, said.upper() + "  "),
               follow_ups=())(request, ex)

    with app.extensions["chronos"].db.connection() as conn:
        before = conn.execute("SELECT coalesce(sum(citations_verified), 0), coalesce(sum(citations_dropped), 0)"
                              " FROM usage_metrics").fetchone()
    claude.script(misquote)
    bad = ask(client, "What colour is chlorophyll, exactly?")
    assert bad["citations"] == []
    assert "could not be found in the lecture" in bad["answer"]
    claude.script(quote_right)
    good = ask(client, "Which light does chlorophyll absorb?")
    assert [c["verified"] for c in good["citations"]] == [True]  # case and spacing do not matter
    assert "could not be found" not in good["answer"]
    with app.extensions["chronos"].db.connection() as conn:
        after = conn.execute("SELECT sum(citations_verified), sum(citations_dropped) FROM usage_metrics").fetchone()
        stored = chat_store.list_messages(conn, good["session_id"])[-1]
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
    assert stored.citations[0].verified
    page = client.get("/usage").get_data(as_text=True)
    assert "verified against the transcript" in page and "dropped" in page
    usage_json = client.get("/api/usage").get_json()
    assert usage_json["citations"]["dropped"] >= 1 and usage_json["citations"]["verified"] >= 1
