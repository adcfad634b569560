"""The hot paths behind one call: a yes/no answer at compiled speed, "yes" only.

:func:`accepts` returns True only when the compiled engine for the body's wire format (see
:mod:`._hot_xml` and :mod:`._hot_json`) accepts the payload with nothing to report; False
sends it to the explaining path, which writes the issues. What each body takes is looked up
once, not on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._catalog import Body
from .._parsing import Limits
from . import _hot_json, _hot_xml

Check = Callable[[Any, Limits], _hot_xml.Verdict]
_CHECKS: dict[int, tuple[Body, Check | None]] = {}
_REMEMBERED = 4096  # bodies remembered; the catalog has a few hundred


def attempt(body: Body, payload: Any, limits: Limits) -> _hot_xml.Verdict:
    """True only when the body's contract accepts ``payload`` with nothing to report; else
    False, or the tree of a plain XML document the hot path read whole before declining it
    (compare with ``is True``: an element's truth value is its number of children)."""
    entry = _CHECKS.get(id(body))
    if entry is None or entry[0] is not body:
        entry = _remember(body)
    check = entry[1]
    return check is not None and check(payload, limits)


def _remember(body: Body) -> tuple[Body, Check | None]:
    if len(_CHECKS) >= _REMEMBERED:
        _CHECKS.clear()
    check: Check | None = None
    if not (body.empty or body.binary):
        if body.is_xml:
            from ._xml import has_time_rules  # xmlschema: loaded with the first XML body

            # an XML rule relative to the clock (t:time) is checked by the explaining path
            check = None if has_time_rules(body) else _hot_xml.checker(body)
        else:
            check = _hot_json.checker(body)
    entry = _CHECKS[id(body)] = (body, check)
    return entry
