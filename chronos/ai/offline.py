"""The built-in offline answerer: quotes the transcript sentences that best answer the question
(in hint mode, points to them to rewatch without quoting them: chronos.ai.offline_hint)."""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

from chronos import languages
from chronos.ai import offline_hint
from chronos.ai.answerer import ANSWER, HINT, AnswerEvent, Cited, Finished, History, Passage, TextDelta
from chronos.ai.embedder import Embedder
from chronos.timefmt import clock

MAX_QUOTES = 3
# After the quotes, the next best moments are listed as links ("Also in the videos"), up to this
# many citations in all: the moment that answers is often the second or third best (bench/README.md).
MAX_MOMENTS = 5
MIN_SENTENCE_SIMILARITY = 0.25
RELATIVE_MARGIN = 0.12
# The same margin on the moment score retrieval gives sentences (chronos.rag.moments), whose scale
# is about 1.3 times the similarity's (its video prior adds 0.3 of a similarity).
MOMENT_MARGIN = 0.16
_SPLIT = re.compile(r"(?<=[.!?])\s+")
Quote = tuple[int, int | None, str]  # (passage index, sentence index or None, the sentence)


def _spoken_at(passages: Sequence[Passage], quote: Quote) -> float:
    """When a quoted sentence is spoken (its passage's start when it has no timed sentence)."""
    p, block = passages[quote[0]], quote[1]
    return p.sentences[block].start_s if block is not None else p.start_s


def _cited(quote: Quote) -> Cited:
    """The citation of a quoted sentence: its passage, its words, and the sentence it is."""
    passage_index, block, sentence = quote
    return Cited(passage_index, sentence, block, None if block is None else block + 1)


def _opening(sentence: str, words: int = 12) -> str:
    """The first words of a sentence, to name a moment in a list."""
    cut = sentence.split()
    return " ".join(cut[:words]) + ("…" if len(cut) > words else "")


# What the answer says around its quotations, in the language of the question (English unless the
# question is plainly Spanish, French or German): the opening, the opening about the moment being
# watched, the heading of the other moments, the answer without a quotation, and the note that the
# quotations are in the lecture's language, not the question's.
PHRASES = {
    "en": ("Here is what the course videos say:", "Here is what the lecture says around this moment:",
           "Also in the videos:", "The course videos touch on this, but no single passage answers it "
           "directly. Open the cited moments below to hear the context.",
           "(Quoted in {language}, the language of the lecture.)"),
    "es": ("Esto es lo que dicen los vídeos del curso:", "Esto es lo que dice la clase en este momento:",
           "También en los vídeos:", "Los vídeos del curso tratan esto, pero ningún pasaje lo responde "
           "directamente. Abre los momentos citados para escuchar el contexto.",
           "(Citado en {language}, el idioma de la clase.)"),
    "fr": ("Voici ce que disent les vidéos du cours :", "Voici ce que dit le cours à ce moment :",
           "Aussi dans les vidéos :", "Les vidéos du cours en parlent, mais aucun passage n'y répond "
           "directement. Ouvrez les moments cités pour entendre le contexte.",
           "(Cité en {language}, la langue du cours.)"),
    "de": ("Das sagen die Kursvideos:", "Das sagt die Vorlesung an dieser Stelle:", "Auch in den Videos:",
           "Die Kursvideos berühren das, aber keine Stelle beantwortet es direkt. Öffne die zitierten "
           "Stellen, um den Zusammenhang zu hören.", "(Zitiert auf {language}, der Sprache der Vorlesung.)"),
}


def _in_other_language(passages: Sequence[Passage], quotes: Sequence[Quote], asked_in: str) -> str | None:
    """The language the quotations are in, when it is not the question's (the first such one)."""
    spoken = [passages[q[0]].language for q in quotes]
    return next((lang for lang in spoken if lang and lang != asked_in), None)


