"""What having the tendlc plugin installed costs a pytest run, idle and checking traffic.

    python benchmarks/plugin_idle.py [--pairs 20] [--first 5] [--suite-pairs 5]

1. In a throwaway project with one trivial test, it runs pytest with the plugin and with
   ``-p no:tendlc`` in alternating pairs (so that a busy machine slows both alike) and prints
   the CPU time of each (user + system, from the child's resource usage), the median ratio and
   the goal (at most 1.05). Beside it: the CPU time of ``import tendlc`` against a bare
   interpreter.
2. The first validations of a new process (a Bandwidth brand, a Vonage campaign, and an
   exchange checked as the plugin checks it), with the compiled contracts' disk cache cold (an
   empty directory) against warm (the directory a previous process filled): the calls' own
   CPU and wall time, the imports before them apart. Goal: at most 50 ms warm. Children run
   with bytecode caching on (as an installed package is), in a folder without a tendlc table.
3. A 50-test user suite (documented exchanges of both providers sent through mocked httpx
   transports, generated from the cassettes) run with ``--tendlc-check`` against
   ``-p no:tendlc`` (goal: at most 10 % more CPU), and with checking on two pytest-xdist
   workers (``-n 2``) against serially (goal: not slower, in wall time), the cache warm; beside
   it, ``-n 2`` against serially without tendlc: what the workers cost by themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(user + system CPU seconds, wall seconds) of one child process and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, check=False, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout.decode()[-3000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def cpu_of(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """User + system CPU seconds of one child process."""
    return timed(command, cwd, env)[0]


def paired(
    a: list[str], b: list[str], pairs: int, cwd: Path, env: dict[str, str] | None = None
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(CPU, wall) of each run of ``a`` and ``b``, in alternating pairs."""
    first: list[tuple[float, float]] = []
    second: list[tuple[float, float]] = []
    for index in range(pairs):
        # alternate which runs first, so that neither always gets the warm cache
        if index % 2:
            second.append(timed(b, cwd, env))
            first.append(timed(a, cwd, env))
        else:
            first.append(timed(a, cwd, env))
            second.append(timed(b, cwd, env))
    return first, second


def idle(pairs: int) -> None:
    """Section 1: the plugin installed, not used."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "test_nothing.py").write_text("def test_nothing():\n    assert True\n")
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        cpu_of(pytest, project)  # warm the file system cache and the bytecode
        timings = paired(pytest, [*pytest, "-p", "no:tendlc"], pairs, project)
        with_plugin, without = ([cpu for cpu, _ in runs] for runs in timings)
        bare = [sys.executable, "-c", "pass"]
        imported = [sys.executable, "-c", "import tendlc"]
        cpu_of(imported, project)
        timings = paired(imported, bare, pairs, project)
        import_cpu, bare_cpu = ([cpu for cpu, _ in runs] for runs in timings)
    ratios = [a / b for a, b in zip(with_plugin, without, strict=True) if b > 0]
    ratio = statistics.median(ratios)
    extra = statistics.median(with_plugin) - statistics.median(without)
    print(f"pytest start-up CPU, {pairs} alternating pairs (Python {sys.version.split()[0]})")
    print(f"  with the tendlc plugin   median {statistics.median(with_plugin) * 1000:7.1f} ms")
    print(f"  -p no:tendlc             median {statistics.median(without) * 1000:7.1f} ms")
    print(f"  ratio (median of pairs)  {ratio:.3f}  (extra {extra * 1000:+.1f} ms)")
    print(f"  goal <= 1.05: {'met' if ratio <= 1.05 else 'NOT met'}")
    import_extra = statistics.median(import_cpu) - statistics.median(bare_cpu)
    print(
        f"import tendlc CPU: {statistics.median(import_cpu) * 1000:.1f} ms against "
        f"{statistics.median(bare_cpu) * 1000:.1f} ms for a bare interpreter "
        f"({import_extra * 1000:+.1f} ms)"
    )


# -- 2. the first validations of a new process, the disk cache cold and warm ------------------

FIRST = """
import json, sys, time
begin = time.process_time(), time.perf_counter()
import httpx
import tendlc
from tendlc import validate
from tendlc.traffic import Exchange, check_exchange
imports = time.process_time() - begin[0], time.perf_counter() - begin[1]
target, spec = json.loads(sys.argv[1])
if target == "exchange":
    method, url, headers, body, status, answer_headers, answer = spec
    transport = httpx.MockTransport(
        lambda request: httpx.Response(status, headers=answer_headers, content=answer.encode())
    )
    with httpx.Client(transport=transport) as client:
        sent = client.request(method, url, headers=headers, content=body.encode())
    exchange = Exchange.from_httpx(sent)
    call = lambda: check_exchange(exchange).valid
