"""How the benchmarks measure a rate: calls per second of a function, and the best of several
rounds taken in turns, so that a busy machine slows every side alike."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def rate(function: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``function`` over about ``seconds``."""
    calls = 1
    while True:
        started = time.perf_counter()
        for _ in range(calls):
            function()
        elapsed = time.perf_counter() - started
        if elapsed >= seconds or calls >= 1 << 22:
            return calls / elapsed
        calls = max(calls * 2, int(calls * seconds / max(elapsed, 1e-9) * 1.1))


def best_rates(
    functions: dict[str, Callable[[], Any]], rounds: int, seconds: float
) -> dict[str, float]:
    """Each function's best rate over ``rounds`` turns (the functions take turns), each called
    once first (contracts compiled, caches filled)."""
    best = dict.fromkeys(functions, 0.0)
    for function in functions.values():
        function()
    for _ in range(rounds):
        for name, function in functions.items():
            best[name] = max(best[name], rate(function, seconds))
    return best
