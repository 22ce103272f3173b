"""Quiz checkpoints: draft a video's questions (Claude when configured, else offline), the creator's
edits, approvals, deletions and own questions, and a student's answers.

Nothing reaches a student unless approved: a student reads and answers only approved questions of
videos they may see (models/visibility.py), never the answer before answering it right.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from chronos.ai.quiz_drafts import (BLANK, CHOICE_MAX, KINDS, MAX_CHOICES, MAX_QUESTIONS, PROMPT_MAX,
                                    DrafterFailed, Lecture, LectureSentence, QuizDrafter, default_count)
from chronos.config import Settings
from chronos.db import Connection, transaction
from chronos.models import activity, analytics_quiz, quiz, sentences, transcripts, videos
from chronos.models.states import LiveKind, VideoStatus
from chronos.operations import OperationError
from chronos.operations.videos import require_video

if TYPE_CHECKING:
    from chronos.services import Services

DRAFTERS = ("auto", "offline", "claude")


def claude_configured(settings: Settings) -> bool:
    """Whether Claude drafts quizzes: a key, and the answerer setting allows Claude."""
    return bool(settings.anthropic_api_key) and settings.answerer in ("auto", "claude")


def make_drafter(settings: Settings, choice: str = "auto") -> QuizDrafter:
    """Claude when configured (or asked for), else the offline generator."""
    if choice == "claude" and not settings.anthropic_api_key:
        raise OperationError("Claude is not set up: set ANTHROPIC_API_KEY, or draft offline.", 400)
    if choice == "claude" or (choice == "auto" and claude_configured(settings)):
        from chronos.ai.quiz_claude import ClaudeQuizDrafter

        return ClaudeQuizDrafter(settings.anthropic_api_key, model=settings.anthropic_model,
                                 base_url=settings.anthropic_base_url or None,
                                 timeout_s=settings.anthropic_timeout_s, max_retries=settings.anthropic_max_retries)
    from chronos.ai.quiz_offline import OfflineQuizDrafter

    return OfflineQuizDrafter()


def lecture_of(conn: Connection, video: videos.Video, *, course: bool = True) -> Lecture:
    """The video's sentences (from its segments when a library predates stored sentences), and its
    courses' other lectures (unless `course` is false)."""
    stored = sentences.video_sentences(conn, video.id)
    if stored:
        said = [(s.start_s, s.end_s, s.text) for s in stored]
    else:
        from chronos.pipeline.chunking import sentences_from_segments

        said = [(s.start_s, s.end_s, s.text) for s in sentences_from_segments(transcripts.load_segments(conn, video.id))]
    return Lecture(video.title, tuple(LectureSentence(i, *s) for i, s in enumerate(said)),
                   tuple(quiz.course_sentences(conn, video.id)) if course else ())


# -- the creator -----------------------------------------------------------------------------------

def generate(sv: Services, creator_id: int, video_id: int, *, drafter: str = "auto",
             count: int | None = None) -> dict:
    """Draft questions for a completed video. Drafts nobody approved or edited are replaced; the
    sentences kept questions already ask about are left out. Answers the new drafts."""
    if drafter not in DRAFTERS:
        raise OperationError(f"Unknown drafter {drafter!r}: use one of {', '.join(DRAFTERS)}.")
    with sv.db.connection() as conn:
        video = require_video(conn, video_id, creator_id)
        if video.status != VideoStatus.COMPLETED:
            raise OperationError(f"Video {video_id} is {video.status}; draft its quiz once processing completes.", 409)
        lecture = lecture_of(conn, video)
    if not lecture.sentences:
        raise OperationError("This video has no transcript to draft questions from.", 409)
    want = count or default_count(lecture)
    if not 1 <= want <= MAX_QUESTIONS:
        raise OperationError(f"Ask for 1 to {MAX_QUESTIONS} questions.")
    maker = make_drafter(sv.settings, drafter)
    try:
        drafted = maker.draft(lecture, want)  # Claude's request is made outside any transaction
    except DrafterFailed as exc:
        raise OperationError(exc.message, 503 if exc.retryable else 502) from exc
    if not drafted.questions:
        why = " ".join(drafted.refused[:3])
        raise OperationError("No question could be drafted from this transcript." + (f" Refused: {why}" if why else ""),
                             502 if drafted.refused else 409)
    with sv.db.connection() as conn, transaction(conn):
        replaced = quiz.delete_untouched_drafts(conn, video_id)
        kept = {round(q.replay_at_s, 2) for q in quiz.video_questions(conn, video_id)}
        new = [quiz.NewQuestion(d.kind, d.at_s, d.prompt, d.choices, d.answer_index, d.source_text, d.replay_at_s,
                                drafted.drafter) for d in drafted.questions if round(d.replay_at_s, 2) not in kept]
        stored = quiz.add_questions(conn, video_id, creator_id, new)
    return {"questions": [q.to_json() for q in stored], "drafter": drafted.drafter, "refused": drafted.refused,
            "replaced": replaced}


