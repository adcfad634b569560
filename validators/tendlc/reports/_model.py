"""What every report writer reads: a run grouped by operation, with its verdicts.

A writer never looks at an :class:`~tendlc.traffic.Exchange`: it reads the run as
:meth:`Run.to_dict` serialises it (credentials already masked; of an exchange with findings
only, an excerpt: its content headers and the first 4 KiB of each body),
so a run in memory and a run merged from several processes (pytest-xdist workers) report
alike. Whatever it is given, :func:`view` masks it once more with the credentials of the
environment (:func:`~tendlc.traffic.mask_run`), so that no report shows one.

Grouping: an entry with an exchange belongs to the exchange's operation, or to the
``unmatched`` group when the exchange matched none. An entry without an exchange (a probe that
was skipped or failed before it sent anything) belongs to the operation it names
(``RunEntry.operation``), or else to the one its name starts with
(``vonage.brands.delete``, ``vonage.brands.delete[soft]``, ``vonage.brands.delete: …``) when
that is a catalog id, else to the ``not-run`` group. Operations come in id order, then
``unmatched``, then ``not-run``.

Verdicts: an entry fails when its probe failed or any finding is an error; a group fails when
one of its entries fails, is ``skipped`` when none of its entries ran, and passes otherwise.
Warnings (undocumented response fields and other drift) never fail anything: they are shown,
and listed once per operation and contract location as the group's drift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

from .._catalog import get_operation, operations, per_catalog
from .._validation import Issue
from ..traffic import Run, SecretRules, Summary, mask_run

__all__ = [
    "NOT_RUN",
    "UNMATCHED",
    "Drift",
    "EntryView",
    "Group",
    "RunLike",
    "RunView",
    "expected_text",
    "printable",
    "shorten",
    "view",
]

#: a run, or the mapping :meth:`Run.to_dict` makes of one
RunLike: TypeAlias = "Run | Mapping[str, Any]"
GroupKind = Literal["operation", "unmatched", "not-run"]
Verdict = Literal["pass", "fail", "skipped"]

_LABELS = {"base_url": "base URL", "url": "URL"}

UNMATCHED = "unmatched"
NOT_RUN = "not-run"

#: how each kind of run is named in a title
KIND_TITLES = {
    "conform": "Conformance run",
    "proxy": "Proxy session",
    "pytest": "pytest session",
    "cassettes": "Cassette check",
}


_NO_WAITS: Mapping[str, Any] = MappingProxyType({"rate_limited": 0, "retries": 0, "waited": 0.0})


@dataclass(frozen=True)
class EntryView:
    """One entry of the run: a checked exchange, or a probe that did not run."""

    index: int
    name: str
    status: str
    note: str
    group: str
    #: the exchange as :meth:`ExchangeResult.to_dict` gives it (URL masked), or None
    exchange: Mapping[str, Any] | None
    #: the exchange's issues, read back from the run (each with its check and direction)
    findings: tuple[Issue, ...]
    #: what getting the answer cost: ``rate_limited`` (429s), ``retries``, ``waited`` (s)
    waits: Mapping[str, Any] = field(default_factory=lambda: dict(_NO_WAITS))

    @property
    def elapsed(self) -> float | None:
        """Seconds the exchange took (request sent to answer read), when measured."""
        value = self.exchange.get("elapsed") if self.exchange else None
        return float(value) if isinstance(value, int | float) else None

    @property
    def excerpt(self) -> Mapping[str, Any] | None:
        """The request and response kept for an exchange with findings (bodies bounded,
        credentials masked), or None."""
        value = self.exchange.get("excerpt") if self.exchange else None
        return value if isinstance(value, Mapping) else None

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def advice(self) -> tuple[Issue, ...]:
        return tuple(f for f in self.findings if f.severity == "advice")

    @property
    def valid(self) -> bool:
        return self.status != "failed" and not self.errors

    @property
    def verdict(self) -> Verdict:
        if not self.valid:
            return "fail"
        return "skipped" if self.status == "skipped" else "pass"

    @property
    def method(self) -> str:
        return str(self.exchange.get("method") or "") if self.exchange else ""

    @property
    def url(self) -> str:
        return str(self.exchange.get("url") or "") if self.exchange else ""

    @property
    def http_status(self) -> int | None:
        status = self.exchange.get("status") if self.exchange else None
        return status if isinstance(status, int) else None

    def describe(self) -> str:
        """``POST https://…/brands → 201``, or what kept the probe from running."""
        if self.exchange is None:
            return self.status
        status = "no response" if self.http_status is None else str(self.http_status)
        return f"{self.method} {self.url} → {status}"


