"""Quiz drafting: a lecture's timed sentences in, checkpoint questions out, each tied to the sentence
that answers it. Two drafters share the types and the check every draft must pass: the offline
generator (`quiz_offline`) and Claude (`quiz_claude`).

A draft is kept only if its correct choice is spoken in its sentence, word for word (any case and
punctuation), and the prompt does not give it away: so every question's answer is in the transcript
at its time, and "rewatch this moment" replays the sentence that answers it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

KINDS = ("choice", "blank")  # multiple choice; fill in the blank (the sentence with the answer blanked)
BLANK = "_____"
PROMPT_MAX = 500
CHOICE_MAX = 200
DRAFTED_CHOICES = (3, 4)     # a drafted question offers three or four options
MAX_CHOICES = 6              # what the creator may give their own question
MAX_QUESTIONS = 20


@dataclass(frozen=True)
class LectureSentence:
    """One spoken sentence of the lecture: its place, its times and its words."""
    index: int
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Lecture:
    """What a drafter reads: the lecture's sentences, and the sentences of the other lectures of its
    courses, where distractors may also come from."""
    title: str
    sentences: tuple[LectureSentence, ...]
    course_sentences: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuizDraft:
    """A drafted question: asked at `at_s` (the end of its sentence), answered by `source_text`,
    which is spoken from `replay_at_s`."""
    kind: str
    at_s: float
    prompt: str
    choices: tuple[str, ...]
    answer_index: int
    source_text: str
    replay_at_s: float


@dataclass(frozen=True)
class Drafted:
    """What a drafter made: the drafts kept, and why each refused draft was refused."""
    drafter: str  # offline | claude
    questions: list[QuizDraft]
    refused: list[str] = field(default_factory=list)


class DraftRefused(ValueError):
    """A draft that breaks a rule; the message says which."""


class QuizDrafter(Protocol):
    name: str

    def draft(self, lecture: Lecture, count: int) -> Drafted:
        """Up to `count` questions for the lecture, in the order they are asked."""
        ...


class DrafterFailed(Exception):
    """The drafter could not draft (Claude unreachable, refused, out of budget); the message is for
    the creator, `retryable` whether trying again later may help."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.message, self.retryable = message, retryable


def words_of(text: str) -> list[str]:
    """A text's words as compared: lower case, letters and digits only."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def contains_words(text: str, phrase: str) -> bool:
    """Whether the phrase's words occur in the text, in a row."""
    hay, needle = words_of(text), words_of(phrase)
    n = len(needle)
    return n > 0 and any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


def default_count(lecture: Lecture) -> int:
    """How many questions to draft when not told: about one for every three sentences, at most eight."""
    return max(1, min(8, round(len(lecture.sentences) / 3)))


def check_draft(lecture: Lecture, sentence: int, kind: str, prompt: str, choices: Sequence[str],
                answer_index: int) -> QuizDraft:
    """The draft as stored, or DraftRefused saying what is wrong with it."""
    if not isinstance(sentence, int) or not 0 <= sentence < len(lecture.sentences):
        raise DraftRefused(f"it cites sentence {sentence!r}, which the lecture does not have")
    if kind not in KINDS:
        raise DraftRefused(f"its kind {kind!r} is not one of {', '.join(KINDS)}")
    prompt = " ".join(str(prompt or "").split())
    if not prompt or len(prompt) > PROMPT_MAX:
        raise DraftRefused(f"its prompt is empty or longer than {PROMPT_MAX} characters")
    options = [" ".join(str(c or "").split()) for c in choices] if isinstance(choices, (list, tuple)) else []
    if len(options) not in DRAFTED_CHOICES:
        raise DraftRefused(f"it has {len(options)} choices, not three or four")
    if any(not c or len(c) > CHOICE_MAX for c in options):
        raise DraftRefused(f"a choice is empty or longer than {CHOICE_MAX} characters")
    if len({" ".join(words_of(c)) for c in options}) < len(options):
        raise DraftRefused("two of its choices are the same")
    if not isinstance(answer_index, int) or isinstance(answer_index, bool) or not 0 <= answer_index < len(options):
        raise DraftRefused(f"its answer_index {answer_index!r} is not one of its choices")
    spoken = lecture.sentences[sentence]
    answer = options[answer_index]
    if not contains_words(spoken.text, answer):
        raise DraftRefused(f"its answer “{answer}” is not said in sentence {sentence} (“{spoken.text}”)")
    if contains_words(prompt, answer):
        raise DraftRefused(f"its prompt gives the answer “{answer}” away")
    if kind == "blank" and "___" not in prompt:
        raise DraftRefused("a fill-in-the-blank prompt needs a blank (_____)")
    return QuizDraft(kind, spoken.end_s, prompt, tuple(options), answer_index, spoken.text, spoken.start_s)
