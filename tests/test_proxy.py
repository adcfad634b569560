"""The validating proxy on loopback, in front of real upstreams: ones that answer, refuse,
never answer or reset; clients that are slow or go away; a run that keeps no bodies."""

import contextlib
import gc
import json
import logging
import signal
import socket
import threading
import time
import tracemalloc
from pathlib import Path

import httpx
import pytest

import tendlc
from _support.processes import proxy_command
from tendlc.proxy import EXCERPT, ProxyState, serve_proxy
from tendlc.sandbox import SandboxConfig, create_app, serve_in_thread

ENUM = "/v1/10dlc/enum"
BRANDS = "/v1/10dlc/brands"
EXAMPLES = Path(__file__).parent.parent / "examples" / "vonage"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Silent:
    """A loopback upstream that takes connections and reads requests, and then either never
    answers (``reset=False``) or resets the connection (``reset=True``)."""

    def __init__(self, *, reset):
        self.reset = reset
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held = []
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                continue
            self.accepted += 1
            connection.settimeout(5)
            with contextlib.suppress(OSError):
                connection.recv(65536)
            if self.reset:  # SO_LINGER 0: close() sends a reset, not a FIN
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
                connection.close()
            else:
                self.held.append(connection)

    def close(self):
        self._stop.set()
        self._thread.join()
        for connection in self.held:
            connection.close()
        self.listener.close()


def _asgi_upstream(status, headers, body):
    """A tiny upstream answering every request with the same status, headers and body."""

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.fixture
def lines():
    return []


# -- an upstream that gives no whole answer is a failed exchange -----------------------------


@pytest.mark.parametrize("kind", ["refuses", "never answers", "resets"])
def test_an_upstream_without_an_answer_is_a_failed_exchange(kind, lines):
    silent = None
    if kind == "refuses":
        upstream = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    else:
        silent = _Silent(reset=kind == "resets")
        upstream = silent.url
    state = ProxyState(upstream, echo=lines.append)
    proxy = serve_proxy(state, timeout=1.0)
    try:
        started = time.monotonic()
        answer = httpx.get(f"{proxy}{ENUM}", auth=("u", "p"), timeout=30)
        took = time.monotonic() - started
    finally:
        proxy.stop()
        if silent is not None:
            silent.close()
    expected = {"refuses": 502, "never answers": 504, "resets": 502}[kind]
    assert answer.status_code == expected, answer.text
    reason = {
        "refuses": "could not be reached",
        "never answers": "did not answer within 1 s",
        "resets": "broke the connection",
    }[kind]
    assert reason in answer.text
    assert took < 10
    (entry,) = state.run.entries
    assert entry.status == "failed" and not entry.valid
    assert entry.name == f"GET {ENUM}" and reason in entry.note
    # the request was still checked: it is a documented operation
    assert entry.result is not None and entry.result.operation == "vonage.enum.get"
    assert entry.result.exchange.response is None
    summary = state.run.summary()
    assert summary.failed == 1 and not summary.conforms
    assert lines == [f"FAIL GET {upstream}{ENUM} (vonage.enum.get): {entry.note}"]
    if kind == "resets":  # a GET is sent once more, on a new connection, before giving up
        assert silent is not None and silent.accepted == 2


def test_a_request_the_upstream_never_answers_is_not_sent_twice_when_it_changes_things():
    silent = _Silent(reset=True)
    state = ProxyState(silent.url)
    proxy = serve_proxy(state, timeout=5.0)
    try:
        body = (EXAMPLES / "brands.create.request.json").read_bytes()
        answer = httpx.post(f"{proxy}{BRANDS}", content=body, auth=("u", "p"), timeout=30)
    finally:
        proxy.stop()
        silent.close()
    assert answer.status_code == 502
    assert silent.accepted == 1  # a POST could have been taken: it is not repeated
    (entry,) = state.run.entries
    assert entry.status == "failed" and entry.result.operation == "vonage.brands.create"


def test_the_proxy_command_exits_1_when_the_upstream_never_answers(tmp_path):
    silent = _Silent(reset=False)
    process, proxy, stdout, stderr = proxy_command(
        silent.url, tmp_path, "--upstream-timeout", "0.5"
    )
    try:
        answers = [httpx.get(f"{proxy}{ENUM}", auth=("u", "p"), timeout=30) for _ in range(2)]
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        silent.close()
    logged, printed = stderr.read_text(), stdout.read_text()
    assert [answer.status_code for answer in answers] == [504, 504]
    assert code == 1, logged
    assert "Traceback" not in logged
    assert logged.count("FAIL GET http://127.0.0.1:") == 2
    assert "did not answer within 0.5 s" in logged
    assert "2 failed; DOES NOT CONFORM" in printed


# -- the answer passes unchanged, its headers once -----------------------------------------


