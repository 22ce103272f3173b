"""The operations a user asks for (videos, courses, people): one function each, called by web and CLI.

Each operation takes what it needs (the Services of one data folder and the creator it acts for),
owns its transaction where several writes must land together, publishes its events, and raises
OperationError for failures the user caused.
"""
from __future__ import annotations


class OperationError(Exception):
    """A request that cannot be done as asked; the message says what to do, `status` is its HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
