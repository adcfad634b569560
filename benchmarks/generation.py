"""Examples per second of tendlc's generators, beside hypothesis-jsonschema as the baseline.

    python benchmarks/generation.py [--examples 300] [--baseline-timeout 120] [--no-baseline]

For every operation with a structured request body it draws ``--examples`` request bodies
from ``tendlc.strategies.requests`` (generation phase only: no shrinking, no example
database, Hypothesis's default health checks) and prints examples per second, the share the
contract accepts and the share of draws Hypothesis rejected on the way. The draws are counted
in a first run through Hypothesis's observability; the examples per second are timed in a
second run without it (observing costs per test case what no user pays). The baseline is
hypothesis-jsonschema's ``from_schema`` on the same Vonage schemas (``$ref`` inlined,
annotations dropped), measured in the same run. hypothesis-jsonschema 0.23.1
fails with current Hypothesis, so after trying this environment the script runs it in a
separate virtual environment with the newest Hypothesis it works with (created once under
~/.cache/tendlc-bench; needs the package index the first time). A baseline that fails or does
not finish within ``--baseline-timeout`` seconds is reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Any

HEADLINE = ("vonage.campaigns.create", "vonage.brands.create", "bandwidth.brands.create")
BASELINE_SCHEMAS = {
    "vonage.campaigns.create": "CampaignCreateRequest",
    "vonage.brands.create": "BrandCreateRequest",
}
BASELINE_PINS = ("hypothesis==6.98.0", "hypothesis-jsonschema==0.23.1")
# Hypothesis's own mutation phase replays spliced choice sequences; one that runs out of choices
# ends as an overrun whatever the strategy (st.lists(st.integers(), min_size=2, max_size=2)
# shows it too). Those are reported apart from the draws the strategy itself rejected.
OVERRUN = "exceeded maximum test case size"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tendlc-bench"


def measure_tendlc(operation: str, examples: int) -> dict[str, Any]:
    """Draw ``examples`` valid requests; count the draws Hypothesis threw away on the way
    (assume/filter rejections: its observability reports them as ``gave_up``)."""
    from hypothesis import Phase, given, settings
    from hypothesis.internal import observability
    from hypothesis.internal.observability import (
        add_observability_callback,
        remove_observability_callback,
    )

    import tendlc
    from tendlc import strategies

    drawn: list[Any] = []
    statuses: dict[str, int] = {}

    def observe(observation: Any) -> None:
        if getattr(observation, "type", None) != "test_case":
            return
        status = observation.status
        if status == "gave_up" and observation.status_reason == OVERRUN:
            status = "overrun"
        statuses[status] = statuses.get(status, 0) + 1

    @settings(max_examples=examples, phases=[Phase.generate], database=None)
    @given(strategies.requests(operation))
    def collect(payload: Any) -> None:
        drawn.append(payload)

    # Two runs of the same test: the first, observed, counts what Hypothesis threw away (and
    # builds the strategies); the second is timed without the observer, whose per-test-case
    # reports no user pays for and which cost more than a third of the time on small bodies.
    # Observing would also trace coverage, slowing every draw many times over; Hypothesis
    # supports switching that off here (the environment variable for it would also write
    # every observation to a file, for the timed run and the baseline's process too).
    observability.OBSERVABILITY_COLLECT_COVERAGE = False
    add_observability_callback(observe)
    try:
        collect()
    finally:
        remove_observability_callback(observe)
    observed = len(drawn)
    drawn.clear()
    started = time.perf_counter()
    collect()
    elapsed = time.perf_counter() - started
    valid = sum(tendlc.validate(operation, payload).valid for payload in drawn)
    draws = sum(statuses.values()) or observed
    return {
        "count": len(drawn),
        "seconds": elapsed,
        "valid": valid,
        "rejected": statuses.get("gave_up", 0),
        "overrun": statuses.get("overrun", 0),
        "draws": draws,
    }


def inlined_schema(name: str) -> dict[str, Any]:
    """A component of the Vonage document as one standalone JSON Schema."""
    from tendlc._catalog import load_contract

    document = load_contract("vonage/openapi.yaml")

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target: Any = document
                for token in node["$ref"][2:].split("/"):
                    target = target[token]
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {"allOf": [inline(target), inline(rest)]} if rest else inline(target)
            return {
                key: inline(value)
                for key, value in node.items()
                if not key.startswith("x-") and key not in ("examples", "deprecated")
            }
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    schema = inline(document["components"]["schemas"][name])
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


WORKER = r"""
import json, sys, time
from hypothesis import HealthCheck, Phase, given, settings  # the baseline needs the checks off
from hypothesis_jsonschema import from_schema
schema, examples, out = json.loads(sys.stdin.read()), int(sys.argv[1]), open(sys.argv[2], "w")
started = time.perf_counter()
@settings(max_examples=examples, phases=[Phase.generate], database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(from_schema(schema))
def collect(payload):
    out.write(json.dumps({"t": time.perf_counter() - started, "payload": payload}) + "\n")
    out.flush()
collect()
"""


def baseline_python() -> str | None:
    """A Python with hypothesis-jsonschema and a Hypothesis it works with."""
    target = CACHE / "hypothesis-jsonschema"
    python = target / "bin" / "python"
    if not python.exists():
        print(f"(creating the baseline environment in {target})", flush=True)
        venv.create(target, with_pip=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *BASELINE_PINS],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"(could not install the baseline: {done.stderr.strip()[-300:]})")
            return None
    return str(python)


def measure_baseline(python: str, operation: str, examples: int, timeout: float) -> dict[str, Any]:
    """Run the baseline in a child process; a run cut off by the timeout still counts what it
    drew (each example is written with its time as it is drawn)."""
    import tempfile

    import tendlc

    schema = inlined_schema(BASELINE_SCHEMAS[operation])
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as out:
        child = subprocess.Popen(
            [python, "-c", WORKER, str(examples), out.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _, errors = child.communicate(json.dumps(schema), timeout=timeout)
            cut_off = False
        except subprocess.TimeoutExpired:
            child.kill()
            _, errors = child.communicate()
            cut_off = True
        rows = [json.loads(line) for line in out.read().splitlines() if line.endswith("}")]
    if not cut_off and child.returncode != 0:
        last = errors.strip().splitlines()[-1] if errors.strip() else "no output"
        return {"error": f"failed: {last[:120]}"}
    if not rows:
        return {"error": f"no example in {timeout:.0f} s"}
    valid = sum(tendlc.validate(operation, row["payload"]).valid for row in rows)
    note = f" (cut off at {timeout:.0f} s)" if cut_off else ""
    return {"count": len(rows), "seconds": rows[-1]["t"], "valid": valid, "note": note}


def rate(result: dict[str, Any]) -> float:
    return float(result["count"] / result["seconds"]) if result.get("seconds") else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--baseline-timeout", type=float, default=120.0)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    import tendlc

    print(
        f"tendlc generators, {args.examples} examples per operation "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)\n"
    )
    operations = list(HEADLINE) + [
        op.id
        for op in tendlc.operations()
        if op.request is not None and op.request.structured and op.id not in HEADLINE
    ]
    ours = {operation: measure_tendlc(operation, args.examples) for operation in operations}

    baselines: dict[str, dict[str, Any]] = {}
    if not args.no_baseline:
        try:  # the current environment first: it is the one users have
            import hypothesis_jsonschema  # noqa: F401

            python: str | None = sys.executable
        except ImportError:
            python = None
        for operation in BASELINE_SCHEMAS:
            result = (
                measure_baseline(python, operation, args.examples, args.baseline_timeout)
                if python
                else {"error": "absent"}
            )
            if "error" in result and python == sys.executable:
                print(
                    f"hypothesis-jsonschema with this environment's Hypothesis, "
                    f"{operation}: {result['error']}"
                )
            baselines[operation] = result
        if any("error" in result for result in baselines.values()):
            pinned = baseline_python()
            if pinned:
                for operation, result in baselines.items():
                    if "error" in result:
                        baselines[operation] = measure_baseline(
                            pinned, operation, args.examples, args.baseline_timeout
                        )
                        baselines[operation]["environment"] = ", ".join(BASELINE_PINS)

    print(
        f"\n{'operation':<36} {'tendlc ex/s':>11} {'valid':>6} {'rejected':>9} {'overrun':>8}   "
        f"{'hypothesis-jsonschema':<40} {'ratio':>7}"
    )
    for operation in operations:
        result = ours[operation]
        mine = rate(result)
        line = (
            f"{operation:<36} {mine:>11.1f} "
            f"{100 * result['valid'] / max(result['count'], 1):>5.0f}% "
            f"{100 * result['rejected'] / max(result['draws'], 1):>8.1f}% "
            f"{100 * result['overrun'] / max(result['draws'], 1):>7.1f}%   "
        )
        base = baselines.get(operation)
        if base is None:
            line += f"{'-':<40} {'-':>7}"
        elif "error" in base:
            line += f"{base['error'][:40]:<40} {'-':>7}"
        else:
            theirs = rate(base)
            share = 100 * base["valid"] / max(base["count"], 1)
            detail = f"{theirs:.1f} ex/s, {share:.0f}% valid, n={base['count']}{base['note']}"
            line += f"{detail:<40} {mine / theirs if theirs else float('inf'):>6.1f}x"
        print(line)
    for operation, base in baselines.items():
        if base.get("environment"):
            print(f"  baseline for {operation} ran with {base['environment']}")
    print(
        "\nrejected: draws the strategy threw away (assume, filter); overrun: Hypothesis's "
        "mutation phase replays cut short (not a rejection by the strategy)"
    )
    for provider in ("bandwidth", "vonage"):
        mine = {op: r for op, r in ours.items() if op.startswith(provider + ".")}
        slowest = min(mine, key=lambda op: rate(mine[op]))
        draws = sum(r["draws"] for r in mine.values())
        rejected = sum(r["rejected"] for r in mine.values())
        print(
            f"goal {provider}: >= 200 valid ex/s on every request operation: slowest "
            f"{slowest} {rate(mine[slowest]):.1f} ex/s "
            f"({'met' if rate(mine[slowest]) >= 200 else 'NOT met'}); "
            f"rejected draws {100 * rejected / max(draws, 1):.1f}% (goal < 5%: "
            f"{'met' if rejected < 0.05 * max(draws, 1) else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
