"""A validating reverse proxy: point an application at it, and every exchange that passes
through is checked against the contracts (and recorded, scrubbed, when asked), while the
application gets the upstream's answers unchanged, byte for byte.

The proxy forwards to its configured upstream only: the request's Host header and any
absolute-form request target are ignored, so no request can be sent anywhere else.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..traffic import (
    Exchange,
    ExchangeResult,
    Headers,
    Placeholders,
    Request,
    Response,
    Run,
    RunEntry,
    SecretRules,
    check_exchange,
    mask_url,
    scrub,
)

__all__ = ["HOP_BY_HOP", "ProxyState", "create_proxy_app"]

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
MAX_BODY = 100 * 1024 * 1024 + 64 * 1024


class ProxyState:
    """What a proxy session has seen (its run), and where it records."""

    def __init__(
        self,
        upstream: str,
        *,
        record: Path | None = None,
        on_result: Callable[[ExchangeResult], None] | None = None,
        placeholders: Placeholders | None = None,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            from .._errors import InvalidArgument

            raise InvalidArgument(f"the upstream must be an http(s) URL, not {upstream!r}")
        self.upstream = upstream.rstrip("/")
        self.record = record
        self.on_result = on_result
        self.placeholders = placeholders or Placeholders.from_environment()
        #: the environment's credentials: masked in the run's reports and in recordings
        self.rules = SecretRules.from_environment()
        self.run = Run(
            kind="proxy",
            context={"upstream": mask_url(self.upstream, self.rules)},
            rules=self.rules,
        )
        self._lock = threading.Lock()
        self._count = 0

    def target(self, path: str, query: str) -> str:
        """The upstream URL of a request path: always under the configured upstream."""
        base = urlsplit(self.upstream)
        prefix = base.path.rstrip("/")
        return f"{base.scheme}://{base.netloc}{prefix}{path}" + (f"?{query}" if query else "")

    def observe(self, exchange: Exchange) -> ExchangeResult:
        result = check_exchange(exchange)
        with self._lock:
            self._count += 1
            request = exchange.request
            self.run.add(f"{request.method} {urlsplit(request.url).path}", result)
            if self.record is not None:
                self._write(result, self._count)
        if self.on_result is not None:
            self.on_result(result)
        return result

    def failed(self, method: str, path: str, note: str) -> None:
        """An exchange the proxy could not check (and did not pass on whole): a failed entry."""
        with self._lock:
            self._count += 1
            self.run.extend([RunEntry(f"{method} {path}", None, "failed", note)])

    def _write(self, result: ExchangeResult, count: int) -> None:
        from ..cassettes import write_cassette

        scrubbed = scrub(result.exchange, self.rules, self.placeholders, result.path_parameters)
        name = re.sub(r"[^A-Za-z0-9]+", "-", result.operation or "unmatched").strip("-")
        assert self.record is not None
        write_cassette(self.record / f"{count:04d}-{name}.yaml", [scrubbed])


def create_proxy_app(state: ProxyState, *, timeout: float = 60.0, max_body: int = MAX_BODY) -> Any:
    """The proxy as an ASGI application (``app.state.proxy`` is its :class:`ProxyState`).

    Bodies are held in memory to be checked: a request larger than ``max_body`` bytes is
    answered 413 and an upstream answer larger than that 502, each a failed entry of the run.
    """
    from .._errors import require

    require(["httpx", "starlette", "uvicorn"], "sandbox", "the tendlc proxy")
    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import Response as StarletteResponse
    from starlette.routing import Route

    client: dict[str, httpx.AsyncClient] = {}

    def http() -> httpx.AsyncClient:
        # one client per event loop: the proxy may be served from several
        loop_id = str(id(asyncio.get_running_loop()))
        if loop_id not in client:
            client[loop_id] = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        return client[loop_id]

    async def forward(request: StarletteRequest) -> StarletteResponse:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                state.failed(request.method, request.url.path, "the request body is too large")
                return StarletteResponse(b"request body too large for the proxy", 413)
            chunks.append(chunk)
        body = b"".join(chunks)
        path = request.scope.get("path", "/")
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = state.target(path, query)
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in HOP_BY_HOP and name.lower() not in ("host", "content-length")
        ]
        try:
            upstream = http().build_request(request.method, url, headers=headers, content=body)
            answer = await http().send(upstream, stream=True)
            parts: list[bytes] = []
            received = 0
            async for part in answer.aiter_raw():
                received += len(part)
                if received > max_body:
                    await answer.aclose()
                    message = f"the upstream's answer is larger than {max_body:,} bytes"
                    state.failed(request.method, path, message)
                    return StarletteResponse(message.encode(), 502)
                parts.append(part)
            raw = b"".join(parts)
            await answer.aclose()
        except httpx.HTTPError as exc:
            message = f"the upstream {mask_url(state.upstream, state.rules)} did not answer: "
            return StarletteResponse((message + type(exc).__name__).encode(), 502)
        passed = [
            (name, value)
            for name, value in answer.headers.multi_items()
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length"
        ]
        exchange = Exchange(
            Request(request.method, url, Headers(headers), body),
            Response(answer.status_code, Headers(answer.headers.multi_items()), raw),
        )
        state.observe(_decoded(exchange))
        response = StarletteResponse(content=raw, status_code=answer.status_code)
        response.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in passed]
        response.raw_headers.append((b"content-length", str(len(raw)).encode()))
        return response

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    inner = Starlette(routes=[Route("/{path:path}", forward, methods=methods)])
    inner.state.proxy = state
    return _OriginForm(inner)


class _OriginForm:
    """An absolute-form request target (``GET http://elsewhere/x``) is taken as its path:
    whatever host it names, the proxy forwards to its own upstream only."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            path = str(scope.get("path", "/"))
            if "://" in path.split("/", 1)[0] or path.lower().startswith(("http://", "https://")):
                parts = urlsplit(path)
                scope = {
                    **scope,
                    "path": parts.path or "/",
                    "raw_path": (parts.path or "/").encode(),
                }
                if parts.query and not scope.get("query_string"):
                    scope["query_string"] = parts.query.encode()
        await self.app(scope, receive, send)


def _decoded(exchange: Exchange) -> Exchange:
    """The exchange as a client reads it: a compressed answer decompressed (for the check)."""
    response = exchange.response
    return exchange if response is None else Exchange(exchange.request, response.decoded())