def _raw_answer(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *fields = head.decode("latin-1").split("\r\n")
    return status, [tuple(f.split(": ", 1)) for f in fields], body


def test_the_upstreams_headers_are_passed_exactly_once():
    body = (EXAMPLES / "enum.get.response.200.json").read_bytes()
    upstream = serve_in_thread(
        _asgi_upstream(
            200,
            [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", b"first"),
                (b"x-request-id", b"second"),
                (b"set-cookie", b"a=1"),
                (b"set-cookie", b"b=2"),
            ],
            body,
        )
    )  # uvicorn adds its own date and server headers to these: they are the upstream's
    proxy = serve_proxy(ProxyState(upstream))
    try:
        request = (
            f"GET {ENUM} HTTP/1.1\r\nHost: elsewhere\r\nAuthorization: Basic dTpw\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        direct = _raw_answer(int(upstream.rsplit(":", 1)[1]), request)
        through = _raw_answer(int(proxy.rsplit(":", 1)[1]), request)
    finally:
        proxy.stop()
        upstream.stop()
    names = [name.lower() for name, _ in through[1]]
    for name in ("date", "server", "content-type", "content-length"):
        assert names.count(name) == 1, (name, through[1])
    assert [v for n, v in through[1] if n == "x-request-id"] == ["first", "second"]
    assert [v for n, v in through[1] if n == "set-cookie"] == ["a=1", "b=2"]
    upstream_headers = {n.lower(): v for n, v in direct[1] if n.lower() in ("server", "date")}
    assert {n: v for n, v in through[1] if n in ("server", "date")} == upstream_headers
    assert through[0] == "HTTP/1.1 200 OK" and through[2] == direct[2] == body


# -- findings are printed as they happen, credentials masked ---------------------------------


def test_each_failing_exchanges_findings_are_printed_as_it_passes(monkeypatch, lines):
    secret = "vsecret-4f1d9a"
    monkeypatch.setenv("VONAGE_API_KEY", "vkey77a1")
    monkeypatch.setenv("VONAGE_API_SECRET", secret)
    sandbox = serve_in_thread(create_app(SandboxConfig(rate_limits=False)))
    state = ProxyState(sandbox, echo=lines.append)
    proxy = serve_proxy(state)
    brand = json.loads((EXAMPLES / "brands.create.request.json").read_text())
    brand["email"] = secret  # not an email: its finding quotes the value
    try:
        with httpx.Client(base_url=proxy, auth=("vkey77a1", secret), timeout=30) as client:
            assert client.get(ENUM).status_code == 200
            seen_after_first = list(lines)
            refused = client.post(BRANDS, json=brand)
            seen_after_second = list(lines)
    finally:
        proxy.stop()
        sandbox.stop()
    assert refused.status_code == 400
    # printed before the client had its answer: one line for the passing exchange...
    assert seen_after_first == [f"ok   GET {sandbox}{ENUM} → 200 (vonage.enum.get)"]
    # ...and for the failing one, its line, then one line per finding, as it passed
    new = seen_after_second[1:]
    (result,) = [entry.result for entry in state.run.entries if not entry.valid]
    assert new[0] == f"FAIL POST {sandbox}{BRANDS} → 400 (vonage.brands.create)"
    assert len(new) == 1 + len(result.issues)
    rules = {line.split("[", 1)[1].split("]", 1)[0] for line in new[1:]}
    assert {"format", "additionalProperties"} <= rules
    assert any("/email" in line and "***" in line for line in new[1:])
    for line in lines:
        assert secret not in line and "vkey77a1" not in line


# -- the run keeps no bodies ------------------------------------------------------------------


def _listing(target):
    data = json.loads((EXAMPLES / "brands.list.response.200.json").read_text())
    brand = data["_embedded"]["brands"][0]
    brand["verification_email_completion_date"] = "2019-08-24T14:15:22Z"
    brand["carrier_suspensions"] = [{}]
    data["_embedded"]["brands"] = [{**brand, "brand_id": f"B{i:06d}"} for i in range(target)]
    return json.dumps(data, indent=3).encode()


@pytest.mark.slow
def test_the_run_keeps_verdicts_and_metadata_not_bodies():
    large = _listing(250)  # about 300 KiB, and valid: the check reads all of it
    assert len(large) > 256 * 1024
    assert tendlc.validate("vonage.brands.list", large, part="response", status=200).valid
    broken = large.replace(b'"B000001"', b"17", 1)  # the same answer with one wrong id
    # the first six answers warm up, a failing one among them, so that what is compiled or
    # learnt once (contracts, error explainers, the brand memory) is in place and traced
    # before the measured 29: memory allocated before tracing starts is never counted as
    # freed, so replacing it would look like growth
    warm = [large] * 5 + [broken]
    measured = [large] * 25 + [broken] * 4
    answers = iter(warm + measured)

    async def upstream_app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = next(answers)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    upstream = serve_in_thread(upstream_app)
    state = ProxyState(upstream)
    proxy = serve_proxy(state)
    try:
        with httpx.Client(base_url=proxy, auth=("u", "p"), timeout=30) as client:
            assert len(client.get(BRANDS).content) == len(large)  # contracts compiled untraced
            tracemalloc.start()
            try:
                passed = [len(client.get(BRANDS).content) for _ in warm[1:]]
                gc.collect()
                before = tracemalloc.get_traced_memory()[0]
                passed += [len(client.get(BRANDS).content) for _ in measured]
                gc.collect()
                retained = tracemalloc.get_traced_memory()[0] - before
            finally:
                tracemalloc.stop()
    finally:
        proxy.stop()
        upstream.stop()
    assert passed == [len(answer) for answer in warm[1:] + measured]  # every answer passed whole
    # about 8 MiB of answers went through while measured; what stayed is 29 run entries,
    # four of them with a bounded excerpt (one kept answer would be 300 KiB)
    assert retained < 256 * 1024, f"{retained:,} bytes retained"
    entries = state.run.entries
    assert [entry.valid for entry in entries] == [answer == large for answer in warm + measured]
    for entry in entries:
        exchange = entry.result.exchange
        assert exchange.request.headers.get("authorization") is None
        if entry.valid:
            assert exchange.response.body == b""
        else:  # a failing exchange keeps an excerpt of its answer, no more
            assert exchange.response.body == broken[:EXCERPT]
            assert [i.path for i in entry.result.errors] == ["/_embedded/brands/1/brand_id"]
    assert entries[0].result.exchange.response.media_type == "application/json"
    assert state.run.summary().exchanges == 35 and state.run.summary().errors == 5


# -- clients: slow ones timed out, departed ones let go quietly -------------------------------


@pytest.fixture
def quick_proxy():
    upstream = serve_in_thread(_asgi_upstream(200, [(b"content-type", b"application/json")], b"{}"))
    state = ProxyState(upstream)
    proxy = serve_proxy(state, read_timeout=0.5, idle_timeout=0.5)
    yield int(proxy.rsplit(":", 1)[1]), state
    proxy.stop()
    upstream.stop()


#: how long the proxy may take to close a connection its 0.5 s timeouts end: far above the
#: timeout plus a busy machine's latency, far below "never"
CLOSED_WITHIN = 20


def _until_closed(port, sent=b""):
    """Everything received on a new connection that sends ``sent`` until the proxy closes it,
    and how long that took from before the connection was made (never less than the proxy's
    own wait: its clock starts later)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.settimeout(CLOSED_WITHIN + 10)
        connection.sendall(sent)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received, time.monotonic() - started


def test_a_client_that_sends_its_request_too_slowly_is_timed_out(quick_proxy):
    port, state = quick_proxy
    received, took = _until_closed(port, f"GET {ENUM} HTTP/1.1\r\nHost: x\r\n".encode())
    assert received.startswith(b"HTTP/1.1 408 ")  # the head never ended
    assert 0.4 < took < CLOSED_WITHIN
    head = f"POST {BRANDS} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n".encode()
    received, took = _until_closed(port, head + b"{")  # a body that stops coming
    assert received.startswith(b"HTTP/1.1 408 ")
    assert 0.4 < took < CLOSED_WITHIN
    assert state.run.entries == []  # nothing was forwarded


def test_an_idle_connection_is_closed(quick_proxy):
    port, state = quick_proxy
    received, took = _until_closed(port)  # it says nothing
    assert received == b"" and took < CLOSED_WITHIN
    # answered, then idle: closed
    received, took = _until_closed(port, f"GET {ENUM} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert received.startswith(b"HTTP/1.1 200 ") and took < CLOSED_WITHIN
    assert len(state.run.entries) == 1


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_clients_that_go_away_are_let_go_without_a_traceback():
    import asyncio

    working = threading.Semaphore(0)  # the upstream has a request
    answer = threading.Semaphore(0)  # the upstream may answer one

    async def slow_app(scope, receive, send):
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        working.release()
        await asyncio.to_thread(answer.acquire, True, 30)  # once its client has gone
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    records = _Records()
    root = logging.getLogger()
    root.addHandler(records)
    upstream = serve_in_thread(slow_app)
    state = ProxyState(upstream)
    proxy = serve_proxy(state)
    port = int(proxy.rsplit(":", 1)[1])
    try:
        # gone in the middle of its request body
        with socket.create_connection(("127.0.0.1", port)) as connection:
            head = f"POST {BRANDS} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
            connection.sendall(head.encode() + b'{"a": ')
            time.sleep(0.2)  # mostly read by the proxy before it goes; either way it has gone
        # gone while the upstream works on its answer
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(f"GET {ENUM} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert working.acquire(timeout=30)
        answer.release()
        # reset while the upstream works on its answer
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(f"GET {ENUM} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert working.acquire(timeout=30)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        connection.close()
        answer.release()
        # the upstream answers the departed clients: both answers are checked
        deadline = time.monotonic() + 30
        while len(state.run.entries) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        answer.release()
        after = httpx.get(f"{proxy}{ENUM}", auth=("u", "p"), timeout=30)
    finally:
        for _ in range(3):  # nothing left waiting in the upstream
            answer.release()
        proxy.stop()
        upstream.stop()
        root.removeHandler(records)
    assert after.status_code == 200  # the proxy keeps answering
    problems = [r for r in records.records if r.levelno >= logging.WARNING or r.exc_info]
    assert problems == [], [r.getMessage() for r in problems]
    # the two answers that came back whole were checked, though nobody was left to take them
    assert [entry.name for entry in state.run.entries] == [f"GET {ENUM}"] * 3