@dataclass(frozen=True)
class Drift:
    """One distinct warning of an operation (by direction, path, rule and contract location),
    and how often the run saw it."""

    direction: str
    path: str
    rule: str
    location: str
    message: str
    occurrences: int
    entries: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "path": self.path,
            "rule": self.rule,
            "location": self.location,
            "message": self.message,
            "occurrences": self.occurrences,
            "entries": list(self.entries),
        }


@dataclass(frozen=True)
class Group:
    """The entries of one operation (or of ``unmatched`` / ``not-run``)."""

    id: str
    kind: GroupKind
    provider: str | None
    method: str | None
    path: str | None
    summary: str
    entries: tuple[EntryView, ...]
    #: the statuses the catalog documents for the operation (empty for other groups)
    documented: tuple[int, ...] = ()

    @property
    def seen(self) -> tuple[int, ...]:
        """The statuses the run's exchanges of this group were answered with."""
        return tuple(sorted({s for e in self.entries if (s := e.http_status) is not None}))

    @property
    def statuses(self) -> dict[str, list[int]]:
        """Coverage by status: documented, seen, documented but not seen, seen but not
        documented."""
        seen = set(self.seen)
        return {
            "documented": list(self.documented),
            "seen": sorted(seen),
            "not_seen": [s for s in self.documented if s not in seen],
            "undocumented": sorted(seen - set(self.documented)),
        }

    @property
    def waits(self) -> dict[str, Any]:
        """The group's 429s, retries and seconds waited, over its entries."""
        return {
            "rate_limited": sum(int(e.waits.get("rate_limited", 0)) for e in self.entries),
            "retries": sum(int(e.waits.get("retries", 0)) for e in self.entries),
            "waited": round(sum(float(e.waits.get("waited", 0.0)) for e in self.entries), 6),
        }

    @property
    def elapsed(self) -> float | None:
        """Seconds the group's exchanges took in all (None when none was measured)."""
        times = [t for e in self.entries if (t := e.elapsed) is not None]
        return round(sum(times), 6) if times else None

    @property
    def slowest(self) -> float | None:
        times = [t for e in self.entries if (t := e.elapsed) is not None]
        return max(times) if times else None

    @property
    def advice(self) -> int:
        return sum(len(e.advice) for e in self.entries)

    @property
    def exchanges(self) -> int:
        return sum(1 for e in self.entries if e.exchange is not None)

    @property
    def skipped(self) -> int:
        return sum(1 for e in self.entries if e.status == "skipped")

    @property
    def failed(self) -> int:
        return sum(1 for e in self.entries if e.status == "failed")

    @property
    def errors(self) -> int:
        return sum(len(e.errors) for e in self.entries)

    @property
    def warnings(self) -> int:
        return sum(len(e.warnings) for e in self.entries)

    @property
    def verdict(self) -> Verdict:
        if any(e.verdict == "fail" for e in self.entries):
            return "fail"
        return "pass" if self.exchanges else "skipped"

    @property
    def title(self) -> str:
        """The group as a heading: the id, and the documented method and path."""
        if self.method and self.path:
            return f"{self.id} ({self.method} {self.path})"
        return {UNMATCHED: "unmatched exchanges", NOT_RUN: "probes that did not run"}.get(
            self.id, self.id
        )

    @property
    def drift(self) -> tuple[Drift, ...]:
        """The group's warnings, each distinct one once, in the order first seen."""
        seen: dict[tuple[str, str, str, str], list[Any]] = {}
        for entry in self.entries:
            for finding in entry.warnings:
                key = (finding.direction, finding.path, finding.rule, finding.location)
                found = seen.setdefault(key, [finding.message, 0, []])
                found[1] += 1
                if entry.index not in found[2]:
                    found[2].append(entry.index)
        return tuple(
            Drift(*key, message, count, tuple(indexes))
            for key, (message, count, indexes) in seen.items()
        )


@dataclass(frozen=True)
class RunView:
    """A run as every writer reads it."""

    kind: str
    started: datetime | None
    finished: datetime | None
    context: Mapping[str, Any]
    summary: Summary
    entries: tuple[EntryView, ...]
    groups: tuple[Group, ...]

    @property
    def conforms(self) -> bool:
        return self.summary.conforms

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish, when both are known."""
        if self.started is None or self.finished is None:
            return None
        return max(0.0, (self.finished - self.started).total_seconds())

    @property
    def title(self) -> str:
        return KIND_TITLES.get(self.kind, f"{self.kind} run")

    @property
    def failing_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.verdict == "fail")

    @property
    def passing_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.verdict != "fail")

    @property
    def advice(self) -> tuple[tuple[Group, EntryView, Issue], ...]:
        """Every advice finding, with its group and entry, in run order."""
        return tuple(
            (group, entry, finding)
            for group in self.groups
            for entry in group.entries
            for finding in entry.advice
        )

    @property
    def operation_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.kind == "operation")

    def context_items(self) -> list[tuple[str, str]]:
        """(label, text) for the run's context: provider and base URL first."""
        first = ("provider", "base_url", "base", "url", "target")
        keys = [k for k in first if k in self.context]
        keys += sorted(k for k in self.context if k not in first)
        return [
            (_LABELS.get(key, key.replace("_", " ")), _as_text(self.context[key])) for key in keys
        ]


