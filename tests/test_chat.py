"""Asking the videos: cited moments, not-covered answers, moments, cache, history, the API."""
from __future__ import annotations

import json

import pytest

from chronos import create_app
from chronos.config import load_settings
from chronos.models import creators
from chronos.models import videos as video_store
from chronos.rag.chat import Asker
from chronos.rag.retrieval import fts_query, retrieve
from tests.conftest import FIXTURES, OWNER, add_video, ask, csrf, process, sidecar, signed_in


def spoken_at(name: str, phrase: str) -> dict:
    """The sidecar sentence of a fixture that contains phrase."""
    return next(s for s in sidecar(name)["sentences"] if phrase in s["text"])


def overlaps(citation: dict, sentence: dict, slack: float = 1.0) -> bool:
    return citation["start_s"] - slack <= sentence["end_s"] and sentence["start_s"] <= citation["end_s"] + slack


@pytest.fixture(scope="module")
def library(tmp_path_factory, transcriber, embedder):
    """An app whose library holds the three lectures, processed once for this module."""
    settings = load_settings(tmp_path_factory.mktemp("chat-data"), env={}, whisper_model="tiny.en",
                             run_scheduler=False)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    ids = {}
    with sv.db.connection() as conn:
        creator = creators.create_owner(conn, OWNER["name"], OWNER["password"])
    for name in ("photosynthesis.mp4", "interest.mp4", "rivers.m4a"):
        video = add_video(sv, name)
        assert process(sv, video.id).status == "completed"
        ids[name] = video.id
    yield app, sv, creator, ids
    sv.close()


@pytest.fixture
def client(library):
    return signed_in(library[0])


KNOWN = [  # question, fixture, a phrase of the sentence that answers it
    ("What colour of light does chlorophyll reflect?", "photosynthesis.mp4", "reflects green light"),
    ("How long does it take to double money at eight percent interest?", "interest.mp4", "double in about nine years"),
    ("Where does a river drop its sediment?", "rivers.m4a", "drops its sediment"),
    ("Which gas is released when water is split?", "photosynthesis.mp4", "oxygen is released"),
]


@pytest.mark.parametrize("question,fixture,phrase", KNOWN, ids=[k[2] for k in KNOWN])
def test_answers_cite_the_moment_where_it_is_said(client, library, question, fixture, phrase):
    _, _, _, ids = library
    answer = ask(client, question)
    assert answer["answerer"] == "offline" and answer["error"] is None
    gold = spoken_at(fixture, phrase)
    assert answer["citations"], answer
    assert any(c["video_id"] == ids[fixture] and overlaps(c, gold) for c in answer["citations"]), answer
    first = answer["citations"][0]
    assert set(first) == {"video_id", "title", "start_s", "end_s", "score", "text", "verified"}
    assert all(c["verified"] for c in answer["citations"])  # every quote checked against the transcript
    assert 0 < first["score"] <= 1
    # The offline answer only quotes the videos: every quoted line is in a cited passage.
    quoted = [line[2:] for line in answer["answer"].splitlines() if line.startswith("> ") and "—" not in line]
    assert quoted and all(any(q in c["text"] for c in answer["citations"]) for q in quoted)


@pytest.mark.parametrize("question", ["Who won the football world cup in 2022?",
                                      "How do I bake sourdough bread at home?"])
def test_off_topic_questions_are_not_covered(client, question):
    answer = ask(client, question)
    assert answer["citations"] == []
    assert "couldn't find this in the course videos" in answer["answer"]


def test_scope_to_one_video(client, library):
    _, _, _, ids = library
    answer = ask(client, "What is the rule of seventy two?", video_id=ids["rivers.m4a"])
    assert all(c["video_id"] == ids["rivers.m4a"] for c in answer["citations"])
    assert "couldn't find" in answer["answer"]


def test_ask_about_this_moment_favours_what_is_playing(library):
    _, sv, creator, ids = library
    vague = "What does this part mean?"
    at = spoken_at("photosynthesis.mp4", "Calvin cycle")
    with sv.db.connection() as conn:
        from chronos.rag.retrieval import Focus

        found = retrieve(conn, sv.embedder, vague, creator_id=creator.id,
                         focus=Focus(ids["photosynthesis.mp4"], at["start_s"] + 1))
    assert found.covered
    top = found.passages[0]
    assert top.video_id == ids["photosynthesis.mp4"]
    assert top.start_s - 1 <= at["start_s"] <= top.end_s + 1


def test_keyword_query_is_safe_fts_syntax():
    assert fts_query('What is "NEAR(" AND OR * chlorophyll?') == '"near" OR "chlorophyll"'
    assert fts_query("what is it") == ""


