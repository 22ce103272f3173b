"""A fake Anthropic Messages API (`POST /v1/messages`) for the real `anthropic` SDK: answers stream;
a request with tools (quiz drafting) may also be answered whole, with a tool_use block.

    with FakeClaude() as claude:
        claude.script(rate_limited(), answer(("Gradients point uphill. ", 0)))
        Anthropic(api_key=claude.api_key, base_url=claude.url) ...

Replies are built by the functions below; with nothing scripted the fake gives `answer()`, which
cites the request's first two search results, to a streaming request (or, to a request with tools,
`quiz_drafts()`), and `message()` to another. Streams follow the real event order: message_start,
per block content_block_start / content_block_delta* / content_block_stop, message_delta,
message_stop, with pings in between.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from typing import Any

from tests.fakes import Exchange, FakeServer, Recorded, Reply

# Answer text; or (text, search_result_index it cites); or (text, index, start_block, end_block);
# or (text, index, start_block, end_block, cited_text) for a citation quoting words of its own
# (a model misquoting its source).
Part = str | tuple[str, int] | tuple[str, int, int, int] | tuple[str, int, int, int, str]
DEFAULT_FOLLOW_UPS = ("What comes after this in the lecture?", "Can you give an example?")
DEFAULT_USAGE = {"input_tokens": 420, "output_tokens": 96, "cache_read_input_tokens": 1800,
                 "cache_creation_input_tokens": 300}
HOLD_LIMIT_S = 5.0


class FakeClaude(FakeServer):
    """The Messages API: checks auth and the request's shape like the real one, then replies."""

    def __init__(self, api_key: str = "sk-ant-fake-key") -> None:
        self.api_key = api_key
        super().__init__()

    def route(self, request: Recorded, ex: Exchange) -> None:
        reply = self._refusal(request) or self.next_reply() or (
            quiz_drafts() if request.body.get("tools") else
            answer() if request.body.get("stream") else message("The course videos don't cover this."))
        reply(request, ex)

    def _refusal(self, request: Recorded) -> Reply | None:
        """The error reply the real API would give this request, if any."""
        if request.path != "/v1/messages":
            return error(404, "not_found_error", f"Not found: {request.path}")
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.api_key not in (request.headers.get("x-api-key"), bearer):
            return unauthorized()
        problem = _invalid(request)
        return error(400, "invalid_request_error", problem) if problem else None


def search_results(body: dict) -> list[dict]:
    """The request's search_result blocks, in the order the API numbers them (across messages)."""
    return [block for message in body["messages"] if isinstance(message["content"], list)
            for block in message["content"] if block.get("type") == "search_result"]


def answer(*parts: Part, follow_ups: Sequence[str] = DEFAULT_FOLLOW_UPS,
           usage: dict[str, int | None] | None = None, stop_reason: str = "end_turn",
           delta_chars: int = 5, hold: threading.Event | None = None) -> Reply:
    """A complete streamed answer: one text block per part, then the FOLLOW_UPS line if any.

    With `hold`, the fake sends the first part and waits for the test to set it before sending
    the rest; if that doesn't happen within HOLD_LIMIT_S it drops the connection instead.
    """
    def reply(request: Recorded, ex: Exchange) -> None:
        counts = {**DEFAULT_USAGE, **(usage or {})}
        chosen = list(parts) or default_parts(request.body)
        if follow_ups:
            chosen.append("\n\nFOLLOW_UPS: " + " | ".join(follow_ups))
        _begin(request, ex, counts)
        _blocks(request, ex, chosen[:1], delta_chars)
        if hold is not None and not hold.wait(HOLD_LIMIT_S):
            ex.drop()
            return
        _blocks(request, ex, chosen[1:], delta_chars, first=1)
        _event(ex, {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                    "usage": {"output_tokens": counts["output_tokens"]}})
        _event(ex, {"type": "message_stop"})
        ex.end_stream()
    return reply


def default_parts(body: dict) -> list[Part]:
    """What `answer()` says when not told: cites search results 0 and 1 by their titles."""
    results = search_results(body)
    if not results:
        return ["The course videos don't cover this."]
    return ["Here is what the lectures say. "] + [
        (f"{result['title']} explains it. ", i) for i, result in enumerate(results[:2])]


