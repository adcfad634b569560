"""Seeing the traffic of code that was not written for it.

:class:`CheckingTransport` is the seam for a client you build: it wraps another httpx
transport (the network, a ``MockTransport``, an ASGI app) and hands every exchange to a sink.
:func:`capture` sees everything else: inside it, every exchange sent through an
``httpx.Client``, ``httpx.AsyncClient`` or ``requests.Session`` — whatever transport, mock
library (respx, pytest-httpx, responses) or cassette (vcrpy) answers it — reaches the sink.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from ._exchange import Exchange

__all__ = ["AsyncCheckingTransport", "CheckingTransport", "Sink", "capture"]

#: receives each exchange as soon as its response is complete
Sink = Callable[[Exchange], None]


def _httpx() -> Any:
    try:
        import httpx
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "checking httpx traffic needs httpx: pip install 'tendlc[traffic]'"
        ) from exc
    return httpx


class _Base:
    def __init__(self, transport: Any = None, *, sink: Sink) -> None:
        self.transport = transport
        self.sink = sink


def _exchange(request: Any, response: Any) -> Exchange:
    response.request = request
    return Exchange.from_httpx(response)


class CheckingTransport(_Base):
    """An httpx transport that passes every exchange through ``sink`` and answers with the
    wrapped transport's response (read in full, so that its body can be checked)::

        results = []
        sink = lambda e: results.append(check_exchange(e))
        client = httpx.Client(transport=CheckingTransport(sink=sink))
    """

    def __init__(self, transport: Any = None, *, sink: Sink) -> None:
        httpx = _httpx()
        super().__init__(transport if transport is not None else httpx.HTTPTransport(), sink=sink)

    def handle_request(self, request: Any) -> Any:
        response = self.transport.handle_request(request)
        response.read()
        self.sink(_exchange(request, response))
        return response

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> CheckingTransport:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class AsyncCheckingTransport(_Base):
    """The async twin of :class:`CheckingTransport`."""

    def __init__(self, transport: Any = None, *, sink: Sink) -> None:
        httpx = _httpx()
        super().__init__(
            transport if transport is not None else httpx.AsyncHTTPTransport(), sink=sink
        )

    async def handle_async_request(self, request: Any) -> Any:
        response = await self.transport.handle_async_request(request)
        await response.aread()
        self.sink(_exchange(request, response))
        return response

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> AsyncCheckingTransport:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()


# -- capture: patch the clients' send methods -------------------------------------------------

_LOCK = threading.Lock()
_SINKS: list[Sink] = []
_ORIGINALS: dict[tuple[Any, str], Any] = {}


def _deliver(exchange: Exchange) -> None:
    for sink in list(_SINKS):
        sink(exchange)


class _TeeStream:
    """A response stream that keeps what the caller reads and reports it when closed."""

    def __init__(self, inner: Any, done: Callable[[bytes], None]) -> None:
        self._inner = inner
        self._chunks: list[bytes] = []
        self._done: Callable[[bytes], None] | None = done

    def _finish(self) -> None:
        if self._done is not None:
            done, self._done = self._done, None
            done(b"".join(self._chunks))

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._chunks.append(chunk)
            yield chunk

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._finish()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._chunks.append(chunk)
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._finish()


def _report_httpx(response: Any, streamed: bool) -> None:
    for earlier in getattr(response, "history", ()) or ():
        _deliver(Exchange.from_httpx(earlier))
    if not streamed:
        _deliver(Exchange.from_httpx(response))
        return

    def done(body: bytes) -> None:
        _deliver(Exchange.from_httpx(response, body=body))

    response.stream = _TeeStream(response.stream, done)


def _patch_httpx() -> None:
    try:
        import httpx
    except ImportError:
        return
    sync_send = httpx.Client.send
    async_send = httpx.AsyncClient.send

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = sync_send(self, request, *args, **kwargs)
        _report_httpx(response, bool(kwargs.get("stream")))
        return response

    async def asend(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = await async_send(self, request, *args, **kwargs)
        _report_httpx(response, bool(kwargs.get("stream")))
        return response

    _ORIGINALS[(httpx.Client, "send")] = sync_send
    _ORIGINALS[(httpx.AsyncClient, "send")] = async_send
    httpx.Client.send = send  # type: ignore[method-assign]
    httpx.AsyncClient.send = asend  # type: ignore[method-assign]


def _patch_requests() -> None:
    try:
        import requests
    except ImportError:
        return
    original = requests.Session.send

    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        response = original(self, request, **kwargs)
        for earlier in response.history or ():
            _deliver(Exchange.from_requests(earlier))
        _deliver(Exchange.from_requests(response))  # reads a streamed body in full
        return response

    _ORIGINALS[(requests.Session, "send")] = original
    requests.Session.send = send  # type: ignore[method-assign]


def _unpatch() -> None:
    for (owner, name), original in _ORIGINALS.items():
        setattr(owner, name, original)
    _ORIGINALS.clear()


@contextlib.contextmanager
def capture(sink: Sink) -> Iterator[None]:
    """Pass every httpx and requests exchange made inside the block to ``sink``.

    Blocks may nest (each sink sees every exchange); the clients are restored when the
    outermost block ends.
    """
    with _LOCK:
        if not _SINKS:
            _patch_httpx()
            _patch_requests()
        _SINKS.append(sink)
    try:
        yield
    finally:
        with _LOCK:
            _SINKS.remove(sink)
            if not _SINKS:
                _unpatch()
