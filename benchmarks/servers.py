"""The servers under load, beside Prism: the tendlc sandbox against Prism's mock, and the
tendlc proxy against Prism's proxy (its overhead over a direct call), then the proxy's memory
over a long run of large answers.

    python benchmarks/servers.py [--prism PATH] [--duration 5] [--rounds 3] [--quick]

Load comes from wrk (Debian: ``apt-get install -y wrk``; a Lua script sends the POST), one
thread, at 1, 10 and 100 connections, for a small GET (``GET /v1/10dlc/enum``) and a brand
POST (``POST /v1/10dlc/brands`` with the documented example, corrected as the contract asks).
Prism (``@stoplight/prism-cli``, from the npm registry into a scratch directory, e.g.
``cd /tmp/prism && npm install @stoplight/prism-cli``) is found by ``--prism``, the ``PRISM``
environment variable or ``/tmp/prism/node_modules/.bin/prism``; without it the tendlc rows
are measured alone and the script says so. Both read tendlc's own Vonage OpenAPI document.

Every server runs in a process of its own on a loopback port. The proxies both forward to
the same tendlc sandbox, and each figure is the median of ``--rounds`` runs taken in turn
(direct call, tendlc proxy, Prism's proxy), so that a busy machine slows all alike. The
memory part serves a ~344 KiB documented brand listing from a small upstream and reads the
proxy's resident set size before and after 20,000 exchanges (``--exchanges``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "contracts" / "vonage" / "openapi.yaml"
AUTH = "Basic dTpw"  # any well-formed credentials: the sandbox and Prism take them
CONNECTIONS = (1, 10, 100)
PRISM_DEFAULT = Path("/tmp/prism/node_modules/.bin/prism")
LARGE_TARGET = 344 * 1024


# -- the load generator --------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # answers that were not 2xx or 3xx, and socket errors

    @classmethod
    def median(cls, runs: list[Load]) -> Load:
        return cls(
            statistics.median(r.rps for r in runs),
            statistics.median(r.p50_ms for r in runs),
            statistics.median(r.p99_ms for r in runs),
            sum(r.requests for r in runs),
            sum(r.bad for r in runs),
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(url: str, connections: int, seconds: float, script: Path | None = None) -> Load:
    """One wrk run (one thread) against url; its throughput, latency percentiles, failures."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-H"]
    command += [f"Authorization: {AUTH}", "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return _parsed(output)


def _parsed(output: str) -> Load:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return Load(rps, p50, p99, requests, bad)


def post_script(folder: Path, body: bytes) -> Path:
    """A wrk Lua script that sends ``body`` as a JSON POST."""
    text = body.decode("utf-8")
    fence = "=" * 8
    assert f"]{fence}]" not in text
    script = folder / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [{fence}[{text}]{fence}]\n",
        encoding="utf-8",
    )
    return script


def wrk_until(url: str, connections: int, log: Path, total: int) -> Load:
    """wrk against url until the proxy has printed ``total`` more exchanges (one line each
    in its log), then stopped as Ctrl-C stops it (it prints its figures)."""

    def seen() -> int:
        with log.open("rb") as lines:
            return sum(1 for line in lines if line.startswith((b"ok ", b"FAIL ")))

    start = seen()
    command = ["wrk", "-t1", f"-c{connections}", "-d3600s", "--latency", "--timeout", "10s"]
    process = subprocess.Popen(
        [*command, "-H", f"Authorization: {AUTH}", url], stdout=subprocess.PIPE, text=True
    )
    while seen() - start < total and process.poll() is None:
        time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return _parsed(output)


# -- the servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} stopped at start:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on port {port}")


@contextmanager
def server(what: str, command: list[str], port: int, folder: Path) -> Iterator[int]:
    """A server process of its own, listening on port; stopped (by its id) afterwards."""
    log = folder / f"{re.sub(r'[^a-z]+', '-', what.lower())}.log"
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "validators"), "NO_COLOR": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=environment, cwd=folder
        )
    try:
        wait_for(port, process, what, log)
        yield process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tendlc(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "tendlc", *arguments]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