def stream_error(*parts: Part, error_type: str = "overloaded_error",
                 message: str = "Overloaded") -> Reply:
    """Start answering, then send an `error` event mid-stream (the real API does this when overloaded)."""
    def reply(request: Recorded, ex: Exchange) -> None:
        _begin(request, ex, DEFAULT_USAGE)
        _blocks(request, ex, list(parts), 5)
        _event(ex, {"type": "error", "error": {"type": error_type, "message": message}})
        ex.end_stream()
    return reply


def dropped(*parts: Part) -> Reply:
    """Start answering, then drop the connection mid-stream."""
    def reply(request: Recorded, ex: Exchange) -> None:
        _begin(request, ex, DEFAULT_USAGE)
        _blocks(request, ex, list(parts), 5)
        ex.drop()
    return reply


def stall(seconds: float = 30) -> Reply:
    """Say nothing for a while (for client timeouts)."""
    return lambda request, ex: ex.stall(seconds)


def error(status: int, error_type: str, message: str, headers: dict[str, str] | None = None,
          error_code: str | None = None) -> Reply:
    """An error reply with the API's JSON error body."""
    detail: dict[str, Any] = {"type": error_type, "message": message}
    if error_code:
        detail["details"] = {"error_code": error_code}
    body = {"type": "error", "error": detail, "request_id": "req_fake_0001"}
    return lambda request, ex: ex.json(status, body, {"request-id": "req_fake_0001", **(headers or {})})


def rate_limited(retry_after: str = "1") -> Reply:
    return error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute "
                 "rate limit.", {"retry-after": retry_after})


def spend_limited() -> Reply:
    return error(429, "rate_limit_error", "You have reached your specified API usage limits. You "
                 "will regain access on 2026-12-01 at 00:00 UTC.", {"retry-after": "60"},
                 error_code="enforced_spend_limit_reached")


def overloaded() -> Reply:
    return error(529, "overloaded_error", "Overloaded")


def server_error() -> Reply:
    return error(500, "api_error", "Internal server error")


def unauthorized() -> Reply:
    return error(401, "authentication_error", "invalid x-api-key")


def _invalid(request: Recorded) -> str:
    """Why the real API would reject this request with a 400, or '' if it wouldn't."""
    body = request.body
    if "anthropic-version" not in request.headers:
        return "anthropic-version: header is required"
    if not isinstance(body, dict) or not all(k in body for k in ("model", "max_tokens", "messages")):
        return "model, max_tokens and messages are required"
    if not isinstance(body.get("stream", False), bool):
        return "stream: Input should be a valid boolean"
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list) or any(not isinstance(t, dict) or not t.get("name")
                                              or (t.get("input_schema") or {}).get("type") != "object" for t in tools):
            return "tools: each tool needs a name and an input_schema of type object"
        choice = body.get("tool_choice") or {"type": "auto"}
        if choice.get("type") not in ("auto", "any", "tool", "none"):
            return "tool_choice: type must be auto, any, tool or none"
        if choice["type"] == "tool" and choice.get("name") not in {t["name"] for t in tools}:
            return f"tool_choice: no tool named {choice.get('name')!r}"
    messages = body["messages"]
    if not messages or messages[0]["role"] != "user":
        return "messages: the first message must use the user role"
    if any(m["role"] not in ("user", "assistant") or not m["content"] for m in messages):
        return "messages: roles must be user or assistant, with non-empty content"
    results = search_results(body)
    if any(not {"source", "title", "content"} <= r.keys() for r in results):
        return "search_result: source, title and content are required"
    if len({bool(r.get("citations", {}).get("enabled")) for r in results}) > 1:
        return "citations must be enabled on all search results or on none"
    return ""


def _event(ex: Exchange, data: dict) -> None:
    ex.send(f"event: {data['type']}\ndata: {json.dumps(data)}\n\n")


