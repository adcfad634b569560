"""XML helpers of the engine comparisons: text an lxml element can hold, and an xmlschema
validation error as data two error lists can be compared by."""

from __future__ import annotations

from typing import Any

from lxml import etree


def xml_text(text: str) -> bool:
    """Whether lxml lets ``text`` be an element's text (no control characters, no lone
    surrogates): a filter for generated values."""
    try:
        etree.Element("x").text = text
    except ValueError:
        return False
    return True


def signature(error: Any) -> tuple[Any, ...]:
    """What an error says, as comparable data (its object by identity unless it is text)."""
    expected = getattr(error, "expected", None)
    return (
        type(error),
        error.validator,
        error.elem,
        error.obj if isinstance(error.obj, str) else id(error.obj),
        error.reason,
        error.path,
        getattr(error, "index", None),
        getattr(error, "invalid_tag", None),
        tuple(expected) if expected is not None else None,
    )
