"""Which operation a payload file is for, when the command line does not say.

In order: the configuration's file mappings; the file name
(``<provider>/<resource>.<action>.<part>[.<status>].<ext>``, the layout of the documented
examples); the payload itself (its XML root element, or the JSON body schemas it fits). An
answer is given only when one operation fits; otherwise every candidate and why it fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._catalog import (
    PARTS,
    Part,
    UnknownOperationError,
    as_part,
    get_operation,
    operations,
    provider_names,
)
from ._config import Config
from ._parsing import ParseError, local_name, parse_json, parse_xml
from ._validation import validate

__all__ = ["Candidate", "Inference", "infer"]


@dataclass(frozen=True)
class Candidate:
    operation: str
    part: Part
    status: int | None
    why: str

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        return f"{self.operation} {self.part}{status} ({self.why})"


@dataclass(frozen=True)
class Inference:
    candidates: tuple[Candidate, ...]

    @property
    def chosen(self) -> Candidate | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


def infer(path: Path | None, payload: bytes, config: Config | None = None) -> Inference:
    """The operation (and part, status) a payload is for, or the candidates."""
    if path is not None and config is not None:
        mapping = config.mapping_for(path)
        if mapping is not None:
            part = as_part(mapping.part or "request")
            why = f"mapped by {mapping.pattern!r} in {config.source}"
            return Inference((Candidate(mapping.operation, part, mapping.status, why),))
    if path is not None:
        named = _from_name(path)
        if named is not None:
            return Inference((named,))
    return Inference(tuple(_from_payload(payload)))


def _from_name(path: Path) -> Candidate | None:
    provider = path.parent.name
    pieces = path.name.split(".")
    if provider not in provider_names() or len(pieces) < 4:
        return None
    resource, action, part = pieces[0], pieces[1], pieces[2]
    status = int(pieces[3]) if len(pieces) > 4 and pieces[3].isdigit() else None
    if part not in PARTS:
        return None
    try:
        operation = get_operation(f"{provider}.{resource}.{action}")
    except UnknownOperationError:
        return None
    return Candidate(operation.id, as_part(part), status, f"its file name {path.name!r}")


def _from_payload(payload: bytes) -> list[Candidate]:
    text = payload.lstrip()
    if text.startswith(b"<"):
        return _from_xml(payload)
    if text.startswith((b"{", b"[")):
        return _from_json(payload)
    return []


def _bodies() -> list[tuple[Any, Part, int | None, Any]]:
    found: list[tuple[Any, Part, int | None, Any]] = []
    for operation in operations():
        if operation.request is not None and operation.request.structured:
            found.append((operation, "request", None, operation.request))
        for status, body in sorted(operation.responses.items()):
            if body.structured:
                found.append((operation, "response", status, body))
    return found


def _from_xml(payload: bytes) -> list[Candidate]:
    try:
        root = local_name(parse_xml(payload))
    except ParseError:
        return []
    fitting = [
        (operation, part, status)
        for operation, part, status, body in _bodies()
        if body.wire == "xml" and body.locator == root
    ]
    if len(fitting) <= 1:
        return [
            Candidate(op.id, part, status, f"its root element <{root}>")
            for op, part, status in fitting
        ]
    # Several operations share the root: keep those whose contract accepts the payload.
    valid = [
        (operation, part, status)
        for operation, part, status in fitting
        if validate(operation, payload, part=part, status=status).valid
    ]
    kept = valid or fitting
    why = f"its root element <{root}>" + (", and its contract accepts it" if valid else "")
    return [Candidate(op.id, part, status, why) for op, part, status in _collapse(kept)]


def _collapse(found: list[tuple[Any, Part, int | None]]) -> list[tuple[Any, Part, int | None]]:
    """Responses of one operation that only the status tells apart are one candidate."""
    seen: dict[tuple[str, str], tuple[Any, Part, int | None]] = {}
    for operation, part, status in found:
        key = (operation.id, part)
        seen[key] = (operation, part, None) if key in seen else (operation, part, status)
    return list(seen.values())


def _from_json(payload: bytes) -> list[Candidate]:
    try:
        data = parse_json(payload)
    except ParseError:
        return []
    scored: list[tuple[int, Any, Part, int | None]] = []
    for operation, part, status, body in _bodies():
        if body.wire != "json":
            continue
        report = validate(operation, data, part=part, status=status)
        if report.valid and not report.warnings:
            scored.append((0, operation, part, status))
    if not scored:
        return []
    return [
        Candidate(op.id, part, status, "its contract accepts the payload, field for field")
        for op, part, status in _collapse([(op, part, status) for _, op, part, status in scored])
    ]
