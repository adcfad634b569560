from __future__ import annotations

from .._errors import TendlcError


class ParseError(TendlcError, ValueError):
    """The input could not be read safely; carries where (``path``, ``line``) when known."""

    def __init__(self, message: str, *, line: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path
