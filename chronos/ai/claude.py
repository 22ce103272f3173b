"""Answers from Claude: passages go in as search_result blocks, citations come back per passage;
and short chapter titles for a video's chapters."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import anthropic
import httpx2

from chronos.ai.answerer import (ANSWER, AnswerEvent, Cited, Failed, Finished, History, Passage, TextDelta,
                                 Usage, system_prompt)
from chronos.ai.followups import FollowUpFilter
from chronos.turns import outside_turn

log = logging.getLogger(__name__)

SPEND_LIMIT_CODES = {"enforced_spend_limit_reached", "contract_spend_limit_reached",
                     "linked_organization_spend_limit_reached"}
BUSY = "Claude is busy right now (rate limited). Please try again in a minute."
BUDGET = ("The course's AI budget is used up for now, so Claude can't answer. "
          "The course owner needs to raise the Claude spending limit.")
OVERLOADED = "Claude is overloaded right now. Please try again in a minute."
SERVER_ERROR = "Claude had a problem on its side. Please try again."
TIMED_OUT = "Claude took too long to answer. Please try again."
UNREACHABLE = "Couldn't reach Claude (network problem). Please try again in a moment."
CUT_OFF = "The connection to Claude broke off partway through the answer. Please try again."
KEY_REFUSED = "The Claude API key was refused; the course owner needs to check it."
REJECTED = "Claude couldn't take this question. Try asking it in a different way."
BROKEN = "Something went wrong while Claude was answering. Please try again."


class ClaudeAnswerer:
    """The Answerer backed by the Claude Messages API, streaming."""

    name = "claude"
    computes_here = False

    def __init__(self, api_key: str, *, model: str, max_tokens: int = 1024,
                 base_url: str | None = None, timeout_s: float = 60, max_retries: int = 2) -> None:
        self.model = model
        self.max_tokens = max_tokens
        self._client = anthropic.Anthropic(api_key=api_key, base_url=base_url or None,
                                           timeout=timeout_s, max_retries=max_retries,
                                           middleware=MIDDLEWARE)

    def stream(self, question: str, passages: Sequence[Passage],
               history: History = (), *, mode: str = ANSWER) -> Iterator[AnswerEvent]:
        """Yield TextDelta and Cited events, then exactly one Finished or Failed (in HINT mode
        Claude is told to guide, not answer, and still cites the moments)."""
        follow_ups = FollowUpFilter()
        snapshot = None  # the SDK's message so far, once message_start has arrived
        failure: Failed | None = None
        try:
            with self._client.messages.stream(
                    model=self.model, max_tokens=self.max_tokens,
                    system=[{"type": "text", "text": system_prompt(mode),
                             "cache_control": {"type": "ephemeral"}}],
                    messages=build_messages(question, passages, history)) as stream:
                for event in stream:
                    if event.type == "message_start":
                        snapshot = stream.current_message_snapshot
                    elif event.type == "text":
                        if shown := follow_ups.feed(event.text):
                            yield TextDelta(shown)
                    elif event.type == "citation":
                        citation = event.citation
                        if (citation.type == "search_result_location"
                                and 0 <= citation.search_result_index < len(passages)):
                            yield _cited(citation, passages[citation.search_result_index])
                final = stream.get_final_message()
        except Exception as exc:  # noqa: BLE001 - every failure ends in one Failed event
            failure = _failed(exc, _usage(snapshot.usage) if snapshot else Usage(),
                              started=snapshot is not None)
        rest, questions = follow_ups.finish()
        if rest:
            yield TextDelta(rest)
        yield failure or Finished(usage=_usage(final.usage), model=final.model,
                                  stop_reason=final.stop_reason or "end_turn", follow_ups=questions)


def build_messages(question: str, passages: Sequence[Passage],
                   history: History = ()) -> list[dict[str, Any]]:
    """History as plain text turns, then the question after one search_result block per passage."""
    messages: list[dict[str, Any]] = [{"role": role, "content": text} for role, text in history
                                      if role in ("user", "assistant") and text.strip()]
    if not passages:
        return [*messages, {"role": "user", "content": question}]
    content: list[dict[str, Any]] = [
        {"type": "search_result", "source": p.source,
         "title": p.heading,
         "content": [{"type": "text", "text": text} for text in _blocks(p)],
         "citations": {"enabled": True}}
        for p in passages]
    content.append({"type": "text", "text": question})
    return [*messages, {"role": "user", "content": content}]


def _blocks(passage: Passage) -> list[str]:
    """A passage's citable blocks: one per timed sentence, so a citation can narrow to sentences."""
    return [s.text for s in passage.sentences] or [passage.text]


def _cited(citation: Any, passage: Passage) -> Cited:
    """A search_result_location citation as ours; its block range is a sentence range."""
    if not passage.sentences:
        return Cited(citation.search_result_index, citation.cited_text)
    return Cited(citation.search_result_index, citation.cited_text,
                 citation.start_block_index, citation.end_block_index)


