"""Copies of documents: JSON data copied by its own shape, anything else by ``deepcopy``."""

from __future__ import annotations

import copy
from typing import TypeVar

__all__ = ["copied"]

_T = TypeVar("_T")
_ATOMS = (str, int, float, bool, type(None))


def copied(value: _T) -> _T:
    """A deep copy of ``value``. JSON data (dicts, lists, strings, numbers, booleans, None) is
    copied by walking it, several times faster than :func:`copy.deepcopy`, which copies
    anything else (an lxml element, say)."""
    kind = type(value)
    if kind is dict:
        return {key: copied(item) for key, item in value.items()}  # type: ignore[attr-defined, return-value]
    if kind is list:
        return [copied(item) for item in value]  # type: ignore[attr-defined, return-value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)