def _begin(request: Recorded, ex: Exchange, usage: dict[str, int | None]) -> None:
    ex.start_stream({"request-id": "req_fake_0001"})
    _event(ex, {"type": "message_start", "message": {
        "id": "msg_fake_0001", "type": "message", "role": "assistant", "model": request.body["model"],
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {name: value for name, value in {**usage, "output_tokens": 1}.items()
                  if value is not None}}})  # a None counter is left out, as the API may
    _event(ex, {"type": "ping"})


def _blocks(request: Recorded, ex: Exchange, parts: list[Part], delta_chars: int,
            first: int = 0) -> None:
    """One text content block per part; a cited part starts with its citations_delta."""
    results = search_results(request.body)
    for index, part in enumerate(parts, first):
        text, cited, span = (part, None, ()) if isinstance(part, str) else (part[0], part[1], part[2:4])
        quoted = part[4] if isinstance(part, tuple) and len(part) == 5 else None
        block: dict[str, Any] = {"type": "text", "text": ""}
        if cited is not None:
            block["citations"] = []
        _event(ex, {"type": "content_block_start", "index": index, "content_block": block})
        if cited is not None:
            result = results[cited]
            start, end = span or (0, len(result["content"]))
            citation = {"type": "search_result_location", "source": result["source"],
                        "title": result["title"], "search_result_index": cited,
                        "start_block_index": start, "end_block_index": end,
                        "cited_text": quoted if quoted is not None
                        else "".join(b["text"] for b in result["content"][start:end])}
            _event(ex, {"type": "content_block_delta", "index": index,
                        "delta": {"type": "citations_delta", "citation": citation}})
        for start in range(0, len(text), delta_chars):
            _event(ex, {"type": "content_block_delta", "index": index,
                        "delta": {"type": "text_delta", "text": text[start:start + delta_chars]}})
        _event(ex, {"type": "content_block_stop", "index": index})
        if index == 0:
            _event(ex, {"type": "ping"})


# -- whole (not streamed) replies: tool calls ---------------------------------------------------

def message(*content: dict | str, stop_reason: str = "end_turn",
            usage: dict[str, int | None] | None = None) -> Reply:
    """A whole Messages API reply (to a request without `stream`) with these content blocks; a
    string is a text block."""
    blocks = [{"type": "text", "text": c} if isinstance(c, str) else c for c in content]

    def reply(request: Recorded, ex: Exchange) -> None:
        counts = {**DEFAULT_USAGE, **(usage or {})}
        ex.json(200, {"id": "msg_fake_0002", "type": "message", "role": "assistant", "model": request.body["model"],
                      "content": blocks, "stop_reason": stop_reason, "stop_sequence": None,
                      "usage": {k: v for k, v in counts.items() if v is not None}},
                {"request-id": "req_fake_0002"})
    return reply


def tool_use(name: str, tool_input: Any) -> Reply:
    """Claude calling a tool with this input, as a forced tool_choice makes it."""
    return message({"type": "tool_use", "id": "toolu_fake_0001", "name": name, "input": tool_input},
                   stop_reason="tool_use")


SENTENCE_LINE = re.compile(r"^\[(\d+)\] \([\d:]+\) (.+)$", re.M)


def sentences_asked(body: dict) -> list[tuple[int, str]]:
    """The numbered transcript sentences a quiz drafting request lists: [(number, text)]."""
    text = body["messages"][-1]["content"]
    return [(int(n), t) for n, t in SENTENCE_LINE.findall(text if isinstance(text, str) else "")]


def quiz_drafts(*questions: dict) -> Reply:
    """The draft_quiz tool called with these questions; with none, a blank for each sentence's
    longest word, the other sentences' longest words as the wrong choices."""
    def reply(request: Recorded, ex: Exchange) -> None:
        chosen = list(questions) or default_drafts(request.body)
        tool_use("draft_quiz", {"questions": chosen})(request, ex)
    return reply


def default_drafts(body: dict) -> list[dict]:
    said = [(n, t, max(re.findall(r"[A-Za-z]+", t), key=len)) for n, t in sentences_asked(body)]
    out = []
    for n, text, word in said[1:4]:
        wrong = [w for _, _, w in said if w.lower() not in text.lower()][:2]
        out.append({"sentence": n, "kind": "blank", "prompt": text.replace(word, "_____"),
                    "choices": [word, *wrong], "answer_index": 0})
    return out
