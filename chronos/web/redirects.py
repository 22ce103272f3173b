"""Where a signed-in person may be sent next: a path on this Chronos, never another site."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_DECODES = 4  # "%25252F" is "/" after three rounds; more rounds than that is only an attack


def local_path(target: str | None, default: str) -> str:
    """target when it is a path on this site (one leading "/", no scheme, host, backslash or
    control character, however often it is percent-decoded), else default."""
    if not target:
        return default
    text = target
    for _ in range(MAX_DECODES + 1):
        if not _looks_local(text):
            return default
        decoded = unquote(text)
        if decoded == text:
            return target
        text = decoded
    return default  # still changing after MAX_DECODES rounds


def _looks_local(text: str) -> bool:
    # Browsers drop tabs and newlines inside a URL and read "\" as "/", so "/\t/evil" and
    # "/\\evil" both mean "//evil": another host. isprintable() is False for every control,
    # format and line/paragraph separator character (a plain space is printable).
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if not text.isprintable():
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc
