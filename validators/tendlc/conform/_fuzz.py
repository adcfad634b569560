"""``conform --fuzz``: generated requests for every operation of the run's provider, sent and
checked like the probes' requests. Where the provider's contract is an OpenAPI document the
cases are schemathesis's (its positive mode for valid requests, its negative mode for invalid
ones); where it is an XSD catalog, or where schemathesis cannot generate for an operation, they
are drawn by tendlc's own generators from the contracts (the run's context counts the cases of
each driver and names each fallback).

Each operation gets up to ``fuzz_examples`` valid cases (a body the contract accepts, query
parameters within their bounds) and as many labelled invalid ones (a body that breaks one rule,
or a parameter outside its bounds). A case is sent only if tendlc's own check of the request
agrees with how it was made (a "valid" case tendlc refuses, or an "invalid" one it accepts, is
counted, not sent). A valid case must be answered with a documented status and a body that
passes the contract; an invalid one must be refused with a 4xx the operation documents: a
success is a finding named after the rule the request broke. Path parameters are the values
the probes captured, so that the cases reach records that exist. An operation that is not
fuzzed is entered as a skipped entry saying why (a delete, a file upload, nothing to vary,
...). Reads only, unless writes are allowed; never a DELETE (the clean-up probes run after the
generated cases).
"""

from __future__ import annotations

import hashlib
import string
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode

from .._catalog import Operation, get_provider, operations
from .._validation import Issue, Severity
from ..traffic import ExchangeResult, RunEntry, check_request
from ._session import ProbeTimeout, Send, Session

__all__ = ["Case", "GenerationFailed", "fuzz"]

#: the rule of the finding "an invalid request was not refused with a documented 4xx"
REFUSAL_RULE = "refuses-invalid"
#: the statuses that refuse a request for what it carries: an invalid case is sent to an
#: operation that documents one of them (and may be refused with any documented 4xx)
INVALID_INPUT = (400, 422)
#: what a valid string parameter is drawn from: safe in a query string and in a path
_SAFE = string.ascii_letters + string.digits + "-_."
#: a value of no documented enumeration, and not of an integer either
_UNDOCUMENTED = "not-a-documented-value"
#: the name tendlc's own generators' cases are counted under in a run's context
TENDLC = "tendlc"


class GenerationFailed(Exception):
    """Hypothesis could not produce the cases of one operation (the reason is the message)."""


@dataclass(frozen=True)
class Case:
    """One generated request of an operation: its body, its query parameters, path parameters
    that replace the known ones, and, for an invalid case, the rule it breaks."""

    body: bytes = b""
    query: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    #: (path, rule, description) of what makes the request invalid; None for a valid case
    label: tuple[str, str, str] | None = None


# -- drawing ---------------------------------------------------------------------------------


def _cases(
    strategy: Any,
    examples: int,
    seed: int | None = None,
    errors: tuple[type[BaseException], ...] = (),
) -> list[Any]:
    """Up to ``examples`` values drawn from ``strategy`` (the same ones for the same
    ``seed``); :class:`GenerationFailed` when Hypothesis gives up on them, or when drawing
    raises one of ``errors`` (what the strategy's own library raises where it cannot)."""
    from hypothesis import Phase, Verbosity, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis.errors import HypothesisException

    drawn: list[Any] = []
    # The cases are collected for a run, not tested: shrinking and the database have nothing
    # to do, and no deadline applies to appending a case. (With the default deadline the
    # too_slow check allows the first draws one second in all: a busy machine ended runs
    # with its traceback. Without one it allows thirty; a slower strategy is reported.)
    # Quiet: a reason to give up is the run's skipped entry, not lines printed amid its output.
    collecting = settings(
        max_examples=examples,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        derandomize=False,  # the seed decides, whatever profile is loaded
    )

    @collecting
    @given(strategy)
    def collect(case: Any) -> None:
        drawn.append(case)

    if seed is not None:
        collect = fixed_seed(seed)(collect)
    caught: tuple[type[BaseException], ...] = (HypothesisException, *errors)
    try:
        collect()
    except caught as exc:
        text = str(exc).strip()
        reason = text.splitlines()[0][:200] if text else ""
        raise GenerationFailed(f"{type(exc).__name__}: {reason}") from None
    return drawn[:examples]


