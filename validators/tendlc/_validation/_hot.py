"""The hot paths behind one call: a yes/no answer at compiled speed, "yes" only.

:func:`attempt` returns True only when the compiled engine for the body's wire format (see
:mod:`._hot_xml` and :mod:`._hot_json`) accepts the payload with nothing to report; a
:class:`Declined` sends it to the explaining path, which writes the issues. What each body
takes is looked up once, not on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._catalog import Body
from .._parsing import Limits
from . import _hot_json, _hot_xml
from ._hot_xml import DECLINED, Declined, Verdict

__all__ = ["DECLINED", "Declined", "Verdict", "attempt"]

#: a body's hot path: the JSON one answers True or False, the XML one a :data:`Verdict`
Check = Callable[[Any, Limits], bool | Verdict]
_CHECKS: dict[int, tuple[Body, Check | None]] = {}
_REMEMBERED = 4096  # bodies remembered; the catalog has a few hundred


def attempt(body: Body, payload: Any, limits: Limits) -> Verdict:
    """True only when the body's contract accepts ``payload`` with nothing to report; else a
    :class:`Declined`, carrying the tree of a plain XML document the hot path read whole
    before declining it (:data:`DECLINED`, the shared one, when there is none)."""
    entry = _CHECKS.get(id(body))
    if entry is None or entry[0] is not body:
        entry = _remember(body)
    check = entry[1]
    if check is None:
        return DECLINED
    verdict = check(payload, limits)
    return DECLINED if verdict is False else verdict


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
