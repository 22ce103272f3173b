"""Quiz drafts from Claude: the lecture's numbered sentences go in, structured drafts come back
through one forced tool call (`draft_quiz`), each citing the sentence that answers it. Every draft
passes `check_draft` or is refused, with the reason kept for the creator."""
from __future__ import annotations

import logging
from typing import Any

import anthropic

from chronos.ai.claude import MIDDLEWARE, _failed
from chronos.ai.answerer import Usage
from chronos.ai.quiz_drafts import BLANK, DraftRefused, Drafted, DrafterFailed, Lecture, check_draft
from chronos.ai.quiz_offline import course_terms
from chronos.timefmt import clock

log = logging.getLogger(__name__)

MAX_TOKENS = 4096  # about 150 tokens a question; twenty questions fit
TOOL = "draft_quiz"
QUIZ_TOOL = {
    "name": TOOL,
    "description": "Record the quiz checkpoint questions drafted from the lecture transcript.",
    "input_schema": {
        "type": "object",
        "properties": {"questions": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "sentence": {"type": "integer",
                             "description": "The number of the transcript sentence that answers the question."},
                "kind": {"type": "string", "enum": ["choice", "blank"],
                         "description": "choice: a question; blank: the sentence with the answer blanked."},
                "prompt": {"type": "string", "description": "What the student is asked."},
                "choices": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 4},
                "answer_index": {"type": "integer", "description": "The correct choice, counted from 0."},
            },
            "required": ["sentence", "kind", "prompt", "choices", "answer_index"]}}},
        "required": ["questions"]},
}
SYSTEM = f"""You write quiz checkpoints for an online course. Each checkpoint pauses the lecture \
video right after one sentence and asks the student about it.

Rules:
- Use only the numbered transcript sentences given. Each question is answered by exactly one \
sentence; give its number as `sentence`.
- The correct choice must be words said in that sentence, word for word.
- Give three or four choices. The wrong choices are of the same kind as the answer (terms, \
names, numbers of the same kind), taken from this lecture or the other course terms listed, and \
are not said in that sentence.
- kind "choice" is a question; kind "blank" repeats the sentence with the answer replaced by \
{BLANK}. Never give the answer away in the prompt.
- Ask about what matters in the lecture, spread over it, in the order it is spoken.
Record the questions with the {TOOL} tool."""


class ClaudeQuizDrafter:
    """Drafts through the Claude Messages API (one request, not streamed: a tool call's input is
    only usable whole)."""

    name = "claude"

    def __init__(self, api_key: str, *, model: str, base_url: str | None = None, timeout_s: float = 60,
                 max_retries: int = 2) -> None:
        self.model = model
        self._client = anthropic.Anthropic(api_key=api_key, base_url=base_url or None, timeout=timeout_s,
                                           max_retries=max_retries, middleware=MIDDLEWARE)

    def draft(self, lecture: Lecture, count: int) -> Drafted:
        """Up to `count` checked drafts; DrafterFailed when Claude could not be asked or said nothing usable."""
        try:
            message = self._client.messages.create(
                model=self.model, max_tokens=MAX_TOKENS, system=SYSTEM, tools=[QUIZ_TOOL],
                tool_choice={"type": "tool", "name": TOOL},
                messages=[{"role": "user", "content": request_text(lecture, count)}])
        except Exception as exc:  # noqa: BLE001 - every failure becomes one message for the creator
            failed = _failed(exc, Usage(), started=False)
            raise DrafterFailed(failed.message, failed.retryable) from exc
        log.info("Claude drafted a quiz: %s input, %s output tokens", message.usage.input_tokens,
                 message.usage.output_tokens)
        raw = next((b.input for b in message.content if b.type == "tool_use" and b.name == TOOL), None)
        items = raw.get("questions") if isinstance(raw, dict) else None
        if not isinstance(items, list):
            raise DrafterFailed("Claude's reply held no quiz drafts. Draft again, or draft offline.", retryable=False)
        return parse_drafts(lecture, items, count)


def request_text(lecture: Lecture, count: int) -> str:
    """The user turn: the lecture's numbered, timed sentences, and the course's other terms."""
    lines = [f"Lecture: {lecture.title}", f"Draft {count} questions.", "", "Transcript sentences:"]
    lines += [f"[{s.index}] ({clock(s.start_s)}) {s.text}" for s in lecture.sentences]
    if lecture.course_sentences:
        lines += ["", "Other terms from the course (for wrong choices): " + ", ".join(course_terms(lecture))]
    return "\n".join(lines)


def parse_drafts(lecture: Lecture, items: list[Any], count: int) -> Drafted:
    """Claude's tool input as checked drafts, one per sentence, in time order; the rest refused."""
    kept, refused, cited = [], [], set()
    for n, item in enumerate(items, 1):
        try:
            if not isinstance(item, dict):
                raise DraftRefused("it is not an object")
            sentence = item.get("sentence")
            draft = check_draft(lecture, sentence, item.get("kind"), item.get("prompt"), item.get("choices"),
                                item.get("answer_index"))
            if sentence in cited:
                raise DraftRefused(f"sentence {sentence} already has a question")
        except DraftRefused as why:
            refused.append(f"Draft {n}: {why}.")
            continue
        cited.add(sentence)
        kept.append(draft)
    if refused:
        log.info("Claude quiz drafts refused: %s", " ".join(refused))
    return Drafted("claude", sorted(kept, key=lambda d: d.at_s)[:count], refused)
