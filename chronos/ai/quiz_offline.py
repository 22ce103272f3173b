"""The offline quiz drafter: questions from a lecture's key sentences and salient terms, with no
model and no network. Pure and deterministic: the same lecture always gives the same quiz (nothing
depends on set or hash order).

Terms are the words and phrases a lecture is about: long or rare-looking words, names and acronyms
(capitalised inside a sentence), numbers, and two-word phrases said more than once or both
capitalised ("carbon dioxide", "New York"), or named by a definition ("the Calvin cycle"). A sentence's score is its best term's; the best sentences,
spread over the lecture, each give one question: "Which term means …?" or "What is … called?" where
the sentence defines a term, else the sentence with its term blanked. The distractors are terms of
the same kind (number, name, term) from the same lecture, then from the rest of its course, closest
in shape first (word count, plural); numbers are written as the answer is and fall back to nearby
values when the course says too few.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from chronos.ai.quiz_drafts import (BLANK, DraftRefused, Drafted, Lecture, LectureSentence, QuizDraft,
                                    check_draft)

STOP = frozenset("""a about above after again against all almost also although always am an and another any
are around as at away back be because been before being below between both but by can could did do does
doing done down during each either else enough even ever every few first for from further get gets getting
give given go goes going got had has have having he her here hers him his how however i if in inside into
is it its itself just keep kind last least less let like little lot lots many may maybe me might more most
much must my near nearly never new next no nor not now of off often on once one only onto or other our out
outside over own part per perhaps put quite rather really same see seen shall she should show since so some
something sometimes still such take takes than that the their them then there these they thing things this
those though through thus to today together too toward towards under until up upon us use used uses using
very want was way ways we well were what when where whether which while who whom whose why will with within
without would yet you your yours also called known named means mean make makes made look lecture lesson
video welcome learn learning talk talks example examples second third next last start end begin big small
large high low long short good bad great whole half each many several certain different important another
""".split())
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i >= 2}
TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
INTRO = re.compile(r"^(welcome|hello|hi|today|in this (lecture|video|lesson|course))\b", re.I)
CALLED = re.compile(r"^(?P<subject>[^,;]+?) (?P<verb>is|are|was|were) (?:called|known as|named) "
                    r"(?:the |a |an )?(?P<term>[^,.;!?]+)", re.I)
DEFINES = re.compile(r"^(?:the |a |an )?(?P<term>[A-Za-z][\w'’-]*(?: [A-Za-z][\w'’-]*){0,2}) "
                     r"(?P<verb>is|are|means) (?P<predicate>.+?)[.!?]*$", re.I)
MIN_WORDS = 6  # shorter sentences say too little to ask about
# A word after a subject pronoun, "to" or a modal (adverbs between), or before an object when no
# article leads it, is taken for a verb ("it reflects", "to double", "picks up", "carries them"):
# not a term. A short word before another content word is taken for a modifier ("deep valley").
SUBJECTS = frozenset("i you he she it we they to will can would could should may might must".split())
ADVERBS = frozenset("also often first then just only never always usually soon".split())
OBJECTS = frozenset("the a an them it its their his her your our us me him up down out how".split())
ARTICLES = frozenset("the a an this these that those its their your our his her each every".split())


@dataclass(frozen=True)
class Term:
    """A term as the quiz shows it, how it is recognised, and what kind of thing it is."""
    text: str
    key: str            # its words, lower case: "carbon dioxide"
    kind: str           # number | name | term
    value: int | None   # a number's value
    digits: bool        # a number written in digits
    modifier: bool = False  # said before another content word: "deep" valley, "green" pigment


@dataclass
class _Seen:
    term: Term
    in_lecture: int = 0   # how many of the lecture's sentences say it (0: only the course does)


class OfflineQuizDrafter:
    """The QuizDrafter with no model: draft_offline."""

    name = "offline"

    def draft(self, lecture: Lecture, count: int) -> Drafted:
        return draft_offline(lecture, count)


def draft_offline(lecture: Lecture, count: int) -> Drafted:
    """Up to `count` questions for the lecture, in the order they are asked."""
    pool, pairs = _pool(lecture)
    title = set(_words(lecture.title))
    scored = []
    for sentence in lecture.sentences:
        if len(_words(sentence.text)) < MIN_WORDS or (sentence.index == 0 and INTRO.match(sentence.text)):
            continue
        best = _question(lecture, sentence, pool, pairs, title, used=set())
        if best is not None:
            scored.append((best[0], sentence.index))
    chosen: list[int] = []
    for _, index in sorted(scored, key=lambda s: (-s[0], s[1])):
        if len(chosen) < count and all(abs(index - c) > 1 for c in chosen):
            chosen.append(index)
    for _, index in sorted(scored, key=lambda s: (-s[0], s[1])):  # too few apart: neighbours too
        if len(chosen) < count and index not in chosen:
            chosen.append(index)
    used: set[str] = set()
    questions: list[QuizDraft] = []
    for index in sorted(chosen):
        made = _question(lecture, lecture.sentences[index], pool, pairs, title, used)
        if made is not None:
            used.add(made[1])
            questions.append(made[2])
    return Drafted("offline", questions)


def _question(lecture: Lecture, sentence: LectureSentence, pool: dict[str, _Seen], pairs: frozenset[str],
              title: set[str], used: set[str]) -> tuple[float, str, QuizDraft] | None:
    """The sentence's best question: (score, its answer's key, the draft), or None."""
    options = []
    defined = _defined(sentence.text)
    for term in _terms(sentence.text, pairs):
        if term.key not in used:
            options.append((_salience(term, pool.get(term.key), title), term))
    if defined is not None and defined[1].key not in used:
        options.append((_salience(defined[1], pool.get(defined[1].key), title) + 1.5, defined[1]))
    for score, term in sorted(options, key=lambda o: (-o[0], o[1].key)):
        wrong = _distractors(term, sentence.text, pool)
        if len(wrong) < 2:
            continue
        choices = sorted([term.text, *wrong], key=lambda c: (_spread(c), c))
        answer = choices.index(term.text)
        try:
            if defined is not None and defined[1].key == term.key:
                draft = check_draft(lecture, sentence.index, "choice", defined[0], choices, answer)
            else:
                draft = check_draft(lecture, sentence.index, "blank", _blanked(sentence.text, term), choices, answer)
        except DraftRefused:
            continue
        return score, term.key, draft
    return None


def course_terms(lecture: Lecture, limit: int = 40) -> list[str]:
    """The terms the course's other lectures say and this one does not, most salient first."""
    pool, _ = _pool(lecture)
    others = [s for s in pool.values() if s.in_lecture == 0]
    return [s.term.text for s in sorted(others, key=lambda s: (-_salience(s.term, s, set()), s.term.key))][:limit]


