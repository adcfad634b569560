"""Checking the HTTP traffic of a test: every exchange sent through httpx or requests while the
test runs — its fixtures' setup and teardown included, whatever their scope — is checked as it
completes and kept with the phase it happened in."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from ._settings import TendlcSettings, check_wanted, configured, item_settings

if TYPE_CHECKING:
    from ..traffic import BrandMemory, Exchange, ExchangeResult

__all__ = [
    "Checked",
    "Expectation",
    "TendlcTraffic",
    "TrafficViolation",
    "brand_memory",
    "breaks",
    "checked",
    "expect_violation",
    "failures",
    "message",
    "remember_settings",
    "run_phase",
    "settings_of",
    "watching",
]

_CHECKED = pytest.StashKey[list["Checked"]]()
_SETTINGS = pytest.StashKey[TendlcSettings]()
_PHASE = pytest.StashKey[str]()
_EXPECTING = pytest.StashKey[list["Expectation"]]()
_BRANDS = pytest.StashKey["BrandMemory"]()


@dataclass
class Checked:
    """One checked exchange of a test: the phase it happened in (``setup``, ``call``,
    ``teardown``), and whether a ``tendlc_expect_violation`` block took it or it was raised
    at the call site already."""

    result: ExchangeResult
    phase: str
    expected: bool = False
    raised: bool = False


@dataclass
class Expectation:
    """A ``tendlc_expect_violation`` block: the violation it waits for, and what it saw."""

    rule: str | None = None
    path: str | None = None
    operation: str | None = None
    seen: list[ExchangeResult] = field(default_factory=list)

    def takes(self, result: ExchangeResult, strict: bool) -> bool:
        issues = [*result.errors, *(result.warnings if strict else ())]
        return bool(issues) and (
            (self.operation is None or result.operation == self.operation)
            and any(
                (self.rule is None or issue.rule == self.rule)
                and (self.path is None or issue.path == self.path)
                for issue in issues
            )
        )


class TrafficViolation(AssertionError):
    """An exchange broke the contracts (raised where it was sent, inside a Hypothesis example,
    so that Hypothesis shrinks the example and shows it)."""


def settings_of(item: pytest.Item) -> TendlcSettings:
    """The test's settings (the ``tendlc_config`` fixture's, once it has been set up)."""
    found = item.stash.get(_SETTINGS, None)
    return found if found is not None else item_settings(item, configured(item.config))


def remember_settings(item: pytest.Item, settings: TendlcSettings) -> None:
    item.stash[_SETTINGS] = settings


def checked(item: pytest.Item) -> list[Checked]:
    return item.stash.setdefault(_CHECKED, [])


def brand_memory(config: pytest.Config) -> BrandMemory:
    """The session's brands: every test's exchanges teach it, so a campaign a test sends
    gets the advice on the brand an earlier exchange (of any test) created or read."""
    found = config.stash.get(_BRANDS, None)
    if found is None:
        from ..traffic import BrandMemory

        found = config.stash[_BRANDS] = BrandMemory()
    return found


def breaks(result: ExchangeResult, settings: TendlcSettings) -> bool:
    return bool(result.errors or (settings.warnings_as_errors and result.warnings))


_WATCHED = pytest.StashKey[bool]()


@contextlib.contextmanager
def watching(item: pytest.Item, *, wanted: bool | None = None) -> Iterator[None]:
    """Check the traffic of the test while the block runs, when checks are wanted (decided
    from the session's settings unless ``wanted`` says), and unless it is watched already."""
    if item.stash.get(_WATCHED, False) or not (check_wanted(item) if wanted is None else wanted):
        yield
        return
    from ..traffic import capture

    item.stash[_WATCHED] = True
    try:
        with capture(_sink(item)):
            yield
    finally:
        item.stash[_WATCHED] = False


def _sink(item: pytest.Item) -> Callable[[Exchange], None]:
    from ..traffic import check_exchange

    def sink(exchange: Exchange) -> None:
        settings = settings_of(item)
        options = settings.exchange_options()
        result = check_exchange(exchange, brands=brand_memory(item.config), **options)
        entry = Checked(result, item.stash.get(_PHASE, "setup"))
        checked(item).append(entry)
        strict = settings.warnings_as_errors
        expecting: list[Expectation] = item.stash.get(_EXPECTING, [])
        for expectation in reversed(expecting):
            if expectation.takes(result, strict):
                entry.expected = True
                expectation.seen.append(result)
                return
        in_an_example = entry.phase == "call" and _in_a_hypothesis_example()
        if settings.check and in_an_example and breaks(result, settings):
            entry.raised = True
            raise TrafficViolation(message([result], 1, strict))

    return sink


def _in_a_hypothesis_example() -> bool:
    hypothesis = sys.modules.get("hypothesis")
    return hypothesis is not None and bool(hypothesis.currently_in_test_context())


@contextlib.contextmanager
def run_phase(item: pytest.Item, phase: str) -> Iterator[None]:
    """Mark the phase exchanges happen in."""
    item.stash[_PHASE] = phase
    yield


def failures(item: pytest.Item, phase: str) -> str:
    """The message failing a test for its traffic of one phase ("" when nothing fails)."""
    settings = settings_of(item)
    if not settings.check:
        return ""
    entries = [entry for entry in checked(item) if entry.phase == phase]
    broken = [
        entry.result
        for entry in entries
        if breaks(entry.result, settings) and not entry.expected and not entry.raised
    ]
    if not broken:
        return ""
    where = {"setup": " while its fixtures were set up", "teardown": " while torn down"}
    return message(broken, len(entries), settings.warnings_as_errors, where.get(phase, ""))


def message(broken: list[ExchangeResult], total: int, strict: bool, where: str = "") -> str:
    from ..traffic import SecretRules

    rules = SecretRules.from_environment()
    lines = [
        f"tendlc: {len(broken)} of {total} HTTP exchange(s) of this test{where} break the "
        "contracts:"
    ]
    severities = ("error", "warning") if strict else ("error",)
    for result in broken:
        lines += ["  " + line for line in result.lines(rules, severities=severities)]
    return "\n".join(lines)


@contextlib.contextmanager
def expect_violation(
    item: pytest.Item,
    *,
    rule: str | None = None,
    path: str | None = None,
    operation: str | None = None,
) -> Iterator[list[ExchangeResult]]:
    """Inside the block, an exchange that breaks the contracts (with ``rule``, at ``path``,
    of ``operation`` when given) is what the test expects: it does not fail the test. A block
    that sees none fails. Yields the exchanges it took."""
    expectation = Expectation(rule, path, operation)
    stack = item.stash.setdefault(_EXPECTING, [])
    stack.append(expectation)
    try:
        yield expectation.seen
    finally:
        stack.remove(expectation)
    if not expectation.seen:
        wanted = ", ".join(
            f"{name} {value!r}"
            for name, value in (("rule", rule), ("path", path), ("operation", operation))
            if value is not None
        )
        raise AssertionError(
            "tendlc: no exchange in the block broke the contracts"
            + (f" ({wanted})" if wanted else "")
        )


class TendlcTraffic:
    """The checked exchanges of the current test so far (what ``tendlc_traffic`` gives)."""

    def __init__(self, item: pytest.Item) -> None:
        self._item = item

    @property
    def results(self) -> list[ExchangeResult]:
        return [entry.result for entry in checked(self._item)]

    @property
    def operations(self) -> list[str | None]:
        """The operation of each exchange, in order (None: unmatched)."""
        return [result.operation for result in self.results]

    @property
    def valid(self) -> bool:
        return all(result.valid for result in self.results)

    def __iter__(self) -> Iterator[ExchangeResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(checked(self._item))

    def __getitem__(self, index: int) -> ExchangeResult:
        return self.results[index]
