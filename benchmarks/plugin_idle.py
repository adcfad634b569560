"""What having the tendlc plugin installed costs a pytest run that does not use it.

    python benchmarks/plugin_idle.py [--pairs 20]

In a throwaway project with one trivial test, it runs pytest with the plugin and with
``-p no:tendlc`` in alternating pairs (so that a busy machine slows both alike) and prints the
CPU time of each (user + system, from the child's resource usage), the median ratio and the
goal (at most 1.05). Beside it: the CPU time of ``import tendlc`` against a bare interpreter.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def cpu_of(command: list[str], cwd: Path) -> float:
    """User + system CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def paired(a: list[str], b: list[str], pairs: int, cwd: Path) -> tuple[list[float], list[float]]:
    first: list[float] = []
    second: list[float] = []
    for index in range(pairs):
        # alternate which runs first, so that neither always gets the warm cache
        if index % 2:
            second.append(cpu_of(b, cwd))
            first.append(cpu_of(a, cwd))
        else:
            first.append(cpu_of(a, cwd))
            second.append(cpu_of(b, cwd))
    return first, second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "test_nothing.py").write_text("def test_nothing():\n    assert True\n")
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        cpu_of(pytest, project)  # warm the file system cache and the bytecode
        with_plugin, without = paired(pytest, [*pytest, "-p", "no:tendlc"], args.pairs, project)
        bare = [sys.executable, "-c", "pass"]
        imported = [sys.executable, "-c", "import tendlc"]
        cpu_of(imported, project)
        import_cpu, bare_cpu = paired(imported, bare, args.pairs, project)
    ratios = [a / b for a, b in zip(with_plugin, without, strict=True) if b > 0]
    ratio = statistics.median(ratios)
    extra = statistics.median(with_plugin) - statistics.median(without)
    print(f"pytest start-up CPU, {args.pairs} alternating pairs (Python {sys.version.split()[0]})")
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
