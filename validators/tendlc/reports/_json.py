"""The JSON report: a stable, documented document for tools.

The format is described by :data:`JSON_SCHEMA` (JSON Schema 2020-12, shipped beside this
module as ``report.schema.json``, every field with a ``description``). Its shape::

    {
      "schema": "tendlc-report/2",          # the format's version; a change of shape changes it
      "kind": "conform",                    # conform | proxy | pytest | cassettes | …
      "started": "2025-01-02T03:04:05+00:00", "finished": "…" | null, "duration": 1.5 | null,
      "context": {"provider": "vonage", "base_url": "http://127.0.0.1:8000"},
      "summary": {…},                       # tendlc.traffic.Summary.to_dict(), unchanged
      "operations": [                       # one group per operation, then unmatched, not-run
        {"id": "vonage.brands.create", "kind": "operation", "provider": "vonage",
         "method": "POST", "path": "/v1/10dlc/brands", "summary": "…",
         "verdict": "fail", "exchanges": 1, "skipped": 0, "failed": 0,
         "errors": 2, "warnings": 0, "advice": 0,
         "elapsed": 0.042, "slowest": 0.042,  # seconds, over the group's exchanges
         "waits": {"rate_limited": 1, "retries": 1, "waited": 1.0},  # 429s and retries
         "statuses": {"documented": [201, 400], "seen": [201], "not_seen": [400],
                      "undocumented": []},  # coverage by documented status
         "entries": [1],                    # indexes into "entries"
         "drift": [{"direction": "response", "path": "/x", "rule": "additionalProperties",
                    "location": "vonage/openapi.yaml#/…", "message": "…",
                    "occurrences": 3, "entries": [1, 4]}]}
      ],
      "advice": [{"operation": "…", "entry": 1, "direction": "request", "path": "…",
                  "rule": "…", "message": "…", "location": "…"}],
      "entries": [                          # RunEntry.to_dict() plus its group and verdict
        {"name": "…", "status": "checked", "note": "", "valid": false, "verdict": "fail",
         "group": "vonage.brands.create",
         "waits": {"rate_limited": 0, "retries": 0, "waited": 0.0},
         "exchange": {"operation": "vonage.brands.create", "method": "POST",
                      "url": "…", "status": 201, "valid": false, "elapsed": 0.042,
                      "excerpt": {"request": {"method": "POST", "url": "…", "headers": {…},
                                              "body": "…", "bytes": 812, "truncated": false},
                                  "response": {"status": 201, …}},  # null without findings
                      "findings": [{"direction": "request", "check": "request_body",
                                    "severity": "error", "path": "/universal_ein",
                                    "rule": "additionalProperties", "message": "…",
                                    "line": null, "location": "…", "expected": null}]}}
      ]
    }

Counts come from :meth:`Summary.of`, the one way a run is counted. The document holds the
method, the masked URL, the status and the timing of each exchange; only an exchange with
findings has an excerpt: its content headers and the first 4 KiB of each body, credentials
masked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._model import NOT_RUN, UNMATCHED, EntryView, Group, RunLike, RunView, iso, view

__all__ = ["JSON_SCHEMA", "SCHEMA_VERSION", "report_document", "to_json"]

#: the value of the report's ``schema`` field
SCHEMA_VERSION = "tendlc-report/2"
#: the JSON Schema (2020-12) of the document :func:`to_json` writes
JSON_SCHEMA: dict[str, Any] = json.loads(
    (Path(__file__).with_name("report.schema.json")).read_text(encoding="utf-8")
)


def report_document(run: RunLike) -> dict[str, Any]:
    """The JSON report of ``run`` as plain data."""
    data = view(run)
    return _document(data)


def to_json(run: RunLike) -> str:
    """The JSON report of ``run`` (UTF-8 text, indented, ending in a newline)."""
    document = report_document(run)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a quoted value: escape it instead
        text = json.dumps(document, indent=2, ensure_ascii=True, default=str)
    return text + "\n"


def _document(data: RunView) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": data.kind,
        "started": iso(data.started),
        "finished": iso(data.finished),
        "duration": data.duration,
        "context": dict(data.context),
        "summary": data.summary.to_dict(),
        "operations": [_group(group) for group in data.groups],
        "advice": [
            {
                "operation": group.id,
                "entry": entry.index,
                "direction": finding.direction,
                "path": finding.path,
                "rule": finding.rule,
                "message": finding.message,
                "location": finding.location,
            }
            for group, entry, finding in data.advice
        ],
        "entries": [_entry(entry) for entry in data.entries],
    }


def _group(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "kind": group.kind,
        "provider": group.provider,
        "method": group.method,
        "path": group.path,
        "summary": group.summary,
        "verdict": group.verdict,
        "exchanges": group.exchanges,
        "skipped": group.skipped,
        "failed": group.failed,
        "errors": group.errors,
        "warnings": group.warnings,
        "advice": group.advice,
        "elapsed": group.elapsed,
        "slowest": group.slowest,
        "waits": group.waits,
        "statuses": group.statuses,
        "entries": [entry.index for entry in group.entries],
        "drift": [drift.to_dict() for drift in group.drift],
    }


def _entry(entry: EntryView) -> dict[str, Any]:
    exchange = entry.exchange
    return {
        "name": entry.name,
        "status": entry.status,
        "note": entry.note,
        "operation": entry.group if entry.group not in (UNMATCHED, NOT_RUN) else None,
        "valid": entry.valid,
        "verdict": entry.verdict,
        "group": entry.group,
        "waits": dict(entry.waits),
        "exchange": None
        if exchange is None
        else {
            "operation": exchange.get("operation"),
            "method": entry.method,
            "url": entry.url,
            "status": entry.http_status,
            "valid": not entry.errors,
            "elapsed": entry.elapsed,
            "findings": [finding.to_dict() for finding in entry.findings],
            "excerpt": None if entry.excerpt is None else dict(entry.excerpt),
        },
    }
