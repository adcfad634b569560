"""The tendlc pytest plugin (registered through the ``pytest11`` entry point ``tendlc``).

Payload assertions::

    @pytest.mark.tendlc("vonage.brands.create")
    def test_my_client_builds_a_valid_brand(tendlc_assert_valid):
        tendlc_assert_valid(my_client.brand_payload())

Traffic checks: with ``--tendlc-check`` (ini ``tendlc_check``), ``@pytest.mark.tendlc_check``
or the ``tendlc_traffic`` fixture, every exchange a test sends through httpx (sync or async)
or requests is checked against the contracts, mocked responses included; a contract error
fails the test with every issue listed. ``--tendlc-report PATH`` writes the session's checks
as JSON, ``--tendlc-record DIR`` records them, scrubbed, as vcrpy cassettes.

This module imports only pytest and the standard library: the validator and its engines are
imported when a test first uses them, so the plugin costs nothing in projects that don't.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._validation import Report
    from .traffic import Exchange, ExchangeResult, Run

MARKER = "tendlc"
CHECK_MARKER = "tendlc_check"

_BOOLEANS = {
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
}
_RESULTS = pytest.StashKey[list["ExchangeResult"]]()
_SETTINGS = pytest.StashKey["TendlcSettings"]()
_RUN = pytest.StashKey["Run"]()
_MERGED = pytest.StashKey[list[dict[str, Any]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tendlc", "10DLC contract checks")
    group.addoption(
        "--tendlc-check",
        action="store_true",
        default=None,
        help="check every httpx / requests exchange of every test against the contracts "
        "(ini: tendlc_check)",
    )
    group.addoption(
        "--tendlc-warnings-as-errors",
        action="store_true",
        default=None,
        help="fail on warnings too (undocumented response fields); ini: tendlc_warnings_as_errors",
    )
    group.addoption(
        "--tendlc-report",
        metavar="PATH",
        default=None,
        help="write the checked exchanges and their issues as JSON to PATH",
    )
    group.addoption(
        "--tendlc-record",
        metavar="DIR",
        default=None,
        help="record each test's checked exchanges, credentials removed, as a vcrpy "
        "cassette under DIR",
    )
    group.addoption(
        "--tendlc-checks",
        metavar="NAMES",
        default=None,
        help="run only these checks (comma-separated names or families); ini: tendlc_checks",
    )
    group.addoption(
        "--tendlc-exclude-checks",
        metavar="NAMES",
        default=None,
        help="leave these checks out; ini: tendlc_exclude_checks",
    )
    group.addoption(
        "--tendlc-advice",
        action="store_true",
        default=None,
        help="add the advice checks (why carriers reject registrations); ini: tendlc_advice",
    )
    group.addoption(
        "--tendlc-advice-as-errors",
        action="store_true",
        default=None,
        help="advice fails the test (implies --tendlc-advice)",
    )
    # Read as text, so that "not set" (the project's [tool.tendlc] configuration decides) is
    # told apart from false.
    parser.addini("tendlc_check", "check every test's HTTP exchanges (true or false)", default="")
    parser.addini(
        "tendlc_warnings_as_errors", "fail tendlc checks on warnings (true or false)", default=""
    )
    parser.addini("tendlc_checks", "the only tendlc checks to run (names)", default="")
    parser.addini("tendlc_exclude_checks", "tendlc checks to leave out (names)", default="")
    parser.addini("tendlc_advice", "add the advice checks (true or false)", default="")


class _Hooks:
    """The hooks a conftest.py (or a plugin) may implement."""

    @pytest.hookspec
    def pytest_tendlc_register(self, register: Any, config: pytest.Config) -> None:
        """Register checks for this session: ``register`` is :func:`tendlc.check`
        (``register("name", parts=("request",))(function)``); they run with the built-in ones
        in every test's traffic checks and payload assertions, and are removed when the
        session ends."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(_Hooks)


_REGISTERED = pytest.StashKey[list[str]]()


def pytest_collection_finish(session: pytest.Session) -> None:
    # After collection: every conftest.py of the run is loaded by now.
    config = session.config
    names = config.stash.setdefault(_REGISTERED, [])
    if names or not config.hook.pytest_tendlc_register.get_hookimpls():
        return
    from ._validation import check

    def register(name: str, **options: Any) -> Any:
        names.append(name)
        return check(name, **options)

    config.hook.pytest_tendlc_register(register=register, config=config)


