"""Answers from any OpenAI-compatible Chat Completions server (Ollama, llama.cpp, vLLM), streaming.

Standard library only: one POST to `{base_url}/chat/completions` with `stream: true`, read as
server-sent events. Passages are numbered in the prompt and the model cites them as [1], [2].
"""
from __future__ import annotations

import http.client
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

from chronos.ai.answerer import (ANSWER, AnswerEvent, Cited, Failed, Finished, History, Passage, TextDelta,
                                 Usage, system_prompt)
from chronos.ai.followups import FollowUpFilter

log = logging.getLogger(__name__)

CITE_BY_NUMBER = """

The passages are numbered. Right after each statement, cite the passage it comes from with its \
number in square brackets, like [1] or [2]. Only use the numbers you were given."""
# OpenAI's finish_reason in the words of Finished.stop_reason.
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens"}
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")

BUSY = "The AI server is busy right now. Please try again in a minute."
SERVER_ERROR = "The AI server had a problem. Please try again."
TIMED_OUT = "The AI server took too long to answer. Please try again."
UNREACHABLE = "Couldn't reach the course's AI server. Please try again later."
CUT_OFF = "The AI server stopped partway through the answer. Please try again."
KEY_REFUSED = "The AI server refused the API key; the course owner needs to check it."
NO_MODEL = ("The AI server doesn't offer the model this course is set up to use; "
            "the course owner needs to check the settings.")
REJECTED = "The AI server couldn't take this question. Try asking it in a different way."
UNREADABLE = "The AI server sent a reply Chronos couldn't read. Please try again."


class OpenAICompatAnswerer:
    """The Answerer backed by an OpenAI-compatible `/chat/completions` endpoint."""

    name = "openai"
    computes_here = False

    def __init__(self, base_url: str, *, model: str, api_key: str = "",
                 timeout_s: float = 120) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s

    def stream(self, question: str, passages: Sequence[Passage],
               history: History = (), *, mode: str = ANSWER) -> Iterator[AnswerEvent]:
        """Yield TextDelta and Cited events, then exactly one Finished or Failed (in HINT mode the
        model is told to guide, not answer)."""
        follow_ups, markers = FollowUpFilter(), CitationMarkers(len(passages))
        usage, model, finish, started, done = Usage(), self.model, None, False, False
        failure: Failed | None = None
        try:
            with urllib.request.urlopen(self._request(question, passages, history, mode),
                                        timeout=self.timeout_s) as response:
                started = True
                for data in _sse_data(response):
                    if data == "[DONE]":
                        done = True
                        break
                    chunk = json.loads(data)
                    if chunk.get("error"):
                        raise StreamError(chunk["error"])
                    model = chunk.get("model") or model
                    if chunk.get("usage"):
                        usage = _usage(chunk["usage"])
                    for choice in chunk.get("choices") or []:
                        finish = choice.get("finish_reason") or finish
                        if shown := follow_ups.feed((choice.get("delta") or {}).get("content") or ""):
                            yield TextDelta(shown)
                            yield from markers.scan(shown)
        except Exception as exc:  # noqa: BLE001 - every failure ends in one Failed event
            failure = _failed(exc, usage, started)
        rest, questions = follow_ups.finish()
        if rest:
            yield TextDelta(rest)
            yield from markers.scan(rest)
        if failure is None and not done:  # the stream ended without its closing `data: [DONE]`
            failure = Failed(CUT_OFF, True, usage)
        yield failure or Finished(usage=usage, model=model, follow_ups=questions,
                                  stop_reason=STOP_REASONS.get(finish, finish or "end_turn"))

    def _request(self, question: str, passages: Sequence[Passage],
                 history: History, mode: str) -> urllib.request.Request:
        body = {"model": self.model, "stream": True, "stream_options": {"include_usage": True},
                "messages": build_messages(question, passages, history, mode)}
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers,
                                      method="POST")


class StreamError(Exception):
    """The server reported an error inside the event stream."""


class CitationMarkers:
    """Finds [n] (and [n, m]) markers in streamed text, even split across pieces; each n once."""

    def __init__(self, passage_count: int) -> None:
        self.passage_count = passage_count
        self.seen: set[int] = set()
        self._carry = ""  # an unclosed "[..." waiting for its "]"

    def scan(self, text: str) -> list[Cited]:
        text, found = self._carry + text, []
        for marker in _MARKER.finditer(text):
            for number in re.findall(r"\d+", marker.group(1)):
                index = int(number) - 1
                if 0 <= index < self.passage_count and index not in self.seen:
                    self.seen.add(index)
                    found.append(Cited(index))
        opened = text.rfind("[")
        self._carry = text[opened:] if opened >= 0 and "]" not in text[opened:] else ""
        self._carry = self._carry[-20:]
        return found


def build_messages(question: str, passages: Sequence[Passage],
                   history: History = (), mode: str = ANSWER) -> list[dict[str, str]]:
    """System prompt (the mode's), history, then the numbered passages and the question in one
    user message."""
    messages = [{"role": "system", "content": system_prompt(mode) + CITE_BY_NUMBER}]
    messages += [{"role": role, "content": text} for role, text in history
                 if role in ("user", "assistant") and text.strip()]
    if not passages:
        return [*messages, {"role": "user", "content": question}]
    numbered = "\n\n".join(f"[{n}] {p.heading}: {p.text}"
                           for n, p in enumerate(passages, 1))
    return [*messages, {"role": "user",
                        "content": f"Lecture passages:\n\n{numbered}\n\nQuestion: {question}"}]


def _sse_data(response: http.client.HTTPResponse) -> Iterator[str]:
    """The `data:` payloads of a server-sent event stream, as they arrive."""
    for raw in response:
        line = raw.decode("utf-8").strip()
        if line.startswith("data:"):
            yield line[5:].strip()


def _usage(usage: dict[str, Any]) -> Usage:
    # OpenAI counts cached tokens inside prompt_tokens; Usage.input_tokens means uncached ones.
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    return Usage(input_tokens=(usage.get("prompt_tokens") or 0) - cached,
                 output_tokens=usage.get("completion_tokens") or 0, cache_read_tokens=cached)


def _failed(exc: Exception, usage: Usage, started: bool) -> Failed:
    """One student-facing Failed event for anything that stopped the answer."""
    if isinstance(exc, urllib.error.HTTPError):
        log.warning("AI server answered %s: %s", exc.code, exc.read(2000).decode("utf-8", "replace"))
        if exc.code in (401, 403):
            return Failed(KEY_REFUSED, False, usage)
        if exc.code == 404:
            return Failed(NO_MODEL, False, usage)
        if exc.code == 429:
            return Failed(BUSY, True, usage)
        if exc.code >= 500:
            return Failed(SERVER_ERROR, True, usage)
        return Failed(REJECTED, False, usage)
    log.warning("AI server answer failed: %r", exc)
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return Failed(TIMED_OUT, True, usage)
    if isinstance(reason, (OSError, http.client.HTTPException)):
        return Failed(CUT_OFF if started else UNREACHABLE, True, usage)
    if isinstance(exc, StreamError):
        return Failed(SERVER_ERROR, True, usage)
    if isinstance(exc, ValueError):
        return Failed(UNREADABLE, True, usage)
    log.exception("Unexpected failure while streaming from the AI server")
    return Failed(SERVER_ERROR, True, usage)
