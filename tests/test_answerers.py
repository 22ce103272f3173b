"""Claude and OpenAI-compatible answerers: the real client code against loopback fake servers."""
from __future__ import annotations

import socket
import threading

import pytest

from chronos.ai.answerer import (TUTOR_SYSTEM_PROMPT, AnswerEvent, Cited, Failed, Finished, Passage,
                                 TextDelta, TimedSentence, Usage)
from chronos.ai.claude import ClaudeAnswerer
from chronos.ai.followups import FollowUpFilter
from chronos.ai.openai_compat import OpenAICompatAnswerer
from tests.fakes import claude_server as cs
from tests.fakes import openai_server as oas

SENTENCES = (TimedSentence(12.0, 20.0, "Gradient descent walks downhill."),
             TimedSentence(20.0, 31.0, "Each step follows the negative gradient."),
             TimedSentence(31.0, 45.5, "It stops near a minimum."))
PASSAGES = [
    Passage(7, "Gradient descent", 12.0, 45.5, " ".join(s.text for s in SENTENCES), 0.9, SENTENCES),
    Passage(8, "Learning rates", 65.0, 90.0, "The learning rate sets the step size.", 0.8),
]
HISTORY = [("user", "What is a gradient?"), ("assistant", "It is the slope of the loss.")]
FOLLOW_UPS = ("What is a learning rate?", "Why can training diverge?", "How do I pick a step size?")


@pytest.fixture
def claude():
    with cs.FakeClaude() as fake:
        yield fake


@pytest.fixture
def llm():
    with oas.FakeOpenAI(api_key="local-key") as fake:
        yield fake


def answerer_for(fake: cs.FakeClaude, **options) -> ClaudeAnswerer:
    return ClaudeAnswerer(fake.api_key, model="claude-sonnet-4-6", base_url=fake.url,
                          **{"max_retries": 0, "timeout_s": 5, **options})


def outcome(events: list[AnswerEvent]) -> Finished | Failed:
    """The one Finished or Failed, checked to be the last event and the only one."""
    ends = [e for e in events if isinstance(e, (Finished, Failed))]
    assert len(ends) == 1 and events[-1] is ends[0], events
    return ends[0]


