"""The chat service: a question in; retrieval, the answerer, storage and analytics; events out."""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from chronos.ai.answerer import (ANSWER, HINT, NOT_COVERED, Answerer, Cited, Failed, Finished, Passage,
                                 TextDelta, Usage)
from chronos.ai.embedder import Embedder
from chronos.config import Settings
from chronos.db import Database, transaction
from chronos import tiers
from chronos.models import activity, analytics, answer_cache, chat, courses, prices, videos
from chronos.models import usage as quota
from chronos.models.states import LiveKind, MessageRole
from chronos.models.writer import Writer
from chronos.rag import quotes
from chronos.rag.retrieval import Focus, embed_question, retrieve, scope_of
from chronos.turns import Turns

# Said after an answer whose every citation was dropped: its quoted words were not in the lecture.
UNPROVEN = ("\n\n(No moment is linked: the words this answer quoted could not be found in the lecture at "
            "the time it cited, so treat it with care.)")

MAX_QUESTION_CHARS = 4000
ChatEvent = dict[str, Any]


class ChatError(ValueError):
    """A question that cannot be asked as sent; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class _Answer:
    """An answer as the answerer finished it, before it is stored."""
    body: str
    citations: list[chat.Citation]
    finished: Finished | None
    failed: Failed | None
    dropped: int = 0  # citations left out because their quoted words are not in the lecture
    mode: str = ANSWER  # the tutor mode it was written in

    @property
    def usage(self) -> Usage:
        done = self.finished or self.failed
        return done.usage if done else Usage()

    @property
    def model(self) -> str | None:
        return self.finished.model if self.finished else None


@dataclass(frozen=True)
class Asker:
    """Who is asking: the creator's own preview (student_id None) or one of their students.

    The owner's questions answer from drafts too, unless they ask as their students see it.
    """
    creator_id: int
    student_id: int | None = None
    as_student: bool = False

    @property
    def sees_drafts(self) -> bool:
        return self.student_id is None and not self.as_student


def answerer_choice(settings: Settings) -> str:
    """Which answerer the settings ask for: claude, openai or offline ("auto" resolved)."""
    if settings.answerer != "auto":
        return settings.answerer
    return "claude" if settings.anthropic_api_key else "openai" if settings.openai_base_url else "offline"


def make_answerer(settings: Settings, embedder: Embedder) -> Answerer:
    """The answerer the settings ask for: Claude with a key, an OpenAI-compatible server, or offline."""
    choice = answerer_choice(settings)
    if choice == "claude":
        from chronos.ai.claude import ClaudeAnswerer

        return ClaudeAnswerer(settings.anthropic_api_key, model=settings.anthropic_model,
                              max_tokens=settings.anthropic_max_tokens,
                              base_url=settings.anthropic_base_url or None,
                              timeout_s=settings.anthropic_timeout_s,
                              max_retries=settings.anthropic_max_retries)
    if choice == "openai":
        from chronos.ai.openai_compat import OpenAICompatAnswerer

        return OpenAICompatAnswerer(settings.openai_base_url, model=settings.openai_model,
                                    api_key=settings.openai_api_key, timeout_s=settings.openai_timeout_s)
    from chronos.ai.offline import OfflineAnswerer

    return OfflineAnswerer(embedder)


def session_title(question: str) -> str:
    """A chat's title: its first question, cut at a word boundary."""
    text = " ".join(question.split())
    return text if len(text) <= 60 else text[:57].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class _Opened:
    """What asking wrote: the question (with its credit) and, for a cached answer, the answer too."""
    session: chat.Session
    question_id: int
    credit_day: str | None
    cached_answer_id: int | None = None
    creator_id: int | None = None  # to announce the question to, when its analytics were written here
    mode: str = ANSWER  # how the tutor replies to it: answers, or (HINT) only guides