def _spread(choice: str) -> int:
    """Where a choice goes among the others: a stable scramble, so the answer is not always first."""
    return sum((i + 1) * ord(c) for i, c in enumerate(choice.lower())) % 97


# -- terms ----------------------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return [t.lower().replace("’", "'") for t in TOKEN.findall(text)]


def _terms(text: str, pairs: frozenset[str]) -> list[Term]:
    """The sentence's terms, in the order spoken (a phrase's words are not terms of their own too);
    `pairs` are the word pairs that count as one term wherever said."""
    tokens = TOKEN.findall(text)
    lower = [t.lower().replace("’", "'") for t in tokens]
    out: list[Term] = []
    i = 0
    while i < len(tokens):
        number = _number_at(lower, i)
        if number is not None:
            span, value = number
            phrase = " ".join(tokens[i:i + span])
            out.append(Term(phrase, phrase.lower(), "number", value, phrase[0].isdigit()))
            i += span
            continue
        if not _content(tokens[i], lower[i]) or _verb(lower, i):
            i += 1
            continue
        if i + 1 < len(tokens) and _content(tokens[i + 1], lower[i + 1]) and _number_at(lower, i + 1) is None \
                and (_capitalised(tokens, i) and _capitalised(tokens, i + 1) or f"{lower[i]} {lower[i + 1]}" in pairs):
            out.append(_word_term(f"{tokens[i]} {tokens[i + 1]}", tokens, i))
            i += 2
            continue
        modifier = len(lower[i]) < 7 and i + 1 < len(tokens) and _content(tokens[i + 1], lower[i + 1]) \
            and not _verb(lower, i + 1)
        out.append(_word_term(tokens[i], tokens, i, modifier))
        i += 1
    return out