def _seed_of(seed: int | None, *parts: str) -> int | None:
    """One operation's seed from the run's: the same cases whatever else the run fuzzes."""
    if seed is None:
        return None
    digest = hashlib.sha256(":".join([str(seed), *parts]).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


# -- parameters: valid values and labelled invalid ones, from their schemas ------------------


def _value(schema: Mapping[str, Any]) -> Any:
    """A strategy of values a parameter's schema accepts."""
    from hypothesis import strategies as st

    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    kind = schema.get("type")
    if kind == "integer":
        low = schema.get("minimum")
        return st.integers(low, schema.get("maximum", (low if low is not None else 0) + 1000))
    if kind == "boolean":
        return st.sampled_from(["true", "false"])
    if kind == "array":
        return st.lists(_value(schema.get("items", {})), min_size=1, max_size=3)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True, alphabet=_SAFE).filter(
            lambda text: _within(schema, text)
        )
    low = schema.get("minLength", 1)
    return st.text(_SAFE, min_size=low, max_size=max(low, min(schema.get("maxLength", 20), 20)))


def _within(schema: Mapping[str, Any], text: str) -> bool:
    low, high = int(schema.get("minLength", 0)), int(schema.get("maxLength", len(text)))
    return low <= len(text) <= high


def _query(schema: Mapping[str, Any] | None) -> Any:
    """A strategy of query parameters the operation's schema accepts (any subset of them)."""
    from hypothesis import strategies as st

    properties = (schema or {}).get("properties", {})
    required = set((schema or {}).get("required", ()))
    return st.fixed_dictionaries(
        {name: _value(s) for name, s in properties.items() if name in required},
        optional={name: _value(s) for name, s in properties.items() if name not in required},
    )


#: keyword -> (an invalid value for a schema carrying it, what the value does), per parameter
_BREAKS: dict[str, tuple[Callable[[Mapping[str, Any]], Any], str]] = {
    "minimum": (lambda s: s["minimum"] - 1, "below the minimum"),
    "maximum": (lambda s: s["maximum"] + 1, "above the maximum"),
    "enum": (lambda s: _UNDOCUMENTED, "not one of the documented values"),
    "type": (lambda s: _UNDOCUMENTED if s.get("type") == "integer" else None, "not an integer"),
    "maxLength": (lambda s: "x" * (s["maxLength"] + 1), "longer than the maximum length"),
    "minLength": (lambda s: "", "shorter than the minimum length"),
    "pattern": (lambda s: "~", "not of the documented pattern"),
}


def _broken(schema: Mapping[str, Any] | None, marker: str) -> list[Case]:
    """Labelled invalid values of the parameters of ``schema``: one case per parameter and
    per rule it can break (an array's rules are its items'), and an undocumented parameter
    where the schema is closed (query parameters only)."""
    found: list[Case] = []
    query = marker == "?"
    for name, declared in (schema or {}).get("properties", {}).items():
        array = declared.get("type") == "array"
        rules = declared.get("items", {}) if array else declared
        for keyword, (make, description) in _BREAKS.items():
            if keyword not in rules or (keyword == "minLength" and not query):
                continue  # an empty path segment reaches no operation at all
            value = make(rules)
            if value is None:
                continue
            wrapped = [value] if array else value
            label = (f"{marker}{name}", keyword, f"{name} {description}")
            if query:
                found.append(Case(query={name: wrapped}, label=label))
            else:
                found.append(Case(parameters={name: str(value)}, label=label))
    if query and schema is not None and schema.get("additionalProperties") is False:
        label = ("?undocumented_parameter", "additionalProperties", "an undocumented parameter")
        found.append(Case(query={"undocumented_parameter": "1"}, label=label))
    return found


# -- the cases of one operation --------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What can be varied in the requests of one operation."""

    operation: Operation
    body: bool
    query: bool
    account: str | None

    @property
    def choices(self) -> dict[str, Any]:
        """The path parameters of documented values (an enumeration), which valid cases vary;
        the others are ids, which the probes captured."""
        properties = (self.operation.path_parameters or {}).get("properties", {})
        return {name: schema for name, schema in properties.items() if "enum" in schema}

    @property
    def varies(self) -> bool:
        """True when valid cases have something to vary."""
        return self.body or self.query or bool(self.choices)

    def path_schema(self) -> Mapping[str, Any] | None:
        """The path parameters a case may break: not the account the run acts for."""
        schema = self.operation.path_parameters
        if schema is None or self.account is None:
            return schema
        properties = {k: v for k, v in schema.get("properties", {}).items() if k != self.account}
        return {**schema, "properties": properties}