def test_repeat_question_is_cached_until_the_videos_change(client, library):
    app, sv, creator, ids = library
    question = "How long does it take to double your money?"
    first = ask(client, question)
    again = ask(client, "  how long does it take to DOUBLE your money ")
    assert first["cached"] is False and again["cached"] is True
    assert again["answer"] == first["answer"] and again["citations"] == first["citations"]
    with sv.db.connection() as conn:  # the creator renames a video: old answers must not be served
        video_store.update_video(conn, ids["interest.mp4"], title="Compound interest")
    fresh = ask(client, question)
    assert fresh["cached"] is False
    assert {c["title"] for c in fresh["citations"]} == {"Compound interest"}


def test_sessions_history_rename_search_delete(client):
    first = ask(client, "What colour of light does chlorophyll absorb?")
    sid = first["session_id"]
    follow = ask(client, "Where does the Calvin cycle happen?", session_id=sid)
    assert follow["session_id"] == sid
    listed = client.get("/api/chat/sessions").get_json()
    assert listed[0]["id"] == sid and listed[0]["title"] == "What colour of light does chlorophyll absorb?"
    assert listed[0]["message_count"] == 4
    session = client.get(f"/api/chat/sessions/{sid}").get_json()
    roles = [m["role"] for m in session["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"]
    assert session["messages"][1]["citations"]
    h = {"X-CSRF-Token": csrf(client)}
    client.patch(f"/api/chat/sessions/{sid}", json={"title": "Light and leaves"}, headers=h)
    assert [s["id"] for s in client.get("/api/chat/sessions?q=leaves").get_json()] == [sid]
    assert sid in [s["id"] for s in client.get("/api/chat/sessions?q=Calvin").get_json()]
    assert client.get("/api/chat/sessions?q=zebra").get_json() == []
    assert client.delete(f"/api/chat/sessions/{sid}", headers=h).status_code == 200
    assert client.get(f"/api/chat/sessions/{sid}").status_code == 404


def test_editing_a_question_regenerates_its_answer(client, library):
    _, _, _, ids = library
    first = ask(client, "Which gas is released when water is split?")
    sid = first["session_id"]
    ask(client, "And what is the principal?", session_id=sid)
    question_id = client.get(f"/api/chat/sessions/{sid}").get_json()["messages"][0]["id"]
    res = client.put(f"/api/chat/messages/{question_id}", json={"message": "Where does a river drop its sediment?"},
                     headers={"X-CSRF-Token": csrf(client)})
    edited = res.get_json()
    assert res.status_code == 200
    assert all(c["video_id"] == ids["rivers.m4a"] for c in edited["citations"])
    messages = client.get(f"/api/chat/sessions/{sid}").get_json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]  # later turns dropped
    assert messages[0]["content"] == "Where does a river drop its sediment?" and messages[0]["edited_at"]
    # Deleting the question deletes its answer too.
    res = client.delete(f"/api/chat/messages/{question_id}", headers={"X-CSRF-Token": csrf(client)})
    assert res.get_json()["removed"] == 2
    assert client.get(f"/api/chat/sessions/{sid}").get_json()["messages"] == []


def test_bad_questions_get_clear_errors(client):
    h = {"X-CSRF-Token": csrf(client)}
    assert "Type a question" in client.post("/api/chat", json={"message": "  "}, headers=h).get_json()["error"]
    long = client.post("/api/chat", json={"message": "x" * 4001}, headers=h)
    assert long.status_code == 400 and "4000 characters" in long.get_json()["error"]
    missing = client.post("/api/chat", json={"message": "hi", "session_id": 9999}, headers=h)
    assert missing.status_code == 404
    bad = client.post("/api/chat", json={"message": "hi", "at_s": "soon", "video_id": 1}, headers=h)
    assert bad.status_code == 400 and "at_s" in bad.get_json()["error"]


def test_history_survives_a_restart(library, transcriber, embedder):
    app, sv, creator, _ = library
    answer = sv.chat.ask_and_wait(Asker(creator.id), "What does chlorophyll absorb?")
    again = create_app(sv.settings, transcriber=transcriber, embedder=embedder)
    try:
        c = signed_in(again)
        session = c.get(f"/api/chat/sessions/{answer['session_id']}").get_json()
        assert session["messages"][1]["content"] == answer["answer"]
        assert session["messages"][1]["citations"][0]["start_s"] == answer["citations"][0]["start_s"]
    finally:
        again.extensions["chronos"].close()


def test_chat_references_are_counted_for_analytics(library):
    _, sv, creator, ids = library
    with sv.db.connection() as conn:
        before = conn.execute("SELECT coalesce(sum(chat_references),0) FROM video_analytics WHERE video_id = ?",
                              (ids["rivers.m4a"],)).fetchone()[0]
    sv.chat.ask_and_wait(Asker(creator.id), "How do rivers carve valleys?")
    with sv.db.connection() as conn:
        after = conn.execute("SELECT coalesce(sum(chat_references),0) FROM video_analytics WHERE video_id = ?",
                             (ids["rivers.m4a"],)).fetchone()[0]
        previews = conn.execute("SELECT sum(preview_answers) FROM usage_metrics").fetchone()[0]
    assert after == before + 1 and previews >= 1  # the owner's question: a preview, not a credit


