"""The bounds every payload is read within: its size, its depth, the digits of a number."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds applied to every payload before and while it is parsed."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 64
    max_number_digits: int = 100


DEFAULT_LIMITS = Limits()
