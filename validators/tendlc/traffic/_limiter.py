"""The stated rate limits as one model, for the server that enforces them (the sandbox) and
the client that keeps under them (conform).

A limit ``per_minute`` with bursts is two rules at once: no more than ``per_minute`` requests
in any 60 seconds (a sliding window), and no more than ``burst`` requests of one method class
(reads, writes) at once, the allowance refilling at ``per_minute`` a minute (a token bucket).
A ``time_scale`` above 1 runs the same limits on a faster clock (60: a minute lasts a second),
so that tests and a first try stay quick.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._catalog import Operation, RateLimit, rate_limits

__all__ = ["Limiter", "arrivals_within_limits"]

WINDOW = 60.0


@dataclass
class _State:
    arrivals: deque[float] = field(default_factory=deque)
    tokens: dict[str, float] = field(default_factory=dict)
    refilled: dict[str, float] = field(default_factory=dict)


class Limiter:
    """Admits requests under the stated limits; thread-safe.

    ``margin`` (0 to 1) keeps a client that much under the limits: a request that crosses a
    network arrives later than it left, never earlier, but two may arrive closer together.
    """

    def __init__(
        self,
        limits: Iterable[RateLimit] | None = None,
        *,
        time_scale: float = 1.0,
        margin: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.limits = tuple(rate_limits() if limits is None else limits)
        self.time_scale = time_scale
        self.margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._states: dict[tuple[str, str], _State] = {}
        #: no request before this moment of the clock (a Retry-After that is not over)
        self._not_before = 0.0

    @property
    def window(self) -> float:
        return WINDOW / self.time_scale

    def _capacity(self, limit: RateLimit, method: str) -> float:
        return max(limit.burst_of(method) * (1 - self.margin), 1.0)

    def _sustained(self, limit: RateLimit) -> float:
        return max(limit.per_minute * (1 - self.margin), 1.0)

    def _rate(self, limit: RateLimit) -> float:
        """Tokens a second."""
        return self._sustained(limit) / self.window

    def delay(self, operation: Operation, method: str | None = None, key: str = "") -> float:
        """Seconds until a request may be made (0: now); takes its place when 0."""
        method = (method or operation.method).upper()
        now = self._clock()
        with self._lock:
            waits = [self._not_before - now]
            applicable = [limit for limit in self.limits if limit.applies(operation)]
            for limit in applicable:
                state = self._states.setdefault((limit.name, key), _State())
                group = limit.group_of(method)
                self._refill(limit, state, group, method, now)
                while state.arrivals and state.arrivals[0] <= now - self.window:
                    state.arrivals.popleft()
                wait = 0.0
                if len(state.arrivals) >= self._sustained(limit):
                    wait = state.arrivals[0] + self.window - now
                if state.tokens[group] < 1.0:
                    wait = max(wait, (1.0 - state.tokens[group]) / self._rate(limit))
                waits.append(wait)
            if any(wait > 0 for wait in waits):
                return max(waits)
            for limit in applicable:
                state = self._states[(limit.name, key)]
                state.arrivals.append(now)
                state.tokens[limit.group_of(method)] -= 1.0
            return 0.0

    def _refill(self, limit: RateLimit, state: _State, group: str, method: str, now: float) -> None:
        capacity = self._capacity(limit, method)
        if group not in state.tokens:
            state.tokens[group] = capacity
            state.refilled[group] = now
            return
        elapsed = now - state.refilled[group]
        state.tokens[group] = min(capacity, state.tokens[group] + elapsed * self._rate(limit))
        state.refilled[group] = now

    def hold(self, seconds: float) -> None:
        """Make no request for ``seconds`` from now (what a 429's Retry-After asks)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def export(self, now: float) -> dict[str, Any]:
        """What the limiter knows, as JSON data with times on the wall clock (``now`` is the
        wall clock's time, ``time.time()``): the arrivals within a window and the allowance
        of each limit, and the moment no request may be made before."""
        with self._lock:
            offset = now - self._clock()
            limits = {
                f"{name}\t{key}": {
                    "arrivals": [at + offset for at in state.arrivals],
                    "tokens": dict(state.tokens),
                    "refilled": {g: at + offset for g, at in state.refilled.items()},
                }
                for (name, key), state in self._states.items()
            }
            return {
                "time_scale": self.time_scale,
                "not_before": self._not_before + offset,
                "limits": limits,
            }

    def restore(self, data: Mapping[str, Any], now: float) -> None:
        """Take up what :meth:`export` gave (``now``: the wall clock's time): a limiter of a
        later process goes on where the earlier one left off. Raises ValueError, TypeError
        or KeyError on data that is not an export's."""
        offset = self._clock() - now
        states = {}
        for joined, saved in dict(data["limits"]).items():
            name, _, key = str(joined).partition("\t")
            states[(name, key)] = _State(
                deque(float(at) + offset for at in saved["arrivals"]),
                {str(g): float(t) for g, t in dict(saved["tokens"]).items()},
                {str(g): float(at) + offset for g, at in dict(saved["refilled"]).items()},
            )
        not_before = float(data.get("not_before", 0.0)) + offset
        with self._lock:
            self._states.update(states)
            self._not_before = max(self._not_before, not_before)

    def wait(self, operation: Operation, method: str | None = None) -> float:
        """Block until the request may be made; returns the seconds waited."""
        waited = 0.0
        while (delay := self.delay(operation, method)) > 0:
            time.sleep(delay)
            waited += delay
        return waited


def arrivals_within_limits(
    arrivals: Iterable[tuple[float, str]],
    limit: RateLimit,
    *,
    time_scale: float = 1.0,
    tolerance: float = 0.0,
) -> list[str]:
    """Where a log of (arrival time, method) breaks a limit; empty when it never does.

    Checks both rules: at most ``per_minute`` arrivals in any window, and for each method
    class at most ``burst + rate * elapsed`` arrivals in any stretch of time.
    """
    window = WINDOW / time_scale
    rate = limit.per_minute / window
    times = sorted(arrivals)
    problems: list[str] = []
    start = 0
    for end in range(len(times)):
        while times[end][0] - times[start][0] >= window - tolerance:
            start += 1
        if end - start + 1 > limit.per_minute:
            problems.append(
                f"{end - start + 1} requests within {window:.3f} s at {times[end][0]:.3f}"
            )
    for group in ("read", "write"):
        mine = [t for t, method in times if limit.group_of(method) == group]
        if not mine:
            continue
        burst = limit.burst_of("GET" if group == "read" else "POST")
        for i in range(len(mine)):
            for j in range(i, len(mine)):
                allowed = burst + rate * (mine[j] - mine[i]) + tolerance * rate
                if j - i + 1 > allowed + 1e-9:
                    problems.append(
                        f"{j - i + 1} {group}s within {mine[j] - mine[i]:.3f} s (burst {burst})"
                    )
                    break
    return problems
