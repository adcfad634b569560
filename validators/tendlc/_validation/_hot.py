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
from .._shared import identity_cached
from . import _hot_json, _hot_xml
from ._hot_xml import DECLINED, Declined, Verdict

__all__ = ["DECLINED", "Declined", "Verdict", "attempt"]

#: a body's hot path: the JSON one answers True or False, the XML one a :data:`Verdict`
Check = Callable[[Any, Limits], bool | Verdict]


def attempt(body: Body, payload: Any, limits: Limits) -> Verdict:
    """True only when the body's contract accepts ``payload`` with nothing to report; else a
    :class:`Declined`, carrying the tree of a plain XML document the hot path read whole
    before declining it (:data:`DECLINED`, the shared one, when there is none)."""
    check = _check_of(body)
    if check is None:
        return DECLINED
    verdict = check(payload, limits)
    return DECLINED if verdict is False else verdict


@identity_cached(4096)  # bodies remembered; the catalog has a few hundred
def _check_of(body: Body) -> Check | None:
    if body.empty or body.binary:
        return None
    if body.is_xml:
        # an XML rule relative to the clock (t:time) is checked by the explaining path
        timed = _hot_xml.time_rules(body.contract, body.locator)
        return None if timed else _hot_xml.checker(body)
    return _hot_json.checker(body)
