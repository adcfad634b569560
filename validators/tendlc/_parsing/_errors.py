from __future__ import annotations

from .._errors import TendlcError


class ParseError(TendlcError, ValueError):
    """The input could not be read safely; carries where (``path``, ``line``) when known."""

    def __init__(self, message: str, *, line: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


class DuplicateKey(ParseError):
    """An object of a JSON text names ``key`` twice (the parser keeps no positions: the
    explaining path finds the place with :func:`~tendlc.parsing.duplicate_key`)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the key {key[:60]!r} appears twice in one object")
        self.key = key
