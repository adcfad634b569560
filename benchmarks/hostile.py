"""Time and memory of tendlc.validate on hostile input, beside a documented example.

    python benchmarks/hostile.py

Each input runs in a fresh child process (contracts compiled first, then the input built,
then validated once), which reports the seconds validate took and how far the process's peak
resident memory grew while it ran. The baseline is the same measurement on the documented
example of the same operation, in the same run. Goals: each hostile input answered within
1 second and 200 MB, with an invalid report.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import tendlc
from tendlc._documented import documented_examples

name, operation = sys.argv[1], sys.argv[2]
example = next(e for e in documented_examples()
               if e.operation == operation and e.part == "request" and e.expect == "valid")
tendlc.validate(operation, example.published())  # compile the contracts first
big = 100 * 1024 * 1024
inputs = {
    "documented example (baseline)": lambda: example.published(),
    "XXE file entity": lambda: b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Brand>&e;</Brand>',
    "billion laughs": lambda: (b'<!DOCTYPE x [<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1)) * 10) for i in range(1, 10))
        + b"]><Brand>&l9;</Brand>"),
    "quadratic blow-up": lambda: (b'<!DOCTYPE x [<!ENTITY a "' + b"a" * 100_000 + b'">]><Brand>'
                                  + b"&a;" * 10_000 + b"</Brand>"),
    "100 MB XML body": lambda: b"<Brand>" + b"x" * big + b"</Brand>",
    "100 MB JSON body": lambda: b'{"a": "' + b"x" * big + b'"}',
    "100,000-deep XML": lambda: b"<a>" * 100_000,
    "100,000-deep JSON": lambda: b"[" * 100_000 + b"]" * 100_000,
    "10,000-digit number": lambda: b'{"a": ' + b"9" * 10_000 + b"}",
    "invalid UTF-8": lambda: b'{"a": "\xff\xfe"}',
    "duplicate keys x 10,000": lambda: b"{" + b",".join(b'"k": 1' for _ in range(10_000)) + b"}",
    "1 MB of random bytes": lambda: __import__("os").urandom(1024 * 1024),
}
payload = inputs[name]()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
report = tendlc.validate(operation, payload)
seconds = time.perf_counter() - started
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
best = report.best_match()
print(json.dumps({"seconds": seconds, "grown_kb": grown, "valid": report.valid,
                  "rule": best.rule if best else None, "bytes": len(payload)}))
"""

CASES = [
    ("documented example (baseline)", "bandwidth.brands.create"),
    ("XXE file entity", "bandwidth.brands.create"),
    ("billion laughs", "bandwidth.brands.create"),
    ("quadratic blow-up", "bandwidth.brands.create"),
    ("100 MB XML body", "bandwidth.brands.create"),
    ("100,000-deep XML", "bandwidth.brands.create"),
    ("1 MB of random bytes", "bandwidth.brands.create"),
    ("documented example (baseline)", "vonage.brands.update"),
    ("100 MB JSON body", "vonage.brands.update"),
    ("100,000-deep JSON", "vonage.brands.update"),
    ("10,000-digit number", "vonage.brands.update"),
    ("invalid UTF-8", "vonage.brands.update"),
    ("duplicate keys x 10,000", "vonage.brands.update"),
    ("1 MB of random bytes", "vonage.brands.update"),
]


def main() -> int:
    print(
        f"{'input':<32} {'operation':<26} {'seconds':>9} {'x base':>7} {'peak +MB':>9} "
        f"{'verdict':<16}"
    )
    baseline: dict[str, float] = {}
    failures = 0
    for name, operation in CASES:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, name, operation],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            print(f"{name:<32} {operation:<26} crashed: {done.stderr.strip()[-200:]}")
            failures += 1
            continue
        result = json.loads(done.stdout)
        if name.startswith("documented"):
            baseline[operation] = result["seconds"]
        ratio = result["seconds"] / baseline[operation] if baseline.get(operation) else 1.0
        verdict = "valid" if result["valid"] else f"invalid ({result['rule']})"
        megabytes = result["grown_kb"] / 1024
        hostile = not name.startswith("documented")
        ok = not hostile or (result["seconds"] < 1 and megabytes < 200 and not result["valid"])
        failures += not ok
        print(
            f"{name:<32} {operation:<26} {result['seconds']:>9.4f} {ratio:>7.1f} "
            f"{megabytes:>9.1f} {verdict:<16}{'' if ok else '  GOAL MISSED'}"
        )
    print(
        f"\ngoals (< 1 s, < 200 MB growth, invalid report): "
        f"{'all met' if not failures else f'{failures} missed'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