# -- the bodies ----------------------------------------------------------------------------


def brand_body() -> bytes:
    """The documented brand example, with the two corrections the contract asks for (see
    contracts/errata.yaml): no ``universal_ein``, an RFC 3339 completion date."""
    import tendlc as package

    data = json.loads((ROOT / "examples/vonage/brands.create.request.json").read_text())
    data.pop("universal_ein", None)
    data["verification_email_completion_date"] = "2019-08-24T14:15:22Z"
    body = json.dumps(data).encode()
    report = package.validate("vonage.brands.create", body)
    assert report.valid, [str(issue) for issue in report.issues]
    return body


def large_listing() -> bytes:
    """A documented brand listing (the example's brand, with the corrections the contract
    asks for, repeated with distinct ids), as pretty-printed as the example, of about 344 KiB:
    valid, so the check reads it all."""
    import tendlc as package

    data = json.loads((ROOT / "examples/vonage/brands.list.response.200.json").read_text())
    brand = data["_embedded"]["brands"][0]
    brand["verification_email_completion_date"] = "2019-08-24T14:15:22Z"
    brand["carrier_suspensions"] = [{}]  # the example nests the object in one list too many
    brands = [{**brand, "brand_id": "B000000"}]
    data["_embedded"]["brands"] = brands
    while len(json.dumps(data, indent=3)) < LARGE_TARGET:
        brands.append({**brand, "brand_id": f"B{len(brands):06d}"})
    data["page_size"] = data["total_items"] = len(brands)
    body = json.dumps(data, indent=3).encode()
    report = package.validate("vonage.brands.list", body, part="response", status=200)
    assert report.valid, [str(issue) for issue in report.issues][:5]
    return body


def serve_body(port: int, path: Path) -> None:
    """A small upstream: every request answered 200 with the file's JSON (``--serve``)."""
    import uvicorn

    body = path.read_bytes()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


# -- the report ----------------------------------------------------------------------------


def row(name: str, kind: str, connections: int, load: Load | None, extra: str = "") -> str:
    if load is None:
        return f"| {name} | {kind} | {connections} | absent | | | | {extra} |"
    return (
        f"| {name} | {kind} | {connections} | {load.rps:,.0f} | {load.p50_ms:.2f} | "
        f"{load.p99_ms:.2f} | {load.bad} | {extra} |"
    )


HEADER = (
    "| server | request | conns | req/s | p50 ms | p99 ms | non-2xx/errors | note |\n"
    "|---|---|---:|---:|---:|---:|---:|---|"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prism", help="Prism's executable (default: $PRISM, then /tmp/prism)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per figure (the median)")
    parser.add_argument("--exchanges", type=int, default=20_000, help="large answers for RSS")
    parser.add_argument("--quick", action="store_true", help="1 s runs, 1 round, 500 exchanges")
    parser.add_argument(
        "--part",
        action="append",
        choices=["mocks", "proxies", "memory"],
        help="measure only these parts (repeatable; default all)",
    )
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_body(int(args.serve[0]), Path(args.serve[1]))
        return 0
    if args.quick:
        args.duration, args.rounds, args.exchanges = 1.0, 1, 500
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk (Debian), then run this again")
        return 2
    prism = args.prism or os.environ.get("PRISM") or str(PRISM_DEFAULT)
    if not Path(prism).exists() and shutil.which(prism) is None:
        print(
            f"Prism is absent (looked for {prism}): install it with "
            "`mkdir -p /tmp/prism && cd /tmp/prism && npm install @stoplight/prism-cli` and "
            "pass --prism /tmp/prism/node_modules/.bin/prism (or set PRISM); "
            "measuring tendlc alone"
        )
        prism_command: list[str] | None = None
    else:
        prism_command = [prism]
        version = subprocess.run([prism, "--version"], capture_output=True, text=True)
        print(f"Prism {version.stdout.strip()} at {prism}")
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; wrk, one "
        f"thread, {args.duration:g} s per run, median of {args.rounds} round(s)"
    )
    with tempfile.TemporaryDirectory(prefix="tendlc-servers-") as scratch:
        folder = Path(scratch)
        body = brand_body()
        post = post_script(folder, body)
        requests = {
            "GET enum": ("/v1/10dlc/enum", "/enum", None),
            "POST brand": ("/v1/10dlc/brands", "/brands", post),
        }
        parts = args.part or ["mocks", "proxies", "memory"]
        if "mocks" in parts:
            mocks(args, folder, requests, prism_command)
        if "proxies" in parts:
            proxies(args, folder, requests, prism_command)
        if "memory" in parts:
            memory(args, folder)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