else:
    call = lambda: validate(target, spec).valid
start = time.process_time(), time.perf_counter()
valid = call()
spent = time.process_time() - start[0], time.perf_counter() - start[1]
print(json.dumps({"imports": imports, "call": spent, "valid": valid}))
"""


def cassette(relative: str) -> list[object]:
    """[method, url, request headers, request body, status, response headers, response body]
    of a recorded exchange (its first interaction)."""
    recorded = yaml.safe_load((ROOT / "cassettes" / relative).read_text(encoding="utf-8"))
    interaction = recorded["interactions"][0]
    request, response = interaction["request"], interaction["response"]

    def text(body: object) -> str:
        if isinstance(body, dict):
            body = body.get("string", "")
        if isinstance(body, bytes):
            return body.decode("utf-8")
        return "" if body is None else str(body)

    def first(headers: dict[str, list[str]] | None) -> dict[str, str]:
        return {name: values[0] for name, values in (headers or {}).items() if values}

    return [
        request["method"],
        request["uri"],
        first(request.get("headers")),
        text(request.get("body")),
        int(response["status"]["code"]),
        first(response.get("headers")),
        text(response.get("body")),
    ]


def first_validations(runs: int) -> None:
    """Section 2: a new process's first call, the disk cache cold against warm."""
    brand = cassette("bandwidth/brands.create.201.yaml")
    campaign = cassette("vonage/campaigns.create.201.yaml")
    targets = {
        "validate a Bandwidth brand": ["bandwidth.brands.create", brand[3]],
        "validate a Vonage campaign": ["vonage.campaigns.create", json.loads(str(campaign[3]))],
        "check a Bandwidth exchange": ["exchange", brand],
        "check a Vonage exchange": ["exchange", campaign],
    }
    print()
    print(f"first call of a new process, median of {runs} processes each (CPU / wall ms)")
    print(f"  {'':28} {'cold cache':>17} {'warm cache':>17} {'imports before':>17}")
    with tempfile.TemporaryDirectory() as folder:
        for number, (label, target) in enumerate(targets.items()):
            argument = json.dumps(target)
            cold = []
            for index in range(runs):
                cache = Path(folder) / f"cold-{number}-{index}"  # each one new and empty
                cold.append(_first(argument, cache))
            warm_cache = Path(folder) / f"warm-{number}"
            _first(argument, warm_cache)  # fills it
            warm = [_first(argument, warm_cache) for _ in range(runs)]
            print(
                f"  {label:28} {_ms(cold, 'call'):>17} {_ms(warm, 'call'):>17} "
                f"{_ms(warm, 'imports'):>17}"
            )
            valid = {run["valid"] for run in cold + warm}
            if valid != {True}:
                print(f"    (the payload was not found valid: {valid})")
            goal = statistics.median(run["call"][0] for run in warm) <= 0.050
            print(f"    goal <= 50 ms CPU warm: {'met' if goal else 'NOT met'}")


