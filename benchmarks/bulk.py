"""Bulk validation from a directory: one process against every core, same run.

    python benchmarks/bulk.py [--count 10000]

For each provider it writes ``--count`` brand payloads (the documented example, each with its
own display name) to a temporary directory, then times ``tendlc validate OPERATION DIR -q``
with ``--jobs 1`` and with every core, and prints payloads per second and the speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _brands(provider: str, folder: Path, count: int) -> str:
    if provider == "bandwidth":
        body = (EXAMPLES / "bandwidth/brands.create.request.xml").read_text(encoding="utf-8")
        for index in range(count):
            named = body.replace(
                "<DisplayName>Bandwidth</DisplayName>", f"<DisplayName>Brand {index}</DisplayName>"
            )
            (folder / f"brand-{index:05d}.xml").write_text(named, encoding="utf-8")
        return "bandwidth.brands.create"
    brand = json.loads((EXAMPLES / "vonage/brands.create.request.json").read_text())
    brand.pop("universal_ein", None)  # read-only (errata VG-002)
    brand["verification_email_completion_date"] = "2019-08-24T14:15:22Z"  # VG-003
    for index in range(count):
        brand["display_name"] = f"Brand {index}"
        (folder / f"brand-{index:05d}.json").write_text(json.dumps(brand), encoding="utf-8")
    return "vonage.brands.create"


_PHASE = re.compile(r"payload\(s\) in ([0-9.]+) s")


def _time(operation: str, folder: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds of the whole command, seconds of its validation phase as it reports)."""
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tendlc",
            "validate",
            operation,
            str(folder),
            "-q",
            "--jobs",
            str(jobs),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"validate exited {done.returncode}: {done.stderr[-400:]}")
    phase = _PHASE.search(done.stderr)
    if phase is None:
        raise SystemExit(f"validate printed no summary: {done.stderr[-400:]}")
    return elapsed, float(phase.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(
        f"bulk validation, {args.count:,} brand payloads per provider, {cores} CPUs "
        f"(Python {sys.version.split()[0]}; wall time, process start included)\n"
    )
    print(f"{'provider':<10} {'':<16} {'1 process':>14} {f'{cores} processes':>14} {'speed-up':>9}")
    for provider in ("bandwidth", "vonage"):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            operation = _brands(provider, folder, args.count)
            one = _time(operation, folder, 1)
            many = _time(operation, folder, cores)
        for index, what in enumerate(("whole command", "validation phase")):
            print(
                f"{provider if index == 0 else '':<10} {what:<16} "
                f"{args.count / one[index]:>12,.0f}/s {args.count / many[index]:>12,.0f}/s "
                f"{one[index] / many[index]:>8.2f}x"
            )
    print(
        "\n(the whole command includes starting Python, listing and reading the files and "
        "compiling the contract; the validation phase is the run's own summary line)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