class ChatService:
    """Answers questions from the videos, storing everything it says.

    Its writes go through the writer (models/writer.py), batched with the class's other writes: a
    question and its credit are one write, an answer with its usage and analytics another, and
    an answer from the cache is all of it in one. Nothing is written while the answerer streams.

    The work of answering takes turns (chronos/turns.py): a question is embedded first, batched
    with the others asked meanwhile, then waits for one of `turns` to retrieve its passages (and,
    with the offline answerer, to write its answer); Claude's and an OpenAI server's answers
    stream after the turn, since they wait on the network, not the CPU.
    """

    def __init__(self, db: Database, embedder: Embedder, answerer: Answerer, *, writer: Writer,
                 k: int = 6, settings: Settings | None = None, publish=None, turns: int = Settings.answer_turns):
        self.db, self.embedder, self.answerer, self.k = db, embedder, answerer, k
        self.writer = writer
        self.turns = Turns(turns)
        self.settings = settings  # with settings, the creator's tier limits apply
        self.publish = publish  # the event bus's publish: announces analytics events

    def ask(self, asker: Asker, message: str, *, session_id: int | None = None,
            video_id: int | None = None, at_s: float | None = None,
            video_ids: list[int] | None = None, edit_message_id: int | None = None,
            course_id: int | None = None) -> Iterator[ChatEvent]:
        """Stream events: session, delta*, citation*, then done (or error, keeping partial text).
        course_id: asked in that course's player (stored with the question, for its history; a
        student's question there gets the course's tutor mode)."""
        question = (message or "").strip()
        if not question:
            raise ChatError("Type a question first.")
        if len(question) > MAX_QUESTION_CHARS:
            raise ChatError(f"Questions can be at most {MAX_QUESTION_CHARS} characters long.")
        if at_s is not None and not (math.isfinite(at_s) and at_s >= 0):
            raise ChatError("'at_s' must be a moment of the video, in seconds from its start.")
        scope = [video_id] if video_id is not None and at_s is None else video_ids
        focus = Focus(video_id, at_s) if video_id is not None and at_s is not None else None
        # The connection is taken afresh after every yield, never held across one: the consumer
        # may resume (or close) this generator on another thread, and a connection is per thread.
        with self.db.connection() as conn:  # reads only: the video, the tier, and an answer already cached
            if video_id is not None:
                video = videos.get_video(conn, video_id, creator_id=asker.creator_id)
                if video is None or (asker.student_id is not None and not video.visible_to_students):
                    raise ChatError(f"No video {video_id}.", 404)
            # The owner's own questions take no credit: they are counted apart, as previews.
            charged = self.settings is not None and asker.student_id is not None
            tier = tiers.creator_tier(conn, self.settings, asker.creator_id) if charged else None
            if edit_message_id is not None and course_id is None:  # asked again where it was asked
                course_id = chat.question_course(conn, edit_message_id)
            mode = self._tutor_mode(conn, asker, course_id)
            key = None if focus is not None else self._cache_key(conn, asker, question, scope, mode)
            cached = answer_cache.get(conn, key) if key is not None else None
        opened = self.writer.call(lambda w: self._open(w, asker, tier, question, session_id, video_id,
                                                       at_s, edit_message_id, key, cached, course_id, mode))
        recorded = cached is not None  # a cached answer's question analytics were written with it
        activity.announce(self.publish, opened.creator_id, LiveKind.MESSAGE)
        try:
            yield {"type": "session", "session": opened.session.to_json(), "question_id": opened.question_id,
                   "tutor_mode": mode}
            if cached is not None:
                yield from self._replay(opened.cached_answer_id, cached)
            else:
                recorded = yield from self._answer(asker, opened, question, scope, focus, key)
        finally:  # asked is asked: a client gone mid-answer or a failed answer still counts
            if asker.student_id is not None and not recorded:  # the owner's previews are not analytics
                creator_id = self.writer.call(lambda w: activity.record_question(w, asker.student_id,
                                                                                 opened.question_id))
                activity.announce(self.publish, creator_id, LiveKind.MESSAGE)

    def _tutor_mode(self, conn, asker: Asker, course_id: int | None) -> str:
        """How the tutor replies: a student asking in a course's player gets the course's mode;
        questions outside any course, and the creator's own (previews), the creator's default."""
        default = self.settings.tutor_mode if self.settings is not None else ANSWER
        if course_id is None or asker.student_id is None:
            return default
        return courses.tutor_mode(conn, course_id, asker.creator_id) or default

    def _cache_key(self, conn, asker: Asker, question: str, scope: list[int] | None, mode: str) -> str:
        """The answer cache's key: the question, its scope, the state of the videos in it and the
        tutor mode (a hint is never served for an answer, nor an answer for a hint)."""
        fingerprint = answer_cache.library_fingerprint(
            conn, scope_of(conn, asker.creator_id, scope, drafts=asker.sees_drafts))
        return answer_cache.cache_key(asker.creator_id, repr(scope), question, fingerprint, self.answerer.name,
                                      mode)

    def _open(self, conn, asker: Asker, tier, question: str, session_id: int | None, video_id: int | None,
              at_s: float | None, edit_message_id: int | None, key: str | None,
              cached: dict | None, course_id: int | None = None, mode: str = ANSWER) -> _Opened:
        """The writer's part of asking, one transaction: take the credit (none for a cached answer:
        no AI work) and record the question, or neither; a cached answer is stored here too."""
        credit_day = None
        if tier is not None:
            try:
                credit_day = quota.reserve_question(conn, asker.creator_id, asker.student_id, tier,
                                                    charge=cached is None)
            except quota.QuotaExceeded as exc:
                raise ChatError(str(exc), exc.status) from None
        session, user_msg_id = self._record_question(conn, asker, question, session_id, video_id, at_s,
                                                     edit_message_id, course_id)
        if cached is None:
            return _Opened(session, user_msg_id, credit_day, mode=mode)
        answer_id = chat.add_message(conn, session.id, MessageRole.ASSISTANT, cached["content"],
                                     answerer=self.answerer.name, model=cached.get("model"), cached=True,
                                     follow_ups=cached["follow_ups"], tutor_mode=mode,
                                     citations=[chat.Citation(**c) for c in cached["citations"]])
        answer_cache.count_hit(conn, key)
        return _Opened(session, user_msg_id, credit_day, answer_id, self._record_asked(conn, asker, user_msg_id),
                       mode)

    def _record_asked(self, conn, asker: Asker, question_id: int) -> int | None:
        """The question's analytics (students only); the creator id to announce it to, else None."""
        if asker.student_id is None:
            return None
        return activity.record_question(conn, asker.student_id, question_id)

    def ask_and_wait(self, asker: Asker, message: str, **kwargs) -> dict:
        """Ask and return the finished answer as the API's JSON."""
        final: dict = {}
        for event in self.ask(asker, message, **kwargs):
            if event["type"] in ("done", "error"):
                final = event
        return answer_json(final["message"])

    def _record_question(self, conn, asker: Asker, question: str, session_id: int | None,
                         video_id: int | None, at_s: float | None, edit_message_id: int | None,
                         course_id: int | None = None):
        if edit_message_id is not None:
            sid = chat.message_session(conn, edit_message_id)
            session = sid and chat.get_session(conn, sid, asker.creator_id, asker.student_id)
            original = session and chat.get_message(conn, edit_message_id)
            if not session or original.role != MessageRole.USER:
                raise ChatError("That question does not exist.", 404)
            chat.edit_question(conn, edit_message_id, question)
            return session, edit_message_id
        if session_id is not None:
            session = chat.get_session(conn, session_id, asker.creator_id, asker.student_id)
            if session is None:
                raise ChatError("That chat does not exist (it may have been deleted).", 404)
        else:
            session = chat.create_session(conn, asker.creator_id, asker.student_id, session_title(question))
        msg_id = chat.add_message(conn, session.id, MessageRole.USER, question, video_id=video_id, at_s=at_s,
                                  course_id=course_id)
        return chat.get_session(conn, session.id, asker.creator_id, asker.student_id), msg_id

    def _answer(self, asker: Asker, opened: _Opened, question: str, scope: list[int] | None,
                focus: Focus | None, key: str | None) -> Iterator[ChatEvent]:
        """Retrieve, stream the answerer's answer, then store it; returns whether the question's
        analytics were recorded with the answer."""
        session_id, question_id = opened.session.id, opened.question_id
        events = ()
        with self.db.connection() as conn:  # before the turn: batched with the class's questions
            q_vec = embed_question(conn, self.embedder, question)
        with self.turns.turn(), self.db.connection() as conn:
            found = retrieve(conn, self.embedder, question, creator_id=asker.creator_id, video_ids=scope,
                             focus=focus, k=self.k, drafts=asker.sees_drafts, question_vector=q_vec)
            if found.covered:
                history = chat.history(conn, session_id, question_id)
                events = self.answerer.stream(question, found.passages, history, mode=opened.mode)
                if self.answerer.computes_here:
                    events = list(events)
        text, citations, failed, finished, dropped = [], {}, None, None, 0
        if not found.covered:
            text.append(NOT_COVERED)
            yield {"type": "delta", "text": NOT_COVERED}
            finished = Finished(model=self.answerer.name)
        else:
            for event in events:
                if isinstance(event, TextDelta):
                    text.append(event.text)
                    yield {"type": "delta", "text": event.text}
                elif isinstance(event, Cited):
                    citation = _citation(found.passages, event)
                    if citation is not None:
                        with self.db.connection() as conn:
                            citation = quotes.verify(conn, citation, event.cited_text)
                        dropped += citation is None
                        if citation is not None and opened.mode == HINT:
                            # Proven to be the moment, then sent without its words: a link to rewatch.
                            citation = replace(citation, text="")
                    if citation and (citation.video_id, citation.start_s) not in citations:
                        citations[(citation.video_id, citation.start_s)] = citation
                        yield {"type": "citation", "citation": citation.to_json()}
                elif isinstance(event, Finished):
                    finished = event
                elif isinstance(event, Failed):
                    failed = event
        if dropped and not citations and not failed:
            text.append(UNPROVEN)
            yield {"type": "delta", "text": UNPROVEN}
        answer = _Answer("".join(text), list(citations.values()), finished, failed, dropped, opened.mode)
        with self.db.connection() as conn:
            cost = self._cost(conn, answer.model, answer.usage)
        msg_id, creator_id = self.writer.call(lambda w: (
            self._store_answer(w, asker, session_id, answer, cost, None if failed else key, opened.credit_day),
            self._record_asked(w, asker, question_id)))
        activity.announce(self.publish, creator_id, LiveKind.MESSAGE)
        with self.db.connection() as conn:
            message = chat.get_message(conn, msg_id).to_json()
        if failed:
            yield {"type": "error", "error": failed.message, "retryable": failed.retryable,
                   "message": message, "question_id": question_id}
        else:
            yield {"type": "done", "message": message, "question_id": question_id}
        return asker.student_id is not None

    def _store_answer(self, conn, asker: Asker, session_id: int, answer: _Answer, cost: float,
                      cache_key: str | None, credit_day: str | None) -> int:
        """Store an answer in one transaction: the message, its citations, the videos' chat
        references, the creator's usage and (for a cacheable answer) the cache entry, or none."""
        today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        finished, failed = answer.finished, answer.failed
        with transaction(conn):
            msg_id = chat.add_message(
                conn, session_id, MessageRole.ASSISTANT, answer.body, answerer=self.answerer.name,
                model=answer.model, usage=answer.usage, cost_usd=cost, error=failed.message if failed else None,
                follow_ups=finished.follow_ups if finished else (), citations=answer.citations,
                tutor_mode=answer.mode)
            analytics.record_chat_references(conn, [c.video_id for c in answer.citations], today)
            preview = asker.student_id is None
            analytics.record_answer_usage(conn, asker.creator_id, today,
                                          credits=0 if credit_day or preview else 1, previews=int(preview),
                                          citations_verified=len(answer.citations),
                                          citations_dropped=answer.dropped,
                                          anthropic_cost_usd=cost if self.answerer.name == "claude" else 0.0)
            if cache_key is not None:
                answer_cache.put(conn, asker.creator_id, cache_key, {
                    "content": answer.body, "citations": [c.to_json() for c in answer.citations],
                    "follow_ups": list(finished.follow_ups), "model": answer.model}, self.answerer.name)
        return msg_id

    def _replay(self, answer_id: int, cached: dict) -> Iterator[ChatEvent]:
        """Serve a cached answer (already stored as a new, free message) as if streamed."""
        yield {"type": "delta", "text": cached["content"]}
        for c in cached["citations"]:
            yield {"type": "citation", "citation": chat.Citation(**c).to_json()}
        with self.db.connection() as conn:
            message = chat.get_message(conn, answer_id).to_json()
        yield {"type": "done", "message": message, "cached": True}

    @staticmethod
    def _cost(conn, model: str | None, usage: Usage) -> float:
        if not model:
            return 0.0
        price = prices.price_for(conn, model, datetime.now(timezone.utc).strftime("%Y-%m-%d"))
        return round(price.cost(usage), 8) if price else 0.0


