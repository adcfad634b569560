"""The one report format shared by XML and JSON validation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How much an issue weighs: an ``error`` makes a payload invalid; a ``warning`` (drift: an
    undocumented response field, a null read as absent) and an ``advice`` (a reason carriers
    reject a registration beyond the contract) never do unless asked to. Compares equal to its
    value (``Severity.ERROR == "error"``)."""

    ERROR = "error"
    WARNING = "warning"
    ADVICE = "advice"

    def __str__(self) -> str:
        return self.value


#: Rules that describe the shape of the input rather than a field value; ``best_match`` shows
#: them first because fixing them usually changes every other issue.
STRUCTURAL_RULES = ("parse", "root", "status", "body", "media-type")


def json_ready(value: Any) -> Any:
    """An expected value as plain JSON data (tuples as lists, decimals as numbers or text)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [json_ready(item) for item in items]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


#: the sides of an exchange an issue can concern
DIRECTIONS = ("request", "response", "exchange")


@dataclass(frozen=True)
class Issue:
    """One finding: which field (``path``), which rule it breaks, and what a person should know.

    ``location`` says where the rule is written in the contracts (``vonage/openapi.yaml#/…``
    or ``bandwidth/types.xsd#/xs:schema/…``) and ``expected`` what the rule asks for (the
    bound, the allowed values, the pattern, the type), so reports can group drift by rule.
    ``check`` names the registered check that found it, and ``direction`` the side of an
    exchange it concerns (``request``, ``response`` or ``exchange``; empty for a payload
    checked on its own). ``severity`` is a :class:`Severity` (a plain string is converted). An
    ``advice`` issue's ``location`` is its rule's source (a URL, or ``seed-file#quoted sentence``).
    """

    severity: Severity
    path: str
    rule: str
    message: str
    line: int | None = None
    location: str = ""
    expected: Any = None
    check: str = ""
    direction: str = ""

    def __post_init__(self) -> None:
        if type(self.severity) is not Severity:
            object.__setattr__(self, "severity", Severity(self.severity))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of this issue: every field, by name."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        data["severity"] = self.severity.value
        data["expected"] = json_ready(self.expected)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Issue:
        """An issue read back from :meth:`to_dict` (unknown keys ignored, bad values made
        safe: a report read from a file never raises here)."""
        known = {item.name for item in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        severity = str(values.get("severity", "error"))
        values["severity"] = severity if severity in _SEVERITIES else "error"
        for key in ("path", "rule", "message", "location", "check", "direction"):
            values[key] = str(values.get(key) or "")
        if not isinstance(values.get("line"), int) or isinstance(values.get("line"), bool):
            values["line"] = None
        return cls(**values)

    def render(self, *, verbose: bool = False) -> str:
        """The issue as people read it, on one line (two with ``verbose``: where the rule
        lives in the contracts and what it expects). Every front end prints issues so."""
        # an exchange's issue names its side; a payload's, its line
        where = self.direction or (f"line {self.line}" if self.line is not None else "-")
        message = self.message
        if self.direction and self.line is not None:
            message += f" (line {self.line})"
        text = f"{self.severity.value:<7} {where:<9} {self.path or '/'}  [{self.rule}]  {message}"
        if self.severity is Severity.ADVICE and self.location and not verbose:
            # advice always says where it comes from: the page a person can read
            text += f"\n{'':<18}source: {self.location}"
        if verbose and (self.location or self.expected is not None):
            shown = self.expected
            expected = "" if shown is None else f"  expected: {_json_text(shown)[:120]}"
            text += f"\n{'':<18}contract: {self.location or '-'}{expected}"
        return text

    def __str__(self) -> str:
        return self.render()


_SEVERITIES = {severity.value for severity in Severity}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.ADVICE: 2}


def _json_text(value: Any) -> str:
    import json

    return json.dumps(json_ready(value), ensure_ascii=False)


def relevance(issue: Issue) -> tuple[int, int, int]:
    """The default ranking of :meth:`Report.best_match` (lower is shown first): errors before
    warnings before advice, structural rules before field rules, then by line."""
    return (
        _RANK[issue.severity],
        0 if issue.rule in STRUCTURAL_RULES else 1,
        issue.line if issue.line is not None else 1 << 30,
    )


@dataclass(frozen=True)
class Report:
    """Every issue found in one payload for one operation, part and status.

    Iterating a report gives its issues; ``valid`` is the verdict (a report is not a
    container and has no truth value: there is no ``len`` and ``bool(report)`` raises
    :class:`TypeError`, so that neither a count nor "if report:" is mistaken for the verdict).
    """

    operation: str
    part: str
    status: int | None = None
    issues: tuple[Issue, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        """True when no issue is an error (warnings and advice keep a report valid)."""
        return not any(issue.severity == "error" for issue in self.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues that make the payload invalid."""
        return tuple(issue for issue in self.issues if issue.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """The issues that leave the payload valid (undocumented response fields)."""
        return tuple(issue for issue in self.issues if issue.severity == "warning")

    @property
    def advice(self) -> tuple[Issue, ...]:
        """The advice: reasons carriers reject registrations beyond the contract (asked for
        with ``validate(..., advice=True)``; never an error unless configured so)."""
        return tuple(issue for issue in self.issues if issue.severity == "advice")

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __bool__(self) -> bool:
        # "if report:" reads as "if valid" to some and "if it found something" to others.
        raise TypeError("a Report has no truth value: test report.valid (or report.errors)")

    def best_match(self, key: Callable[[Issue], Any] = relevance) -> Issue | None:
        """The issue to show first: the lowest ``key`` (default :func:`relevance`), ties broken
        by document order. Pass another ``key`` to re-rank (e.g. by rule)."""
        if not self.issues:
            return None
        return min(enumerate(self.issues), key=lambda item: (key(item[1]), item[0]))[1]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of this report."""
        return {
            "operation": self.operation,
            "part": self.part,
            "status": self.status,
            "valid": self.valid,
            "issues": [issue.to_dict() for issue in self.issues],
        }


def excerpt(value: object, limit: int = 40) -> str:
    """Quote at most ``limit`` characters of a value, so reports never echo whole payloads."""
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    shown = text[:limit]
    return f"{shown!r}… ({len(text)} characters)" if isinstance(value, str) else f"{shown}…"


def unique(issues: Iterable[Issue]) -> Iterator[Issue]:
    """The issues in order, each (path, rule) pair once."""
    seen: set[tuple[str, str]] = set()
    for issue in issues:
        if (issue.path, issue.rule) not in seen:
            seen.add((issue.path, issue.rule))
            yield issue