def _usage(usage: Any) -> Usage:
    """The SDK's usage counters (any may be None) as ours."""
    return Usage(input_tokens=usage.input_tokens or 0, output_tokens=usage.output_tokens or 0,
                 cache_read_tokens=usage.cache_read_input_tokens or 0,
                 cache_write_tokens=usage.cache_creation_input_tokens or 0)


def _out_of_budget(body: object) -> bool:
    """Does an API error body say the account's spend limit or credit is used up?"""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return False
    details = error.get("details")
    code = details.get("error_code") if isinstance(details, dict) else None
    message = str(error.get("message", "")).lower()
    return (code in SPEND_LIMIT_CODES or error.get("type") == "billing_error"
            or any(words in message for words in ("usage limit", "spend limit", "credit balance")))


def _outside_turn(request: anthropic.APIRequest, call_next: anthropic.CallNext) -> Any:
    """SDK middleware: while Claude works, a request's turn (chronos/turns.py) goes to the next in line."""
    with outside_turn():
        return call_next(request)


def _no_retry_when_out_of_budget(request: anthropic.APIRequest,
                                 call_next: anthropic.CallNext) -> Any:
    """SDK middleware: a spend-limit 429 won't clear in seconds, so tell the SDK not to retry it."""
    response = call_next(request)
    http = response.http_response
    if http.status_code == 429:
        http.read()
        try:
            body = http.json()
        except ValueError:
            body = None
        if _out_of_budget(body):
            http.headers["x-should-retry"] = "false"  # the SDK obeys this header over the status
    return response


# Every Claude client's: the answerer's, the chapter titler's and the quiz drafter's.
MIDDLEWARE = [_outside_turn, _no_retry_when_out_of_budget]


def _failed(exc: Exception, usage: Usage, started: bool) -> Failed:
    """One student-facing Failed event for anything that stopped the answer (started: mid-stream)."""
    if not isinstance(exc, (anthropic.APIError, httpx2.TransportError)):
        log.exception("Unexpected failure while streaming from Claude")
        return Failed(BROKEN, True, usage)
    log.warning("Claude answer failed: %r", exc)
    # Once the stream has begun, the SDK lets httpx2's own timeout and transport errors through.
    if isinstance(exc, (anthropic.APITimeoutError, httpx2.TimeoutException)):
        return Failed(TIMED_OUT, True, usage)
    if isinstance(exc, (anthropic.APIConnectionError, httpx2.TransportError)):
        return Failed(CUT_OFF if started else UNREACHABLE, True, usage)
    if not isinstance(exc, anthropic.APIStatusError):
        return Failed(BROKEN, True, usage)
    # An `error` event mid-stream arrives as an APIStatusError with the stream's 200 status:
    # its kind is only in the body's error.type.
    status, kind = exc.status_code, exc.type or ""
    if _out_of_budget(exc.body):
        return Failed(BUDGET, False, usage)
    if status in (401, 403) or kind in ("authentication_error", "permission_error"):
        return Failed(KEY_REFUSED, False, usage)
    if status == 429 or kind == "rate_limit_error":
        return Failed(BUSY, True, usage)
    if status == 529 or kind == "overloaded_error":
        return Failed(OVERLOADED, True, usage)
    if status >= 500 or kind in ("api_error", "timeout_error") or status < 400:
        return Failed(SERVER_ERROR, True, usage)
    return Failed(REJECTED, False, usage)


CHAPTER_TITLES_PROMPT = (
    "You title the chapters of a recorded lecture. For each chapter's transcript, write a short "
    "title of 2 to 6 words, in the lecture's language, that names what the chapter is about using "
    "the lecture's own terms. Answer with only a JSON array of strings: one title per chapter, in order.")
CHAPTER_CHARS = 4000  # of each chapter's transcript sent: plenty to name its topic, bounded cost


class ClaudeTitler:
    """Short chapter titles from the Claude Messages API (one request per video)."""

    def __init__(self, api_key: str, *, model: str, base_url: str | None = None,
                 timeout_s: float = 60, max_retries: int = 2) -> None:
        self.model = model
        self._client = anthropic.Anthropic(api_key=api_key, base_url=base_url or None,
                                           timeout=timeout_s, max_retries=max_retries,
                                           middleware=MIDDLEWARE)

    def titles(self, chapters: Sequence[str]) -> list[str]:
        """One title per chapter's text, in order; raises when Claude fails or answers otherwise."""
        listing = "\n".join(f'<chapter n="{i}">{text[:CHAPTER_CHARS]}</chapter>'
                             for i, text in enumerate(chapters, 1))
        message = self._client.messages.create(
            model=self.model, max_tokens=40 * len(chapters) + 64, system=CHAPTER_TITLES_PROMPT,
            messages=[{"role": "user", "content": f"{listing}\n\nTitles for these {len(chapters)} chapters:"}])
        text = "".join(block.text for block in message.content if block.type == "text")
        start, end = text.find("["), text.rfind("]")
        titles = json.loads(text[start:end + 1]) if 0 <= start < end else None
        if not isinstance(titles, list) or len(titles) != len(chapters) \
                or not all(isinstance(t, str) and t.strip() for t in titles):
            raise ValueError(f"Claude answered {len(chapters)} chapters' titles with {text[:200]!r}")
        return titles
