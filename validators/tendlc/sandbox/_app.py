"""The sandbox as an ASGI application (Starlette), served by uvicorn on a real port.

Every documented path of every provider is served under the application's own root, so one
sandbox URL stands in for every provider's host. ``/_sandbox/…`` is the sandbox's own
administration: ``health``, ``reset``, ``seed``, ``requests`` (the request log),
``arrivals``, ``injected``, ``notifications`` and ``misbehave``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlunsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route

from .._errors import InvalidArgument
from .._parsing import DEFAULT_LIMITS
from ..traffic import Headers
from ._engine import Sandbox, SandboxConfig
from ._misbehave import Misbehaviour
from ._seed import seed_file

__all__ = ["create_app", "seed_file"]

#: the largest body read: the contracts' own largest (a 100 MB evidence upload) bounds it
MAX_BODY = 100 * 1024 * 1024 + 64 * 1024
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_RULES = "the body must be a JSON array of rules (RULE[:OPERATIONS][=VALUE])"

Endpoint = Callable[[Request], Awaitable[StarletteResponse]]


async def _read(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is larger than ``limit`` (reading stops there)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _provider_endpoint(engine: Sandbox) -> Endpoint:
    """Every provider path: read the body (bounded), and let the engine answer."""

    async def provider(request: Request) -> StarletteResponse:
        url = _sent_url(request)
        body = await _read(request, MAX_BODY)
        if body is None:
            answer = engine.too_large(request.method, url, MAX_BODY)
        elif len(body) > DEFAULT_LIMITS.max_bytes and not engine.takes_large(request.method, url):
            answer = engine.too_large(request.method, url, DEFAULT_LIMITS.max_bytes)
        else:
            headers = Headers(request.headers.items())
            answer = await engine.handle(request.method, url, headers, body)
        return StarletteResponse(
            content=answer.body,
            status_code=answer.status,
            headers={name: value for name, value in answer.headers},
        )

    return provider


def _sent_url(request: Request) -> str:
    """The URL as the client sent it: its path still percent-encoded, so that the router
    decodes each segment once (a ``%25`` in an id stays a ``%``, a ``%2F`` stays in its
    segment)."""
    raw = request.scope.get("raw_path")
    if not isinstance(raw, bytes):
        return str(request.url)
    url = request.url
    root = str(request.scope.get("root_path", ""))
    return urlunsplit((url.scheme, url.netloc, root + raw.decode("latin-1"), url.query, ""))


def _refused(message: str, suggestions: list[str] | tuple[str, ...] = ()) -> JSONResponse:
    """A request to the sandbox's administration it cannot honour: 400, and why."""
    body: dict[str, Any] = {"error": message}
    if suggestions:
        body["suggestions"] = list(suggestions)
    return JSONResponse(body, status_code=400)


def _state_routes(engine: Sandbox) -> list[Route]:
    """Health, reset and seeds: the records the sandbox keeps."""

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "providers": list(engine.config.providers)})

    async def reset(request: Request) -> JSONResponse:
        engine.reset()
        return JSONResponse({"reset": True, "seeded": engine.seeded})

    async def seed(request: Request) -> JSONResponse:
        try:
            entries: Any = json.loads(await request.body() or b"[]")
        except ValueError:
            return _refused("the body must be a JSON array of seed entries")
        notes = len(engine.seed_notes)
        try:
            created = engine.seed(entries)
        except InvalidArgument as exc:
            return _refused(str(exc), exc.suggestions)
        return JSONResponse({"created": created, "notes": engine.seed_notes[notes:]})

    return [
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/seed", seed, methods=["POST"]),
    ]


def _log_routes(engine: Sandbox) -> list[Route]:
    """What the sandbox saw and did: requests, arrivals, injected drift, notifications."""

    async def requests(request: Request) -> JSONResponse:
        return JSONResponse([arrival.to_dict() for arrival in engine.arrivals])

    async def arrivals(request: Request) -> JSONResponse:
        return JSONResponse(
            [
                {
                    "at": a.at,
                    "method": a.method,
                    "path": a.path,
                    "operation": a.operation,
                    "status": a.status,
                }
                for a in engine.arrivals
            ]
        )

    async def injected(request: Request) -> JSONResponse:
        return JSONResponse([i.to_dict() for i in list(engine.misbehaviour.injected)])

    async def notifications(request: Request) -> JSONResponse:
        return JSONResponse(
            [
                {"status": status, "body": body.decode("utf-8")}
                for status, body in list(engine.notifications)
            ]
        )

    return [
        Route("/_sandbox/requests", requests, methods=["GET"]),
        Route("/_sandbox/arrivals", arrivals, methods=["GET"]),
        Route("/_sandbox/injected", injected, methods=["GET"]),
        Route("/_sandbox/notifications", notifications, methods=["GET"]),
    ]


def _misbehave_route(engine: Sandbox) -> Route:
    """The misbehaviour rules in force, replaced only when every new rule is valid."""

    async def misbehave(request: Request) -> JSONResponse:
        try:
            rules = json.loads(await request.body() or b"[]")
        except ValueError:
            return _refused(_RULES)
        if not isinstance(rules, list) or not all(isinstance(rule, str) for rule in rules):
            return _refused(_RULES)
        try:
            parsed = Misbehaviour.parse(rules)
        except InvalidArgument as exc:
            return _refused(str(exc), exc.suggestions)
        engine.misbehaviour = parsed
        return JSONResponse({"rules": [rule.name for rule in engine.misbehaviour.rules]})

    return Route("/_sandbox/misbehave", misbehave, methods=["PUT"])


def create_app(config: SandboxConfig | None = None, sandbox: Sandbox | None = None) -> Starlette:
    """The sandbox application (``app.state.sandbox`` is its :class:`Sandbox`)."""
    engine = sandbox or Sandbox(config)
    routes = [
        *_state_routes(engine),
        *_log_routes(engine),
        _misbehave_route(engine),
        Route("/{path:path}", _provider_endpoint(engine), methods=_METHODS),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = engine
    return app
