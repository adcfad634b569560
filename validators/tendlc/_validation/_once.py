"""Compile once per reading of the catalog: a cache whose values are each computed by one
thread only, forgotten when the provider records are read again."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

from .._catalog import forget_with_catalog

P = ParamSpec("P")
R = TypeVar("R")


def once(function: Callable[P, R]) -> Callable[P, R]:
    """Like :func:`functools.cache`, but a value is computed once even when several threads
    ask for it at the same time (the others wait for it), so a contract is never compiled
    twice and never seen half-built. The values are forgotten with the catalog."""
    values: dict[Hashable, Any] = {}
    lock = threading.RLock()

    def forget() -> None:
        with lock:
            values.clear()

    # a contract compiled before reload_providers may have changed, or be another provider's
    forget_with_catalog(forget)

    @functools.wraps(function)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        key: Hashable = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        try:
            return values[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        with lock:
            if key not in values:
                values[key] = function(*args, **kwargs)
            return values[key]  # type: ignore[no-any-return]

    return cached
