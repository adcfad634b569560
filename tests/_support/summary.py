"""Figures a test run prints in its terminal summary (a pytest plugin, loaded by conftest.py).

A test records into the ``tally`` fixture (kept in the run's ``config.stash``); the summary
prints what was recorded. Under pytest-xdist each worker sends its tally to the controller,
which prints the sum.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class Tally:
    """What the tests of one run counted."""

    #: the inputs the fuzz tests (tests/test_fuzz.py) fed to ``tendlc.validate``
    fuzz_inputs: int = 0
    #: the sizes each differential test compared, by its name ("XML patterns" ...)
    differentials: dict[str, Counter[str]] = field(default_factory=dict)
    #: files a test keeps for a person to look at (a screenshot), by what they show
    kept: dict[str, str] = field(default_factory=dict)

    def add(self, other: dict[str, Any]) -> None:
        self.fuzz_inputs += other.get("fuzz_inputs", 0)
        self.kept.update(other.get("kept", {}))
        for name, sizes in other.get("differentials", {}).items():
            self.differentials.setdefault(name, Counter()).update(sizes)


_TALLY = pytest.StashKey[Tally]()
_WORKER_OUTPUT = "tendlc_tally"


def tally_of(config: pytest.Config) -> Tally:
    """The tally of this run (of this process, under xdist)."""
    return config.stash.setdefault(_TALLY, Tally())


@pytest.fixture(scope="session")
def differential(pytestconfig: pytest.Config) -> Any:
    """The sizes a differential test compared, by name (``differential("XML patterns")`` is a
    Counter to add to): printed in the terminal summary, whatever the capture mode."""
    sizes = tally_of(pytestconfig).differentials
    return lambda name: sizes.setdefault(name, Counter())


@pytest.fixture(scope="session")
def tally(pytestconfig: pytest.Config) -> Tally:
    """The run's tally, for a test to count into."""
    return tally_of(pytestconfig)


def pytest_sessionfinish(session: pytest.Session) -> None:
    output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker: its tally goes to the controller
        tally = tally_of(session.config)
        output[_WORKER_OUTPUT] = {
            "fuzz_inputs": tally.fuzz_inputs,
            "differentials": {name: dict(sizes) for name, sizes in tally.differentials.items()},
            "kept": dict(tally.kept),
        }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """An xdist worker finished: add its tally to the controller's."""
    output = getattr(node, "workeroutput", None) or {}
    tally_of(node.config).add(output.get(_WORKER_OUTPUT, {}))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    inputs = tally_of(config).fuzz_inputs
    if inputs:
        terminalreporter.write_line(f"tendlc fuzz: {inputs:,} inputs validated")
    for name, sizes in sorted(tally_of(config).differentials.items()):
        counts = ", ".join(f"{count:,} {what}" for what, count in sorted(sizes.items()))
        terminalreporter.write_line(f"tendlc differential, {name}: {counts}")
    for what, path in sorted(tally_of(config).kept.items()):
        terminalreporter.write_line(f"tendlc kept {what}: {path}")