def pytest_unconfigure(config: pytest.Config) -> None:
    names = config.stash.get(_REGISTERED, [])
    if names:
        from ._validation import unregister_check

        for name in names:
            unregister_check(name)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(operation_id): the tendlc operation whose contract this test's payloads follow",
    )
    config.addinivalue_line(
        "markers",
        f"{CHECK_MARKER}(enabled=True, warnings_as_errors=None, checks=None, "
        "exclude_checks=None, advice=None): check this test's HTTP exchanges against the "
        "tendlc contracts (with these checks)",
    )
    config.stash[_MERGED] = []


# -- settings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TendlcSettings:
    """What the plugin does for one test."""

    check: bool = False
    warnings_as_errors: bool = False
    #: ``[tool.tendlc.limits]``: :class:`tendlc.Limits` keywords (the defaults when empty)
    limits: tuple[tuple[str, int], ...] = ()
    #: the only checks to run (None: the default ones), and those left out
    checks: tuple[str, ...] | None = None
    exclude_checks: tuple[str, ...] = ()
    advice: bool = False
    advice_as_errors: bool = False

    def selection(self) -> dict[str, Any]:
        """The check selection, as keywords of :func:`tendlc.validate` and the exchange
        checks."""
        return {
            "checks": self.checks,
            "exclude_checks": self.exclude_checks,
            "advice": self.advice or self.advice_as_errors,
            "advice_as_errors": self.advice_as_errors,
        }

    def payload_limits(self) -> Any:
        """The :class:`tendlc.Limits` payloads and exchanges are checked within."""
        from ._parsing import Limits

        return Limits(**dict(self.limits))


@pytest.fixture
def tendlc_config(pytestconfig: pytest.Config) -> TendlcSettings:
    """The project's defaults: the pytest ini file's ``tendlc_check`` and
    ``tendlc_warnings_as_errors`` where set, else ``[tool.tendlc]``'s ``check`` and
    ``warnings-as-errors``. Override it in a conftest.py to change them."""
    from ._config import load_config

    project = load_config(pytestconfig.rootpath)

    def ini(name: str, configured: bool) -> bool:
        # Precedence: the ini file, then the project's configuration.
        value = str(pytestconfig.getini(name)).strip().lower()
        if not value:
            return configured
        if value not in _BOOLEANS:
            raise pytest.UsageError(f"{name} = {value!r}: write true or false")
        return _BOOLEANS[value]

    def names(name: str, configured: tuple[str, ...] | None) -> tuple[str, ...] | None:
        value = str(pytestconfig.getini(name)).strip()
        return _names(value) if value else configured

    return TendlcSettings(
        check=ini("tendlc_check", project.check),
        warnings_as_errors=ini("tendlc_warnings_as_errors", project.warnings_as_errors),
        limits=tuple(sorted(project.limit_settings.items())),
        checks=names("tendlc_checks", project.checks),
        exclude_checks=names("tendlc_exclude_checks", project.exclude_checks) or (),
        advice=ini("tendlc_advice", project.advice),
        advice_as_errors=project.advice_as_errors,
    )


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.replace("\n", ",").split(",") if name.strip())


def _settings(request: pytest.FixtureRequest, base: TendlcSettings) -> TendlcSettings:
    # Precedence, highest first: the command line, the test's @pytest.mark.tendlc_check, the
    # tendlc_config fixture (which reads the ini file unless a conftest.py overrides it).
    check, strict = base.check, base.warnings_as_errors
    marker = request.node.get_closest_marker(CHECK_MARKER)
    if marker is not None:
        check = bool(marker.args[0]) if marker.args else bool(marker.kwargs.get("enabled", True))
        if marker.kwargs.get("warnings_as_errors") is not None:
            strict = bool(marker.kwargs["warnings_as_errors"])
    option = request.config.getoption("--tendlc-check")
    if option is not None:
        check = bool(option)
    option = request.config.getoption("--tendlc-warnings-as-errors")
    if option is not None:
        strict = bool(option)
    return TendlcSettings(
        check=check,
        warnings_as_errors=strict,
        limits=base.limits,
        **_selection(request, marker, base),
    )


def _selection(
    request: pytest.FixtureRequest, marker: pytest.Mark | None, base: TendlcSettings
) -> dict[str, Any]:
    # Precedence, highest first: the test's marker (checks=, exclude_checks=, advice=), the
    # command line, the tendlc_config fixture (the ini file, then [tool.tendlc]).
    chosen: dict[str, Any] = {
        "checks": base.checks,
        "exclude_checks": base.exclude_checks,
        "advice": base.advice,
        "advice_as_errors": base.advice_as_errors,
    }
    option = request.config.getoption
    if option("--tendlc-checks") is not None:
        chosen["checks"] = _names(option("--tendlc-checks"))
    if option("--tendlc-exclude-checks") is not None:
        chosen["exclude_checks"] = _names(option("--tendlc-exclude-checks"))
    if option("--tendlc-advice"):
        chosen["advice"] = True
    if option("--tendlc-advice-as-errors"):
        chosen["advice"] = chosen["advice_as_errors"] = True
    for key in ("checks", "exclude_checks"):
        if marker is not None and marker.kwargs.get(key) is not None:
            value = marker.kwargs[key]
            chosen[key] = _names(value) if isinstance(value, str) else tuple(value)
    if marker is not None and marker.kwargs.get("advice") is not None:
        chosen["advice"] = bool(marker.kwargs["advice"])
    return chosen