def test_websocket_streams_the_answer(library):
    from tests.conftest import LiveServer
    from simple_websocket import Client

    app, sv, creator, ids = library
    server = LiveServer(app)
    try:
        with sv.db.connection() as conn:
            token = creators.create_token(conn, creator.id)
        ws = Client.connect(server.url.replace("http", "ws") + "/ws/chat",
                            headers={"Authorization": f"Bearer {token}"})
        # A message over 1 MB is refused with a reason, and the socket stays open for the next.
        ws.send(json.dumps({"type": "ask", "message": "x" * (1024 * 1024 + 1)}))
        refused = json.loads(ws.receive(timeout=60))
        assert refused["type"] == "error" and "larger than 1" in refused["error"], refused
        ws.send(json.dumps({"type": "ask", "message": "What colour of light does chlorophyll reflect?"}))
        events = []
        while not events or events[-1]["type"] not in ("done", "error"):
            events.append(json.loads(ws.receive(timeout=60)))
        ws.close()
    finally:
        server.stop()
    kinds = [e["type"] for e in events]
    assert kinds[0] == "session" and kinds[-1] == "done"
    assert kinds.count("delta") >= 2 and "citation" in kinds  # it streamed, in pieces
    streamed = "".join(e["text"] for e in events if e["type"] == "delta")
    assert streamed == events[-1]["answer"]["answer"]


def test_cli_ask(tmp_path):
    from tests.procs import run_cli

    data = str(tmp_path / "data")
    run_cli("ingest", str(FIXTURES / "rivers.m4a"), "--data-dir", data)
    res = run_cli("ask", "Where does the river drop its sediment?", "--json", "--data-dir", data)
    out = json.loads(res.stdout)
    assert res.returncode == 0
    assert {"answer", "answerer", "session_id", "citations"} <= set(out)
    assert out["answerer"] == "offline" and out["citations"][0]["video_id"] == 1
    gold = spoken_at("rivers.m4a", "drops its sediment")
    assert any(overlaps(c, gold) for c in out["citations"])
    text = run_cli("ask", "Where does the river drop its sediment?", "--data-dir", data).stdout
    assert "Rivers at 0:" in text


def test_recent_questions_of_a_course_player_and_a_video(client, library):
    from chronos.models import courses

    app, sv, creator, ids = library
    with sv.db.connection() as conn:
        made = courses.create_course(conn, creator.id, title="Money and rivers", published=True)
        courses.add_module(conn, made.id, creator.id, title="All", video_ids=[ids["interest.mp4"], ids["rivers.m4a"]])
    assert client.get(f"/api/chat/recent?course_id={made.id}").get_json() == {"session_id": None, "messages": []}
    first = ask(client, "Where does a river drop its sediment?", course_id=made.id, video_id=ids["rivers.m4a"])
    second = ask(client, "How long does money take to double?", course_id=made.id, video_id=ids["interest.mp4"],
                 at_s=3.0, session_id=first["session_id"])
    ask(client, "Where does a river drop its sediment?")  # the Ask page: no course, no video
    recent = client.get(f"/api/chat/recent?course_id={made.id}").get_json()
    assert recent["session_id"] == first["session_id"]
    assert [(m["role"], m["content"][:20]) for m in recent["messages"]] == [
        ("user", "Where does a river d"), ("assistant", first["answer"][:20]),
        ("user", "How long does money "), ("assistant", second["answer"][:20])]
    assert recent["messages"][1]["citations"][0]["video_id"] == ids["rivers.m4a"]
    # Beside the video: the question asked at a moment of it (in the course or not).
    by_video = client.get(f"/api/chat/recent?video_id={ids['interest.mp4']}").get_json()
    assert by_video["messages"][-2]["content"] == "How long does money take to double?"
    assert by_video["messages"][-2]["at_s"] == 3.0
    # Only the asker's own: another student's player shows none of it.
    from chronos.models import people
    with sv.db.connection() as conn:
        _, token = people.create_invite(conn, creator.id, expires_at=None, max_uses=None)
        people.join_with_invite(conn, token, name="Linus", username="linus-recent", password="a long password")
    student = signed_in(app, {"name": "linus-recent", "password": "a long password"})
    assert student.get(f"/api/chat/recent?course_id={made.id}").get_json()["messages"] == []
    assert client.get("/api/chat/recent").status_code == 400
    assert client.get(f"/api/chat/recent?course_id={made.id}&video_id=1").status_code == 400
    assert client.get("/api/chat/recent?course_id=x").status_code == 400
