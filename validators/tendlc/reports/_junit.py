"""The JUnit XML report: one test case per entry (probe, test or exchange), for CI.

``<testsuites>`` holds one ``<testsuite name="tendlc.KIND">`` with the counts (``tests``,
``failures``, ``errors``, ``skipped``), the run's ``timestamp`` and ``time``, and the run's
context as ``<properties>``. Each ``<testcase>`` has the entry's group as ``classname`` (the
operation id, ``unmatched`` or ``not-run``) and the entry's name as ``name``:

- contract errors are a ``<failure type="contract">`` listing each error finding;
- a probe that failed before anything could be checked is an ``<error type="probe">``;
- a skipped probe is ``<skipped>`` with its note;
- warnings (drift), advice, the exchange itself (method, masked URL, status) and its 429s
  and retries are ``<system-out>``;
- ``time`` is the exchange's own time (request sent to answer read).

The suite's ``<properties>`` add, per operation, its 429s and retries (``waits OPERATION``)
and its coverage by documented status (``statuses OPERATION``), the advice count and each
piece of advice (``advice OPERATION ENTRY``: advice fails no test case unless made an error).

Text goes through :func:`printable`, so control characters become visible escapes and the
document stays well-formed; ElementTree escapes markup (there is no CDATA to break).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timezone

from .._validation import Issue
from ._model import (
    EntryView,
    Group,
    RunLike,
    count,
    expected_text,
    printable,
    seconds_text,
    view,
    waits_text,
)

__all__ = ["to_junit_xml"]


def to_junit_xml(run: RunLike) -> str:
    """The JUnit XML report of ``run``."""
    data = view(run)
    entries = data.entries
    failures = sum(1 for e in entries if e.status != "failed" and e.errors)
    errors = sum(1 for e in entries if e.status == "failed")
    skipped = sum(1 for e in entries if e.status == "skipped" and not e.errors)
    counts = {
        "tests": str(len(entries)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": f"{data.duration or 0.0:.3f}",
    }
    root = ET.Element("testsuites", {"name": "tendlc", **counts})
    suite_attributes = {"name": _text(f"tendlc.{data.kind}"), **counts}
    if data.started is not None:
        # the JUnit schema's timestamp is an ISO 8601 date-time without an offset: UTC
        started = data.started.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)
        suite_attributes["timestamp"] = started.isoformat()
    suite = ET.SubElement(root, "testsuite", suite_attributes)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "kind", "value": _text(data.kind)})
    for label, text in data.context_items():
        ET.SubElement(properties, "property", {"name": _text(label), "value": _text(text)})
    ET.SubElement(properties, "property", {"name": "advice", "value": str(data.summary.advice)})
    for group, entry, finding in data.advice:  # advice never fails a test case: listed here
        name = f"advice {group.id} {entry.name}"
        ET.SubElement(properties, "property", {"name": _text(name), "value": _text(_line(finding))})
    for group in data.operation_groups:
        for name, value in _group_properties(group):
            ET.SubElement(properties, "property", {"name": _text(name), "value": _text(value)})
    for entry in entries:
        _testcase(suite, entry)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _group_properties(group: Group) -> list[tuple[str, str]]:
    statuses = group.statuses
    found = [
        f"documented {', '.join(map(str, statuses['documented'])) or 'none'}",
        f"seen {', '.join(map(str, statuses['seen'])) or 'none'}",
    ]
    if statuses["undocumented"]:
        found.append(f"undocumented {', '.join(map(str, statuses['undocumented']))}")
    return [
        (f"waits {group.id}", waits_text(group.waits)),
        (f"statuses {group.id}", "; ".join(found)),
    ]


def _testcase(suite: ET.Element, entry: EntryView) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": _text(entry.group),
            "name": _text(entry.name),
            "time": f"{entry.elapsed or 0.0:.3f}",
        },
    )
    if entry.status == "failed":
        error = ET.SubElement(
            case, "error", {"message": _text(entry.note or "the probe failed"), "type": "probe"}
        )
        error.text = _text("\n".join(_line(f) for f in entry.errors) or entry.note)
    elif entry.errors:
        first = entry.errors[0]
        summary = f"{count(len(entry.errors), 'contract error')}: {_brief(first)}"
        if len(entry.errors) > 1:
            summary += f" (and {len(entry.errors) - 1} more)"
        failure = ET.SubElement(case, "failure", {"message": _text(summary), "type": "contract"})
        failure.text = _text("\n".join(_line(f) for f in entry.errors))
    elif entry.status == "skipped":
        ET.SubElement(case, "skipped", {"message": _text(entry.note or "skipped")})
    out = []
    if entry.exchange is not None:
        out.append(entry.describe())
    if entry.note and entry.status == "checked":
        out.append(entry.note)
    out.extend(f"warning (drift): {_line(f)}" for f in entry.warnings)
    out.extend(f"advice: {_line(f)}" for f in entry.advice)
    if entry.elapsed is not None:
        out.append(f"time: {seconds_text(entry.elapsed)}")
    if waits_text(entry.waits) != "—":
        out.append(f"rate limited: {waits_text(entry.waits)}")
    if out:
        ET.SubElement(case, "system-out").text = _text("\n".join(out))


def _brief(finding: Issue) -> str:
    return f"{finding.path or '/'} [{finding.rule}]"


def _line(finding: Issue) -> str:
    """One finding on one line: direction, path, rule, message, expected, contract location."""
    parts = [f"{finding.direction} {_brief(finding)} {finding.message}"]
    if finding.line is not None:
        parts.append(f"line {finding.line}")
    expected = expected_text(finding.expected)
    if expected:
        parts.append(f"expected: {expected}")
    if finding.location:
        parts.append(f"contract: {finding.location}")
    return "; ".join(parts)


def _text(text: str) -> str:
    return printable(text)
