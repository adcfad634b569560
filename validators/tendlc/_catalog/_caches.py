"""What is derived from the provider records is forgotten when they are read again: each cache
of it is registered here, and :func:`forget_all` clears them together."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

_T = TypeVar("_T")
_CACHES: list[Callable[[], None]] = []


def per_catalog(function: Callable[..., _T]) -> Callable[..., _T]:
    """``functools.cache`` for what is derived from the catalog (a router, the sandbox's
    behaviour): forgotten with the catalog when :func:`reload_providers` reads it again."""
    cached = cache(function)
    _CACHES.append(cached.cache_clear)
    return cached


def forget_with_catalog(clear: Callable[[], None]) -> None:
    """Call ``clear`` when :func:`reload_providers` reads the records again: for a cache of
    what is derived from the catalog that :func:`per_catalog` does not make (a compiled
    contract that one thread builds while the others wait)."""
    _CACHES.append(clear)


def forget_all() -> None:
    """Clear every registered cache."""
    for clear in _CACHES:
        clear()
