"""When two usernames are the same to a reader: case, Unicode forms and look-alike letters."""
from __future__ import annotations

import unicodedata

# Cyrillic and Greek letters that look like Latin ones (a subset of Unicode's confusables.txt,
# UTS #39), and the digits that pass for o and l. Applied after case-folding, so a capital and its
# small letter always agree; where the two look like different Latin letters (Greek Ν is N but ν
# is v) the small letter's look is kept, as usernames are mostly typed in small letters.
LOOK_ALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ӏ": "l",
    "ԛ": "q", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "0": "o", "1": "l",
})
# Names a student may not take: they read as the person running this Chronos (the owner's own
# name is reserved too, by join_with_invite). "Owner" is what an unclaimed install is called.
RESERVED = frozenset({"owner", "admin", "administrator", "chronos"})


def username_key(name: str) -> str:
    """The form two names share when a reader could not tell them apart: NFKC, case-folded,
    look-alikes mapped to Latin, without spaces or invisible characters."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    text = text.translate(LOOK_ALIKES)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")
