"""The answerer interface: a question plus retrieved passages in, a stream of answer events out."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Union

from chronos.config import TUTOR_MODES
from chronos import languages
from chronos.timefmt import clock

# How the tutor replies (config.TUTOR_MODES): it states the answer, or it only guides.
ANSWER, HINT = TUTOR_MODES


@dataclass(frozen=True)
class TimedSentence:
    start_s: float
    end_s: float
    text: str
    # The sentence's stored unit-length embedding (a numpy float32 row), when the library has it:
    # the offline answerer then scores the sentence without embedding it again.
    vector: Any = field(default=None, compare=False, repr=False)
    # Its stored context vector (the sentence with its neighbours, embedded as one text), if any.
    window: Any = field(default=None, compare=False, repr=False)
    # How well the sentence answers the question, as retrieval scored it (chronos.rag.moments):
    # `score` orders the moments (higher is better), `similarity` is its cosine similarity to the
    # question with its neighbours' context. None when the passage was not scored.
    score: float | None = field(default=None, compare=False)
    similarity: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Passage:
    """A retrieved stretch of one video's transcript, with its time range and timed sentences."""
    video_id: int
    title: str
    start_s: float
    end_s: float
    text: str
    score: float  # relevance in 0..1 (higher is better)
    sentences: tuple[TimedSentence, ...] = ()
    # The moment the student is watching, for a question about it ("Can you explain this?"): its
    # sentences' scores say how near each is to that moment, not how like the question it is.
    at_moment: bool = False
    language: str | None = None  # the language the video is spoken in ("es"), as transcribed

    @property
    def heading(self) -> str:
        """How a model is shown the passage: its video, its time range, the language it is spoken
        in when not English, and whether it is the moment the student is watching."""
        moment = " (the moment the student is watching and asks about)" if self.at_moment else ""
        spoken = f" (spoken in {languages.name(self.language)})" if self.language not in (None, "en") else ""
        return f"{self.title} ({clock(self.start_s)}–{clock(self.end_s)}){spoken}{moment}"

    @property
    def source(self) -> str:
        """The citation source string: the video and time range travel with the passage."""
        return f"{self.video_id}#t={self.start_s:.1f}-{self.end_s:.1f}"


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer's text, in order."""
    text: str


@dataclass(frozen=True)
class Cited:
    """The answer cites passages[passage_index] (0-based), quoting cited_text from it.

    start_block/end_block (end exclusive) narrow the citation to sentences of the passage, so it
    points at the moment those sentences are spoken rather than the whole passage.
    """
    passage_index: int
    cited_text: str = ""
    start_block: int | None = None
    end_block: int | None = None


@dataclass(frozen=True)
class Finished:
    """The answer is complete."""
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    stop_reason: str = "end_turn"
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failed:
    """The answer stopped early; message is for the student. Text streamed so far is kept."""
    message: str
    retryable: bool = True
    usage: Usage = field(default_factory=Usage)


AnswerEvent = Union[TextDelta, Cited, Finished, Failed]
History = Sequence[tuple[str, str]]  # (role, text) pairs, oldest first; role is user|assistant


class Answerer(Protocol):
    """Anything that can answer from passages: offline, Claude, an OpenAI-compatible server."""

    name: str  # "offline" | "claude" | "openai"
    # True when the answer is worked out by this process's CPU (offline): it is then written
    # within the question's turn (chronos/turns.py); the others stream after it, from the network.
    computes_here: bool

    def stream(self, question: str, passages: Sequence[Passage],
               history: History = (), *, mode: str = ANSWER) -> Iterator[AnswerEvent]:
        """Yield TextDelta and Cited events, then exactly one Finished or Failed. In HINT mode the
        answer guides instead of answering, and still cites the moments that answer."""
        ...


NOT_COVERED = ("I couldn't find this in the course videos. Try rephrasing your question, or ask "
               "about a topic the lectures cover.")

TUTOR_SYSTEM_PROMPT = """You are the teaching assistant for an online course. You answer students' \
questions using only the lecture transcript passages provided with each question; each passage \
comes from one video and a time range in it.

How to answer:
- Answer from the passages and cite them, so the student can click through to the exact moment. \
Do not use outside knowledge to add facts the lectures do not contain.
- If the passages do not answer the question, say plainly that the course videos don't cover it, \
and suggest what the student could ask instead.
- Be clear and encouraging, like a good tutor: short paragraphs, simple words, an example from \
the lecture when it helps. Use Markdown sparingly (short lists, **bold** key terms).
- Keep answers focused: usually 2-5 sentences.
- Answer in the language the student writes in, even when the lecture is in another language; quote and cite the lecture in its own words and language (a passage's heading names the language it is spoken in when that is not English), and say when a quotation is in another language.
- After the answer, on the very last line, write FOLLOW_UPS: followed by two or three short \
follow-up questions the student might ask next, separated by " | ". The lectures must be able \
to answer them."""


# Added to the instructions when a course's tutor gives hints only (its `tutor_mode` is "hint").
HINT_MODE_INSTRUCTIONS = """

This course is in HINT MODE: the creator wants students to find the answer themselves.
- Do not state the answer, and do not quote or closely paraphrase the sentence of the lecture that \
answers the question. Do not name the key terms, names or numbers that make up the answer.
- Instead, point the student to the moments to rewatch: cite those passages so each becomes a link \
to its moment, and say what to listen for there using only words the question already uses.
- End the answer, before the FOLLOW_UPS line, with one short guiding question that leads the \
student towards the answer without giving it.
- If the student insists on the answer, encourage them kindly and give a smaller hint instead."""


def system_prompt(mode: str = ANSWER) -> str:
    """The tutor's instructions for a mode: the hint-mode rules follow the tutor's own in HINT."""
    return TUTOR_SYSTEM_PROMPT + (HINT_MODE_INSTRUCTIONS if mode == HINT else "")
