"""The Markdown report: GitHub-flavoured, sized for a CI step summary.

A title with the run's verdict, one line of context, a summary table, a table of operations
(exchanges, errors, warnings, advice, time, 429s, retries, seconds waited, verdict), then the
details of each failing operation (entry and its time, direction, path, rule, message,
expected), the drift (distinct warnings by operation), the advice (a section of its own: it
fails nothing unless made errors) and the coverage of each operation by documented status.
Details, drift and advice are capped (:data:`MAX_DETAILS`, :data:`MAX_DRIFT`); the report says
how many rows it left out. Every table cell is escaped: markup in a quoted value shows as text.
"""

from __future__ import annotations

import re

from .._validation import Issue
from ._model import (
    EntryView,
    Group,
    RunLike,
    RunView,
    count,
    duration_text,
    expected_text,
    iso,
    printable,
    seconds_text,
    shorten,
    view,
)

__all__ = ["MAX_DETAILS", "MAX_DRIFT", "to_markdown"]

#: the most finding rows the failure details show
MAX_DETAILS = 50
#: the most rows the drift table shows
MAX_DRIFT = 25
#: the longest message a cell shows
MAX_MESSAGE = 300

_MARKS = {"fail": "❌ fail", "pass": "✅ pass", "skipped": "⏭️ skipped"}