def _valid_cases(plan: _Plan) -> Any:
    from hypothesis import strategies as st

    from ..strategies import requests

    bodies = requests(plan.operation.id, form="bytes") if plan.body else st.just(b"")
    queries = _query(plan.operation.query) if plan.query else st.just({})
    path = st.fixed_dictionaries({name: _value(s) for name, s in plan.choices.items()})
    return st.builds(Case, bodies, queries, path)


def _invalid_cases(plan: _Plan) -> Any:
    """Labelled invalid requests: a body that breaks one rule (its parameters valid), or a
    parameter that breaks one (its body valid)."""
    from hypothesis import strategies as st

    from ..strategies import invalid_requests, requests

    broken = _broken(plan.operation.query, "?") + _broken(plan.path_schema(), ":")
    choices = []
    if plan.body:
        mutated = invalid_requests(plan.operation.id, form="bytes")
        choices.append(
            mutated.map(lambda m: Case(m.payload, label=(m.path, m.rule, m.description)))
        )
    if broken:
        bodies = requests(plan.operation.id, form="bytes") if plan.body else st.just(b"")
        choices.append(
            st.builds(lambda body, case: replace(case, body=body), bodies, st.sampled_from(broken))
        )
    return st.one_of(choices) if choices else None


def _refusals(operation: Operation) -> tuple[int, ...]:
    """The documented statuses an invalid request may be refused with: its 4xx, but 429 (a
    rate limit says nothing of the request)."""
    return tuple(status for status in operation.statuses if 400 <= status < 500 and status != 429)


def _known_parameters(session: Session, operation: Operation) -> dict[str, str]:
    """Path parameters the probes know values for: the account the run acts for (where the
    provider's record names its path parameter), then as the probe of this operation passes
    them (a partner campaign's id is not a campaign's), else by name."""
    from ._probes import probes, substitute

    names = list((operation.path_parameters or {}).get("properties", {}))
    account = get_provider(operation.provider).account.parameter
    known = {account: session.account} if account in names else {}
    for probe in probes(session.options.provider):
        if probe.operation is operation and not (probe.needs() - set(session.values)):
            passed = substitute(dict(probe.parameters), session.values)
            return {**known, **{k: str(v) for k, v in passed.items()}}
    return {**known, **{name: session.values[name] for name in names if name in session.values}}


def _not_fuzzed(session: Session, operation: Operation, known: Mapping[str, str]) -> str | None:
    """Why no case of ``operation`` is sent (None: it is fuzzed)."""
    request = operation.request
    if not operation.routable:
        return "sent to the customer's own URL, not to the provider's API"
    if operation.method == "DELETE":
        return "deletes what the probes made and the other cases reach: the clean-up probes call it"
    if operation.method != "GET" and not session.options.allow_writes:
        return "changes the account: run with --allow-writes"
    if request is not None and request.binary:
        return "takes a file upload: the probes send a documented one"
    names = set((operation.path_parameters or {}).get("properties", {}))
    missing = sorted(names - set(known))
    if missing:
        return f"needs {', '.join(missing)} from an earlier probe"
    return None


# -- sending and judging -----------------------------------------------------------------------


def _acceptable(operation: Operation, parameters: Mapping[str, str], case: Case) -> bool:
    """True when tendlc finds no error in the request (what a valid case must be, and an
    invalid one must not)."""
    media = operation.request.media_types[0] if case.body and operation.request else None
    found = check_request(
        operation,
        path_parameters=dict(parameters),
        query=dict(case.query),
        body=case.body,
        media_type=media,
    )
    return not any(issue.severity == "error" for issue in found)


