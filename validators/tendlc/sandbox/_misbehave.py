"""Named ways for the sandbox to drift from the documentation, so that drift detection is
tested for real: ``--misbehave RULE[:OPERATION_GLOB][=VALUE]``. An operation id that is not
in the catalog, or a glob that matches none, is refused with the nearest ids.

=====================  ===========================================================
rule                   what the sandbox does
=====================  ===========================================================
drop-required-field    leaves out a field the response contract requires
undocumented-field     adds a field the contract does not document
wrong-status           answers with a success status the operation does not document
wrong-root             renames the XML root element / wraps the JSON body in an array
slow                   waits VALUE seconds (default 1) before answering
429-storm              answers the next VALUE requests (default 5) with 429
accept-invalid         answers a request it would refuse as invalid with the
                       operation's documented success (nothing kept)
=====================  ===========================================================

Every change made is logged (:attr:`Misbehaviour.injected`): a test compares what a
conformance run reports with what the sandbox did.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import math
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .._catalog import Operation, get_operation
from .._catalog import operations as catalog_operations
from .._errors import InvalidArgument, UnknownOperationError
from .._parsing import (
    Document,
    ParseError,
    XmlDocument,
    element_children,
    element_path,
    parse_document,
)
from .._shared import json_pointer
from .._validation import validate
from ..traffic import Headers, Response

__all__ = ["RULES", "Injection", "Misbehaviour", "Rule"]

RULES = (
    "drop-required-field",
    "undocumented-field",
    "wrong-status",
    "wrong-root",
    "slow",
    "429-storm",
    "accept-invalid",
)
UNDOCUMENTED_XML = "SandboxUndocumentedField"
UNDOCUMENTED_JSON = "sandbox_undocumented_field"
WRONG_ROOT = "SandboxUnexpectedRoot"


@dataclass(frozen=True)
class Rule:
    name: str
    operations: str = "*"
    value: float | None = None

    def applies(self, operation: Operation) -> bool:
        return fnmatch.fnmatchcase(operation.id, self.operations)

    @classmethod
    def parse(cls, text: str) -> Rule:
        """``RULE[:OPERATIONS][=VALUE]``; OPERATIONS is an operation id or a glob of ids
        (``bandwidth.tnOptions.*``). A rule, an operation or a value that cannot be honoured
        is an :class:`InvalidArgument` naming the valid choices (``suggestions``: the
        nearest operation ids): a drift that would silently never happen is refused."""
        head, _, value = text.partition("=")
        name, _, operations = head.partition(":")
        if name not in RULES:
            raise InvalidArgument(f"unknown misbehaviour {name!r}; the rules: {', '.join(RULES)}")
        try:
            number = float(value) if value else None
        except ValueError:
            raise InvalidArgument(f"{text!r}: the value after = must be a number") from None
        if number is not None and not (math.isfinite(number) and number >= 0):
            raise InvalidArgument(f"{text!r}: the value after = must be a number from 0 up")
        operations = operations or "*"
        _check_operations(text, operations)
        return cls(name, operations, number)


def _check_operations(text: str, operations: str) -> None:
    """Raise unless ``operations`` names a catalog operation or is a glob matching one."""
    ids = [operation.id for operation in catalog_operations()]
    if not any(char in operations for char in "*?["):
        try:
            get_operation(operations)
        except UnknownOperationError as exc:
            error = InvalidArgument(f"{text!r}: {exc}")
            error.suggestions = tuple(exc.suggestions)
            raise error from None
        return
    if any(fnmatch.fnmatchcase(operation_id, operations) for operation_id in ids):
        return
    suggestions = UnknownOperationError(operations, ids).suggestions
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    error = InvalidArgument(
        f"{text!r}: {operations!r} matches no operation{hint} (`tendlc operations` lists all)"
    )
    error.suggestions = tuple(suggestions)
    raise error


@dataclass(frozen=True)
class Injection:
    """One change the sandbox made to one answer."""

    rule: str
    operation: str
    path: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "operation": self.operation,
            "path": self.path,
            "detail": self.detail,
        }


class Misbehaviour:
    """The rules in force, and the log of what they did."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self.rules = tuple(rules)
        self.injected: list[Injection] = []
        self._storms: dict[int, int] = {}
        self._lock = threading.Lock()
        self.reset()

    @classmethod
    def parse(cls, texts: Iterable[str]) -> Misbehaviour:
        return cls(Rule.parse(text) for text in texts)

    def reset(self) -> None:
        with self._lock:
            self.injected.clear()
            self._storms = {
                index: int(rule.value if rule.value is not None else 5)
                for index, rule in enumerate(self.rules)
                if rule.name == "429-storm"
            }

    def _active(self, name: str, operation: Operation) -> Iterator[tuple[int, Rule]]:
        for index, rule in enumerate(self.rules):
            if rule.name == name and rule.applies(operation):
                yield index, rule

    def storm(self, operation: Operation) -> bool:
        """True when this request is one of a 429 storm's."""
        with self._lock:
            for index, _ in self._active("429-storm", operation):
                if self._storms.get(index, 0) > 0:
                    self._storms[index] -= 1
                    self.injected.append(Injection("429-storm", operation.id))
                    return True
        return False

    def accepts_invalid(self, operation: Operation, refused: Iterable[str]) -> bool:
        """True when an invalid request of this operation is to be accepted (logged, with the
        paths of the issues it would have been refused for)."""
        if not any(True for _ in self._active("accept-invalid", operation)):
            return False
        with self._lock:
            detail = ", ".join(refused)
            self.injected.append(Injection("accept-invalid", operation.id, detail=detail))
        return True

    async def delay(self, operation: Operation) -> None:
        for _, rule in self._active("slow", operation):
            seconds = rule.value if rule.value is not None else 1.0
            with self._lock:
                self.injected.append(Injection("slow", operation.id, detail=f"{seconds} s"))
            await asyncio.sleep(seconds)

    def apply(self, operation: Operation, response: Response) -> Response:
        """The answer after the body and status rules in force."""
        for name in ("drop-required-field", "undocumented-field", "wrong-root", "wrong-status"):
            for _ in self._active(name, operation):
                changed = _CHANGES[name](operation, response)
                if changed is not None:
                    response, injection = changed
                    with self._lock:
                        self.injected.append(injection)
        return response