def to_markdown(run: RunLike) -> str:
    """The Markdown report of ``run``."""
    data = view(run)
    lines = [
        *_head(data),
        *_operations(data),
        *_details(data),
        *_drift(data),
        *_advice(data),
        *_coverage(data),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _head(data: RunView) -> list[str]:
    summary = data.summary
    verdict = "✅ PASS" if data.conforms else "❌ FAIL"
    context = [f"**Kind:** {_cell(data.kind)}"]
    context += [
        f"**{_cell(label[:1].upper() + label[1:])}:** {_cell(text)}"
        for label, text in data.context_items()
    ]
    context.append(f"**Started:** {_cell(iso(data.started) or 'unknown')}")
    context.append(f"**Duration:** {duration_text(data.duration)}")
    lines = [
        f"# {verdict}: tendlc {_cell(data.title)}",
        "",
        " · ".join(context),
        "",
        "| Exchanges | Unmatched | Errors | Warnings (drift) | Advice | Skipped | Failed |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {summary.exchanges} | {summary.unmatched} | {summary.errors} | {summary.warnings} "
        f"| {summary.advice} | {summary.skipped} | {summary.failed} |",
        "",
    ]
    for provider in summary.providers:
        lines.append(
            f"- **{_cell(provider.provider)}**: {len(provider.operations)} of "
            f"{provider.documented} documented operations exercised, "
            f"{count(provider.exchanges, 'exchange')}"
        )
    if summary.providers:
        lines.append("")
    return lines


def _operations(data: RunView) -> list[str]:
    lines = ["## Operations", ""]
    if not data.groups:
        return [*lines, "_Nothing was checked: the run has no entries._", ""]
    lines += [
        "| Operation | Exchanges | Errors | Warnings | Advice | Time | 429s | Retries "
        "| Waited | Verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for group in data.groups:
        verdict = _MARKS[group.verdict]
        if group.verdict == "pass" and group.warnings:
            verdict = "⚠️ pass, drift"
        waits = group.waits
        lines.append(
            f"| {_code(group.id)} | {group.exchanges} | {group.errors} | {group.warnings} "
            f"| {group.advice} | {seconds_text(group.elapsed)} | {waits['rate_limited']} "
            f"| {waits['retries']} | {waits['waited']:.3f} s | {verdict} |"
        )
    return [*lines, ""]


def _details(data: RunView) -> list[str]:
    failing = data.failing_groups
    if not failing:
        return []
    lines = ["## Failures", ""]
    shown = 0
    total = sum(_rows(group) for group in failing)
    for group in failing:
        if shown >= MAX_DETAILS:
            break
        lines += [f"### {_cell(group.title)}", ""]
        lines += [
            "| Entry | Direction | Path | Rule | Message | Expected |",
            "|---|---|---|---|---|---|",
        ]
        for entry in group.entries:
            for row in _entry_rows(entry):
                if shown >= MAX_DETAILS:
                    break
                lines.append(row)
                shown += 1
        lines.append("")
    if total > shown:
        lines += [
            f"_… and {count(total - shown, 'more failure')} not shown "
            "(the JSON and HTML reports have them all)._",
            "",
        ]
    return lines


def _rows(group: Group) -> int:
    return sum(len(e.errors) or (1 if e.status == "failed" else 0) for e in group.entries)


def _entry_rows(entry: EntryView) -> list[str]:
    if entry.status == "failed" and not entry.errors:
        return [f"| {_cell(entry.name)} | — | | probe failed | {_cell(entry.note)} | |"]
    return [_finding_row(entry, finding) for finding in entry.errors]


def _finding_row(entry: EntryView, finding: Issue) -> str:
    message = shorten(finding.message, MAX_MESSAGE)
    if finding.line is not None:
        message += f" (line {finding.line})"
    timed = f" ({seconds_text(entry.elapsed)})" if entry.elapsed is not None else ""
    return (
        f"| {_cell(entry.name + timed)} | {finding.direction} | {_code(finding.path or '/')} "
        f"| {_code(finding.rule)} | {_cell(message)} | {_cell(expected_text(finding.expected))} |"
    )


def _drift(data: RunView) -> list[str]:
    rows = [(group, drift) for group in data.groups for drift in group.drift]
    if not rows:
        return []
    lines = [
        "## Drift (warnings)",
        "",
        "| Operation | Direction | Path | Rule | Seen | Message |",
        "|---|---|---|---|---:|---|",
    ]
    for group, drift in rows[:MAX_DRIFT]:
        lines.append(
            f"| {_code(group.id)} | {drift.direction} | {_code(drift.path or '/')} "
            f"| {_code(drift.rule)} | {drift.occurrences} "
            f"| {_cell(shorten(drift.message, MAX_MESSAGE))} |"
        )
    if len(rows) > MAX_DRIFT:
        lines.append("")
        lines.append(f"_… and {count(len(rows) - MAX_DRIFT, 'more warning')} not shown._")
    return [*lines, ""]


def _advice(data: RunView) -> list[str]:
    rows = data.advice
    if not rows:
        return []
    lines = [
        "## Advice",
        "",
        "_Why carriers may reject a registration beyond the contract; advice fails nothing "
        "unless the run made it errors (advice-as-errors)._",
        "",
        "| Operation | Entry | Direction | Path | Rule | Message |",
        "|---|---|---|---|---|---|",
    ]
    for group, entry, finding in rows[:MAX_DRIFT]:
        lines.append(
            f"| {_code(group.id)} | {_cell(entry.name)} | {finding.direction} "
            f"| {_code(finding.path or '/')} | {_code(finding.rule)} "
            f"| {_cell(shorten(finding.message, MAX_MESSAGE))} |"
        )
    if len(rows) > MAX_DRIFT:
        lines += ["", f"_… and {count(len(rows) - MAX_DRIFT, 'more piece')} of advice not shown._"]
    return [*lines, ""]


def _coverage(data: RunView) -> list[str]:
    groups = data.operation_groups
    if not groups:
        return []
    lines = [
        "## Coverage by documented status",
        "",
        "| Operation | Documented | Seen | Not seen | Seen, undocumented |",
        "|---|---|---|---|---|",
    ]
    for group in groups:
        statuses = group.statuses
        cells = [
            ", ".join(str(code) for code in statuses[key]) or "—"
            for key in ("documented", "seen", "not_seen", "undocumented")
        ]
        lines.append(f"| {_code(group.id)} | " + " | ".join(cells) + " |")
    return [*lines, ""]


_SPECIAL = re.compile(r"([\\`*_\[\]|#~!])")


def _cell(text: str) -> str:
    """Text for a table cell or a line: one line, markup shown as text."""
    text = printable(text).replace("\r", " ").replace("\n", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _code(text: str) -> str:
    """Text as an inline code span (a path, a rule, an id), safe in a table cell."""
    text = printable(text).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