def _judged(result: ExchangeResult, operation: Operation, case: Case) -> ExchangeResult:
    """An invalid case's result: the request's own errors are what the case was made of (not
    findings); an answer other than a documented 4xx is one."""
    assert case.label is not None
    path, rule, description = case.label
    issues = [issue for issue in result.issues if issue.direction != "request"]
    response = result.exchange.response
    status = response.status if response is not None else None
    refusals = _refusals(operation)
    # an undocumented 4xx is a refusal, and the status check's finding already
    if status is not None and not 400 <= status < 500:
        answered = "accepted it" if status < 300 else "answered it"
        documented = ", ".join(map(str, refusals))
        issues.append(
            Issue(
                Severity.ERROR,
                path,
                REFUSAL_RULE,
                f"a request that breaks {rule} at {path} ({description}) must be refused "
                f"with a documented 4xx ({documented}); {operation.id} {answered} with {status}",
                expected=list(refusals),
                check="fuzz",
                direction="exchange",
            )
        )
    return replace(result, issues=tuple(issues))


@dataclass
class _Tally:
    """What one run's fuzzing did, for the run's context."""

    seed: int | None
    valid: int = 0
    invalid: int = 0
    operations: list[str] = field(default_factory=list)
    #: generated cases not sent: a "valid" one tendlc refuses, an "invalid" one it accepts
    discarded: int = 0
    #: the monotonic time after which no further case is sent (None: no bound)
    deadline: float | None = None
    #: cases sent per driver (schemathesis, tendlc)
    drivers: dict[str, int] = field(default_factory=dict)
    #: "<operation> <kind>: <why>" of each kind of cases schemathesis could not generate,
    #: drawn by tendlc's generators instead
    fallbacks: list[str] = field(default_factory=list)

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def context(self) -> dict[str, Any]:
        return {
            "fuzz_seed": self.seed,
            "fuzz_operations": len(self.operations),
            "fuzz_cases_valid": self.valid,
            "fuzz_cases_invalid": self.invalid,
            "fuzz_cases_the_contracts_refuse": self.discarded,
            "fuzz_cases_by_driver": dict(sorted(self.drivers.items())),
            "fuzz_generator_fallbacks": list(self.fallbacks),
        }


def fuzz(session: Session, send: Send) -> Iterator[RunEntry]:
    """Generated cases of every operation of the run's provider, each sent with ``send`` and
    entered in the run; an operation (or its invalid cases) not fuzzed is a skipped entry
    with the reason. The counts go to ``session.fuzz_context``."""
    options = session.options
    tally = _Tally(options.fuzz_seed)
    if options.fuzz_time is not None:
        tally.deadline = time.monotonic() + options.fuzz_time
    session.fuzz_context = tally.context()
    provider = get_provider(options.provider)
    for operation in operations(provider.name):
        name = f"fuzz {operation.id}"
        if tally.out_of_time():
            note = f"the fuzzing time ({options.fuzz_time:g} s) ran out before it"
            yield RunEntry(name, None, "skipped", note, operation.id)
            continue
        yield from _operation_entries(session, send, operation, tally)
        session.fuzz_context = tally.context()


def _operation_entries(
    session: Session, send: Send, operation: Operation, tally: _Tally
) -> Iterator[RunEntry]:
    name = f"fuzz {operation.id}"
    known = _known_parameters(session, operation)
    reason = _not_fuzzed(session, operation, known)
    if reason is not None:
        yield RunEntry(name, None, "skipped", reason, operation.id)
        return
    request = operation.request
    plan = _Plan(
        operation,
        body=request is not None and not request.empty,
        query=bool((operation.query or {}).get("properties")),
        account=get_provider(operation.provider).account.parameter,
    )
    kinds: list[tuple[str, Any]] = []
    for suffix, strategy, note in _kinds(plan):
        if strategy is None:
            yield RunEntry(f"{name}{suffix}", None, "skipped", note, operation.id)
        else:
            kinds.append((suffix, strategy))
    sent = 0
    for suffix, strategy in kinds:
        try:
            cases, driver = _draw(session, plan, known, suffix, strategy, tally)
        except GenerationFailed as exc:
            note = f"no case generated: {exc}"
            yield RunEntry(f"{name}{suffix}", None, "skipped", note, operation.id)
            continue
        for index, case in enumerate(cases):
            if tally.out_of_time():
                note = f"the fuzzing time ran out after {index} of its {len(cases)} case(s)"
                yield RunEntry(f"{name}{suffix}", None, "skipped", note, operation.id)
                break
            label = f"{name}{suffix} #{index + 1}"
            entry = _send_case(session, send, operation, known, case, label)
            if entry is None:
                tally.discarded += 1
                continue
            sent += 1
            tally.drivers[driver] = tally.drivers.get(driver, 0) + 1
            if case.label is None:
                tally.valid += 1
            else:
                tally.invalid += 1
            yield entry
    if sent:
        tally.operations.append(operation.id)