def _word_term(phrase: str, tokens: list[str], i: int, modifier: bool = False) -> Term:
    named = _capitalised(tokens, i) or (phrase.isupper() and len(phrase) >= 2)
    text = phrase if named else phrase.lower()
    return Term(text, text.lower(), "name" if named else "term", None, False, modifier and not named)


def _verb(lower: list[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and lower[j] in ADVERBS:
        j -= 1
    if j >= 0 and lower[j] in SUBJECTS:
        return True
    return i + 1 < len(lower) and lower[i + 1] in OBJECTS and (i == 0 or lower[i - 1] not in ARTICLES)


def _content(token: str, lower: str) -> bool:
    return lower not in STOP and (len(lower) >= 4 or (token.isupper() and len(token) >= 2))


def _capitalised(tokens: list[str], i: int) -> bool:
    """A capitalised word inside the sentence (a name), or an acronym anywhere."""
    token = tokens[i]
    return (token.isupper() and len(token) >= 2) or (i > 0 and token[:1].isupper())


def _number_at(lower: list[str], i: int) -> tuple[int, int] | None:
    """(how many tokens, value) of a number starting at token i: 72, 8%, "seventy two", "eight"."""
    word = lower[i]
    if word[0].isdigit():
        digits = word.rstrip("%").replace(",", "")
        return (1, int(float(digits))) if re.fullmatch(r"\d+(\.\d+)?", digits) else None
    if word in TENS:
        if i + 1 < len(lower) and lower[i + 1] in NUMBER_WORDS and 0 < NUMBER_WORDS[lower[i + 1]] < 10:
            return 2, TENS[word] + NUMBER_WORDS[lower[i + 1]]
        return 1, TENS[word]
    if word in NUMBER_WORDS and word != "one":
        return 1, NUMBER_WORDS[word]
    return None


def _say(value: int) -> str:
    """A number in words, as a lecture says it (0 to 99; larger ones in digits)."""
    if value < 20:
        return next(w for w, v in NUMBER_WORDS.items() if v == value)
    if value < 100:
        tens = next(w for w, v in TENS.items() if v == value - value % 10)
        return tens if value % 10 == 0 else f"{tens} {_say(value % 10)}"
    return str(value)


def _pool(lecture: Lecture) -> tuple[dict[str, _Seen], frozenset[str]]:
    """Every term of the lecture and its course by key, in the order first met; and the word pairs
    said more than once there (terms of their own)."""
    texts = [s.text for s in lecture.sentences]
    pairs = _pairs_said_twice([*texts, *lecture.course_sentences])
    pool: dict[str, _Seen] = {}
    for text, here in [(t, True) for t in texts] + [(t, False) for t in lecture.course_sentences]:
        firsts: dict[str, Term] = {}
        for term in _terms(text, pairs):
            firsts.setdefault(term.key, term)
        for term in firsts.values():
            pool.setdefault(term.key, _Seen(term)).in_lecture += here
    return pool, pairs


def _pairs_said_twice(texts) -> frozenset[str]:
    counts: dict[str, int] = {}
    for text in texts:
        lower = _words(text)
        for pair in dict.fromkeys(f"{a} {b}" for a, b in zip(lower, lower[1:])
                                  if a not in STOP and b not in STOP and len(a) >= 4 and len(b) >= 4):
            counts[pair] = counts.get(pair, 0) + 1
    return frozenset(p for p, n in counts.items() if n >= 2)


def _salience(term: Term, seen: _Seen | None, title: set[str]) -> float:
    """How much a term is what the lecture is about (higher is better)."""
    letters = len(term.key.replace(" ", ""))
    score = 1.0 + (letters >= 7) + 0.5 * (letters >= 10) + 1.0 * (" " in term.key)
    score += {"number": 1.5, "name": 1.0 if term.text.isupper() else 1.5}.get(term.kind, 0.0)
    if term.kind == "name" and term.text.isupper():
        score += 1.0
    if seen is not None:
        score += 0.5 * min(seen.in_lecture - 1, 2)
    if set(term.key.split()) & title:
        score -= 3.0
    if term.key.endswith(("ly", "ed", "ing")) or term.modifier:
        score -= 1.0
    return score


def _defined(text: str) -> tuple[str, Term] | None:
    """A sentence that defines a term: (the question that asks for it, the term), or None."""
    m = CALLED.match(text)
    if m and len(_words(m["term"])) <= 4:
        subject = m["subject"][0].lower() + m["subject"][1:]
        verb = "is" if m["verb"].lower() in ("is", "was") else "are"
        term = _phrase_term(m["term"].strip())
        return f"What {verb} {subject} called?", term
    m = DEFINES.match(text)
    if m and all(w not in STOP and len(w) >= 3 for w in _words(m["term"])) and len(_words(m["predicate"])) >= 3:
        predicate = m["predicate"].strip()
        return f"Which term means {predicate[0].lower() + predicate[1:]}?", _phrase_term(m["term"], initial=m.start("term") == 0)
    return None


def _phrase_term(phrase: str, initial: bool = False) -> Term:
    """A phrase as one term (`initial`: it opens the sentence, so its first capital says nothing)."""
    tokens = TOKEN.findall(phrase)
    named = any(t[:1].isupper() for t in tokens[int(initial):]) or any(t.isupper() and len(t) >= 2 for t in tokens)
    text = " ".join(tokens) if named else " ".join(tokens).lower()
    return Term(text, text.lower(), "name" if named else "term", None, False)


# -- distractors ----------------------------------------------------------------------------------

def _distractors(answer: Term, sentence: str, pool: dict[str, _Seen], want: int = 3) -> list[str]:
    """Up to `want` wrong choices of the answer's kind, none said in the answer's own sentence."""
    said = set(_words(sentence))
    mine = set(answer.key.split())
    if answer.kind == "number":
        return _numbers(answer, said, pool, want)
    kinds = ("name", "term") if answer.kind == "name" else ("term", "name")
    picked: list[tuple[tuple, str]] = []
    for key, seen in pool.items():
        term = seen.term
        if term.kind == "number" or key == answer.key or set(key.split()) & (mine | said):
            continue
        shape = (kinds.index(term.kind), seen.in_lecture == 0, abs(len(key.split()) - len(mine)),
                 key.endswith("s") != answer.key.endswith("s"))
        picked.append((shape + (-_salience(term, seen, set()), key), term.text))
    return [text for _, text in sorted(picked)[:want]]


def _numbers(answer: Term, said: set[str], pool: dict[str, _Seen], want: int) -> list[str]:
    """Other numbers the lecture or course says (not in the answer's sentence), written like the
    answer; nearby values if too few."""
    values = [s.term.value for s in pool.values() if s.term.kind == "number" and s.term.value != answer.value
              and not set(s.term.key.split()) & said]
    value = answer.value or 0
    values += [v for v in (value * 2, value + 1, value - 1, value // 2, value + 10) if v > 0]
    out: list[str] = []
    for v in dict.fromkeys(values):
        if not answer.digits and v >= 100:
            continue  # said in words: keep every choice in words
        text = str(v) if answer.digits else _say(v)
        if v != value and text not in out and not set(_words(text)) & said:
            out.append(text + ("%" if answer.text.endswith("%") and answer.digits else ""))
        if len(out) == want:
            break
    return out


def _blanked(text: str, term: Term) -> str:
    """The sentence with every saying of the term blanked, as a fill-in-the-blank prompt."""
    pattern = r"\b" + r"\s+".join(re.escape(w) for w in term.text.split()) + r"(?![\w])"
    return "Fill in the blank: " + re.sub(pattern, BLANK, text, flags=re.I)
