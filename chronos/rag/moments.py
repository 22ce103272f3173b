"""Which sentence is the moment that answers a question: scoring retrieved passages' sentences.

The score of a candidate sentence (weights measured per embedder on the hard benchmark,
bench/README.md; these are multilingual-e5's, MiniLM's are 0.6 / 0.4 / 0.2 / 0.3):

    0.8 * cos(question, sentence) + 0.2 * cos(question, sentence with its neighbours)
  + 0.1 * BM25(sentence with its video's title) / the best candidate's BM25
  + 0.3 * the video's prior: the mean of its three best candidates' scores from the lines above

BM25 also counts a candidate word that sounds like a question word (transcription spells names
as it hears them: quipu -> quibu, cristae -> Christie). Everything is computed over the few
hundred candidate sentences only, so a question costs a few milliseconds.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np

from chronos.languages import fold, small_words, words

VIDEO_PRIOR_TOP = 3
BM25_K1, BM25_B = 1.2, 0.75
# A question word this long or longer also matches candidate words that sound like it, this much
# alike (difflib ratio of the phonetic forms), counted at SOUND_ALIKE_WEIGHT of their likeness.
SOUND_ALIKE_MIN_LETTERS, SOUND_ALIKE_RATIO, SOUND_ALIKE_WEIGHT = 5, 0.75, 0.8

# Words a question is made of but that say nothing of its subject: retrieval's keyword search
# leaves these out; the moment scorer also the looser ones after them.
QUESTION_STOPWORDS = frozenset("""a an and are as at be but by can do does for from has have how i if in
into is it its me my of on or so that the their then there these they this to was what when where
which who why will with you your about she he her his them would could should did we our us explain
tell say said mean means""".split())
_STOPWORDS = QUESTION_STOPWORDS | frozenset("""were been being had than also only just very much many
more most some any all not no one two way like get got make made""".split())
# "Can you explain this?", "What happened here?", "What city is this about?": asked about the moment
# being watched, such a question names no subject of its own. Words that point at the moment, and
# words that ask for help without naming what with (matched before stemming, so inflections listed).
_POINTING = frozenset("this that here these those it now just".split())
_HELP_WORDS = frozenset("""happen happens happened happening go goes going went gone on say saying says
talk talks talking talked mention mentions mentioned mean meant means explain explained explaining
elaborate clarify understand understood confused confusing confuse lost am im don't dont get detail
details example examples again part bit moment point section slide step steps thing things stuff
idea ideas help know want need show sure follow see hear heard please simpler simply plain words
word other repeat why how what whats""".split())

_NOT_A_SUBJECT = _STOPWORDS | _HELP_WORDS | _POINTING


def is_vague(question: str) -> bool:
    """Whether a question names no subject of its own: nothing but help words, or a word pointing
    at the moment ("this", "here") and at most one word of content. A question in Spanish,
    French or German is vague when it has nothing but its language's small words."""
    words = re.findall(r"[a-z']+", fold(question).replace("'s", ""))
    # French elisions ("qu'est", "l'idee") are two words; English contractions are listed whole.
    words = [part for w in words for part in ([w] if w in _NOT_A_SUBJECT else w.split("'"))]
    small = small_words(question)
    content = [w for w in words if w not in _NOT_A_SUBJECT and w not in small and len(w) > 1]
    return not content or (len(content) <= 1 and any(w in _POINTING for w in words))


# Spellings that sound the same, folded together (applied in order) before words are compared.
_SOUNDS = (("ph", "f"), ("ck", "k"), ("qu", "k"), ("q", "k"), ("c", "k"), ("x", "ks"), ("z", "s"),
           ("b", "p"), ("d", "t"), ("g", "k"), ("v", "f"), ("y", "i"), ("w", "u"), ("h", ""))


@dataclass(frozen=True)
class Weights:
    """How much each part of a moment's score counts (see the module's docstring)."""
    sentence: float
    window: float
    keyword: float
    video_prior: float


# Measured on the hard benchmark with each embedder's cosines on MiniLM's scale
# (Embedder.similarity), by bench/moments_sweep.py (bench/README.md, "Moment weights per
# embedder"). e5 tells the sentence that answers from its neighbours better than MiniLM, so its
# own vector counts for more and the keyword term (which also matches names as they sound) for less:
# with MiniLM's weights e5 scored hit@1 0.770, with these 0.806.
MINILM_WEIGHTS = Weights(sentence=0.6, window=0.4, keyword=0.2, video_prior=0.3)
WEIGHTS = {"all-MiniLM-L6-v2": MINILM_WEIGHTS,
           "multilingual-e5-small": Weights(sentence=0.8, window=0.2, keyword=0.1, video_prior=0.3)}


def weights_for(embedder_name: str) -> Weights:
    """The weights measured for this embedder's vectors (MiniLM's for a model not measured)."""
    return WEIGHTS.get(embedder_name, MINILM_WEIGHTS)