def _draw(
    session: Session,
    plan: _Plan,
    known: Mapping[str, str],
    suffix: str,
    ours: Any,
    tally: _Tally,
) -> tuple[list[Case], str]:
    """The cases of one kind (valid: no ``suffix``) of an operation and the driver that drew
    them: schemathesis where the provider's contract is an OpenAPI document, else (or where
    schemathesis cannot generate them, noted in ``tally``) tendlc's strategy ``ours``."""
    operation = plan.operation
    examples = session.options.fuzz_examples
    seed = _seed_of(session.options.fuzz_seed, operation.id, suffix)
    kind = suffix.strip() or "valid"
    if get_provider(operation.provider).contract_kind == "openapi":
        try:
            from . import _schemathesis as driver

            errors = driver.errors()
            caught: tuple[type[BaseException], ...] = (GenerationFailed, *errors)
        except ImportError:
            tally.fallbacks.append(f"{operation.id} {kind}: schemathesis is not installed")
        else:
            try:
                if not driver.serializable(operation):
                    raise GenerationFailed("its request body is not JSON")
                if suffix:
                    strategy = driver.invalid_cases(operation, known, plan.account, Case)
                else:
                    strategy = driver.valid_cases(operation, known, plan.choices, Case)
                return _cases(strategy, examples, seed, errors), driver.DRIVER
            except caught as exc:
                reason = (str(exc).strip().splitlines() or [""])[0][:200].rstrip(":")
                name = "" if isinstance(exc, GenerationFailed) else f"{type(exc).__name__}: "
                tally.fallbacks.append(f"{operation.id} {kind}: {name}{reason}")
    return _cases(ours, examples, seed), TENDLC


def _kinds(plan: _Plan) -> list[tuple[str, Any, str]]:
    """(name suffix, strategy, "") of the valid and the invalid cases of an operation, or
    (name suffix, None, why not) for a kind it gets none of."""
    invalid = _invalid_cases(plan)
    if not plan.varies and invalid is None:
        return [
            ("", None, "no request body and no parameter to vary: the probe's request is its one")
        ]
    if plan.varies:
        kinds = [("", _valid_cases(plan), "")]
    else:
        why = "no request body, no query parameter and no documented path value to vary"
        kinds = [("", None, why)]
    if invalid is None:
        kinds.append((" invalid", None, "no request body and no constrained parameter to break"))
    elif not set(INVALID_INPUT) & set(plan.operation.statuses):
        why = "documents no 400 or 422 answer: no refusal of an invalid request to expect"
        kinds.append((" invalid", None, why))
    else:
        kinds.append((" invalid", invalid, ""))
    return kinds


def _send_case(
    session: Session,
    send: Send,
    operation: Operation,
    known: Mapping[str, str],
    case: Case,
    name: str,
) -> RunEntry | None:
    """The entry of one case sent and judged (None: a case tendlc itself judges otherwise
    than it was made, not sent)."""
    parameters = {**known, **case.parameters}
    if _acceptable(operation, parameters, case) != (case.label is None):
        return None
    path = {key: quote(str(value), safe="") for key, value in parameters.items()}
    url = session.options.url + operation.url_template.format(**path)
    if case.query:
        url += "?" + urlencode(dict(case.query), doseq=True)
    request = operation.request
    media = request.media_types[0] if case.body and request and request.media_types else None
    try:
        checked = send(session, operation, url, case.body, media, name)
    except ProbeTimeout as exc:  # one generated case timing out is that case's finding
        return RunEntry(name, None, "failed", str(exc), operation.id)
    if case.label is None:
        return RunEntry(name, checked)
    judged = _judged(checked, operation, case)
    path_, rule, description = case.label
    return RunEntry(name, judged, "checked", f"invalid: {rule} at {path_} ({description})")
