"""The sandbox as an ASGI application (Starlette), served by uvicorn on a real port.

Every documented path of both providers is served under the application's own root, so one
sandbox URL stands in for both providers' hosts. ``/_sandbox/…`` is the sandbox's own
administration: ``health``, ``reset``, ``seed``, ``arrivals``, ``injected``,
``notifications`` and ``misbehave``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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

__all__ = ["create_app"]

#: the largest body read: the contracts' own largest (a 100 MB evidence upload) bounds it
MAX_BODY = 100 * 1024 * 1024 + 64 * 1024


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


def create_app(config: SandboxConfig | None = None, sandbox: Sandbox | None = None) -> Starlette:
    """The sandbox application (``app.state.sandbox`` is its :class:`Sandbox`)."""
    engine = sandbox or Sandbox(config)

    async def provider(request: Request) -> StarletteResponse:
        url = str(request.url)
        headers = Headers(request.headers.items())
        body = await _read(request, MAX_BODY)
        if body is None:
            answer = engine.too_large(request.method, url, MAX_BODY)
        elif len(body) > DEFAULT_LIMITS.max_bytes and not engine.takes_large(request.method, url):
            answer = engine.too_large(request.method, url, DEFAULT_LIMITS.max_bytes)
        else:
            answer = await engine.handle(request.method, url, headers, body)
        return StarletteResponse(
            content=answer.body,
            status_code=answer.status,
            headers={name: value for name, value in answer.headers},
        )

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "providers": list(engine.config.providers)})

    async def reset(request: Request) -> JSONResponse:
        engine.reset()
        return JSONResponse({"reset": True})

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
                for a in list(engine.arrivals)
            ]
        )

    async def injected(request: Request) -> JSONResponse:
        return JSONResponse([i.to_dict() for i in list(engine.misbehaviour.injected)])

    async def notifications(request: Request) -> JSONResponse:
        return JSONResponse(
            [
                {"status": status, "body": body.decode("utf-8")}
                for status, body in engine.notifications
            ]
        )

    async def misbehave(request: Request) -> JSONResponse:
        try:
            rules = json.loads(await request.body() or b"[]")
        except ValueError:
            return _refused("the body must be a JSON array of rules (RULE[:OPERATIONS][=VALUE])")
        if not isinstance(rules, list) or not all(isinstance(rule, str) for rule in rules):
            return _refused("the body must be a JSON array of rules (RULE[:OPERATIONS][=VALUE])")
        try:
            parsed = Misbehaviour.parse(rules)
        except InvalidArgument as exc:
            return _refused(str(exc), list(exc.suggestions))
        engine.misbehaviour = parsed  # the rules in force change only when all are valid
        return JSONResponse({"rules": [rule.name for rule in engine.misbehaviour.rules]})

    async def seed(request: Request) -> JSONResponse:
        entries: Any = json.loads(await request.body() or b"[]")
        created = engine.seed(entries if isinstance(entries, list) else [])
        return JSONResponse({"created": created})

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    routes = [
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/arrivals", arrivals, methods=["GET"]),
        Route("/_sandbox/injected", injected, methods=["GET"]),
        Route("/_sandbox/notifications", notifications, methods=["GET"]),
        Route("/_sandbox/misbehave", misbehave, methods=["PUT"]),
        Route("/_sandbox/seed", seed, methods=["POST"]),
        Route("/{path:path}", provider, methods=methods),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = engine
    return app


def _refused(message: str, suggestions: list[str] | None = None) -> JSONResponse:
    """A request to the sandbox's administration it cannot honour: 400, and why."""
    body: dict[str, Any] = {"error": message}
    if suggestions:
        body["suggestions"] = suggestions
    return JSONResponse(body, status_code=400)


def seed_file(path: str) -> list[Mapping[str, Any]]:
    """Seed entries from a YAML or JSON file."""
    from pathlib import Path

    import yaml

    text = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return list(data or [])
