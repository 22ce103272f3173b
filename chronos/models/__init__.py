"""The data: one module per aggregate. All SQL lives here; functions return dataclasses."""
from datetime import datetime, timezone


def utcnow() -> str:
    """The current time as the ISO-8601 UTC text every table stores."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
