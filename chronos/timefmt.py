"""Times and sizes written the way people read them (shared by the web, the CLI and answerers)."""
from __future__ import annotations


def clock(seconds: float | None) -> str:
    """83.4 -> '1:23'; 3723 -> '1:02:03'; None -> '–'."""
    if seconds is None:
        return "–"
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def human_bytes(n: float) -> str:
    """1536 -> '1.5 KB'."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n} TB"