def owner_quiz(sv: Services, creator_id: int, video_id: int) -> dict:
    """Every question of the video with its attempts and correct rate, and the video's quiz score."""
    with sv.db.connection() as conn:
        require_video(conn, video_id, creator_id)
        stats = analytics_quiz.question_stats(conn, video_id)
        none = analytics_quiz.QuestionStats(0, 0, 0, 0)
        return {"questions": [q.to_json() | {"stats": stats.get(q.id, none).to_json()}
                              for q in quiz.video_questions(conn, video_id)],
                "score": analytics_quiz.video_score(conn, video_id).to_json(),
                "drafter": "claude" if claude_configured(sv.settings) else "offline"}


def add_question(sv: Services, creator_id: int, video_id: int, fields: dict[str, Any]) -> dict:
    """The creator's own question at `at_s`; it replays from the sentence spoken there unless told."""
    with sv.db.connection() as conn:
        video = require_video(conn, video_id, creator_id)
        at = _time(fields.get("at_s"), video, "at_s")
        spoken = _sentence_at(lecture_of(conn, video, course=False), at)
        full = {"kind": "choice", "source_text": spoken.text if spoken else "",
                "replay_at_s": spoken.start_s if spoken else at, "status": "draft"} | {
            k: v for k, v in fields.items() if v is not None}
        checked = _checked(full, video, full)
        new = quiz.NewQuestion(checked["kind"], checked["at_s"], checked["prompt"], tuple(checked["choices"]),
                               checked["answer_index"], checked["source_text"], checked["replay_at_s"], "creator",
                               checked["status"])
        return quiz.add_questions(conn, video_id, creator_id, [new])[0].to_json()


def edit_question(sv: Services, creator_id: int, question_id: int, changes: dict[str, Any]) -> dict:
    """Change any of a question's fields (approve it with "status": "approved"); answers the question."""
    with sv.db.connection() as conn:
        question = _require(conn, question_id, creator_id)
        video = require_video(conn, question.video_id, creator_id)
        changes = {k: v for k, v in changes.items() if v is not None}
        merged = question.to_json() | changes
        checked = _checked(merged, video, changes)
        quiz.update_question(conn, question_id, {k: checked[k] for k in changes})
        return quiz.get_question(conn, question_id, creator_id).to_json()


def delete_question(sv: Services, creator_id: int, question_id: int) -> None:
    """Delete a question (and the answers given to it)."""
    with sv.db.connection() as conn:
        _require(conn, question_id, creator_id)
        quiz.delete_question(conn, question_id)


# -- the student -----------------------------------------------------------------------------------

def student_quiz(sv: Services, creator_id: int, student_id: int | None, video_id: int) -> dict:
    """The approved questions of a video the student may see, without their answers (a question
    answered right shows its answer); student_id None: the owner previewing."""
    with sv.db.connection() as conn:
        video = videos.get_video(conn, video_id, creator_id=creator_id)
        if video is None or (student_id is not None and not video.visible_to_students):
            raise OperationError("This video does not exist or was deleted.", 404)
        mine = quiz.answered(conn, student_id, video_id) if student_id is not None else {}
        return {"questions": [_for_student(q, mine.get(q.id))
                              for q in quiz.video_questions(conn, video_id, approved_only=True)]}