def _document(response: Response) -> Document | None:
    body = response.body
    if not body.strip():
        return None
    try:
        return parse_document("xml" if body.lstrip().startswith(b"<") else "json", body)
    except ParseError:
        return None


def _with_body(response: Response, data: bytes) -> Response:
    return Response(response.status, response.headers, data, response.reason)


def _drop_required(operation: Operation, response: Response) -> tuple[Response, Injection] | None:
    document = _document(response)
    if document is None:
        return None
    for path in document.paths():
        candidate = _without(document, path)
        report = validate(operation, candidate, part="response", status=response.status)
        if any(i.rule == "required" and i.path == path for i in report.errors):
            return _with_body(response, candidate), Injection(
                "drop-required-field", operation.id, path
            )
    return None


def _without(document: Document, path: str) -> bytes:
    copy = parse_document(document.wire, document.dump())
    copy.delete(path)
    return copy.dump()


def _undocumented(operation: Operation, response: Response) -> tuple[Response, Injection] | None:
    document = _document(response)
    if document is None:
        return None
    if isinstance(document, XmlDocument):
        target = next(iter(element_children(document.root)), document.root)
        path = f"{element_path(target)}/{UNDOCUMENTED_XML}"
    else:
        first = document.get("/0") if isinstance(document.root, list) else document.root
        if not isinstance(first, dict):
            return None
        path = ("/0" if first is not document.root else "") + json_pointer([UNDOCUMENTED_JSON])
    document.put(path, "drift")
    return _with_body(response, document.dump()), Injection(
        "undocumented-field", operation.id, path
    )


def _wrong_root(operation: Operation, response: Response) -> tuple[Response, Injection] | None:
    document = _document(response)
    if document is None:
        return None
    if isinstance(document, XmlDocument):
        document.root.tag = WRONG_ROOT
        return _with_body(response, document.dump()), Injection(
            "wrong-root", operation.id, f"/{WRONG_ROOT}"
        )
    return _with_body(response, json.dumps([document.root]).encode("utf-8")), Injection(
        "wrong-root", operation.id, ""
    )


def _wrong_status(operation: Operation, response: Response) -> tuple[Response, Injection] | None:
    for status in (200, 201, 202, 203, 206):
        if status not in operation.responses:
            headers = Headers(response.headers)
            return Response(status, headers, response.body), Injection(
                "wrong-status", operation.id, detail=f"{response.status} -> {status}"
            )
    return None


_CHANGES = {
    "drop-required-field": _drop_required,
    "undocumented-field": _undocumented,
    "wrong-root": _wrong_root,
    "wrong-status": _wrong_status,
}
