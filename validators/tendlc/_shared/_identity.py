"""Values memoised by the identity of the one object they are worked out from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["identity_cached"]

_K = TypeVar("_K")
_V = TypeVar("_V")


def identity_cached(size: int) -> Callable[[Callable[[_K], _V]], Callable[[_K], _V]]:
    """Memoise a function of one object by the object's identity, for objects made once and
    handed in again and again (a body of the catalog, a plan of checks) whose hash would cost
    more than the lookup. Each object is kept with its value, so that its id is not reused
    while remembered; past ``size`` objects, all are forgotten."""

    def wrap(function: Callable[[_K], _V]) -> Callable[[_K], _V]:
        kept: dict[int, tuple[Any, _V]] = {}

        def cached(key: _K) -> _V:
            found = kept.get(id(key))
            if found is not None and found[0] is key:
                return found[1]
            value = function(key)
            if len(kept) >= size:
                kept.clear()
            kept[id(key)] = (key, value)
            return value

        return cached

    return wrap