def answer(sv: Services, creator_id: int, student_id: int | None, question_id: int, choice: int | None) -> dict:
    """Check a student's answer (choice None: they skip) and store it; the owner's is not stored.

    Right: the answer and its sentence. Wrong: where to rewatch the sentence that answers it."""
    with sv.db.connection() as conn:
        if student_id is None:
            question = _require(conn, question_id, creator_id)
        else:
            question = quiz.question_for_student(conn, question_id, creator_id)
            if question is None:
                raise OperationError("This question does not exist or is not open.", 404)
    if choice is not None and not 0 <= choice < len(question.choices):
        raise OperationError(f"'choice' must be from 0 to {len(question.choices) - 1}, or null to skip.")
    correct = choice == question.answer_index
    if student_id is not None:
        def write(conn: Connection) -> None:
            day = activity.creator_date(conn, creator_id, datetime.now(timezone.utc))
            quiz.record_answer(conn, question, student_id, choice, correct, day)

        sv.writer.call(write)
        activity.announce(sv.bus.publish, creator_id, LiveKind.QUIZ)
    out = {"correct": correct, "skipped": choice is None, "replay_at_s": question.replay_at_s}
    if correct:
        out |= {"answer_index": question.answer_index, "source_text": question.source_text}
    return out


def _for_student(q: quiz.Question, mine: quiz.Answered | None) -> dict:
    out = {"id": q.id, "video_id": q.video_id, "kind": q.kind, "at_s": q.at_s, "prompt": q.prompt,
           "choices": list(q.choices), "answered": None}
    if mine is not None:
        out["answered"] = {"skipped": mine.choice is None, "correct": mine.correct, "ever_correct": mine.ever_correct,
                           "attempts": mine.attempts}
        if mine.ever_correct:
            out |= {"answer_index": q.answer_index, "source_text": q.source_text, "replay_at_s": q.replay_at_s}
    return out


# -- checks ----------------------------------------------------------------------------------------

def _require(conn: Connection, question_id: int, creator_id: int) -> quiz.Question:
    question = quiz.get_question(conn, question_id, creator_id)
    if question is None:
        raise OperationError(f"No quiz question {question_id}.", 404)
    return question


def _sentence_at(lecture: Lecture, at_s: float) -> LectureSentence | None:
    """The sentence being said at `at_s`, else the last one said before it."""
    before = [s for s in lecture.sentences if s.start_s <= at_s + 0.05]
    return before[-1] if before else None


def _time(value: Any, video: videos.Video, name: str) -> float:
    if value is None:
        raise OperationError(f"Send '{name}', the second in the video.")
    if video.duration_s and value > video.duration_s + 0.5:
        raise OperationError(f"'{name}' is {value:g} s, after the video's end ({video.duration_s:g} s).")
    return round(float(value), 2)


def _checked(question: dict[str, Any], video: videos.Video, changed: dict[str, Any]) -> dict[str, Any]:
    """The question's fields, cleaned, or OperationError naming what to fix."""
    out = dict(question)
    for name in ("at_s", "replay_at_s"):
        if name in changed:
            out[name] = _time(question[name], video, name)
    out["prompt"] = " ".join(str(question.get("prompt") or "").split())
    if not out["prompt"]:
        raise OperationError("Write the question ('prompt').")
    if len(out["prompt"]) > PROMPT_MAX:
        raise OperationError(f"The question is {len(out['prompt'])} characters long; keep it to {PROMPT_MAX}.")
    if question.get("kind") not in KINDS:
        raise OperationError(f"'kind' must be one of {', '.join(KINDS)}.")
    if question["kind"] == "blank" and "___" not in out["prompt"]:
        raise OperationError(f"A fill-in-the-blank question needs a blank: put {BLANK} where the missing words go.")
    choices = [" ".join(str(c).split()) for c in question.get("choices") or []]
    if not 2 <= len(choices) <= MAX_CHOICES or any(not c for c in choices):
        raise OperationError(f"Give 2 to {MAX_CHOICES} choices, none empty.")
    if any(len(c) > CHOICE_MAX for c in choices):
        raise OperationError(f"Keep each choice to {CHOICE_MAX} characters.")
    if len({c.lower() for c in choices}) < len(choices):
        raise OperationError("Two choices are the same; make each one different.")
    out["choices"] = choices
    index = question.get("answer_index")
    if not isinstance(index, int) or not 0 <= index < len(choices):
        raise OperationError(f"'answer_index' must say which choice is right: 0 to {len(choices) - 1}.")
    if question.get("status") not in quiz.STATUSES:
        raise OperationError(f"'status' must be one of {', '.join(quiz.STATUSES)}.")
    out["source_text"] = " ".join(str(question.get("source_text") or "").split())[:PROMPT_MAX]
    return out
