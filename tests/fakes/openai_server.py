"""A fake OpenAI-compatible Chat Completions server (`POST /v1/chat/completions`, streaming only).

    with FakeOpenAI() as server:
        server.script(http_error(500), chat_answer("Gradients point uphill [1]."))
        OpenAICompatAnswerer(server.base_url, model="llama3.1") ...

With nothing scripted it gives `chat_answer()`, which cites passages [1] and [2] of the prompt.
Streams are `data: {chunk}` lines ending with `data: [DONE]`, and a usage chunk when the request
asks for one with `stream_options.include_usage`, like OpenAI, Ollama and llama.cpp.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence

from tests.fakes import Exchange, FakeServer, Recorded, Reply

DEFAULT_FOLLOW_UPS = ("What comes after this in the lecture?", "Can you give an example?")
DEFAULT_USAGE = {"prompt_tokens": 812, "completion_tokens": 64, "total_tokens": 876,
                 "prompt_tokens_details": {"cached_tokens": 512}}
HOLD_LIMIT_S = 5.0


class FakeOpenAI(FakeServer):
    """The Chat Completions endpoint; with an api_key it requires `Authorization: Bearer <key>`."""

    def __init__(self, api_key: str = "") -> None:
        self.api_key = api_key  # "" accepts anyone, like a local Ollama
        super().__init__()

    @property
    def base_url(self) -> str:
        """What to configure as openai_base_url."""
        return self.url + "/v1"

    def route(self, request: Recorded, ex: Exchange) -> None:
        reply = self._refusal(request) or self.next_reply() or chat_answer()
        reply(request, ex)

    def _refusal(self, request: Recorded) -> Reply | None:
        if request.path != "/v1/chat/completions":
            return http_error(404, f"Not found: {request.path}")
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return http_error(401, "Incorrect API key provided.")
        body = request.body
        if not isinstance(body, dict) or not body.get("model") or not body.get("messages"):
            return http_error(400, "model and messages are required")
        if body.get("stream") is not True:
            return http_error(400, "this fake only answers streaming requests")
        return None


def passage_count(body: dict) -> int:
    """How many numbered passages ("[n] ...") the last user message carries."""
    return len(re.findall(r"^\[\d+\] ", body["messages"][-1]["content"], re.MULTILINE))


def chat_answer(*parts: str, follow_ups: Sequence[str] = DEFAULT_FOLLOW_UPS,
                usage: dict | None = None, finish_reason: str = "stop",
                delta_chars: int = 5, hold: threading.Event | None = None) -> Reply:
    """A complete streamed answer: the parts' text, then the FOLLOW_UPS line if any.

    With `hold`, the fake sends the first part and waits for the test to set it before sending
    the rest; if that doesn't happen within HOLD_LIMIT_S it drops the connection instead.
    """
    def reply(request: Recorded, ex: Exchange) -> None:
        chosen = list(parts or default_parts(request.body))
        if follow_ups:
            chosen.append("\n\nFOLLOW_UPS: " + " | ".join(follow_ups))
        _begin(request, ex)
        _deltas(request, ex, chosen[0], delta_chars)
        if hold is not None and not hold.wait(HOLD_LIMIT_S):
            ex.drop()
            return
        _deltas(request, ex, "".join(chosen[1:]), delta_chars)
        _chunk(request, ex, [{"index": 0, "delta": {}, "finish_reason": finish_reason}])
        if (request.body.get("stream_options") or {}).get("include_usage"):
            _chunk(request, ex, [], usage={**DEFAULT_USAGE, **(usage or {})})
        ex.send("data: [DONE]\n\n")
        ex.end_stream()
    return reply


def default_parts(body: dict) -> list[str]:
    """What `chat_answer()` says when not told: cites passages [1] and [2]."""
    count = passage_count(body)
    if not count:
        return ["The course videos don't cover this."]
    return ["Here is what the lectures say [1]."] + ([" It comes up again later [2]."] if count > 1 else [])


def stream_error(*parts: str, message: str = "the model crashed") -> Reply:
    """Start answering, then report an error inside the stream (as vLLM and llama.cpp do)."""
    def reply(request: Recorded, ex: Exchange) -> None:
        _begin(request, ex)
        _deltas(request, ex, "".join(parts), 5)
        ex.send("data: " + json.dumps({"error": {"message": message, "type": "server_error"}}) + "\n\n")
        ex.end_stream()
    return reply


def dropped(*parts: str) -> Reply:
    """Start answering, then drop the connection mid-stream."""
    def reply(request: Recorded, ex: Exchange) -> None:
        _begin(request, ex)
        _deltas(request, ex, "".join(parts), 5)
        ex.drop()
    return reply


def stall(seconds: float = 30) -> Reply:
    """Say nothing for a while (for client timeouts)."""
    return lambda request, ex: ex.stall(seconds)


def http_error(status: int, message: str = "The server had an error.") -> Reply:
    """An error reply with OpenAI's JSON error body."""
    body = {"error": {"message": message, "type": "server_error" if status >= 500 else "invalid_request_error",
                      "code": None}}
    return lambda request, ex: ex.json(status, body)


def _chunk(request: Recorded, ex: Exchange, choices: list, usage: dict | None = None) -> None:
    data = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1767225600,
            "model": request.body["model"], "choices": choices}
    if (request.body.get("stream_options") or {}).get("include_usage"):
        data["usage"] = usage  # null on every chunk but the last, like OpenAI
    ex.send(f"data: {json.dumps(data)}\n\n")


def _begin(request: Recorded, ex: Exchange) -> None:
    ex.start_stream()
    _chunk(request, ex, [{"index": 0, "delta": {"role": "assistant", "content": ""},
                          "finish_reason": None}])


def _deltas(request: Recorded, ex: Exchange, text: str, delta_chars: int) -> None:
    for start in range(0, len(text), delta_chars):
        _chunk(request, ex, [{"index": 0, "delta": {"content": text[start:start + delta_chars]},
                              "finish_reason": None}])
