"""Chapters: where a lecture's topic turns, and a title for each part from its own words.

Pure functions of the sentences stored at ingest. A lecture is split where the similarity between
the sentences before a gap and the sentences after it drops (a TextTiling valley, measured on the
sentence vectors: each side is the mean of a few sentences' vectors), the deepest valleys first,
never into chapters shorter than the limits below. Each chapter is then titled offline with its
most distinctive phrase: words weighted by how often the chapter says them (its first sentence,
where a topic is usually named, three times) against how many other documents say them (the video's
other chapters and the creator's other videos), a phrase being a run of up to three words without
a stopword, a pronoun-led verb or a number. Same input, same chapters and titles.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chronos.models.sentences import StoredSentence

MIN_SENTENCES = 3  # no chapter of fewer sentences (a one-sentence chapter is never a topic)
MIN_DEPTH = 0.25  # a valley shallower than this is a lecture's ordinary drift, not a turn
# Sentences a side of a gap whose mean vectors are compared: on bench/chapters.py's lectures 4 put
# every chapter start on a topic's first sentence; 3 put one a sentence early, 5 to 8 one to three off.
BLOCK = 4
MAX_S = 15 * 60  # a chapter longer than this is split at its deepest valley, however shallow
TITLE_MAX = 80


@dataclass(frozen=True)
class Limits:
    """How short a chapter may be and how many a video may have, for its duration."""
    min_s: float
    max_chapters: int


def limits(duration_s: float) -> Limits:
    """An eighth of the video (15 s to 3 min) at least; 2 chapters and one more per 2 minutes, up
    to 15 (3 in 3 minutes, 7 in 10, 15 from half an hour on)."""
    return Limits(min_s=min(max(duration_s / 12, 15.0), 180.0),
                  max_chapters=min(round(duration_s / 120) + 2, 15))


@dataclass(frozen=True)
class Part:
    """A chapter before it is titled: its sentences [first, stop) and its times."""
    first: int
    stop: int
    start_s: float
    end_s: float


def segment(sentences: Sequence[StoredSentence], duration_s: float | None = None) -> list[Part]:
    """Split a video's sentences (each with its vector) into chapters where the topic turns."""
    if not sentences:
        return []
    n = len(sentences)
    duration = max(duration_s or 0.0, sentences[-1].end_s)
    bounds = limits(duration)
    starts = [0.0] + [s.start_s for s in sentences[1:]]
    similarity = _gap_similarity(sentences)  # [g - 1]: at the gap before sentence g
    depth = _depths(similarity)
    cuts: list[int] = []

    def fits(gap: int, among: list[int]) -> bool:
        edges = sorted([0, n, gap, *among])
        i = edges.index(gap)
        left, right = edges[i - 1], edges[i + 1]
        end = starts[right] if right < n else duration
        return (gap - left >= MIN_SENTENCES and right - gap >= MIN_SENTENCES
                and starts[gap] - starts[left] >= bounds.min_s and end - starts[gap] >= bounds.min_s)

    for gap in sorted(_valleys(similarity), key=lambda g: (-depth[g - 1], g)):
        if len(cuts) + 1 >= bounds.max_chapters or depth[gap - 1] < MIN_DEPTH:
            break
        if fits(gap, cuts):  # a valley too near another chapter's edge is left, never moved
            cuts.append(gap)
    while True:  # a chapter still too long for a student to find their way in is split anyway
        edges = sorted([0, n, *cuts])
        long = [(a, b) for a, b in zip(edges, edges[1:])
                if (starts[b] if b < n else duration) - starts[a] > MAX_S]
        options = [g for a, b in long for g in range(a + 1, b) if fits(g, cuts)]
        if not options:
            break
        cuts.append(max(options, key=lambda g: (depth[g - 1], -g)))
    edges = sorted([0, n, *cuts])
    return [Part(a, b, starts[a], starts[b] if b < n else duration) for a, b in zip(edges, edges[1:])]


def _gap_similarity(sentences: Sequence[StoredSentence]) -> np.ndarray:
    """Cosine similarity, at each gap between sentences, of the mean vectors of the BLOCK sentences
    either side of it."""
    vectors = np.stack([np.asarray(s.vector, dtype=np.float32) for s in sentences])
    n = len(vectors)
    total = np.vstack([np.zeros((1, vectors.shape[1]), np.float32), np.cumsum(vectors, axis=0)])
    gaps = np.arange(1, n)
    left = total[gaps] - total[np.maximum(gaps - BLOCK, 0)]
    right = total[np.minimum(gaps + BLOCK, n)] - total[gaps]
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    return np.einsum("ij,ij->i", left, right) / np.maximum(norms, 1e-9)


def _valleys(similarity: np.ndarray) -> list[int]:
    """The gaps (numbered by the sentence after them) where similarity is lowest among neighbours."""
    sims = similarity.tolist()
    return [i + 1 for i, here in enumerate(sims)
            if (i == 0 or sims[i - 1] >= here) and (i == len(sims) - 1 or sims[i + 1] > here)]


