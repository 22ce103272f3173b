"""Quiz checkpoints' API: the creator drafts, edits, approves and deletes a video's questions; a
student reads the approved ones (without their answers) and answers them."""
from __future__ import annotations

from typing import Annotated, Literal

from flask import Blueprint, jsonify
from pydantic import Field

from chronos.ai.quiz_drafts import CHOICE_MAX, MAX_CHOICES, MAX_QUESTIONS, PROMPT_MAX
from chronos.models.states import Role
from chronos.operations import quiz as quiz_ops
from chronos.web import services
from chronos.web.identity import api_member_required, api_owner_required, who
from chronos.web.schemas import Body, Query, Text, accepts

bp = Blueprint("quiz", __name__)

Second = Annotated[float, Field(ge=0, le=10**7)]
Choices = Annotated[list[Text(CHOICE_MAX, min_length=1)], Field(min_length=2, max_length=MAX_CHOICES)]
Index = Annotated[int, Field(ge=0, le=MAX_CHOICES - 1)]


class Generate(Body):
    """Draft questions: with Claude when configured (auto), or offline; how many (a few by default)."""

    EXAMPLE = {"drafter": "auto", "count": 4}
    drafter: Literal["auto", "offline", "claude"] = "auto"
    count: Annotated[int, Field(ge=1, le=MAX_QUESTIONS)] | None = None


class QuestionEdit(Body):
    """Any of a question's fields; "status": "approved" lets students meet it."""

    EXAMPLE = {"prompt": "Which gas is released when water is split?", "status": "approved"}
    kind: Literal["choice", "blank"] | None = None
    at_s: Second | None = None
    prompt: Text(PROMPT_MAX, min_length=1) | None = None
    choices: Choices | None = None
    answer_index: Index | None = None
    source_text: Text(PROMPT_MAX) | None = None
    replay_at_s: Second | None = None
    status: Literal["draft", "approved"] | None = None


class NewQuestion(Body):
    """The creator's own question, asked at `at_s`."""

    EXAMPLE = {"at_s": 24.5, "prompt": "Which gas is released?", "choices": ["Oxygen", "Nitrogen", "Helium"],
               "answer_index": 0}
    at_s: Second
    prompt: Text(PROMPT_MAX, min_length=1)
    choices: Choices
    answer_index: Index
    kind: Literal["choice", "blank"] = "choice"
    source_text: Text(PROMPT_MAX) | None = None
    replay_at_s: Second | None = None
    status: Literal["draft", "approved"] = "draft"


class Answer(Body):
    """The chosen option (counted from 0), or null to skip the question."""

    EXAMPLE = {"choice": 1}
    choice: Index | None


class QuizView(Query):
    """view=student: the owner sees what students see (approved questions, answers hidden)."""

    view: Literal["owner", "student"] = "owner"


def _student_id() -> int | None:
    return who().student.id if who().role == Role.STUDENT else None


@bp.post("/api/videos/<int:video_id>/quiz/generate")
@api_owner_required
@accepts(Generate)
def generate(video_id: int, body: Generate):
    """Draft the video's questions; answers {"questions": [the new drafts], "drafter", "refused"}."""
    return jsonify(quiz_ops.generate(services(), who().creator_id, video_id, drafter=body.drafter, count=body.count))


@bp.get("/api/videos/<int:video_id>/quiz")
@api_member_required
@accepts(query=QuizView)
def video_quiz(video_id: int, query: QuizView):
    """The owner: every question with its stats. A student (or ?view=student): approved ones only."""
    if who().role == Role.OWNER and query.view == "owner":
        return jsonify(quiz_ops.owner_quiz(services(), who().creator_id, video_id))
    return jsonify(quiz_ops.student_quiz(services(), who().creator_id, _student_id(), video_id))


@bp.post("/api/videos/<int:video_id>/quiz")
@api_owner_required
@accepts(NewQuestion)
def add(video_id: int, body: NewQuestion):
    """The creator's own question; answers it as stored."""
    return jsonify(quiz_ops.add_question(services(), who().creator_id, video_id, body.model_dump())), 201


@bp.patch("/api/quiz/<int:question_id>")
@api_owner_required
@accepts(QuestionEdit)
def edit(question_id: int, body: QuestionEdit):
    """Change the fields sent; answers the question."""
    return jsonify(quiz_ops.edit_question(services(), who().creator_id, question_id,
                                          body.model_dump(exclude_unset=True)))


@bp.delete("/api/quiz/<int:question_id>")
@api_owner_required
def delete(question_id: int):
    """Delete the question and its answers."""
    quiz_ops.delete_question(services(), who().creator_id, question_id)
    return "", 204


@bp.post("/api/quiz/<int:question_id>/answer")
@api_member_required
@accepts(Answer)
def answer(question_id: int, body: Answer):
    """{"choice": i} or {"choice": null} to skip; answers {"correct", "replay_at_s", …}."""
    return jsonify(quiz_ops.answer(services(), who().creator_id, _student_id(), question_id, body.choice))