def text_of(events: list[AnswerEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the FOLLOW_UPS filter -------------------------------------------------------------------

@pytest.mark.parametrize("step", [1, 2, 7, 1000])
def test_follow_ups_line_is_held_back_and_parsed_however_the_text_is_split(step):
    text = "Steps go **downhill**.\nFollow the slope.\n\nFOLLOW_UPS: What is X? | Why Y?|  How Z?\n"
    f = FollowUpFilter()
    shown = "".join(f.feed(text[i:i + step]) for i in range(0, len(text), step))
    rest, questions = f.finish()
    assert shown + rest == "Steps go **downhill**.\nFollow the slope."
    assert questions == ("What is X?", "Why Y?", "How Z?")


def test_text_that_only_starts_like_the_marker_is_released():
    f = FollowUpFilter()
    assert f.feed("FOLLOW") == ""
    assert f.feed("ING the lecture") == "FOLLOWING the lecture"
    assert f.finish() == ("", ())


# --- Claude ----------------------------------------------------------------------------------

def test_claude_streams_text_citations_usage_and_follow_ups(claude):
    claude.script(cs.answer("The lecture says ", ("it walks downhill. ", 0, 0, 1),
                            ("The step size is the learning rate.", 1), follow_ups=FOLLOW_UPS))
    events = list(answerer_for(claude).stream("What is gradient descent?", PASSAGES))

    assert text_of(events) == "The lecture says it walks downhill. The step size is the learning rate."
    assert sum(isinstance(e, TextDelta) for e in events) > 10  # streamed in pieces, not at the end
    assert [e for e in events if isinstance(e, Cited)] == [
        Cited(0, "Gradient descent walks downhill.", 0, 1),
        Cited(1, "The learning rate sets the step size.")]
    # A citation arrives just before the text it supports.
    first = events.index(Cited(0, "Gradient descent walks downhill.", 0, 1))
    assert text_of(events[:first]) == "The lecture says "
    assert outcome(events) == Finished(
        usage=Usage(input_tokens=420, output_tokens=96, cache_read_tokens=1800, cache_write_tokens=300),
        model="claude-sonnet-4-6", stop_reason="end_turn", follow_ups=FOLLOW_UPS)


def test_claude_text_reaches_the_student_while_claude_is_still_writing(claude):
    hold = threading.Event()
    claude.script(cs.answer("First part. ", "Second part.", hold=hold))
    events = answerer_for(claude).stream("q", PASSAGES)
    assert next(events) == TextDelta("First")  # the fake holds the rest back until we've seen this
    hold.set()
    rest = list(events)
    assert text_of(rest) == " part. Second part." and isinstance(outcome(rest), Finished)


def test_claude_citation_of_a_sentence_range(claude):
    claude.script(cs.answer(("Each step follows the gradient until it stops.", 0, 1, 3)))
    events = list(answerer_for(claude).stream("When does it stop?", PASSAGES))
    assert [e for e in events if isinstance(e, Cited)] == [Cited(
        0, "Each step follows the negative gradient.It stops near a minimum.", 1, 3)]


def test_claude_request_carries_cached_system_search_results_and_history(claude):
    list(answerer_for(claude, max_tokens=700).stream("What is gradient descent?", PASSAGES, HISTORY))
    [request] = claude.requests
    body = request.body
    # SDK 2.x sends the API key as a Bearer token (0.x sent x-api-key); the fake takes either.
    assert request.headers["authorization"] == f"Bearer {claude.api_key}"
    assert (body["model"], body["max_tokens"], body["stream"]) == ("claude-sonnet-4-6", 700, True)
    assert body["system"] == [{"type": "text", "text": TUTOR_SYSTEM_PROMPT,
                               "cache_control": {"type": "ephemeral"}}]
    assert body["messages"][:2] == [{"role": "user", "content": "What is a gradient?"},
                                    {"role": "assistant", "content": "It is the slope of the loss."}]
    last = body["messages"][2]
    assert last["role"] == "user" and len(body["messages"]) == 3
    first, second, question = last["content"]
    assert first == {"type": "search_result", "source": "7#t=12.0-45.5",
                     "title": "Gradient descent (0:12–0:45)",
                     "content": [{"type": "text", "text": s.text} for s in SENTENCES],
                     "citations": {"enabled": True}}
    assert second["source"] == "8#t=65.0-90.0" and second["title"] == "Learning rates (1:05–1:30)"
    assert second["content"] == [{"type": "text", "text": "The learning rate sets the step size."}]
    assert question == {"type": "text", "text": "What is gradient descent?"}


def test_claude_without_passages_sends_just_the_question(claude):
    events = list(answerer_for(claude).stream("What is the capital of France?", []))
    assert claude.requests[0].body["messages"] == [
        {"role": "user", "content": "What is the capital of France?"}]
    assert text_of(events) == "The course videos don't cover this."
    assert isinstance(outcome(events), Finished)


def test_claude_missing_cache_counters_count_as_zero(claude):
    claude.script(cs.answer("Hi.", usage={"cache_read_input_tokens": None,
                                          "cache_creation_input_tokens": None}))
    result = outcome(list(answerer_for(claude).stream("q", PASSAGES)))
    assert result.usage == Usage(input_tokens=420, output_tokens=96)


@pytest.mark.parametrize("reply, words, retryable", [
    (cs.rate_limited(), "rate limited", True),
    (cs.spend_limited(), "AI budget is used up", False),
    (cs.overloaded(), "overloaded", True),
    (cs.server_error(), "problem on its side", True),
    (cs.unauthorized(), "API key was refused", False),
    (cs.error(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic "
              "API."), "AI budget is used up", False),
    (cs.error(400, "invalid_request_error", "prompt is too long"), "couldn't take this question", False),
], ids=["429", "spend-limit", "529", "500", "401", "no-credit", "400"])
def test_claude_error_replies_end_in_one_failed(claude, reply, words, retryable):
    claude.script(reply)
    events = list(answerer_for(claude).stream("q", PASSAGES))
    assert len(events) == 1
    assert words in events[0].message and events[0].retryable is retryable
    assert len(claude.requests) == 1


def test_claude_wrong_api_key_is_refused(claude):
    answerer = ClaudeAnswerer("sk-ant-wrong", model="claude-sonnet-4-6", base_url=claude.url,
                              max_retries=2)
    assert list(answerer.stream("q", PASSAGES)) == [
        Failed("The Claude API key was refused; the course owner needs to check it.", retryable=False)]
    assert len(claude.requests) == 1  # 401 is not retried


def test_claude_sdk_retries_a_rate_limit_then_answers(claude):
    # retry-after "0" would make the SDK fall back to its own 0.5 s+ backoff; honour a short one.
    claude.script(cs.rate_limited(retry_after="0.01"), cs.answer("Second time lucky."))
    events = list(answerer_for(claude, max_retries=1).stream("q", PASSAGES))
    assert text_of(events) == "Second time lucky." and isinstance(outcome(events), Finished)
    assert [r.headers["x-stainless-retry-count"] for r in claude.requests] == ["0", "1"]


def test_claude_spend_limit_is_not_retried(claude):
    claude.script(cs.spend_limited(), cs.answer("Should not be reached."))
    events = list(answerer_for(claude, max_retries=2).stream("q", PASSAGES))
    assert outcome(events).retryable is False and "budget" in outcome(events).message
    assert len(claude.requests) == 1


def test_claude_error_event_mid_stream_keeps_the_partial_answer(claude):
    claude.script(cs.stream_error(("Gradient descent walks downhill. ", 0, 0, 1), "Each st"))
    events = list(answerer_for(claude).stream("q", PASSAGES))
    assert text_of(events) == "Gradient descent walks downhill. Each st"
    assert Cited(0, "Gradient descent walks downhill.", 0, 1) in events
    assert outcome(events) == Failed("Claude is overloaded right now. Please try again in a minute.",
                                     retryable=True, usage=Usage(420, 1, 1800, 300))


def test_claude_connection_dropped_mid_stream(claude):
    claude.script(cs.dropped("Gradient descent walks"))
    events = list(answerer_for(claude).stream("q", PASSAGES))
    assert text_of(events) == "Gradient descent walks"
    assert "broke off partway" in outcome(events).message and outcome(events).retryable


def test_claude_timeout(claude):
    claude.script(cs.stall(30))
    events = list(answerer_for(claude, timeout_s=0.5).stream("q", PASSAGES))
    assert events == [Failed("Claude took too long to answer. Please try again.", retryable=True)]


def test_claude_unreachable():
    answerer = ClaudeAnswerer("k", model="claude-sonnet-4-6", base_url=f"http://127.0.0.1:{closed_port()}",
                              max_retries=0)
    [failed] = list(answerer.stream("q", PASSAGES))
    assert "Couldn't reach Claude" in failed.message and failed.retryable


# --- OpenAI-compatible servers ---------------------------------------------------------------

def openai_for(fake: oas.FakeOpenAI, **options) -> OpenAICompatAnswerer:
    return OpenAICompatAnswerer(fake.base_url, model="llama3.1", api_key="local-key",
                                **{"timeout_s": 5, **options})


def test_openai_streams_text_marker_citations_usage_and_follow_ups(llm):
    llm.script(oas.chat_answer("It walks downhill [1]. Steps shrink [1, 2]; see [2] and [9].",
                               follow_ups=FOLLOW_UPS, delta_chars=1))
    events = list(openai_for(llm).stream("What is gradient descent?", PASSAGES))
    assert text_of(events) == "It walks downhill [1]. Steps shrink [1, 2]; see [2] and [9]."
    assert [e for e in events if isinstance(e, Cited)] == [Cited(0), Cited(1)]  # once each; [9] unknown
    # Each Cited comes right after the text that completes its marker.
    first = events.index(Cited(0))
    assert text_of(events[:first]) == "It walks downhill [1]"
    assert outcome(events) == Finished(
        usage=Usage(input_tokens=300, output_tokens=64, cache_read_tokens=512),  # 812 prompt, 512 cached
        model="llama3.1", stop_reason="end_turn", follow_ups=FOLLOW_UPS)


def test_openai_text_reaches_the_student_while_the_server_is_still_writing(llm):
    hold = threading.Event()
    llm.script(oas.chat_answer("First part. ", "Second part.", hold=hold))
    events = openai_for(llm).stream("q", PASSAGES)
    assert next(events) == TextDelta("First")  # the fake holds the rest back until we've seen this
    hold.set()
    rest = list(events)
    assert text_of(rest) == " part. Second part." and isinstance(outcome(rest), Finished)


def test_openai_request_numbers_the_passages(llm):
    list(openai_for(llm).stream("What is gradient descent?", PASSAGES, HISTORY))
    [request] = llm.requests
    body = request.body
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer local-key"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    system, *history, last = body["messages"]
    assert system["role"] == "system" and system["content"].startswith(TUTOR_SYSTEM_PROMPT)
    assert "[1]" in system["content"]
    assert history == [{"role": r, "content": t} for r, t in HISTORY]
    assert last == {"role": "user", "content": (
        "Lecture passages:\n\n"
        f"[1] Gradient descent (0:12–0:45): {PASSAGES[0].text}\n\n"
        "[2] Learning rates (1:05–1:30): The learning rate sets the step size.\n\n"
        "Question: What is gradient descent?")}


def test_openai_without_usage_or_follow_ups(llm):
    llm.script(oas.chat_answer("Cut short [1]", follow_ups=(), finish_reason="length"))
    answerer = OpenAICompatAnswerer(llm.base_url, model="llama3.1", api_key="local-key")
    result = outcome(list(answerer.stream("q", PASSAGES)))
    assert result == Finished(usage=Usage(300, 64, 512), model="llama3.1", stop_reason="max_tokens")


@pytest.mark.parametrize("reply, words, retryable", [
    (oas.http_error(500), "had a problem", True),
    (oas.http_error(503), "had a problem", True),
    (oas.http_error(429), "busy", True),
    (oas.http_error(404, "model 'llama3.1' not found"), "doesn't offer the model", False),
    (oas.http_error(400), "couldn't take this question", False),
], ids=["500", "503", "429", "404", "400"])
def test_openai_http_errors_end_in_one_failed(llm, reply, words, retryable):
    llm.script(reply)
    [failed] = list(openai_for(llm).stream("q", PASSAGES))
    assert words in failed.message and failed.retryable is retryable


def test_openai_wrong_key_is_refused(llm):
    answerer = OpenAICompatAnswerer(llm.base_url, model="llama3.1", api_key="wrong")
    [failed] = list(answerer.stream("q", PASSAGES))
    assert "refused the API key" in failed.message and failed.retryable is False


def test_openai_connection_dropped_mid_stream(llm):
    llm.script(oas.dropped("It walks downhill [1] and"))
    events = list(openai_for(llm).stream("q", PASSAGES))
    assert text_of(events) == "It walks downhill [1] and" and Cited(0) in events
    assert "stopped partway" in outcome(events).message and outcome(events).retryable


def test_openai_error_inside_the_stream(llm):
    llm.script(oas.stream_error("It walks"))
    events = list(openai_for(llm).stream("q", PASSAGES))
    assert text_of(events) == "It walks"
    assert "had a problem" in outcome(events).message


def test_openai_timeout(llm):
    llm.script(oas.stall(30))
    events = list(openai_for(llm, timeout_s=0.5).stream("q", PASSAGES))
    assert events == [Failed("The AI server took too long to answer. Please try again.")]


def test_openai_unreachable():
    answerer = OpenAICompatAnswerer(f"http://127.0.0.1:{closed_port()}/v1", model="llama3.1")
    [failed] = list(answerer.stream("q", PASSAGES))
    assert "Couldn't reach" in failed.message and failed.retryable
