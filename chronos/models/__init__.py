"""The data: one module per aggregate. All SQL lives here; functions return dataclasses."""
