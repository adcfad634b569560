"""Rules relative to the moment of checking ("must be in the future"), with an injectable clock.

``validate(..., now=...)`` sets the moment for one call; by default it is the current time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from typing import Any

from .._errors import InvalidArgument
from .._shared import TimeRule, json_time_rule

__all__ = ["TimeKeyword", "clock", "clock_is_set", "current_time", "lies_as_stated"]

_NOW: ContextVar[datetime | None] = ContextVar("tendlc_now", default=None)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def current_time() -> datetime:
    """The moment rules are checked against (timezone-aware, UTC by default)."""
    return _NOW.get() or datetime.now(timezone.utc)


def clock_is_set() -> bool:
    """Whether a :func:`clock` block with a given moment is in force."""
    return _NOW.get() is not None


@contextmanager
def clock(now: datetime | None) -> Iterator[None]:
    """Check time rules against ``now`` inside the block (None: the current time)."""
    if now is not None and now.tzinfo is None:
        raise InvalidArgument("now must be timezone-aware (e.g. datetime.now(timezone.utc))")
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


def _moment(text: str) -> datetime | date | None:
    text = text.strip()
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def lies_as_stated(rule: TimeRule, text: str, now: datetime | None = None) -> bool | None:
    """Whether ``text`` (a date or date-time) lies where the rule says; None when it is not a
    date at all (the type or format rule reports that)."""
    moment = _moment(text)
    if moment is None:
        return None
    reference = now or current_time()
    if isinstance(moment, datetime):
        return moment > reference if rule.direction == "future" else moment < reference
    today = reference.astimezone(timezone.utc).date()
    return moment > today if rule.direction == "future" else moment < today


class TimeKeyword:
    """The ``x-time`` keyword, as a jsonschema-rs custom keyword."""

    def __init__(self, parent_schema: Mapping[str, Any], value: Any, schema_path: Any) -> None:
        rule = json_time_rule(parent_schema)
        assert rule is not None
        self.rule = rule

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and lies_as_stated(self.rule, instance) is False:
            raise ValueError(self.rule.message)