# -- payload assertions ---------------------------------------------------------------------


class ContractViolation(AssertionError):
    """A payload broke its contract; the message lists every issue."""

    def __init__(self, report: Report) -> None:
        self.report = report
        lines = [f"{report.operation} {report.part} does not follow its contract:"]
        lines += [f"  {issue}" for issue in report.issues]
        super().__init__("\n".join(lines))


@pytest.fixture
def tendlc_operation(request: pytest.FixtureRequest) -> str | None:
    """The operation id named by the test's ``@pytest.mark.tendlc(...)`` marker, if any."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    if not marker.args or not isinstance(marker.args[0], str):
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} takes an operation id, e.g. "
            f"@pytest.mark.{MARKER}('{_an_operation_id()}') (`tendlc operations` lists them)"
        )
    return str(marker.args[0])


@pytest.fixture
def tendlc_assert_valid(
    request: pytest.FixtureRequest, tendlc_operation: str | None, tendlc_config: TendlcSettings
) -> Callable[..., Report]:
    """Assert that a payload follows its operation's contract; returns the report."""
    from . import validate
    from ._catalog import as_part

    settings = _settings(request, tendlc_config)
    strict = settings.warnings_as_errors

    def check(
        payload: Any,
        operation: str | None = None,
        *,
        part: str = "request",
        status: int | None = None,
    ) -> Report:
        operation_id = operation or tendlc_operation
        if operation_id is None:
            raise pytest.UsageError(
                "name the operation: tendlc_assert_valid(payload, "
                f"'{_an_operation_id()}') or @pytest.mark.tendlc(...)"
            )
        report = validate(
            operation_id,
            payload,
            part=as_part(part),
            status=status,
            limits=settings.payload_limits(),
            **settings.selection(),
        )
        if not report.valid or (strict and report.warnings):
            raise ContractViolation(report)
        return report

    return check


def _an_operation_id() -> str:
    """An operation id of the catalog, for the examples usage errors show."""
    from . import operations

    found = operations()
    return found[0].id if found else "<provider>.<resource>.<action>"


# -- traffic checks -------------------------------------------------------------------------


class TendlcTraffic:
    """The checked exchanges of the current test (what ``tendlc_traffic`` gives)."""

    def __init__(self, results: list[ExchangeResult]) -> None:
        self._results = results

    @property
    def results(self) -> list[ExchangeResult]:
        return list(self._results)

    @property
    def operations(self) -> list[str | None]:
        """The operation of each exchange, in order (None: unmatched)."""
        return [result.operation for result in self._results]

    @property
    def valid(self) -> bool:
        return all(result.valid for result in self._results)

    def __iter__(self) -> Iterator[ExchangeResult]:
        return iter(list(self._results))

    def __len__(self) -> int:
        return len(self._results)

    def __getitem__(self, index: int) -> ExchangeResult:
        return self._results[index]


@pytest.fixture(autouse=True)
def _tendlc_capture(
    request: pytest.FixtureRequest, tendlc_config: TendlcSettings
) -> Iterator[None]:
    settings = _settings(request, tendlc_config)
    wanted = (
        settings.check
        or "tendlc_traffic" in request.fixturenames
        or bool(request.config.getoption("--tendlc-record"))
    )
    results: list[ExchangeResult] = []
    request.node.stash[_RESULTS] = results
    request.node.stash[_SETTINGS] = settings
    if not wanted:
        yield
        return
    from .traffic import capture, check_exchange

    limits = settings.payload_limits()
    selection = settings.selection()

    def sink(exchange: Exchange) -> None:
        results.append(check_exchange(exchange, limits=limits, **selection))

    with capture(sink):
        yield
    _record(request, results)


@pytest.fixture
def tendlc_traffic(request: pytest.FixtureRequest) -> TendlcTraffic:
    """The exchanges this test sent so far, each checked against the contracts (using this
    fixture turns the checks on for the test)."""
    return TendlcTraffic(request.node.stash.setdefault(_RESULTS, []))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    outcome = yield
    results = item.stash.get(_RESULTS, [])
    settings = item.stash.get(_SETTINGS, None)
    # Traffic fails a test only where the checks were asked for, not where a test merely
    # looks at it through the tendlc_traffic fixture.
    if results and settings is not None and settings.check:
        message = _violations(results, strict=settings.warnings_as_errors)
        if message:
            # The message is the whole story: no traceback into this plugin.
            pytest.fail(message, pytrace=False)
    return outcome


