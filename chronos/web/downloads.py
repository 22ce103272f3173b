"""What every download sends: a Content-Disposition any title survives, and CSV cells a
spreadsheet will not run."""
from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from urllib.parse import quote

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP,
# "CSV Injection"); a leading apostrophe makes it text and is not shown.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# RFC 5987 attr-char: what may stand unescaped in filename*=.
ATTR_CHARS = "!#$&+-.^_`|~"


def disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment` (or `inline`) with an ASCII filename= and, when the name needs it, RFC 6266's
    filename*=UTF-8''…: a header value must be Latin-1, and a title outside it (名前, 🎓) raised
    UnicodeEncodeError in the server after the response had begun, so nothing was sent."""
    kind = "inline" if inline else "attachment"
    fallback = ascii_name(filename)
    if fallback == filename:
        return f'{kind}; filename="{fallback}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe=ATTR_CHARS)}"


def ascii_name(filename: str) -> str:
    """The name in printable ASCII without quotes or backslashes (é becomes e; 名 is dropped)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    simple = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    simple = " ".join("".join(c if c.isprintable() and c not in '"\\' else "_" for c in simple).split())
    ext = "".join(c for c in ext if c.isascii() and c.isalnum())
    return (simple or "download") + (f".{ext}" if ext else "")


def spreadsheet_safe(value: object) -> object:
    """A cell value a spreadsheet shows as text, never evaluates (numbers are left as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Rows as CSV text, one line at a time (for streaming), every cell made spreadsheet-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
