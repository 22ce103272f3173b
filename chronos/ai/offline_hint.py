"""The offline answerer's hint mode: the moments to rewatch, what to listen for, a guiding question.

A hint never quotes the sentence that answers. What it names is taken from the student's own
question: of the question's words, those the answering sentence also says (so the student knows
what to listen for), never the sentence's other words, which are the answer.
"""
from __future__ import annotations

import re

OPENING = "A hint rather than the answer, so you can find it in the lecture yourself:"
MAX_TERMS = 3
# Words a question is built from that name nothing to listen for.
_ASKING = frozenset("""a an and are as at be been but by can could did do does for from had has have
how i if in into is it its me my of on or so than that the their them then there these they this those
to was we were what whats when where which who whom whose why will with would you your about also
just very much many more most some any all not no one way like get got make made really exactly
explain tell say said says saying mean means meant called call lecture lectures video videos talk
talks talking mention mentioned happen happens happened please again part bit moment thing things
understand know want need here now""".split())
_AUXILIARIES = frozenset("is are was were do does did can could should would will has have had".split())
_WORD = re.compile(r"[^\W\d_][\w'-]*|\d+", re.UNICODE)


def _stem(word: str) -> str:
    """A word as compared: lower case, crudely stemmed (plurals, -ing, -ed, -ly)."""
    word = word.lower().removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[:-len(suffix)]
    return word


def asked_terms(question: str) -> list[str]:
    """The question's words that name something, as the student wrote them, each once, in order."""
    seen, terms = set(), []
    for word in _WORD.findall(question):
        stem = _stem(word)
        if word.lower() in _ASKING or len(stem) < 3 or stem in seen:
            continue
        seen.add(stem)
        terms.append(word)
    return terms


def listen_for(asked: list[str], sentence: str) -> list[str]:
    """Of the question's terms, those the sentence says too (at most MAX_TERMS): what to listen for."""
    said = {_stem(w) for w in _WORD.findall(sentence)}
    return [t for t in asked if _stem(t) in said][:MAX_TERMS]


def _listing(terms: list[str], mark: str = "**{}**") -> str:
    """Terms as a phrase: "**a**, **b** and **c**" (each written with `mark`)."""
    shown = [mark.format(t) for t in terms]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def rewatch(title: str, at: str, heard: list[str], asked: list[str], *, first: bool) -> str:
    """One moment to rewatch, as a list item: where, and what to listen for there."""
    where = f"- **Rewatch {at}** in *{title}*"
    if heard:
        return f"{where}: listen for what is said about {_listing(heard)}."
    if first and asked:
        return f"{where}: listen for the part that answers your question about {_listing(asked[:MAX_TERMS])}."
    return f"{where}: listen for the main idea there." if first else f"{where}."


def guiding_question(question: str, asked: list[str], heard: list[str]) -> str:
    """A question that leads towards the answer, built from the student's question alone."""
    words = [w.lower() for w in _WORD.findall(question)]
    opener, after = (words + ["", ""])[:2]
    if {"called", "name", "named", "term"} & set(words):
        ask = "what name does the lecture give it there, and what does that name mean?"
    elif opener == "how" and after in ("many", "much", "long", "often", "far", "old"):
        ask = "which number does the lecture give there, and what does it count?"
    elif opener in ("which", "what") and after and after not in _AUXILIARIES and after not in _ASKING:
        ask = f"which {after} does the lecture name there?"
    else:
        ask = {"why": "what reason or cause does the lecture give there?",
               "how": "what happens first there, and what follows from it?",
               "when": "what does the lecture say comes just before or after it?",
               "where": "which place does the lecture name there?",
               "who": "whom does the lecture name there?"}.get(opener)
    subject = (heard or asked)[:MAX_TERMS]
    if ask is None and subject:
        them = "it" if len(subject) == 1 else "them"
        ask = (f"when you hear {_listing(subject, '“{}”')} there, what is said about {them}, and how would"
               " you put that in your own words?")
    return f"**Ask yourself:** {ask or 'what is the one idea of that moment, and could you say it in your own words?'}"