def reset(sandbox: str) -> None:
    """Forget the sandbox's records: every run starts from the same (empty) state, since
    creating thousands of brands makes the next creations slower."""
    request = urllib.request.Request(f"{sandbox}/_sandbox/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def measure(
    targets: dict[str, str | None],
    requests: dict[str, tuple[str, str, Path | None]],
    args: argparse.Namespace,
    sandbox: str,
) -> dict[tuple[str, str, int], Load | None]:
    """Every target, request and connection count, the targets taken in turn each round, the
    sandbox reset before each run; Prism's paths are without the /v1/10dlc base."""
    results: dict[tuple[str, str, int], list[Load]] = {}
    for kind, (path, prism_path, script) in requests.items():
        for connections in CONNECTIONS:
            for _ in range(args.rounds):
                for name, base in targets.items():
                    if base is None:
                        continue
                    reset(sandbox)
                    url = base + (prism_path if name.startswith("Prism") else path)
                    load = wrk(url, connections, args.duration, script)
                    results.setdefault((name, kind, connections), []).append(load)
    return {
        (name, kind, connections): (
            Load.median(results[(name, kind, connections)]) if base is not None else None
        )
        for kind in requests
        for connections in CONNECTIONS
        for name, base in targets.items()
    }


def mocks(
    args: argparse.Namespace,
    folder: Path,
    requests: dict[str, tuple[str, str, Path | None]],
    prism: list[str] | None,
) -> None:
    print("\n## The sandbox beside Prism's mock\n")
    sandbox_port, mock_port = free_port(), free_port()
    sandbox = tendlc("sandbox", "--provider", "vonage", "--port", str(sandbox_port), "--quiet")
    mock = [*(prism or []), "mock", str(OPENAPI), "-p", str(mock_port)]
    with (
        server("tendlc sandbox", [*sandbox, "--no-rate-limits"], sandbox_port, folder),
        server("Prism mock", mock, mock_port, folder) if prism else _absent(),
    ):
        targets = {
            "tendlc sandbox": f"http://127.0.0.1:{sandbox_port}",
            "Prism mock": f"http://127.0.0.1:{mock_port}" if prism else None,
        }
        results = measure(targets, requests, args, f"http://127.0.0.1:{sandbox_port}")
    print(HEADER)
    for (name, kind, connections), load in results.items():
        print(row(name, kind, connections, load))