@dataclass(frozen=True)
class Candidate:
    """A sentence that may be the moment: its video, that video's title, its text and vectors."""
    video_id: int
    title: str
    text: str
    vector: np.ndarray  # unit length
    window: np.ndarray  # the sentence with its neighbours embedded as one text (or its own vector)


@dataclass(frozen=True)
class Scored:
    """Each candidate's score (higher is better) and its dense similarity to the question."""
    scores: np.ndarray
    similarities: np.ndarray


def score_moments(question: str, question_vector: np.ndarray, candidates: Sequence[Candidate],
                  similarity: Callable[[np.ndarray], np.ndarray] = lambda dots: dots,
                  weights: Weights = MINILM_WEIGHTS) -> Scored:
    """Score every candidate sentence as the moment that answers the question; similarity puts
    the embedder's cosines on the scale the weights were measured on (Embedder.similarity), and
    weights are the embedder's (weights_for)."""
    if not candidates:
        return Scored(np.zeros(0), np.zeros(0))
    sentence = similarity(np.stack([c.vector for c in candidates]) @ question_vector)
    window = similarity(np.stack([c.window for c in candidates]) @ question_vector)
    dense = weights.sentence * sentence + weights.window * window
    keyword = keyword_scores(question, [f"{c.title} {c.text}" for c in candidates])
    best = float(keyword.max())
    base = dense + (weights.keyword * keyword / best if best > 0 else 0.0)
    return Scored(base + weights.video_prior * _video_prior(base, [c.video_id for c in candidates]), dense)


def _video_prior(base: np.ndarray, video_ids: Sequence[int]) -> np.ndarray:
    """Each candidate's video's mean of its best few base scores: a moment in the video that
    answers the question best is likelier than a look-alike sentence in another."""
    ids = np.asarray(video_ids)
    prior = np.zeros_like(base)
    for v in set(video_ids):
        mask = ids == v
        prior[mask] = np.sort(base[mask])[-VIDEO_PRIOR_TOP:].mean()
    return prior


def keyword_scores(question: str, texts: Sequence[str]) -> np.ndarray:
    """BM25 of each text for the question's words, and for candidate words that sound like them,
    with document frequencies over these texts."""
    docs = [Counter(tokens(t)) for t in texts]
    lengths = np.array([sum(d.values()) for d in docs], dtype=float)
    average = max(float(lengths.mean()), 1.0)
    frequency = Counter(w for d in docs for w in d)
    n = len(docs)
    out = np.zeros(n)
    for term, weight in _query_terms(question, frequency):
        idf = math.log(1 + (n - frequency[term] + 0.5) / (frequency[term] + 0.5))
        for i, d in enumerate(docs):
            f = d.get(term)
            if f:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[i] / average)
                out[i] += weight * idf * f * (BM25_K1 + 1) / (f + norm)
    return out


def _query_terms(question: str, vocabulary: Counter) -> list[tuple[str, float]]:
    """The question's words found in the candidates, and the candidates' sound-alikes of its long
    words, each with its weight."""
    terms: list[tuple[str, float]] = []
    small = small_words(question)
    for word in dict.fromkeys(w for w in tokens(question) if w not in small):
        if word in vocabulary:
            terms.append((word, 1.0))
        if len(word) >= SOUND_ALIKE_MIN_LETTERS:
            terms += [(other, SOUND_ALIKE_WEIGHT * r) for other in vocabulary
                      if other != word and (r := sound_alike(word, other)) >= SOUND_ALIKE_RATIO]
    return terms


@lru_cache(maxsize=1 << 18)  # a library's words recur from question to question
def sound_alike(word: str, other: str) -> float:
    """How alike two words sound, 0..1 (difflib's ratio of their phonetic forms); 0 for words
    too short or too different in length to be compared."""
    if len(other) < 4 or abs(len(other) - len(word)) > 4:
        return 0.0
    a, b = _phonetic(word), _phonetic(other)
    if 2 * min(len(a), len(b)) < SOUND_ALIKE_RATIO * (len(a) + len(b)):
        return 0.0  # the ratio's upper bound from the lengths alone: most words stop here
    matcher = SequenceMatcher(None, b, a, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= SOUND_ALIKE_RATIO else 0.0


@lru_cache(maxsize=1 << 14)  # the candidates' sentences recur from question to question
def tokens(text: str) -> tuple[str, ...]:
    """The text's content words, lower case without accents, crudely stemmed (plurals, -ing,
    -ed, -ly)."""
    return tuple(_stem(w) for w in words(text) if w not in _STOPWORDS and len(w) > 1)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[:-len(suffix)]
    return word


@lru_cache(maxsize=65536)
def _phonetic(word: str) -> str:
    """The word as it sounds, roughly: like-sounding letters folded, vowel runs and doubles collapsed."""
    for spelled, sound in _SOUNDS:
        word = word.replace(spelled, sound)
    word = re.sub(r"[aeiou]+", lambda m: m.group(0)[0], word)
    return re.sub(r"(.)\1+", r"\1", word)
