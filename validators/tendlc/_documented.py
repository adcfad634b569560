"""The providers' documented examples, with what the contracts must say about each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ._catalog import Part
from ._resources import examples_dir
from ._shared import load_yaml
from ._validation import Report, validate

MANIFEST = "manifest.yaml"


@dataclass(frozen=True)
class DocumentedExample:
    """One example payload from the provider documentation and its expected verdict."""

    name: str
    operation: str
    part: Part
    status: int | None
    expect: str
    issues: tuple[tuple[str, str], ...] = ()
    warnings: tuple[tuple[str, str], ...] | None = None
    repair: Mapping[str, Any] | None = None
    source: Mapping[str, Any] = field(default_factory=dict)
    inline: str | None = None

    def published(self) -> bytes:
        """The payload exactly as the documentation shows it."""
        if self.inline is not None:
            return self.inline.encode("utf-8")
        return (examples_dir() / self.name).read_bytes()

    def repaired(self) -> bytes:
        """The payload after the errata's textual repairs (the published one when none)."""
        data = self.published()
        for old, new in (self.repair or {}).get("replace", []):
            if old.encode() not in data:
                raise ValueError(f"{self.name}: repair text {old!r} is not in the example")
            data = data.replace(old.encode(), new.encode())
        return data

    def validate(self, *, repaired: bool = False) -> Report:
        payload = self.repaired() if repaired else self.published()
        return validate(
            self.operation,
            payload,
            part=self.part,
            status=self.status,
        )

    def mismatches(self) -> list[str]:
        """How the contracts' verdict differs from the expected one (empty when it agrees)."""
        report = self.validate()
        found = {(issue.path, issue.rule) for issue in report.errors}
        problems: list[str] = []
        if self.expect == "valid" and not report.valid:
            problems.append(f"expected valid, got {sorted(found)}")
        if self.expect == "invalid":
            if report.valid:
                problems.append("expected invalid, got valid")
            elif found != set(self.issues):
                problems.append(f"expected errors {sorted(self.issues)}, got {sorted(found)}")
        if self.warnings is not None:
            warned = {(issue.path, issue.rule) for issue in report.warnings}
            if warned != set(self.warnings):
                problems.append(f"expected warnings {sorted(self.warnings)}, got {sorted(warned)}")
        if self.repair:
            after = self.validate(repaired=True)
            if not after.valid:
                problems.append(
                    f"after repair {self.repair.get('errata')}: {[str(i) for i in after.errors]}"
                )
        return problems


def _pairs(items: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(item["path"]), str(item["rule"])) for item in items or ())


@cache
def documented_examples() -> tuple[DocumentedExample, ...]:
    """Every documented example shipped with tendlc, in manifest order."""
    entries = load_yaml(examples_dir() / MANIFEST) or []
    result = []
    for entry in entries:
        inline = entry.get("payload")
        result.append(
            DocumentedExample(
                name=entry.get("file") or f"{entry['operation']}.{entry['part']}.inline",
                operation=entry["operation"],
                part=entry["part"],
                status=entry.get("status"),
                expect=entry.get("expect", "valid"),
                issues=_pairs(entry.get("issues")),
                warnings=_pairs(entry["warnings"]) if "warnings" in entry else None,
                repair=entry.get("repair"),
                source=entry.get("source") or {},
                inline=inline,
            )
        )
    return tuple(result)
