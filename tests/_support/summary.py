"""Figures a test run prints in its terminal summary (a pytest plugin, loaded by conftest.py).

A test records into the ``tally`` fixture (kept in the run's ``config.stash``); the summary
prints what was recorded. Under pytest-xdist each worker sends its tally to the controller,
which prints the sum.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import pytest


@dataclass
class Tally:
    """What the tests of one run counted."""

    #: the inputs the fuzz tests (tests/test_fuzz.py) fed to ``tendlc.validate``
    fuzz_inputs: int = 0

    def add(self, other: dict[str, int]) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + other.get(field.name, 0))


_TALLY = pytest.StashKey[Tally]()
_WORKER_OUTPUT = "tendlc_tally"


def tally_of(config: pytest.Config) -> Tally:
    """The tally of this run (of this process, under xdist)."""
    return config.stash.setdefault(_TALLY, Tally())


@pytest.fixture(scope="session")
def tally(pytestconfig: pytest.Config) -> Tally:
    """The run's tally, for a test to count into."""
    return tally_of(pytestconfig)


def pytest_sessionfinish(session: pytest.Session) -> None:
    output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker: its tally goes to the controller
        output[_WORKER_OUTPUT] = vars(tally_of(session.config))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """An xdist worker finished: add its tally to the controller's."""
    output = getattr(node, "workeroutput", None) or {}
    tally_of(node.config).add(output.get(_WORKER_OUTPUT, {}))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    inputs = tally_of(config).fuzz_inputs
    if inputs:
        terminalreporter.write_line(f"tendlc fuzz: {inputs:,} inputs validated")
