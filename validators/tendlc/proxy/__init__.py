"""A validating reverse proxy: point an application at it, and every exchange that passes
through is checked against the contracts (and recorded, scrubbed, when asked), while the
application gets the upstream's answers unchanged, byte for byte, headers passed once.

>>> from tendlc.proxy import ProxyState, serve_proxy
>>> state = ProxyState("http://127.0.0.1:8000")  # doctest: +SKIP
>>> running = serve_proxy(state)  # doctest: +SKIP

The proxy forwards to its configured upstream only: the request's Host header and any
absolute-form request target are ignored, so no request can be sent anywhere else. Its run
keeps each exchange's verdict and metadata, never whole bodies, so a proxy left running for a
day costs no more memory than its run's entries. An upstream that does not answer whole is a
failed exchange of the run.
"""

from __future__ import annotations

from typing import Any

from .._errors import require as _require
from ._app import HOP_BY_HOP, MAX_BODY, ProxyApp
from ._serving import IDLE_TIMEOUT, READ_TIMEOUT, server_options
from ._state import EXCERPT, ProxyState

__all__ = [
    "EXCERPT",
    "HOP_BY_HOP",
    "IDLE_TIMEOUT",
    "MAX_BODY",
    "READ_TIMEOUT",
    "ProxyApp",
    "ProxyState",
    "create_proxy_app",
    "serve_proxy",
    "server_options",
]

_NEEDS = ["aiohttp", "httptools", "starlette", "uvicorn"]


def create_proxy_app(state: ProxyState, *, timeout: float = 60.0, max_body: int = MAX_BODY) -> Any:
    """The proxy as an ASGI application (``app.state.proxy`` is its :class:`ProxyState`):
    ``timeout`` seconds for the upstream's whole answer, bodies up to ``max_body`` bytes."""
    _require(_NEEDS, "sandbox", "the tendlc proxy")
    return ProxyApp(state, timeout=timeout, max_body=max_body)


def serve_proxy(
    state: ProxyState,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    timeout: float = 60.0,
    max_body: int = MAX_BODY,
    read_timeout: float = READ_TIMEOUT,
    idle_timeout: float = IDLE_TIMEOUT,
) -> Any:
    """Serve the proxy of ``state`` on ``host:port`` (0: a free port) in a background
    thread, as ``tendlc proxy`` serves it (see :func:`server_options`); returns the running
    server (a ``tendlc.sandbox.RunningServer``, whose string is its URL)."""
    _require(_NEEDS, "sandbox", "the tendlc proxy")
    from ..sandbox import serve_in_thread

    app = create_proxy_app(state, timeout=timeout, max_body=max_body)
    options = server_options(read_timeout=read_timeout, idle_timeout=idle_timeout)
    return serve_in_thread(app, host, port, **options)
