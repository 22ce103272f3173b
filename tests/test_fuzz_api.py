"""The JSON API fuzzed from its own OpenAPI document (schemathesis, through the WSGI app in process).

Every operation is called as the owner (an API token) and as a student (a session cookie and its
CSRF token) with bodies, query strings and ids that fit the schema and that do not, thousands of
calls in all. It fails on any 5xx, on any traceback in logs/chronos.log, and on any change to the
stored data made by a refused (4xx) request. Rate limits are lifted so the calls reach the handlers.
"""
from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from chronos import create_app
from chronos.config import load_settings
from chronos.models import chat as chat_store
from chronos.models import courses, creators, people, videos
from chronos.operations import quiz as quiz_ops
from chronos.rag.chat import Asker
from chronos.web.quiz import NewQuestion
from tests.conftest import add_video, process, sign_in_cookie
from tests.stored_data import StoredData

EXAMPLES = int(os.environ.get("CHRONOS_FUZZ_EXAMPLES", "20"))  # per operation, mode and set of ids
STUDENT_CSRF = "fuzz-csrf"
# What transcribes the lecture again (a language fixed, a re-process) and the deletions go last,
# the library's own last of all, so the other operations meet real rows and a completed lecture.
RETRANSCRIBE = ("POST /api/videos/{video_id}/reprocess", "PATCH /api/videos/{video_id}")
DELETIONS = ("DELETE /api/chat", "DELETE /api/invites", "DELETE /api/quiz", "DELETE /api/courses/{course_id}/modules",
             "DELETE /api/courses/{course_id}/thumbnail", "DELETE /api/courses", "DELETE /api/videos")


def order(label: str) -> tuple[int, str]:
    if label in RETRANSCRIBE:
        return 1 + RETRANSCRIBE.index(label), label
    return next((i + 3 for i, prefix in enumerate(DELETIONS) if label.startswith(prefix)), 0), label


@pytest.fixture
def world(tmp_path, transcriber, embedder):
    """A library with a processed lecture in a published course, a student who asked about it,
    an invite; rate limits off. The app answers errors as in production (TESTING off)."""
    settings = load_settings(tmp_path / "data", env={}, whisper_model="tiny.en", run_scheduler=False,
                             rate_per_user_per_min=0, rate_per_address_per_min=0, rate_uploads_per_min=0,
                             rate_questions_per_min=0)
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    sv = app.extensions["chronos"]
    with sv.db.connection() as conn:
        owner = creators.create_owner(conn, "Ada Lovelace", "correct horse battery")
        token = creators.create_token(conn, owner.id)
        invite, invite_token = people.create_invite(conn, owner.id, expires_at=None, max_uses=None)
        student = people.join_with_invite(conn, invite_token, name="Grace", username="grace", password="x" * 10)
    video = add_video(sv, "rivers.m4a")
    assert process(sv, video.id).status == "completed"
    with sv.db.connection() as conn:
        course = courses.create_course(conn, owner.id, title="Rivers", published=True)
        module = courses.add_module(conn, course.id, owner.id, title="One", video_ids=[video.id])
    answer = sv.chat.ask_and_wait(Asker(owner.id, student.id), "Where does a river begin?",
                                  video_id=video.id, at_s=2.0)
    with sv.db.connection() as conn:
        question = chat_store.list_messages(conn, answer["session_id"])[0]
    quiz = quiz_ops.add_question(sv, owner.id, video.id, NewQuestion.model_validate(
        NewQuestion.EXAMPLE | {"at_s": 3.0, "status": "approved"}).model_dump())
    ids = {"video_id": video.id, "course_id": course.id, "module_id": module.id, "student_id": student.id,
           "invite_id": invite.id, "session_id": answer["session_id"], "message_id": answer["message_id"],
           "asked_id": question.id, "question_id": quiz["id"], "index": 0}
    yield {"app": app, "services": sv, "owner": owner, "token": token, "student": student, "ids": ids}
    sv.close(wait=True)


def student_cookie(app, student_id: int) -> str:
    """The signed session cookie of the student signed in now (its CSRF token included)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps(sign_in_cookie(app, student_id=student_id) | {"csrf": STUDENT_CSRF})


def use_own_ids(body, ids: dict) -> None:
    """Point a generated body's ids at rows that exist (a generated id is almost never one)."""
    if not isinstance(body, dict):
        return
    for name in ("video_id", "course_id", "module_id", "session_id"):
        if isinstance(body.get(name), int):
            body[name] = ids[name]
    if isinstance(body.get("video_ids"), list):
        body["video_ids"] = [ids["video_id"]]