def answer_json(message: dict) -> dict:
    """A stored answer in the shape of `POST /api/chat` and `chronos ask --json`."""
    return {"answer": message["content"], "answerer": message["answerer"],
            "session_id": message["session_id"], "message_id": message["id"],
            "citations": [{k: c[k] for k in ("video_id", "title", "start_s", "end_s", "score", "text", "verified")}
                          for c in message["citations"]],
            "follow_ups": message["follow_ups"], "cached": message["cached"],
            "tutor_mode": message["tutor_mode"] or ANSWER,
            "error": message["error"], "cost_usd": message["cost_usd"],
            "usage": {k: message[k] for k in ("input_tokens", "output_tokens", "cache_read_tokens",
                                               "cache_write_tokens")}}


def _citation(passages: list[Passage], event: Cited) -> chat.Citation | None:
    if not 0 <= event.passage_index < len(passages):
        return None  # a model citing a passage it was never given: ignore it
    p = passages[event.passage_index]
    start, end, text = p.start_s, p.end_s, p.text
    lo, hi = event.start_block, event.end_block
    if p.sentences and lo is None and event.cited_text:
        # No block indexes: find the quoted sentence(s) in the passage by their text.
        hits = [j for j, s in enumerate(p.sentences) if s.text.strip() in event.cited_text
                or event.cited_text.strip() in s.text]
        lo, hi = (hits[0], hits[-1] + 1) if hits else (None, None)
    if p.sentences and lo is not None and 0 <= lo < len(p.sentences):
        hi = min(max(hi or lo + 1, lo + 1), len(p.sentences))
        chosen = p.sentences[lo:hi]
        start, end, text = chosen[0].start_s, chosen[-1].end_s, " ".join(s.text for s in chosen)
    return chat.Citation(p.video_id, p.title, round(start, 2), round(end, 2), p.score, text)
