"""How the proxy is served: uvicorn with httptools, the upstream's headers passed once (no
``date`` or ``server`` of its own), and clients that are timed out when they are slow.

uvicorn's ``timeout_keep_alive`` closes a connection left idle after an answer; it has no
bound on the time a client takes to send a request, so a client that sends a request slowly
(or opens a connection and sends nothing) would hold its connection, and a task, for ever.
:func:`server_options` adds both bounds with a small subclass of uvicorn's httptools
protocol: a new connection gets the idle bound too, and a request that has begun must
arrive whole (head and body) within the read bound, or it is answered 408 and closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["IDLE_TIMEOUT", "READ_TIMEOUT", "server_options"]

#: seconds a client has to send a whole request once it has begun
READ_TIMEOUT = 30.0
#: seconds a connection may wait for its next request (uvicorn's keep-alive timeout)
IDLE_TIMEOUT = 5.0

_TIMED_OUT_BODY = b"the request did not arrive whole in time\n"
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: " + str(len(_TIMED_OUT_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _TIMED_OUT_BODY
)


def server_options(
    *, read_timeout: float = READ_TIMEOUT, idle_timeout: float = IDLE_TIMEOUT
) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.Config`` that the proxy is served with."""
    if read_timeout <= 0 or idle_timeout <= 0:
        from .._errors import InvalidArgument

        raise InvalidArgument("the read and idle timeouts must be positive numbers of seconds")
    return {
        "http": _timed_protocol(read_timeout),
        "timeout_keep_alive": idle_timeout,
        # the answers are the upstream's, with its own date and server headers
        "server_header": False,
        "date_header": False,
        # the proxy's upstream connections are closed at shutdown
        "lifespan": "on",
        "access_log": False,
    }


def _timed_protocol(read_timeout: float) -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class TimedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol with a read bound per request and an idle bound on
        a connection that has not sent anything yet."""

        _read_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # uvicorn arms its keep-alive bound only after an answer; the first request
            # gets the same (any byte received disarms it, as after an answer)
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._disarm()
            self._read_timer = self.loop.call_later(read_timeout, self._read_timed_out)

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _disarm(self) -> None:
            if self._read_timer is not None:
                self._read_timer.cancel()
                self._read_timer = None

        def _read_timed_out(self) -> None:
            self._read_timer = None
            if self.transport.is_closing():
                return
            cycle = self.cycle
            if cycle is None or cycle.response_complete or not cycle.response_started:
                self.transport.write(_TIMED_OUT)
            self.transport.close()

    return TimedHttpToolsProtocol
