"""The proxy as an ASGI application: one request in, forwarded to the upstream on a shared
keep-alive connection pool (aiohttp), the answer checked whole and passed on unchanged.

The proxy forwards to its configured upstream only: the request's Host header and any
absolute-form request target are ignored, so no request can be sent anywhere else.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..traffic import Exchange, Headers, Request, Response
from ._state import ProxyState

if TYPE_CHECKING:
    import aiohttp

__all__ = ["HOP_BY_HOP", "MAX_BODY", "ProxyApp"]

#: headers that belong to one connection, not to the exchange (RFC 9110 §7.6.1)
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
#: the largest body held to be checked (the contracts' own largest, a 100 MB upload, bounds it)
MAX_BODY = 100 * 1024 * 1024 + 64 * 1024
#: what is not passed on as it came: hop-by-hop headers, and those the proxy sets itself
_NOT_FORWARDED = frozenset({*(name.encode() for name in HOP_BY_HOP), b"host", b"content-length"})
#: aiohttp adds these unless told not to: the request goes on with the client's own
_NOT_ADDED = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


class _NoAnswer(Exception):
    """The upstream gave no whole answer: the status the client gets, and why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ProxyApp:
    """The proxy's ASGI application (``app.state.proxy`` is its :class:`ProxyState`).

    Bodies are held in memory to be checked, and only until they are: a request larger than
    ``max_body`` bytes is answered 413 and an upstream answer larger than that 502, each a
    failed entry of the run. An upstream that refuses the connection, resets it or closes it
    without answering is answered 502, one that does not answer within ``timeout`` seconds
    504; each is a failed entry too. A client that goes away is let go quietly.
    """

    def __init__(self, state: ProxyState, *, timeout: float = 60.0, max_body: int = MAX_BODY):
        self.proxy = state
        self.state = SimpleNamespace(proxy=state)
        self.timeout = timeout
        self.max_body = max_body
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await self._forward(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def aclose(self) -> None:
        """Close the upstream connections of the running event loop's pool."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        if session is not None:
            await session.close()

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _session(self) -> aiohttp.ClientSession:
        # one pool per event loop: the application may be served from several
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            import aiohttp

            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=512,
                    # below the 5 s most servers keep an idle connection open for
                    keepalive_timeout=4.0,
                    ttl_dns_cache=300,
                ),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=_NOT_ADDED,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
            self._sessions[loop] = session
        return session

    async def _forward(self, scope: Any, receive: Any, send: Any) -> None:
        method: str = scope["method"]
        path = _request_path(scope)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away before its request was whole: nothing to do
            piece = message.get("body", b"")
            if piece:
                size += len(piece)
                if size > self.max_body:
                    self.proxy.failed(method, path, "the request body is too large")
                    await _answer(send, 413, "request body too large for the proxy")
                    return
                chunks.append(piece)
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        query = scope.get("query_string", b"").decode("latin-1")
        url = self.proxy.target(path, query)
        headers = _forwarded(scope["headers"])
        request = Request(method, url, Headers(headers), body)
        started = time.perf_counter()
        try:
            status, reason, raw_headers, raw = await self._exchange(method, url, headers, body)
        except _NoAnswer as exc:
            where = self.proxy.run.context["upstream"]
            self.proxy.failed(method, path, f"the upstream {where} {exc.reason}", request=request)
            await _answer(send, exc.status, f"the upstream {where} {exc.reason}")
            return
        response = Response(
            status,
            Headers(
                (name.decode("latin-1"), value.decode("latin-1")) for name, value in raw_headers
            ),
            raw,
            reason,
        )
        elapsed = time.perf_counter() - started
        self.proxy.observe(Exchange(request, response.decoded(), live=True, elapsed=elapsed))
        passed = _passed(raw_headers, method, status, len(raw))
        await send({"type": "http.response.start", "status": status, "headers": passed})
        await send({"type": "http.response.body", "body": raw})

    async def _exchange(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str, tuple[tuple[bytes, bytes], ...], bytes]:
        """Send the request upstream; its answer whole, or :class:`_NoAnswer`."""
        import aiohttp
        from yarl import URL

        target = URL(url, encoded=True)
        # aiohttp sends an idempotent request once more when a kept-alive connection the
        # upstream had just closed fails under it (RFC 9112 §9.3.1); others are not repeated
        try:
            async with self._session().request(
                method, target, headers=headers, data=body or None, allow_redirects=False
            ) as answer:
                parts: list[bytes] = []
                received = 0
                async for piece in answer.content.iter_any():
                    received += len(piece)
                    if received > self.max_body:
                        answer.close()
                        raise _NoAnswer(502, f"sent an answer larger than {self.max_body:,} bytes")
                    parts.append(piece)
                raw = parts[0] if len(parts) == 1 else b"".join(parts)
                return answer.status, answer.reason or "", answer.raw_headers, raw
        except asyncio.TimeoutError:
            raise _NoAnswer(504, f"did not answer within {self.timeout:g} s") from None
        except aiohttp.ClientConnectorError as exc:
            raise _NoAnswer(502, f"could not be reached ({_why(exc)})") from None
        except aiohttp.ServerDisconnectedError:
            raise _NoAnswer(502, "closed the connection without answering") from None
        except aiohttp.ClientOSError as exc:
            raise _NoAnswer(502, f"broke the connection ({_why(exc)})") from None
        except aiohttp.ClientPayloadError as exc:
            raise _NoAnswer(502, f"sent an incomplete answer ({_why(exc)})") from None
        except aiohttp.ClientError as exc:
            raise _NoAnswer(502, f"sent no valid HTTP answer ({_why(exc)})") from None


def _request_path(scope: Any) -> str:
    """The request's path as sent (percent-encoding kept), without any scheme and host: an
    absolute-form target (``GET http://elsewhere/x``) is taken as its path alone."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else str(scope.get("path", "/"))
    if not path.startswith("/"):
        path = urlsplit(path).path or "/"
    return path


def _forwarded(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """The client's headers that go on upstream: all but the connection's own."""
    dropped = _NOT_FORWARDED
    for name, value in headers:
        if name == b"connection":  # and the headers it names as the connection's own
            dropped = dropped | {token.strip().lower() for token in value.split(b",")}
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in headers
        if name not in dropped
    ]


def _passed(
    headers: tuple[tuple[bytes, bytes], ...], method: str, status: int, length: int
) -> list[tuple[bytes, bytes]]:
    """The upstream's headers as the client gets them: each exactly once, as they came,
    but the connection's own; the length is the body's (transfer coding removed)."""
    dropped = _NOT_FORWARDED
    own_length: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"connection":
            dropped = dropped | {token.strip().lower() for token in value.split(b",")}
        elif lowered == b"content-length":
            own_length = [(b"content-length", value)]
    passed = [(name, value) for name, value in headers if name.lower() not in dropped]
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        # no body follows: the length, if any, is the upstream's to say
        return passed + (own_length if length == 0 and status not in (204, 304) else [])
    return [*passed, (b"content-length", str(length).encode())]


def _why(exc: BaseException) -> str:
    cause = getattr(exc, "os_error", None) or exc.__cause__ or exc
    return str(getattr(cause, "strerror", None) or cause) or type(cause).__name__


async def _answer(send: Any, status: int, text: str) -> None:
    """The proxy's own answer (an error of its own or of the upstream's), with a date."""
    body = (text + "\n").encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"date", formatdate(usegmt=True).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
