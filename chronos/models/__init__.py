"""The data: one module per aggregate. All SQL lives here; functions return dataclasses."""
# The one timestamp helper lives in chronos.timefmt; this name stays for the model modules that
# still import it from here (videos, courses, people, analytics), so they need not change at once.
from chronos.timefmt import iso_utc as utcnow

__all__ = ["utcnow"]
