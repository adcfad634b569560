"""One run model for every way traffic is checked: a pytest session, a conformance run, a
proxy session, a cassette directory. Every report writer reads this, nothing else.

A run serialised (:meth:`Run.to_dict`) carries no credential: :func:`mask_run` masks every
text of it with the run's :class:`SecretRules`, which know the credentials of the environment
(and those of a conformance run, whatever mapping they came from).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from .._catalog import operations
from ._check import ExchangeResult, Waits
from ._secrets import SecretRules

__all__ = ["Run", "RunEntry", "Summary", "mask_run"]

EntryStatus = Literal["checked", "skipped", "failed"]


@dataclass(frozen=True)
class RunEntry:
    """One checked exchange of a run, under the name of what produced it (a test id, a probe),
    or a probe that could not run (``skipped`` / ``failed``, with a note)."""

    name: str
    result: ExchangeResult | None = None
    status: EntryStatus = "checked"
    note: str = ""
    #: the operation a probe was for, when it has no exchange to tell it
    operation: str | None = None
    #: the 429s and retries of a probe that got no answer (its exchange's, when it has one)
    waits: Waits | None = None

    @property
    def valid(self) -> bool:
        return self.status != "failed" and (self.result is None or self.result.valid)

    def to_dict(self) -> dict[str, Any]:
        waits = self.waits or (self.result.waits if self.result else Waits())
        return {
            "name": self.name,
            "status": self.status,
            "note": self.note,
            "operation": self.operation or (self.result.operation if self.result else None),
            "valid": self.valid,
            "waits": waits.to_dict(),
            "exchange": None if self.result is None else self.result.to_dict(),
        }


@dataclass(frozen=True)
class ProviderSummary:
    provider: str
    exchanges: int
    operations: tuple[str, ...]
    documented: int
    errors: int
    warnings: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "exchanges": self.exchanges,
            "operations": list(self.operations),
            "operations_documented": self.documented,
            "errors": self.errors,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class Summary:
    """The counts every report starts with."""

    exchanges: int
    unmatched: int
    errors: int
    warnings: int
    skipped: int
    failed: int
    providers: tuple[ProviderSummary, ...]
    #: advice findings (never failing a run unless made errors)
    advice: int = 0

    @property
    def conforms(self) -> bool:
        return self.errors == 0 and self.failed == 0

    @classmethod
    def of(cls, entries: Iterable[Mapping[str, Any]]) -> Summary:
        """The summary of serialised entries (:meth:`RunEntry.to_dict`): the one way counts
        are made, for a run in memory and for runs merged from several processes."""
        entries = list(entries)
        exchanges = [e["exchange"] for e in entries if e.get("exchange") is not None]

        def severities(exchange: Mapping[str, Any], severity: str) -> int:
            return sum(1 for f in exchange["findings"] if f["severity"] == severity)

        providers = []
        for provider in sorted({x["operation"].split(".")[0] for x in exchanges if x["operation"]}):
            mine = [x for x in exchanges if (x["operation"] or "").startswith(provider + ".")]
            providers.append(
                ProviderSummary(
                    provider,
                    len(mine),
                    tuple(sorted({x["operation"] for x in mine})),
                    len(operations(provider)),
                    sum(severities(x, "error") for x in mine),
                    sum(severities(x, "warning") for x in mine),
                )
            )
        return cls(
            exchanges=len(exchanges),
            unmatched=sum(1 for x in exchanges if not x["operation"]),
            errors=sum(severities(x, "error") for x in exchanges),
            warnings=sum(severities(x, "warning") for x in exchanges),
            skipped=sum(1 for e in entries if e.get("status") == "skipped"),
            failed=sum(1 for e in entries if e.get("status") == "failed"),
            providers=tuple(providers),
            advice=sum(severities(x, "advice") for x in exchanges),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "exchanges": self.exchanges,
            "unmatched": self.unmatched,
            "errors": self.errors,
            "warnings": self.warnings,
            "advice": self.advice,
            "skipped": self.skipped,
            "failed": self.failed,
            "conforms": self.conforms,
            "providers": [provider.to_dict() for provider in self.providers],
        }


@dataclass
class Run:
    """The exchanges of one session and what the contracts say about each."""

    kind: str
    entries: list[RunEntry] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    finished: datetime | None = None
    #: what the run was pointed at (base URL, provider, options); never credentials
    context: dict[str, Any] = field(default_factory=dict)
    #: what is masked when the run is serialised (by default the environment's credentials)
    rules: SecretRules = field(
        default_factory=SecretRules.from_environment, repr=False, compare=False
    )

    def add(self, name: str, result: ExchangeResult) -> RunEntry:
        entry = RunEntry(name, result)
        self.entries.append(entry)
        return entry

    def extend(self, entries: Iterable[RunEntry]) -> None:
        self.entries.extend(entries)

    @property
    def results(self) -> list[ExchangeResult]:
        return [entry.result for entry in self.entries if entry.result is not None]

    def summary(self) -> Summary:
        return Summary.of(entry.to_dict() for entry in self.entries)

    def to_dict(self) -> dict[str, Any]:
        """The run as reports and tools read it, every credential the rules know masked."""
        entries = [entry.to_dict() for entry in self.entries]
        data = {
            "kind": self.kind,
            "started": self.started.isoformat(),
            "finished": None if self.finished is None else self.finished.isoformat(),
            "context": dict(self.context),
            "summary": Summary.of(entries).to_dict(),
            "entries": entries,
        }
        return mask_run(data, self.rules)


#: the texts of a serialised entry and of its exchange's findings: what people read, and
#: where a credential could hide (an entry named after a URL path, a note quoting an answer).
#: Verdicts, severities, rules and operation ids are left as they are, so that masking never
#: changes what a run says.
_ENTRY_TEXTS = ("name", "note")
_EXCHANGE_TEXTS = ("url",)
_EXCERPT_TEXTS = ("url", "body", "headers")
_FINDING_TEXTS = ("path", "message", "location", "expected")


def mask_run(data: Mapping[str, Any], rules: SecretRules) -> dict[str, Any]:
    """A copy of a serialised run (:meth:`Run.to_dict`, or one merged from several processes)
    with every credential the rules know masked in its context and in the texts of its
    entries (see :meth:`SecretRules.mask`); a run already masked is unchanged. Any mapping is
    taken: what is not where a run keeps it is copied as it is."""
    masked = dict(data)
    if isinstance(data.get("context"), Mapping):
        masked["context"] = rules.mask_all(data["context"])
    entries = data.get("entries")
    if isinstance(entries, list | tuple):
        masked["entries"] = [
            _mask_entry(e, rules) if isinstance(e, Mapping) else e for e in entries
        ]
    return masked


def _mask_entry(entry: Mapping[str, Any], rules: SecretRules) -> dict[str, Any]:
    masked = _mask_texts(entry, _ENTRY_TEXTS, rules)
    exchange = entry.get("exchange")
    if isinstance(exchange, Mapping):
        masked["exchange"] = _mask_texts(exchange, _EXCHANGE_TEXTS, rules)
        excerpt = exchange.get("excerpt")
        if isinstance(excerpt, Mapping):
            masked["exchange"]["excerpt"] = {
                side: _mask_texts(part, _EXCERPT_TEXTS, rules)
                if isinstance(part, Mapping)
                else part
                for side, part in excerpt.items()
            }
        findings = exchange.get("findings")
        if isinstance(findings, list | tuple):
            masked["exchange"]["findings"] = [
                _mask_texts(f, _FINDING_TEXTS, rules) if isinstance(f, Mapping) else f
                for f in findings
            ]
    return masked


def _mask_texts(
    data: Mapping[str, Any], keys: tuple[str, ...], rules: SecretRules
) -> dict[str, Any]:
    masked = dict(data)
    for key in keys:
        if key in masked:
            masked[key] = rules.mask_all(masked[key])
    return masked