def repair(world) -> None:
    """Undo what accepted calls did to the people and visibility the next operation needs: the
    student's access, the lecture and the course published."""
    sv, owner, ids = world["services"], world["owner"], world["ids"]
    with sv.db.connection() as conn:
        if people.get_student(conn, ids["student_id"]).access != "active":
            people.set_owner_revoked(conn, ids["student_id"], False)
        if videos.get_video(conn, ids["video_id"], owner.id) is not None:
            videos.update_video(conn, ids["video_id"], published=True)
        if courses.get_course(conn, ids["course_id"], owner.id) is not None:
            courses.update_course(conn, ids["course_id"], owner.id, published=True)


def test_the_api_survives_thousands_of_generated_requests(world, capsys):
    app, sv, ids = world["app"], world["services"], world["ids"]
    owner_headers = {"Authorization": f"Bearer {world['token']}"}
    config = SchemathesisConfig()
    config.projects.default.generation.update(with_security_parameters=False)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, headers=owner_headers, config=config)
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=lambda op: order(op.label))
    log = sv.settings.logs_dir / "chronos.log"
    logged_before = log.read_text() if log.exists() else ""
    stored = StoredData(sv)
    outcomes: Counter = Counter()
    answered: set[str] = set()  # operations that accepted at least one call
    failures: list[str] = []
    started = time.monotonic()

    for op in operations:
        cookie = student_cookie(app, ids["student_id"])
        callers = (("owner", owner_headers, None),
                   ("student", {"X-CSRF-Token": STUDENT_CSRF}, {"session": cookie}))
        own_ids = {p.name: ids[p.name] for p in op.path_parameters if p.name in ids}
        if op.label.startswith("PUT /api/chat/messages/"):
            own_ids["message_id"] = ids["asked_id"]  # a question is edited, an answer rated
        sent = bool(len(op.query) or len(op.body))  # something besides the ids to get wrong
        runs = [(GenerationMode.POSITIVE, None)] + ([(GenerationMode.NEGATIVE, None)]
                                                     if sent or len(op.path_parameters) else [])
        if own_ids or sent:  # the same again on rows that exist, so the calls get past the lookups
            runs += [(GenerationMode.POSITIVE, own_ids)] + ([(GenerationMode.NEGATIVE, own_ids)] if sent else [])
        for mode, path_parameters in runs:
            @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                                 suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode, path_parameters=path_parameters or None))
            def call(case):
                if path_parameters is not None:
                    use_own_ids(case.body, ids)
                for role, headers, cookies in callers:
                    res = case.call(headers=headers, cookies=cookies)
                    outcomes[(role, mode.value, f"{res.status_code // 100}xx")] += 1
                    if res.status_code < 300:
                        answered.add(op.label)
                    changed = stored.changed()
                    request = f"{role} {case.method} {case.formatted_path} query={case.query} body={case.body!r:.300}"
                    if res.status_code >= 500:
                        failures.append(f"{res.status_code} from {request}: {res.text[:200]}")
                    elif res.status_code >= 400 and changed:
                        failures.append(f"{res.status_code} refused but changed {', '.join(changed)}: {request}")
            call()
        repair(world)
        stored.changed()  # the repair is not a request's doing

    seconds = time.monotonic() - started
    calls = sum(outcomes.values())
    logged = (log.read_text() if log.exists() else "")[len(logged_before):]
    with capsys.disabled():
        print(f"\nfuzzed {len(operations)} operations: {calls} calls in {seconds:.1f} s")
        for (role, mode, status), n in sorted(outcomes.items()):
            print(f"  {role:8} {mode:9} {status}: {n}")
        print("  never accepted a call:", ", ".join(op.label for op in operations if op.label not in answered) or "none")
    stored.close()
    assert not failures, f"{len(failures)} failures, the first ones:\n" + "\n".join(failures[:15])
    assert "Traceback" not in logged, logged[-3000:]
    assert calls >= 2000 or EXAMPLES < 20
    # The generated calls reached the handlers, and refusals and successes both happened.
    assert outcomes[("owner", "positive", "2xx")] > 100 and outcomes[("owner", "negative", "4xx")] > 500
    assert outcomes[("student", "positive", "2xx")] > 20