class OfflineAnswerer:
    """Composes an answer only from the passages' own sentences, each with its citation.

    It never writes a fact of its own: every sentence of substance is a quotation.
    """

    name = "offline"
    computes_here = True

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def stream(self, question: str, passages: Sequence[Passage], history: History = (), *,
               question_vector: np.ndarray | None = None, mode: str = ANSWER) -> Iterator[AnswerEvent]:
        """Yield the answer in pieces, the citations it uses, then Finished; in HINT mode the same
        moments are cited, to rewatch, and none of their sentences is quoted."""
        quotes, more = self._best_sentences(question, passages, question_vector)
        asked_in = languages.guess(question) or "en"
        opening, at_moment, also, unanswered, quoted_in = PHRASES.get(asked_in, PHRASES["en"])
        if not quotes:
            yield TextDelta(unanswered)
            for i in range(min(2, len(passages))):
                yield Cited(i, passages[i].text[:200])
            yield Finished(model="offline")
            return
        about_moment = passages[quotes[0][0]].at_moment
        more = [] if about_moment else more  # the moment's own sentences were quoted already
        if mode == HINT:
            yield from self._hint(question, passages, quotes, more)
            return
        yield TextDelta((at_moment if about_moment else opening) + "\n\n")
        for quote in quotes:
            p, at = passages[quote[0]], _spoken_at(passages, quote)
            yield TextDelta(f"> {quote[2]}\n>\n> — *{p.title}*, {clock(at)}\n\n")
            yield _cited(quote)
        other = _in_other_language(passages, quotes, asked_in)
        if other:  # a Spanish lecture quoted to an English question: quoted as spoken, and said so
            yield TextDelta(quoted_in.format(language=languages.name(other, asked_in)) + "\n\n")
        if more:
            yield TextDelta(also + "\n\n")
        for quote in more:
            p, at = passages[quote[0]], _spoken_at(passages, quote)
            yield TextDelta(f"- *{p.title}*, {clock(at)}: “{_opening(quote[2])}”\n")
            yield _cited(quote)
        yield Finished(model="offline")

    @staticmethod
    def _hint(question: str, passages: Sequence[Passage], quotes: list[Quote],
              more: list[Quote]) -> Iterator[AnswerEvent]:
        """The hint: each moment that answers to rewatch, with what to listen for there (the
        question's own words that it says), the next best moments, then a guiding question."""
        asked = offline_hint.asked_terms(question)
        heard: list[str] = []
        yield TextDelta(offline_hint.OPENING + "\n\n")
        for n, quote in enumerate(quotes):
            terms = offline_hint.listen_for(asked, quote[2])
            heard += [t for t in terms if t not in heard]
            yield TextDelta(offline_hint.rewatch(passages[quote[0]].title, clock(_spoken_at(passages, quote)),
                                                 terms, asked, first=n == 0) + "\n")
            yield _cited(quote)  # its words prove the moment; the chat service keeps them from the student
        if more:
            yield TextDelta("\nAlso worth a look: ")
        for n, quote in enumerate(more):
            yield TextDelta(f"{', ' if n else ''}{clock(_spoken_at(passages, quote))} in *{passages[quote[0]].title}*"
                            + ("." if n == len(more) - 1 else ""))
            yield _cited(quote)
        yield TextDelta("\n\n" + offline_hint.guiding_question(question, asked, heard))
        yield Finished(model="offline")

    def _best_sentences(self, question: str, passages: Sequence[Passage],
                        question_vector: np.ndarray | None = None) -> tuple[list[Quote], list[Quote]]:
        """The few sentences that best answer the question, best first, and the next best moments
        after them: each (passage, sentence, text)."""
        candidates: list[tuple[int, int | None, str]] = []
        stored: list[np.ndarray | None] = []  # each candidate's vector, when stored at ingest
        moments: list[tuple[float, float] | None] = []  # (score, similarity) when retrieval scored it
        # Sentences chosen for being near the moment asked about, however unlike the question's words.
        nearby: list[bool] = []
        for i, p in enumerate(passages):
            if p.sentences:
                chosen = [(j, s) for j, s in enumerate(p.sentences) if len(s.text.split()) >= 4]
                candidates += [(i, j, s.text) for j, s in chosen]
                nearby += [p.at_moment] * len(chosen)
                stored += [s.vector for _, s in chosen]
                moments += [None if s.score is None else (s.score, s.similarity) for _, s in chosen]
            else:
                texts = [s.strip() for s in _SPLIT.split(p.text) if len(s.split()) >= 4]
                candidates += [(i, None, t) for t in texts]
                stored += [None] * len(texts)
                moments += [None] * len(texts)
                nearby += [False] * len(texts)
        if not candidates:
            return [], []
        if all(m is not None for m in moments):
            # Retrieval scored every sentence as a moment (chronos.rag.moments): quote in its order.
            score = np.array([m[0] for m in moments])
            sims = np.array([m[1] for m in moments])
            margin = MOMENT_MARGIN
        else:
            score, sims = self._similarities(question, candidates, stored, question_vector)
            margin = RELATIVE_MARGIN
        # Quote the best sentence and only those nearly as good: a weaker one dilutes the answer.
        floor = max(MIN_SENTENCE_SIMILARITY, float(score.max()) - margin)
        relevant = [j for j in np.argsort(-score, kind="stable")
                    if nearby[j] or sims[j] >= MIN_SENTENCE_SIMILARITY]
        # Best first: the first citation is the one a student is most likely to click.
        seen, quotes, more = set(), [], []
        for j in relevant:
            if candidates[j][2] in seen:
                continue
            seen.add(candidates[j][2])
            if len(quotes) < MAX_QUOTES and score[j] >= floor and not more:
                quotes.append(candidates[j])
            elif quotes and len(quotes) + len(more) < MAX_MOMENTS:
                more.append(candidates[j])
        return quotes, more

    def _similarities(self, question: str, candidates: list[tuple[int, int | None, str]],
                      stored: list[np.ndarray | None], question_vector: np.ndarray | None
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Passages retrieval did not score: each sentence's similarity plus a word-overlap bonus,
        and its similarity alone."""
        # The question's vector is the one retrieval made (embed_one caches it by its text).
        q_vec = question_vector if question_vector is not None else self.embedder.embed_one(question)
        missing = [j for j, v in enumerate(stored) if v is None]
        if missing:  # sentences of a video whose vectors are not stored yet (an older library)
            for j, vec in zip(missing, self.embedder.embed([candidates[j][2] for j in missing])):
                stored[j] = vec
        sims = self.embedder.similarity(np.stack(stored) @ q_vec)
        q_words = set(re.findall(r"\w+", question.lower()))
        overlap = np.array([len(q_words & set(re.findall(r"\w+", s.lower()))) / max(1, len(q_words))
                            for _, _, s in candidates])
        return sims + 0.15 * overlap, sims
