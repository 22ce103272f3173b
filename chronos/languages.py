"""The languages a lecture may be spoken in: their names, their small words, and text folded so that
words compare across accents ("Revolución" and "revolucion" are one word)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Whisper's codes for the languages Chronos names; Whisper base hears ~100 more, shown by code.
NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
         "pt": "Portuguese", "nl": "Dutch"}
# The name a speaker of the language gives it (the video page's choices).
NATIVE = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch", "it": "Italiano",
          "pt": "Português", "nl": "Nederlands"}
# The languages' names in Spanish, French and German (an answer to a question in one of them).
NAMES_IN = {
    "es": {"en": "inglés", "es": "español", "fr": "francés", "de": "alemán", "it": "italiano",
           "pt": "portugués", "nl": "neerlandés"},
    "fr": {"en": "anglais", "es": "espagnol", "fr": "français", "de": "allemand", "it": "italien",
           "pt": "portugais", "nl": "néerlandais"},
    "de": {"en": "Englisch", "es": "Spanisch", "fr": "Französisch", "de": "Deutsch", "it": "Italienisch",
           "pt": "Portugiesisch", "nl": "Niederländisch"},
}
# Codes a creator may fix a video's language to (Whisper base transcribes all of them).
CHOICES = tuple(NAMES)

# The words a question is made of in each language that say nothing of its subject (folded:
# no accents). English's are in chronos.rag.moments, with the question-type words.
STOPWORDS = {
    "es": """a al algo como con cual cuales cuando cuanto cuantos de del donde el ella ellos en era
        es esa ese eso esta este esto fue ha hay la las le lo los mas me mi muy no nos o para pero
        por porque que quien se segun ser si sin sobre son su sus te tiene un una uno unos y ya yo
        explica explicame dice dijo significa puedes aqui quiere decir pasa ahora""",
    "fr": """a au aux avec ce ces comment dans de des du elle en est et il ils je la le les leur
        lui ma mais me mes moi mon ne nous on ou par pas pour qu que quel quelle quels qui quoi sa
        se ses son sont sur ta te tes toi ton tu un une vous y c d j l m n s t explique dit
        signifie pourquoi quand combien est ce ca cela ceci ici veut dire voila passe maintenant""",
    "de": """ab aber als am an auf aus bei bin bis das dass dem den der des die doch du ein eine
        einem einen einer er es fur hat hatte ich ihr im in ist ja kann man mit nach nicht noch
        nur ob oder sein sich sie sind so um und uns von vor war was welche welcher welches wenn
        wer wie wir wo zu zum zur erklar erklare sagt bedeutet warum wann wieviel wieviele dies
        hier meint heisst passiert jetzt""",
}
STOPWORDS = {lang: frozenset(words.split()) for lang, words in STOPWORDS.items()}
# Words frequent in English questions, to tell an English question from the others.
_ENGLISH_MARKERS = frozenset("""the what which who why how when where is are was were does do did
    of and to in that this it for with about you can""".split())
_WORD = re.compile(r"[a-z0-9]+")


def name(code: str | None, in_language: str = "en") -> str:
    """A language's name in English ("es" -> "Spanish") or in Spanish, French or German
    (name("es", "de") -> "Spanisch"); an unknown code as itself."""
    if not code:
        return "an unknown language"
    return NAMES_IN.get(in_language, NAMES).get(code, code)


@lru_cache(maxsize=1 << 14)
def fold(text: str) -> str:
    """Lower case without accents: "¿Cuándo empezó?" -> "¿cuando empezo?", "Straße" -> "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits)."""
    return _WORD.findall(fold(text).replace("'s", ""))


def small_words(question: str) -> frozenset[str]:
    """The small words of the language a question is in (none for English: the callers have
    their own, and "war" or "die" are subjects in English)."""
    return STOPWORDS.get(guess(question) or "en", frozenset())


def guess(text: str) -> str | None:
    """The language a short text (a question) is most likely in, by its small words: "en", "es",
    "fr" or "de"; None when nothing tells."""
    found = words(text)
    counts = {"en": sum(w in _ENGLISH_MARKERS for w in found)}
    for lang, small in STOPWORDS.items():
        counts[lang] = sum(w in small for w in found)
    best = max(counts, key=lambda lang: counts[lang])
    if counts[best] == 0:
        return None
    tied = [lang for lang, n in counts.items() if n == counts[best]]
    if len(tied) > 1:
        # "¿" and "¡" are Spanish; ß and umlauts German; French elisions (l', qu', d').
        raw = text.casefold()
        if "¿" in raw or "¡" in raw or "ñ" in raw:
            return "es"
        if any(ch in raw for ch in "äöüß"):
            return "de"
        if re.search(r"\b(?:l|d|qu|j|c)'", raw):
            return "fr"
        return "en" if "en" in tied else tied[0]
    return best
