"""What the sandbox saw: one entry per request (``GET /_sandbox/requests``, and the arrivals
the limits check reads), and one access log line per request on the ``tendlc.sandbox.access``
logger (the command line prints it on stderr; nothing shows where no handler listens)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from .._validation import Issue

__all__ = ["ACCESS_LOG", "Arrival", "RequestLog", "access_log"]

#: the logger of the access log lines
ACCESS_LOG = logging.getLogger("tendlc.sandbox.access")
#: how many requests the log keeps (the oldest go first): a long run keeps its memory
DEFAULT_SIZE = 10_000


@dataclass(frozen=True)
class Arrival:
    """One request as the sandbox saw it: when (``at``: the monotonic clock the limits
    check reads; ``time``: the wall clock), what it was, the answer's status, how long the
    answer took, and the issues that refused it."""

    at: float
    method: str
    path: str
    operation: str | None
    status: int
    time: float = 0.0
    duration: float = 0.0
    issues: tuple[Issue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The request log's form of this entry."""
        return {
            "method": self.method,
            "path": self.path,
            "operation": self.operation,
            "status": self.status,
            "time": _iso(self.time),
            "duration": round(self.duration, 6),
            "issues": [issue.to_dict() for issue in self.issues],
        }

    def line(self) -> str:
        """The access log line: method, path, status, duration, operation."""
        return (
            f"{self.method} {self.path} {self.status} {self.duration * 1000:.1f}ms "
            f"{self.operation or '-'}"
        )


def _iso(moment: float) -> str:
    millis = int(moment * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{millis:03d}Z"


class RequestLog:
    """The last ``size`` requests, thread-safe."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._entries: deque[Arrival] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, arrival: Arrival) -> None:
        with self._lock:
            self._entries.append(arrival)
        if ACCESS_LOG.isEnabledFor(logging.INFO):
            ACCESS_LOG.info("%s", arrival.line())

    def entries(self) -> list[Arrival]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@contextlib.contextmanager
def access_log(stream: TextIO | None) -> Iterator[None]:
    """Write the access log lines to ``stream`` while the block runs (None: nowhere)."""
    if stream is None:
        yield
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    previous = ACCESS_LOG.level
    ACCESS_LOG.addHandler(handler)
    ACCESS_LOG.setLevel(logging.INFO)
    try:
        yield
    finally:
        ACCESS_LOG.removeHandler(handler)
        ACCESS_LOG.setLevel(previous)
