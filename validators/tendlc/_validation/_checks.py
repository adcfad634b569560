"""Checks: every judgement of a payload or an exchange, registered in one table.

A check is a function of a :class:`CheckContext` (the operation, the part, the status, the
media type, the payload and its parsed document, the exchange when there is one, the limits and
the configuration) that yields :class:`~tendlc.Issue` s. It is registered with
:func:`check`. The contract itself, the status, the media type and the parameters are
built-in checks registered the same way; advice rules are checks too. :func:`tendlc.validate`,
the exchange checks of the traffic layer (the pytest plugin, cassettes, conform, the proxy) and
the sandbox's request checks all run this one table, so a check added here shows up in every
one of them.

>>> import tendlc
>>> @tendlc.check("no-test-brand", parts=("request",))
... def no_test_brand(context):
...     if b"TEST" in (context.payload or b""):
...         yield tendlc.Issue("warning", "", "no-test-brand", "the body names a test brand")
>>> tendlc.unregister_check("no-test-brand")

Selection: by default every check registered with ``default=True`` runs (advice checks run
when advice is asked for). ``checks=`` names the only ones to run, ``exclude_checks=`` the ones
to leave out; a name also selects the checks below it (``advice`` selects ``advice.*``).

A check may also give a ``quiet`` test: a cheap function of the context that returns True only
when the check would find nothing. When every check of a plan has one and each says so, the
checks themselves are not run: most payloads are valid, and the contract's compiled hot path
answers them without the explaining machinery.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any, TypeVar

from .._catalog import Body, Operation
from .._errors import InvalidArgument, nearest
from .._parsing import DEFAULT_LIMITS, Limits
from .._shared import identity_cached
from ._lines import with_json_lines
from ._report import Issue, Severity

__all__ = [
    "Check",
    "CheckContext",
    "CheckFunction",
    "advises",
    "check",
    "registered_checks",
    "run_checks",
    "selected_checks",
    "unregister_check",
]

#: what a check may be asked about: a body, a parameter set, or a whole exchange
Scope = str
SCOPES = ("request", "response", "query", "path", "exchange")
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NOTHING = object()


class CheckContext:
    """What one check is given. Built once per part checked; the parsed document is read on
    first use (the contract's own check answers most payloads without a full parse)."""

    __slots__ = (
        "_document",
        "advice",
        "brand",
        "config",
        "exchange",
        "limits",
        "media_type",
        "memo",
        "operation",
        "part",
        "payload",
        "status",
    )

    def __init__(
        self,
        operation: Operation | None,
        part: Scope,
        payload: Any = None,
        *,
        status: int | None = None,
        media_type: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        exchange: Any = None,
        config: Mapping[str, Any] = _EMPTY,
        advice: bool = False,
        brand: Any = None,
    ) -> None:
        #: the operation checked (None: an exchange that matched no operation)
        self.operation = operation
        #: ``request``, ``response``, ``query``, ``path`` or ``exchange``
        self.part = part
        #: the payload as given (bytes, text, parsed data, an element, parameters)
        self.payload = payload
        #: the response's status (responses only)
        self.status = status
        #: the body's Content-Type, when known
        self.media_type = media_type
        #: the bounds payloads are read within
        self.limits = limits
        #: the :class:`tendlc.traffic.Exchange` the part belongs to, when there is one
        self.exchange = exchange
        #: settings for checks (``[tool.tendlc]``, a check's own options)
        self.config = config
        #: whether advice was asked for
        self.advice = advice
        #: the brand behind a campaign, when known (advice reads it)
        self.brand = brand
        #: work several checks share (one parse, one pass over the texts), by the check's key
        self.memo: dict[str, Any] = {}
        self._document: Any = _NOTHING

    @property
    def body(self) -> Body | None:
        """The contract of the body checked (None for parameters, an undocumented status or
        an exchange)."""
        if self.operation is None:
            return None
        if self.part == "request":
            return self.operation.request
        if self.part == "response" and self.status is not None:
            return self.operation.responses.get(self.status)
        return None

    @property
    def document(self) -> Any:
        """The payload parsed safely (an lxml element for XML, data for JSON); None when it is
        not a structured document or cannot be read (the contract check says why)."""
        if self._document is _NOTHING:
            self._document = _parse(self.body, self.payload, self.limits)
        return self._document


def _parse(body: Body | None, payload: Any, limits: Limits) -> Any:
    from .._parsing import ParseError, parse_json, parse_xml

    if body is None or not body.structured or payload is None:
        return None
    if not isinstance(payload, bytes | bytearray | str):
        return payload  # given parsed already (data, or an element)
    try:
        return parse_xml(payload, limits) if body.wire == "xml" else parse_json(payload, limits)
    except (ParseError, RecursionError):
        return None


CheckFunction = Callable[[CheckContext], Iterable[Issue]]
#: a check's shortcut: True only when the check would find nothing in the context
QuietTest = Callable[[CheckContext], bool]
_F = TypeVar("_F", bound=CheckFunction)


@dataclass(frozen=True)
class Check:
    """A registered check: its name, what it is asked about (``parts``), whether it runs by
    default, and whether it is advice (run when advice is asked for)."""

    name: str
    function: CheckFunction
    parts: frozenset[str]
    default: bool = True
    advice: bool = False
    description: str = ""
    quiet: QuietTest | None = None

    @cached_property
    def builtin(self) -> bool:
        """Whether tendlc itself registered it (not a project's check)."""
        function = getattr(self.function, "func", self.function)  # a functools.partial
        return str(getattr(function, "__module__", "") or "").startswith("tendlc.")

    def selected_by(self, names: Iterable[str]) -> bool:
        """Whether one of ``names`` is this check's name or a family above it."""
        return any(self.name == name or self.name.startswith(name + ".") for name in names)


_REGISTRY: dict[str, Check] = {}
_LOCK = threading.Lock()
_VERSION = [0]


def check(
    name: str,
    *,
    parts: Sequence[str] = ("request", "response"),
    default: bool = True,
    advice: bool = False,
    description: str = "",
    quiet: QuietTest | None = None,
) -> Callable[[_F], _F]:
    """Register a check under ``name`` (a function of a :class:`CheckContext` yielding
    :class:`~tendlc.Issue` s) for the ``parts`` it is asked about. A check registered again
    under the same name replaces the earlier one. ``default=False`` runs it only when selected
    by name; ``advice=True`` runs it when advice is asked for. ``quiet``, when given, is a
    cheaper function of the context that returns True only when the check would find nothing
    (it may say False whenever in doubt); when every check of a plan says so, none is run."""
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise InvalidArgument(f"a check's name is a non-empty word, not {name!r}")
    unknown = sorted(set(parts) - set(SCOPES))
    if unknown or not parts:
        raise InvalidArgument(f"a check's parts are some of {', '.join(SCOPES)}, not {unknown}")

    def register(function: _F) -> _F:
        entry = Check(
            name,
            function,
            frozenset(parts),
            default=default and not advice,
            advice=advice,
            description=description or (function.__doc__ or "").strip().split("\n")[0],
            quiet=quiet,
        )
        with _LOCK:
            _REGISTRY[name] = entry
            _VERSION[0] += 1
        return function

    return register


def version() -> int:
    """A number that changes whenever a check is registered or removed."""
    return _VERSION[0]


def unregister_check(name: str) -> None:
    """Remove a registered check (nothing happens when there is none of that name)."""
    with _LOCK:
        if _REGISTRY.pop(name, None) is not None:
            _VERSION[0] += 1


def registered_checks() -> tuple[Check, ...]:
    """Every registered check, in registration order (the built-in ones first, then the
    advice rules)."""
    _load_advice()
    return tuple(_REGISTRY.values())


#: what registers the advice rules, handed in by the package: it runs once, on first need
_ADVICE_LOADER: list[Callable[[], None] | None] = [None]


def load_advice_with(loader: Callable[[], None]) -> None:
    """Have ``loader`` register the advice rules (each a check named by its rule id) the first
    time they are needed: they read a rules file that plain validation does without."""
    _ADVICE_LOADER[0] = loader


def _load_advice() -> None:
    loader = _ADVICE_LOADER[0]
    if loader is not None:
        _ADVICE_LOADER[0] = None
        loader()


def selected_checks(
    part: str,
    checks: Iterable[str] | None = None,
    exclude_checks: Iterable[str] = (),
    *,
    advice: bool = False,
) -> tuple[Check, ...]:
    """The checks that run for one part: ``checks`` (names or families) or else the default
    ones (and the advice ones when ``advice``), less ``exclude_checks``. An unknown name is an
    :class:`~tendlc.InvalidArgument` naming the nearest ones."""
    if advice or checks is not None or exclude_checks:
        _load_advice()
    wanted = None if checks is None else _names(checks, "checks")
    excluded = _names(exclude_checks, "exclude_checks")
    return _plan(part, wanted, excluded, advice, _VERSION[0])


def _names(names: Iterable[str] | str, argument: str) -> tuple[str, ...]:
    if isinstance(names, str):
        names = [part.strip() for part in names.split(",") if part.strip()]
    found = tuple(names)
    if not found:
        return found
    known, families = _known(_VERSION[0])
    for name in found:
        if not isinstance(name, str) or (name not in known and name not in families):
            hint = nearest(str(name), sorted(known | families))
            tops = sorted({entry.split(".")[0] for entry in known})
            raise InvalidArgument(
                f"{argument}: no check is called {name!r}"
                + (f"; did you mean {', '.join(hint)}?" if hint else "")
                + f" (checks and families: {', '.join(tops)}; `tendlc checks` lists them all)",
            )
    return found


@lru_cache(maxsize=4)
def _known(version: int) -> tuple[frozenset[str], frozenset[str]]:
    """The registered check names and their families (``advice``, ``advice.call-to-action``)
    at one version of the registry."""
    known = frozenset(entry.name for entry in _REGISTRY.values())
    families = frozenset(
        name.rsplit(".", i)[0] for name in known for i in range(1, name.count(".") + 1)
    )
    return known, families


@lru_cache(maxsize=256)
def _plan(
    part: str,
    wanted: tuple[str, ...] | None,
    excluded: tuple[str, ...],
    advice: bool,
    version: int,
) -> tuple[Check, ...]:
    chosen = []
    for entry in _REGISTRY.values():
        if part not in entry.parts:
            continue
        if wanted is not None:
            take = entry.selected_by(wanted) or (advice and entry.advice)
        else:
            take = entry.default or (advice and entry.advice)
        if take and not entry.selected_by(excluded):
            chosen.append(entry)
    return tuple(chosen)


def advises(plan: Sequence[Check]) -> bool:
    """Whether a plan holds advice checks (their context says advice was asked for)."""
    return _facts(plan)[1]


@identity_cached(1024)
def _facts(plan: Sequence[Check]) -> tuple[tuple[QuietTest, ...] | None, bool]:
    """What is read of a plan on every call, worked out once per plan: plans are made once
    (:func:`selected_checks`) and handed in again and again."""
    tests = tuple(entry.quiet for entry in plan if entry.quiet is not None)
    quiet = tests if tests and len(tests) == len(plan) else None
    return quiet, any(entry.advice for entry in plan)


def _all_quiet(tests: tuple[QuietTest, ...], context: CheckContext) -> bool:
    """Whether every quiet test says its check has nothing to report; a project's test that
    raises says no (its check then runs, and says what is wrong)."""
    try:
        for test in tests:
            if not test(context):
                return False
    except Exception:
        return False
    return True


def _issues_of(entry: Check, context: CheckContext) -> Iterable[Issue]:
    """What one check says. A project's check that raises is an error of the report that
    names it (the other checks still run); tendlc's own checks never raise on any input, and
    a bug in one is not hidden."""
    if entry.builtin:
        return entry.function(context)
    try:
        return list(entry.function(context))
    except Exception as exc:
        message = f"the check raised {type(exc).__name__}: {exc}"[:300]
        return [Issue(Severity.ERROR, "", "check-failed", message, check=entry.name)]


def run_checks(
    context: CheckContext,
    plan: Sequence[Check],
    direction: str = "",
    *,
    advice_as_errors: bool = False,
    lines: bool = True,
) -> list[Issue]:
    """Every issue the checks of ``plan`` find in ``context``, each naming its check (and the
    ``direction`` of the exchange, when given); with ``advice_as_errors``, advice counts as
    errors (a project that will not submit a registration carriers are likely to reject).
    ``lines=False`` leaves the lines of a JSON text's issues unread (a caller that keeps one
    report of several reads them for that one)."""
    quiet = _facts(plan)[0]
    if quiet is not None and _all_quiet(quiet, context):
        return []
    found: list[Issue] = []
    for entry in plan:
        for issue in _issues_of(entry, context):
            if issue.check != entry.name or issue.direction != direction:
                issue = replace(issue, check=issue.check or entry.name, direction=direction)
            if advice_as_errors and issue.severity is Severity.ADVICE:
                issue = replace(issue, severity=Severity.ERROR)
            found.append(issue)
    if lines and found and context.body is not None:
        # a JSON body's lines, read only when there is something to explain
        found = with_json_lines(context.body, context.payload, found)
    return found
