"""Per-request choices a client makes with the ``Prefer`` header (RFC 7240), as a mock server
takes them: ``code=404`` answers a documented status with its documented body,
``example=NAME`` a named documented example, ``delay=2.5`` waits that many seconds first.
Preferences the sandbox does not know are ignored, as the RFC says; one it knows with a value
it cannot honour is refused (400)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._catalog import Operation

__all__ = ["MAX_DELAY", "PreferError", "Preferences", "check_example", "parse_prefer"]

#: the longest delay a request may ask for, in seconds
MAX_DELAY = 60.0


class PreferError(ValueError):
    """A preference the sandbox knows, with a value it cannot honour."""


@dataclass(frozen=True)
class Preferences:
    """What a request's ``Prefer`` headers ask for."""

    code: int | None = None
    example: str | None = None
    delay: float = 0.0

    @property
    def static(self) -> bool:
        """True when the answer is a documented body as documented (nothing is kept)."""
        return self.code is not None or self.example is not None

    def applied(self) -> str:
        """The ``Preference-Applied`` header's value."""
        parts = []
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.example is not None:
            parts.append(f'example="{self.example}"')
        if self.delay:
            parts.append(f"delay={self.delay:g}")
        return ", ".join(parts)


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        for preference in value.split(","):
            head = preference.split(";")[0].strip()
            name, _, text = head.partition("=")
            if name.strip():
                pairs.append((name.strip().lower(), text.strip().strip('"')))
    return pairs


def parse_prefer(values: list[str], operation: Operation) -> Preferences:
    """The preferences of a request to ``operation``; a :class:`PreferError` says which value
    cannot be honoured and what can (the documented statuses)."""
    code: int | None = None
    example: str | None = None
    delay = 0.0
    for name, text in _pairs(values):
        if name == "code":
            documented = ", ".join(str(status) for status in operation.statuses)
            if not text.isdigit() or int(text) not in operation.responses:
                raise PreferError(
                    f"Prefer: code={text} is not a documented status of {operation.id}; "
                    f"its documented statuses: {documented}"
                )
            code = int(text)
        elif name == "example":
            example = text
        elif name == "delay":
            try:
                delay = float(text)
            except ValueError:
                delay = math.nan
            if not (math.isfinite(delay) and 0 <= delay <= MAX_DELAY):
                raise PreferError(
                    f"Prefer: delay={text} is not a number of seconds from 0 to {MAX_DELAY:g}"
                )
    return Preferences(code, example, delay)


def check_example(operation: Operation, status: int, example: str, names: tuple[str, ...]) -> None:
    """Raise unless ``example`` is one of ``names``, the documented examples of ``status``."""
    if example not in names:
        known = ", ".join(names) if names else "none"
        raise PreferError(
            f"Prefer: example={example} is not a documented example of {operation.id} "
            f"{status} (its examples: {known})"
        )