def _depths(similarity: np.ndarray) -> list[float]:
    """How deep each gap's valley is: the climb to the nearest peak on its left plus on its right."""
    sims = similarity.tolist()
    out = []
    for i, here in enumerate(sims):
        left = i
        while left > 0 and sims[left - 1] >= sims[left]:
            left -= 1
        right = i
        while right < len(sims) - 1 and sims[right + 1] >= sims[right]:
            right += 1
        out.append((sims[left] - here) + (sims[right] - here))
    return out


# -- titles -----------------------------------------------------------------------------------------

_STOPWORDS = frozenset("""a an and are as at be but by can do does for from has have how i if in into
is it its me my of on or so that the their then there these they this to was what when where which
who why will with you your about she he her his them would could should did we our us were been
being had than also only just very much many more most some any all not no one two way like get got
make made makes today let lets now next first second third last topic topics begin start look
other others each every both same such while until before after back up down out over under again
here thing things called call kind lot well really welcome lecture lesson short long part okay
going gonna want need know see think right yes yeah often always never usually sometimes even still
already almost quite rather perhaps maybe together""".split())
# A word right after one of these is most likely a verb ("how they erupt"): no title ends in one.
_BEFORE_VERB = frozenset("to will can they we you it i could would should may might must does did".split())
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+")
_CLAUSE = re.compile(r"[^\w\s'’-]+")


def _key(word: str) -> str:
    """A word as it is counted: lower case, plurals folded onto the singular."""
    w = word.lower().replace("’", "'").removesuffix("'s")
    if len(w) > 4 and w.endswith(("oes", "ses", "xes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _runs(sentence: str) -> tuple[list[list[str]], set[str]]:
    """The sentence's runs of title-worthy words, and the keys of words it uses as verbs."""
    runs: list[list[str]] = []
    verbs: set[str] = set()
    for clause in _CLAUSE.split(sentence):
        run: list[str] = []
        before = ""
        for word in _WORD.findall(clause):
            low = word.lower()
            if before in _BEFORE_VERB:
                verbs.add(_key(word))
            before = low
            if low in _STOPWORDS or word.isdigit() or len(word) < 3 or low.endswith("ly"):
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(word)
        if run:
            runs.append(run)
    return runs, verbs


def _words(texts: Sequence[str]) -> set[str]:
    return {_key(w) for text in texts for run in _runs(text)[0] for w in run}


def offline_titles(chapters: Sequence[Sequence[str]], library: Sequence[str] = ()) -> list[str]:
    """A title for each chapter (its sentences' texts): its most distinctive phrase, against the
    other chapters and the library's other documents; no two chapters get the same title."""
    documents = [_words(c) for c in chapters] + [_words([doc]) for doc in library]
    seen = Counter(w for doc in documents for w in doc)
    idf = {w: math.log((1 + len(documents)) / (1 + count)) + 1 for w, count in seen.items()}
    titles: list[str] = []
    for number, sentences in enumerate(chapters, 1):
        ranked = _ranked_phrases(sentences, idf)
        used = {t.lower() for t in titles}
        title = next((p for p in ranked if p.lower() not in used), None)
        titles.append(title or f"Chapter {number}")
    return titles


def _ranked_phrases(sentences: Sequence[str], idf: dict[str, float]) -> list[str]:
    """The chapter's candidate phrases, best first, each as first spoken (capitalised)."""
    weight: Counter = Counter()
    counts: Counter = Counter()
    shown: dict[tuple[str, ...], str] = {}
    order: dict[tuple[str, ...], int] = {}
    verbs: set[str] = set()
    for i, sentence in enumerate(sentences):
        runs, used_as_verbs = _runs(sentence)
        verbs |= used_as_verbs
        for run in runs:
            for word in run:
                weight[_key(word)] += 3 if i == 0 else 1
            for size in (1, 2, 3):
                for j in range(len(run) - size + 1):
                    words = run[j:j + size]
                    key = tuple(_key(w) for w in words)
                    counts[key] += 1
                    shown.setdefault(key, " ".join(words))
                    order.setdefault(key, len(order))

    def score(key: tuple[str, ...]) -> float:
        base = sum(weight[w] * idf.get(w, 1.0) for w in key) / math.sqrt(len(key))
        # A phrase said twice is a term of the lecture; said once, likely a passing combination.
        return base * (1.0 if len(key) == 1 else 1.3 if counts[key] >= 2 else 0.8)

    keys = [k for k in counts if k[0] not in verbs and k[-1] not in verbs]
    keys.sort(key=lambda k: (-round(score(k), 9), order[k]))
    return [_capitalised(shown[k]) for k in keys]


def _capitalised(phrase: str) -> str:
    phrase = phrase[:TITLE_MAX]
    return phrase[:1].upper() + phrase[1:]


def clean_title(title: str) -> str:
    """A title as stored: one line, spaces collapsed, no surrounding quotes, at most TITLE_MAX."""
    text = " ".join(str(title).split()).strip("\"'“”‘’ ").rstrip(".")
    return text[:TITLE_MAX].rstrip()