def proxies(
    args: argparse.Namespace,
    folder: Path,
    requests: dict[str, tuple[str, str, Path | None]],
    prism: list[str] | None,
) -> None:
    print("\n## The proxy's overhead over a direct call, beside Prism's proxy\n")
    print("Both proxies forward to the same tendlc sandbox; overhead = proxy p50 - direct p50.\n")
    sandbox_port, proxy_port, prism_port = free_port(), free_port(), free_port()
    upstream = f"http://127.0.0.1:{sandbox_port}"
    sandbox = tendlc("sandbox", "--provider", "vonage", "--port", str(sandbox_port), "--quiet")
    proxy = tendlc("proxy", "--upstream", upstream, "--port", str(proxy_port))
    prism_proxy = [*(prism or []), "proxy", str(OPENAPI), f"{upstream}/v1/10dlc"]
    prism_server = [*prism_proxy, "-p", str(prism_port)]
    with (
        server("tendlc sandbox", [*sandbox, "--no-rate-limits"], sandbox_port, folder),
        server("tendlc proxy", proxy, proxy_port, folder) as proxy_pid,
        server("Prism proxy", prism_server, prism_port, folder) if prism else _absent(),
    ):
        before = rss_mib(proxy_pid)
        targets = {
            "direct (sandbox)": upstream,
            "tendlc proxy": f"http://127.0.0.1:{proxy_port}",
            "Prism proxy": f"http://127.0.0.1:{prism_port}" if prism else None,
        }
        results = measure(targets, requests, args, upstream)
        after = rss_mib(proxy_pid)
    print(HEADER)
    for (name, kind, connections), load in results.items():
        direct = results[("direct (sandbox)", kind, connections)]
        note = ""
        if load is not None and direct is not None and not name.startswith("direct"):
            note = f"overhead p50 {load.p50_ms - direct.p50_ms:+.2f} ms"
            prism_load = results.get(("Prism proxy", kind, connections))
            if name == "tendlc proxy" and prism_load is not None and prism_load.rps > 0:
                note += f"; {load.rps / prism_load.rps:.2f}x Prism proxy's req/s"
        print(row(name, kind, connections, load, note))
    served = sum(
        load.requests for (name, _, _), load in results.items() if name == "tendlc proxy" and load
    )
    print(
        f"\ntendlc proxy RSS {before:.1f} MiB before these runs, {after:.1f} MiB after "
        f"{served:,} exchanges of small answers"
    )


def memory(args: argparse.Namespace, folder: Path) -> None:
    print(f"\n## The proxy's memory over {args.exchanges:,} exchanges of large answers\n")
    listing = folder / "listing.json"
    listing.write_bytes(large_listing())
    upstream_port, proxy_port = free_port(), free_port()
    upstream = [sys.executable, str(Path(__file__).resolve()), "--serve", str(upstream_port)]
    proxy = tendlc("proxy", "--upstream", f"http://127.0.0.1:{upstream_port}")
    url = f"http://127.0.0.1:{proxy_port}/v1/10dlc/brands"
    warm = max(100, args.exchanges // 100)
    log = folder / "tendlc-proxy.log"
    with (
        server("large upstream", [*upstream, str(listing)], upstream_port, folder),
        server("tendlc proxy", [*proxy, "--port", str(proxy_port)], proxy_port, folder) as pid,
    ):
        started = rss_mib(pid)
        first = wrk_until(url, 4, log, warm)
        warmed = rss_mib(pid)
        started_at = time.monotonic()
        run = wrk_until(url, 4, log, args.exchanges)
        elapsed = time.monotonic() - started_at
        ended = rss_mib(pid)
    size = listing.stat().st_size
    print(f"answer {size / 1024:.0f} KiB ({size:,} bytes), a valid vonage.brands.list listing")
    print("| point | exchanges | RSS MiB |\n|---|---:|---:|")
    print(f"| started, before any exchange | 0 | {started:.1f} |")
    print(f"| after the warm-up | {first.requests:,} | {warmed:.1f} |")
    total = first.requests + run.requests
    print(f"| after the long run | {total:,} | {ended:.1f} |")
    print(
        f"\ngrowth over the {run.requests:,} exchanges after the warm-up: "
        f"{ended - warmed:+.1f} MiB ({100 * (ended - warmed) / warmed:+.1f} %); since start "
        f"{ended - started:+.1f} MiB ({100 * (ended - started) / started:+.1f} %); "
        f"{run.requests / elapsed:,.0f} exchanges/s, {run.bad + first.bad} not 2xx or failed"
    )


@contextmanager
def _absent() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    sys.exit(main())
