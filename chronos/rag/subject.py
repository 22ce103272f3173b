"""What a question asks about, without the words that only frame it.

Students wrap a subject in words about the lecture itself: "What did the lecture say about the
principal?", "Where in the video is the Calvin cycle explained?", "I didn't get ATP, help?".
Embedded whole, such a question is mostly its frame; the passage about the principal then fell
under the relevance floor and the student got no citation (bench/load.py's class: 8 of its 200
questions; bench/README.md, "Question frames"). Retrieval searches for the subject, asked plainly
("What is the principal?": the bare words "the principal" were still refused, being as much about
a school as about money); the answerer still gets the question as it was asked.
"""
from __future__ import annotations

import re

from chronos.rag.moments import is_vague

_WHO = (r"(?:the |this |that |our |my )?(?:lecture|video|lesson|class|course|teacher|professor|instructor|"
        r"speaker|presenter|tutor|he|she|they|you)")
_SAY = r"(?:say|said|mean|meant|mention|mentioned|talk|talked|explain|explained|tell us|teach|taught)"
_SHOWN = r"(?:explained|covered|discussed|mentioned|talked about|introduced|defined|shown)"
_HELP = (r"(?:explain|go over|go through|describe|clarify|summari[sz]e|recap|repeat|tell me about|"
         r"talk about)")
# Frames around the subject, tried in order; each keeps the subject in its group "s".
_FRAMES = [re.compile(p, re.IGNORECASE) for p in (
    rf"^(?:so |ok |okay )?what (?:did|does|do|was|is) {_WHO} {_SAY}(?: about| on| regarding| of| by)? (?P<s>.+)$",
    r"^(?:so |ok |okay )?what (?:was|is) (?:that|the|this) (?:part|bit|section|thing|stuff) (?:about|on|with) "
    r"(?P<s>.+)$",
    rf"^where (?:in|on) (?:the |this )?(?:video|lecture|lesson|course) (?:is|are|was|were|does|do|did) "
    rf"(?P<s>.+?)(?: {_SHOWN}| come up| start)?$",
    rf"^(?:where|when) (?:is|are|was|were|does|do|did) (?P<s>.+?) {_SHOWN}"
    r"(?: in (?:the |this )?(?:video|lecture|lesson))?$",
    rf"^(?:can|could|would|will) (?:you|u|someone) (?:please )?{_HELP} (?P<s>.+)$",
    rf"^(?:please )?{_HELP} (?P<s>.+)$",
    r"^(?:please )?(?:give|show) me (?:a |an |the )?(?:quick |short |brief )?"
    r"(?:summary|recap|overview|explanation|rundown) (?:of|on|about) (?P<s>.+)$",
    r"^i (?:didn'?t|did not|don'?t|do not|still don'?t|can'?t|cannot) (?:get|understand|follow|see|really get) "
    r"(?P<s>.+)$",
    r"^i(?:'m| am) (?:confused|lost|stuck) (?:about|on|with|by) (?P<s>.+)$",
)]
# A subject that is itself a question ("where the oxygen comes from") is asked as it is.
_WH = re.compile(r"^(?:what|where|when|why|how|who|which|whose)\b", re.IGNORECASE)
# Words after the subject that only ask for help.
_TAIL = re.compile(r"(?:[,.!?\s]+(?:again|once more|one more time|please|pls|help|anyone|for me|in the video|"
                   r"in the lecture|in this video|in this lecture|in simple terms|simply|more simply))+[?.!\s]*$",
                   re.IGNORECASE)


def search_question(question: str) -> str:
    """The question to search for: its subject asked plainly when an English frame wraps it, else
    the question unchanged (also when what the frame leaves names nothing, as in "Can you explain
    this again?"). The frames are English phrases: a question in another language passes as it is."""
    found = subject(question)
    if found == question:
        return question
    return f"{found[0].upper()}{found[1:]}?" if _WH.match(found) else f"What is {found}?"


def subject(question: str) -> str:
    """The question's subject when an English frame wraps it, else the question unchanged."""
    bare = " ".join(question.split()).rstrip("?.! ")
    for frame in _FRAMES:
        match = frame.match(bare)
        if match:
            found = _TAIL.sub("", match.group("s")).strip(" ,.!?")
            return question if not found or is_vague(found) else found
    return question
