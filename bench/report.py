"""What every benchmark shares: percentiles, and printing (and saving) its one JSON object."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def pct(values, q: float, digits: int = 1) -> float | None:
    """The q-th percentile (0-100, linear interpolation) rounded to digits; None without values."""
    return round(float(np.percentile(values, q)), digits) if len(values) else None


def emit(result: dict, path: Path | None = None, **dumps) -> None:
    """Print the result as indented JSON on stdout, and also write it to path when given."""
    text = json.dumps(result, indent=2, **dumps)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    print(text)