def view(run: RunLike) -> RunView:
    """The run as writers read it: ``run`` is a :class:`Run` or what :meth:`Run.to_dict`
    gives (``kind`` and ``entries``; ``started``, ``finished`` and ``context`` when known).
    The summary is always recomputed from the entries with :meth:`Summary.of`."""
    data = mask_run(run.to_dict() if isinstance(run, Run) else run, SecretRules.from_environment())
    raw_entries = [dict(e) for e in data.get("entries") or ()]
    ids = _catalog_ids()
    entries = tuple(_entry(index, raw, ids) for index, raw in enumerate(raw_entries))
    return RunView(
        kind=str(data.get("kind") or "run"),
        started=_time(data.get("started")),
        finished=_time(data.get("finished")),
        context=dict(data.get("context") or {}),
        summary=Summary.of(raw_entries),
        entries=entries,
        groups=_groups(entries),
    )


def _entry(index: int, raw: Mapping[str, Any], ids: frozenset[str]) -> EntryView:
    exchange = raw.get("exchange")
    name = str(raw.get("name") or "")
    if exchange is not None:
        group = str(exchange.get("operation") or UNMATCHED)
        findings = tuple(Issue.from_dict(f) for f in exchange.get("findings") or ())
    else:
        named = raw.get("operation")
        group = (named if named in ids else None) or _operation_named(name, ids) or NOT_RUN
        findings = ()
    waits = raw.get("waits") or (exchange.get("waits") if exchange is not None else None)
    return EntryView(
        index=index,
        name=name,
        status=str(raw.get("status") or "checked"),
        note=str(raw.get("note") or ""),
        group=group,
        exchange=exchange,
        findings=findings,
        waits=dict(waits) if isinstance(waits, Mapping) else dict(_NO_WAITS),
    )


_LEADING_ID = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]+){2}")


def _operation_named(name: str, ids: frozenset[str]) -> str | None:
    match = _LEADING_ID.match(name)
    if match is None or match.group() not in ids:
        return None
    rest = name[match.end() :]
    return match.group() if not rest or not (rest[0].isalnum() or rest[0] in "._") else None


@per_catalog
def _catalog_ids() -> frozenset[str]:
    return frozenset(op.id for op in operations())


def _groups(entries: Sequence[EntryView]) -> tuple[Group, ...]:
    by_id: dict[str, list[EntryView]] = {}
    for entry in entries:
        by_id.setdefault(entry.group, []).append(entry)
    order = sorted(k for k in by_id if k not in (UNMATCHED, NOT_RUN))
    order += [k for k in (UNMATCHED, NOT_RUN) if k in by_id]
    return tuple(_group(key, by_id[key]) for key in order)


def _group(key: str, entries: Iterable[EntryView]) -> Group:
    if key in (UNMATCHED, NOT_RUN):
        kind: GroupKind = "unmatched" if key == UNMATCHED else "not-run"
        return Group(key, kind, None, None, None, "", tuple(entries))
    try:
        operation = get_operation(key)
    except LookupError:  # an id from another version of the catalog
        return Group(key, "operation", key.split(".", 1)[0], None, None, "", tuple(entries))
    return Group(
        key,
        "operation",
        operation.provider,
        operation.method,
        operation.url_template,
        operation.summary,
        tuple(entries),
        tuple(sorted(operation.responses)),
    )


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


# -- text for the human formats -----------------------------------------------------------

_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """The text with control characters, lone surrogates and non-characters shown as escapes
    (``\\x00``), so that XML stays well-formed and a person sees what was there."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, text)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def expected_text(value: Any, limit: int = 200) -> str:
    """What a rule expects, as a person reads it (empty when the rule says nothing)."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = ", ".join(str(v) for v in value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return shorten(printable(text), limit)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def seconds_text(seconds: float | None) -> str:
    """A timing as people read it: ``0.123 s``, or ``—`` when not measured."""
    return "—" if seconds is None else f"{seconds:.3f} s"


def waits_text(waits: Mapping[str, Any]) -> str:
    """``2 429s, 2 retries, 1.500 s waited``, or ``—`` when nothing was waited for."""
    limited, retries = int(waits.get("rate_limited", 0)), int(waits.get("retries", 0))
    waited = float(waits.get("waited", 0.0))
    if not (limited or retries or waited >= 0.0005):
        return "—"
    return f"{count(limited, '429')}, {count(retries, 'retry', 'retries')}, {waited:.3f} s waited"


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
