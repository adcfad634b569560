"""XML helpers of the engine comparisons: text an lxml element can hold, and an xmlschema
validation error as data two error lists can be compared by."""

from __future__ import annotations

from typing import Any

from lxml import etree

from tendlc._catalog import Body
from tendlc._parsing import DEFAULT_LIMITS
from tendlc._validation import _hot_xml


def xml_text(text: str) -> bool:
    """Whether lxml lets ``text`` be an element's text (no control characters, no lone
    surrogates): a filter for generated values."""
    try:
        etree.Element("x").text = text
    except ValueError:
        return False
    return True


def signature(error: Any) -> tuple[Any, ...]:
    """What an error says, as comparable data (its object by identity when it is an element,
    by value otherwise: a decoded number is a new object on each run)."""
    expected = getattr(error, "expected", None)
    return (
        type(error),
        error.validator,
        error.elem,
        id(error.obj) if hasattr(error.obj, "tag") else error.obj,
        error.reason,
        error.path,
        getattr(error, "index", None),
        getattr(error, "invalid_tag", None),
        tuple(expected) if expected is not None else None,
    )


_CHECKERS: dict[int, tuple[Any, Any]] = {}


def hot_verdict(plan: Any, payload: bytes) -> bool:
    """Whether the XML hot path accepts ``payload`` under a compiled synthetic contract
    (``plan``, from ``compile_contract``); one checker per plan."""
    if id(plan) not in _CHECKERS:
        body = Body(media_types=("application/xml",), contract="synthetic", locator=plan.root)
        _CHECKERS[id(plan)] = (plan, _hot_xml.checker(body, plan))
    return bool(_CHECKERS[id(plan)][1](payload, DEFAULT_LIMITS) is True)