def _first(argument: str, cache: Path) -> dict[str, object]:
    env = {**os.environ, "TENDLC_CACHE_DIR": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules imported from bytecode
    done = subprocess.run(
        [sys.executable, "-c", FIRST, argument],
        capture_output=True,
        check=True,
        env=env,
        cwd=cache.parent,  # a project without a tendlc table
    )
    found: dict[str, object] = json.loads(done.stdout)
    return found


def _ms(runs: list[dict[str, object]], key: str) -> str:
    cpu = statistics.median(run[key][0] for run in runs)  # type: ignore[index]
    wall = statistics.median(run[key][1] for run in runs)  # type: ignore[index]
    return f"{cpu * 1000:.0f} / {wall * 1000:.0f}"


# -- 3. a user's suite of 50 tests, checking its traffic ---------------------------------------

SUITE = """
import json
from pathlib import Path

import httpx
import pytest

EXCHANGES = json.loads((Path(__file__).parent / "exchanges.json").read_text())


@pytest.mark.parametrize("index", range(len(EXCHANGES)))
def test_exchange(index):
    method, url, headers, body, status, answer_headers, answer = EXCHANGES[index]
    transport = httpx.MockTransport(
        lambda request: httpx.Response(status, headers=answer_headers, content=answer.encode())
    )
    with httpx.Client(transport=transport) as client:
        response = client.request(method, url, headers=headers, content=body.encode())
    assert response.status_code == status
"""


def suite_exchanges(count: int) -> list[list[object]]:
    """``count`` documented successful exchanges, half of each provider, text bodies only."""
    chosen: list[list[object]] = []
    for provider in ("bandwidth", "vonage"):
        found = []
        for path in sorted((ROOT / "cassettes" / provider).glob("*.yaml")):
            status = int(path.stem.rsplit(".", 1)[-1]) if path.stem[-3:].isdigit() else 0
            if not 200 <= status < 300:
                continue
            exchange = cassette(f"{provider}/{path.name}")
            kind = str(exchange[2].get("Content-Type", ""))  # type: ignore[union-attr]
            if kind.startswith("multipart/") or "octet" in kind or not _clean(exchange):
                continue
            found.append(exchange)
        chosen += (found * (count // 2 // len(found) + 1))[: count // 2]
    return chosen


def _clean(spec: list[object]) -> bool:
    """Whether the plugin finds nothing to fail in the exchange as a mock answers it (a
    recorded answer may carry a field its contract does not document, an error in a mock)."""
    import httpx

    from tendlc.traffic import Exchange, check_exchange

    method, url, headers, body, status, answer_headers, answer = spec
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            int(status),  # type: ignore[call-overload]
            headers=answer_headers,  # type: ignore[arg-type]
            content=str(answer).encode(),
        )
    )
    with httpx.Client(transport=transport) as client:
        sent = client.request(
            str(method),
            str(url),
            headers=headers,  # type: ignore[arg-type]
            content=str(body).encode(),
        )
    return check_exchange(Exchange.from_httpx(sent), strict_mocks=True).valid


def user_suite(pairs: int) -> None:
    """Section 3: 50 tests checking their traffic, against none, and on two workers."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        exchanges = suite_exchanges(50)
        (project / "exchanges.json").write_text(json.dumps(exchanges))
        (project / "test_exchanges.py").write_text(SUITE)
        env = {**os.environ, "TENDLC_CACHE_DIR": str(project / "cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        checking = [*pytest, "--tendlc-check"]
        without = [*pytest, "-p", "no:tendlc"]
        parallel = [*checking, "-n", "2"]
        cold = timed(checking, project, env)  # the cache empty: fills it
        timed(without, project, env)
        check_runs, plain_runs = paired(checking, without, pairs, project, env)
        parallel_runs, serial_runs = paired(parallel, checking, pairs, project, env)
        # xdist's own cost on this suite, tendlc left out: the baseline of the -n 2 row
        plain_parallel, plain_serial = paired([*without, "-n", "2"], without, pairs, project, env)
    print()
    print(
        f"a {len(exchanges)}-test suite sending documented exchanges through mocked httpx, "
        f"{pairs} alternating pairs (median CPU / wall ms)"
    )
    rows = [
        ("-p no:tendlc", plain_runs),
        ("--tendlc-check", check_runs),
        ("--tendlc-check -n 2", parallel_runs),
        ("-p no:tendlc -n 2", plain_parallel),
    ]
    print(
        f"  {'--tendlc-check, cold cache (1 run)':38} {cold[0] * 1000:7.0f} / {cold[1] * 1000:.0f}"
    )
    for label, runs in rows:
        cpu = statistics.median(run[0] for run in runs)
        wall = statistics.median(run[1] for run in runs)
        print(f"  {label + ', warm cache':38} {cpu * 1000:7.0f} / {wall * 1000:.0f}")
    overhead = statistics.median(
        a[0] / b[0] for a, b in zip(check_runs, plain_runs, strict=True) if b[0] > 0
    )
    print(
        f"  checking overhead (median CPU ratio of pairs) {overhead:.3f}  "
        f"goal <= 1.10: {'met' if overhead <= 1.10 else 'NOT met'}"
    )
    speed = statistics.median(
        a[1] / b[1] for a, b in zip(parallel_runs, serial_runs, strict=True) if b[1] > 0
    )
    print(
        f"  -n 2 against serial, both checking (median wall ratio of pairs) {speed:.3f}  "
        f"goal <= 1.00: {'met' if speed <= 1.0 else 'NOT met'}"
    )
    baseline = statistics.median(
        a[1] / b[1] for a, b in zip(plain_parallel, plain_serial, strict=True) if b[1] > 0
    )
    print(f"  -n 2 against serial, tendlc left out (xdist's own cost) {baseline:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=20, help="pairs of the idle runs")
    parser.add_argument("--first", type=int, default=5, help="fresh processes per cache state")
    parser.add_argument("--suite-pairs", type=int, default=5, help="pairs of the suite runs")
    parser.add_argument(
        "--only", choices=("idle", "first", "suite"), default=None, help="one section only"
    )
    args = parser.parse_args()
    if args.only in (None, "idle"):
        idle(args.pairs)
    if args.only in (None, "first"):
        first_validations(args.first)
    if args.only in (None, "suite"):
        user_suite(args.suite_pairs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
