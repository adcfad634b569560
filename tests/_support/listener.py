"""A webhook listener on loopback: what the sandbox's order notifications reach."""

from __future__ import annotations

import http.server
import threading
from typing import Any


class WebhookListener:
    """A real HTTP server on a free loopback port that keeps every POST it receives as
    ``(path, content type, body)`` in :attr:`received`; ``url`` is its webhook URL."""

    def __init__(self) -> None:
        received: list[tuple[str, str, bytes]] = []
        self.received = received

        class _Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                received.append((self.path, self.headers["Content-Type"], self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhookService"

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