def _violations(results: list[ExchangeResult], *, strict: bool) -> str:
    from .traffic import SecretRules

    rules = SecretRules.from_environment()
    broken = [r for r in results if r.errors or (strict and r.warnings)]
    if not broken:
        return ""
    lines = [
        f"tendlc: {len(broken)} of {len(results)} HTTP exchange(s) of this test break the "
        "contracts:"
    ]
    severities = ("error", "warning") if strict else ("error",)
    for result in broken:
        lines += ["  " + line for line in result.lines(rules, severities=severities)]
    return "\n".join(lines)


def _record(request: pytest.FixtureRequest, results: list[ExchangeResult]) -> None:
    directory = request.config.getoption("--tendlc-record")
    if not directory or not results:
        return
    from ._config import load_config
    from .cassettes import write_cassette
    from .traffic import Placeholders, SecretRules, scrub

    project = load_config(request.config.rootpath)
    rules = SecretRules.from_environment()
    placeholders = Placeholders.from_environment(
        path_parameters=project.record_path_parameters, values=project.record_values
    )
    exchanges = [scrub(r.exchange, rules, placeholders, r.path_parameters) for r in results]
    node = request.node
    module = Path(str(node.path)).stem if getattr(node, "path", None) else "tests"
    name = re.sub(r"[^A-Za-z0-9_.\-\[\]]+", "_", node.name)
    write_cassette(Path(directory) / module / f"{name}.yaml", exchanges)


# -- a local provider sandbox ----------------------------------------------------------------


@pytest.fixture(scope="session")
def tendlc_sandbox_config() -> Any:
    """How ``tendlc_sandbox`` behaves (a :class:`tendlc.sandbox.SandboxConfig`: the documented
    rate limits and real time by default); override it in a conftest.py."""
    from .sandbox import SandboxConfig

    return SandboxConfig()


@pytest.fixture(scope="session")
def tendlc_sandbox(tendlc_sandbox_config: Any) -> Iterator[str]:
    """A tendlc sandbox on a free loopback port for the session; the value is its base URL
    (both providers' documented paths are served under it)."""
    from .sandbox import create_app, serve_in_thread

    running = serve_in_thread(create_app(tendlc_sandbox_config))
    try:
        yield running
    finally:
        running.stop()


# -- the session summary --------------------------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    results = item.stash.get(_RESULTS, None)
    if not results:
        return
    run = _run(item.config)
    for result in results:
        run.add(item.nodeid, result)


def _run(config: pytest.Config) -> Run:
    run = config.stash.get(_RUN, None)
    if run is None:
        from .traffic import Run

        run = config.stash[_RUN] = Run(kind="pytest")
    return run


def _own_entries(config: pytest.Config) -> list[dict[str, Any]]:
    """This process's entries, serialised with the credentials masked."""
    run = config.stash.get(_RUN, None)
    return list(run.to_dict()["entries"]) if run is not None else []


def _entries(config: pytest.Config) -> list[dict[str, Any]]:
    entries = _own_entries(config) + config.stash.get(_MERGED, [])
    if not entries:  # nothing checked: nothing to import either
        return []
    from .traffic import SecretRules, mask_run

    # the workers masked theirs with their environment; masked again with this one's
    return list(mask_run({"entries": entries}, SecretRules.from_environment())["entries"])


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller reports
        workeroutput["tendlc"] = json.dumps(_own_entries(config))
        return
    path = config.getoption("--tendlc-report")
    entries = _entries(config)
    if path:
        from .traffic import Summary

        document = {
            "kind": "pytest",
            "summary": Summary.of(entries).to_dict(),
            "entries": entries,
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: gather the entries a worker checked."""
    data = getattr(node, "workeroutput", {}).get("tendlc")
    if data:
        node.config.stash[_MERGED].extend(json.loads(data))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    entries = _entries(config)
    if not entries:
        return
    from .traffic import Summary

    summary = Summary.of(entries)
    write = terminalreporter.write_line
    terminalreporter.section("tendlc")
    write(
        f"{summary.exchanges} exchange(s) checked, {summary.unmatched} unmatched, "
        f"{summary.errors} error(s), {summary.warnings} warning(s)"
    )
    for provider in summary.providers:
        write(
            f"{provider.provider}: {len(provider.operations)} of {provider.documented} "
            f"operations exercised ({provider.exchanges} exchange(s)): "
            + ", ".join(op.split(".", 1)[1] for op in provider.operations)
        )
