"""Streaming removal of the answer's last line, `FOLLOW_UPS: q1 | q2 | q3`, and parsing it."""
from __future__ import annotations

import re

MARKER = "FOLLOW_UPS:"
MAX_FOLLOW_UPS = 3
# Leading characters a model may put before the marker: blank lines, spaces, Markdown bold.
_LEAD = " \t\r\n*"
_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")


class FollowUpFilter:
    """Pass answer text through as it streams, holding back anything that may be the marker line.

    feed() returns the text that is safe to show now. Text from a line start is held until it
    either stops looking like `FOLLOW_UPS:` (then it is released) or matches it (then it and
    everything after it is kept back as the follow-up questions).
    """

    def __init__(self) -> None:
        self._held = ""  # undecided text, starting at a line start (with the newlines before it)
        self._at_line_start = True
        self._tail: str | None = None  # text after the marker, once it has been seen

    def feed(self, text: str) -> str:
        """Take the next piece of the answer; return what can be shown to the student now."""
        out: list[str] = []
        for ch in text:
            if self._tail is not None:
                self._tail += ch
            elif self._held or self._at_line_start or ch == "\n":
                self._held += ch
                self._at_line_start = False
                out.append(self._decide())
            else:
                out.append(ch)
        return "".join(out)

    def _decide(self) -> str:
        """Release the held text if it can't be the marker line; swallow it if it is."""
        candidate = self._held.lstrip(_LEAD).upper()
        if MARKER.startswith(candidate):
            return ""  # still undecided
        if candidate.startswith(MARKER):
            self._tail = self._held.lstrip(_LEAD)[len(MARKER):]
            self._held = ""
            return ""
        if self._held.endswith("\n"):  # the newline starts a line that may be the marker
            released, self._held = self._held[:-1], "\n"
        else:
            released, self._held = self._held, ""
        return released

    def finish(self) -> tuple[str, tuple[str, ...]]:
        """End of the answer: (text still to show, the follow-up questions)."""
        if self._tail is None:
            remaining, self._held = self._held, ""
            return remaining, ()
        return "", parse_follow_ups(self._tail)


def parse_follow_ups(text: str) -> tuple[str, ...]:
    """'** What is X? | Why Y?' -> ('What is X?', 'Why Y?'); also accepts one question a line."""
    questions = []
    for part in re.split(r"\||\n", text):
        question = _BULLET.sub("", part.strip(" \t\r*")).strip()
        if question:
            questions.append(question)
    return tuple(questions[:MAX_FOLLOW_UPS])
