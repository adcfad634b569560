"""The session's checked exchanges: gathered from every test (and every pytest-xdist worker),
summed up in the terminal, written as a JSON report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..traffic import ExchangeResult, Run

__all__ = [
    "add",
    "entries",
    "gather_worker",
    "own_entries",
    "terminal_lines",
    "tests_of",
    "write_report",
]

_RUN: pytest.StashKey[Run] = pytest.StashKey()
_MERGED = pytest.StashKey[list[dict[str, Any]]]()
#: at most this many issue lines in the terminal summary (the JSON report has them all)
_MOST = 40


def add(config: pytest.Config, nodeid: str, results: Iterable[ExchangeResult]) -> None:
    """Enter a test's checked exchanges in the session's run."""
    run = config.stash.get(_RUN, None)
    if run is None:
        from ..traffic import Run

        run = config.stash[_RUN] = Run(kind="pytest")
    for result in results:
        run.add(nodeid, result)


def own_entries(config: pytest.Config) -> list[dict[str, Any]]:
    """This process's entries, serialised with the credentials masked."""
    run = config.stash.get(_RUN, None)
    return list(run.to_dict()["entries"]) if run is not None else []


def gather_worker(config: pytest.Config, data: str) -> None:
    """pytest-xdist: what a worker checked, for the controller's summary and report."""
    config.stash.setdefault(_MERGED, []).extend(json.loads(data))


def entries(config: pytest.Config) -> list[dict[str, Any]]:
    found = own_entries(config) + config.stash.get(_MERGED, [])
    if not found:  # nothing checked: nothing to import either
        return []
    from ..traffic import SecretRules, mask_run

    # the workers masked theirs with their environment; masked again with this one's
    return list(mask_run({"entries": found}, SecretRules.from_environment())["entries"])


def tests_of(config: pytest.Config) -> dict[str, int]:
    """pytest's own counts of this session (the terminal reporter's), by outcome."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stats = getattr(reporter, "stats", {}) or {}
    counted = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
    return {outcome: _tests(stats.get(outcome, ())) for outcome in counted}


def _tests(reports: Iterable[Any]) -> int:
    return len({getattr(report, "nodeid", id(report)) for report in reports})


def write_report(config: pytest.Config, path: str, found: list[dict[str, Any]]) -> None:
    """The session's JSON report: pytest's counts of tests, tendlc's of exchanges, and every
    checked exchange."""
    from ..traffic import Summary

    failing = {entry["name"] for entry in found if not entry.get("valid", True)}
    document = {
        "kind": "pytest",
        "tests": {**tests_of(config), "with_failing_exchanges": len(failing)},
        "summary": Summary.of(found).to_dict(),
        "entries": found,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def terminal_lines(found: list[dict[str, Any]], *, advice: bool = False) -> list[str]:
    """The session's exchanges summed up: counts (the advice's too when ``advice`` was asked
    for or some test's marker asked for it), then the issues grouped by operation (errors,
    warnings and advice alike), then the exchanges no operation matched."""
    from ..traffic import Summary

    summary = Summary.of(found)
    advised = _advice_count(found)
    lines = [
        f"{summary.exchanges} exchange(s) checked, {summary.unmatched} unmatched, "
        f"{summary.errors} error(s), {summary.warnings} warning(s)"
        + (f", {advised} advice" if advice or advised else "")
    ]
    for provider in summary.providers:
        lines.append(
            f"{provider.provider}: {len(provider.operations)} of {provider.documented} "
            f"operations exercised ({provider.exchanges} exchange(s)): "
            + ", ".join(op.split(".", 1)[1] for op in provider.operations)
        )
    return lines + _issue_lines(found) + _unmatched_lines(found)


def _advice_count(found: list[dict[str, Any]]) -> int:
    return sum(
        1
        for entry in found
        for issue in (entry.get("exchange") or {}).get("findings") or ()
        if issue.get("severity") == "advice"
    )


def _issue_lines(found: list[dict[str, Any]]) -> list[str]:
    counts: Counter[tuple[str, str, str, str, str]] = Counter()
    tests: dict[tuple[str, str, str, str, str], str] = {}
    for entry in found:
        exchange = entry.get("exchange") or {}
        operation = exchange.get("operation")
        if not operation:
            continue
        for issue in exchange.get("findings") or ():
            key = (
                operation,
                str(issue.get("severity")),
                str(issue.get("direction")),
                str(issue.get("path") or "/"),
                str(issue.get("rule")),
            )
            counts[key] += 1
            name = str(entry.get("name", ""))
            tests[key] = min(tests.get(key, name), name)
    if not counts:
        return []
    lines = ["issues by operation (with a test that saw each):"]
    current = None
    for key in sorted(counts)[:_MOST]:
        operation, severity, direction, path, rule = key
        if operation != current:
            lines.append(f"  {operation}")
            current = operation
        seen = f" x{counts[key]}" if counts[key] > 1 else ""
        lines.append(f"    {severity:<7} {direction:<9} {path}  [{rule}]{seen}  {tests[key]}")
    if len(counts) > _MOST:
        lines.append(f"  … and {len(counts) - _MOST} more (--tendlc-report PATH has them all)")
    return lines


def _unmatched_lines(found: list[dict[str, Any]]) -> list[str]:
    unmatched = [
        (entry.get("exchange") or {}, str(entry.get("name", "")))
        for entry in found
        if entry.get("exchange") and not entry["exchange"].get("operation")
    ]
    if not unmatched:
        return []
    lines = ["unmatched exchanges (no documented operation):"]
    for exchange, test in unmatched[:_MOST]:
        lines.append(f"  {exchange.get('method')} {_path(exchange.get('url'))}  {test}")
    return lines


def _path(url: Any) -> str:
    from urllib.parse import urlsplit

    return urlsplit(str(url or "")).path or "/"
