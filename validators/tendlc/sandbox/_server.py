"""Serving the sandbox (or any ASGI app) with uvicorn on a real port, in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

__all__ = ["RunningServer", "serve_in_thread"]


class RunningServer(str):
    """A server running in a background thread; the string is its base URL."""

    server: Any
    thread: threading.Thread
    app: Any

    def __new__(cls, url: str, server: Any, thread: threading.Thread, app: Any) -> RunningServer:
        running = super().__new__(cls, url)
        running.server, running.thread, running.app = server, thread, app
        return running

    @property
    def url(self) -> str:
        return str(self)

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> RunningServer:
    """Start ``app`` on ``host:port`` (0: a free port) and return once it accepts requests;
    ``options`` are more keyword arguments of ``uvicorn.Config``."""
    import uvicorn

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    settings: dict[str, Any] = {"log_level": "warning", "lifespan": "off", "access_log": False}
    config = uvicorn.Config(app, **{**settings, **options})
    server = uvicorn.Server(config)

    def run() -> None:
        asyncio.run(server.serve(sockets=[sock]))

    thread = threading.Thread(target=run, name=f"tendlc-server-{bound}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server on {host}:{bound} did not start")
        time.sleep(0.01)
    shown = f"[{host}]" if ":" in host else host
    return RunningServer(f"http://{shown}:{bound}", server, thread, app)
