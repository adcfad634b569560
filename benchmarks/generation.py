"""Examples per second of tendlc's generators, beside hypothesis-jsonschema as the baseline.

    python benchmarks/generation.py [--examples 300] [--baseline-timeout 120] [--no-baseline]

For vonage.campaigns.create, vonage.brands.create and bandwidth.brands.create it draws
``--examples`` request bodies from ``tendlc.strategies.requests`` (generation phase only: no
shrinking, no example database) and prints examples per second and the share the contract
accepts. The baseline is hypothesis-jsonschema's ``from_schema`` on the same Vonage schemas
(``$ref`` inlined, annotations dropped), measured in the same run. hypothesis-jsonschema 0.23.1
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

OPERATIONS = ("vonage.campaigns.create", "vonage.brands.create", "bandwidth.brands.create")
BASELINE_SCHEMAS = {
    "vonage.campaigns.create": "CampaignCreateRequest",
    "vonage.brands.create": "BrandCreateRequest",
}
BASELINE_PINS = ("hypothesis==6.98.0", "hypothesis-jsonschema==0.23.1")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tendlc-bench"


def measure_tendlc(operation: str, examples: int) -> dict[str, Any]:
    from hypothesis import HealthCheck, Phase, given, settings

    import tendlc
    from tendlc import strategies

    drawn: list[Any] = []

    @settings(
        max_examples=examples,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategies.requests(operation))
    def collect(payload: Any) -> None:
        drawn.append(payload)

    started = time.perf_counter()
    collect()
    elapsed = time.perf_counter() - started
    valid = sum(tendlc.validate(operation, payload).valid for payload in drawn)
    return {"count": len(drawn), "seconds": elapsed, "valid": valid}


def inlined_schema(name: str) -> dict[str, Any]:
    """A component of the Vonage document as one standalone JSON Schema."""
    from tendlc.catalog import load_contract

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
from hypothesis import HealthCheck, Phase, given, settings
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

    print(
        f"tendlc generators, {args.examples} examples per operation "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)\n"
    )
    ours = {operation: measure_tendlc(operation, args.examples) for operation in OPERATIONS}

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
        f"\n{'operation':<26} {'tendlc ex/s':>11} {'valid':>7}   "
        f"{'hypothesis-jsonschema':<40} {'ratio':>7}"
    )
    for operation in OPERATIONS:
        result = ours[operation]
        mine = rate(result)
        line = (
            f"{operation:<26} {mine:>11.1f} "
            f"{100 * result['valid'] / max(result['count'], 1):>6.0f}%   "
        )
        base = baselines.get(operation)
        if base is None:
            line += f"{'(no JSON Schema baseline: XML)':<40} {'-':>7}"
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
    campaign = rate(ours["vonage.campaigns.create"])
    print(
        f"\ngoal: >= 200 ex/s on vonage.campaigns.create: {campaign:.1f} ex/s "
        f"({'met' if campaign >= 200 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
