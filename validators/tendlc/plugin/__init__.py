"""The tendlc pytest plugin (registered through the ``pytest11`` entry point ``tendlc``).

Payload assertions::

    @pytest.mark.tendlc("vonage.brands.create")
    def test_my_client_builds_a_valid_brand(tendlc_assert_valid):
        tendlc_assert_valid(my_client.brand_payload())

Traffic checks: with ``--tendlc-check`` (ini ``tendlc_check``, ``[tool.tendlc] check``),
``@pytest.mark.tendlc_check`` or the ``tendlc_traffic`` fixture, every exchange a test sends
through httpx (sync or async) or requests is checked against the contracts — those of the
fixtures it sets up, of any scope, included — mocked answers too (a mocked answer may not carry a
field its contract does not document). A contract error fails the test with every issue listed;
inside a Hypothesis example it fails the example itself. ``tendlc_expect_violation`` marks a
block whose exchanges are meant to break the contracts. ``--tendlc-report PATH`` writes the
session's checks as JSON, ``--tendlc-record DIR`` records them, scrubbed, as vcrpy cassettes
that pytest-recording replays. A ``conftest.py`` adds checks with ``pytest_tendlc_register``.

This module imports only pytest and the standard library: the validator and its engines are
imported when a test first uses them, so the plugin costs nothing in projects that don't.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import pytest

from . import _recording, _summary, _traffic
from ._settings import (
    CHECK_MARKER,
    MARKER,
    TendlcSettings,
    add_options,
    base_settings,
    configured,
    item_settings,
    project,
)
from ._traffic import TendlcTraffic, TrafficViolation

if TYPE_CHECKING:
    from .._validation import Report
    from ..traffic import ExchangeResult

__all__ = [
    "ContractViolation",
    "TendlcSettings",
    "TendlcTraffic",
    "TrafficViolation",
]

_REGISTERED = pytest.StashKey[list[str]]()


# -- options, hooks, markers --------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(operation_id): the tendlc operation whose contract this test's payloads follow",
    )
    config.addinivalue_line(
        "markers",
        f"{CHECK_MARKER}(enabled=True, warnings_as_errors=None, checks=None, "
        "exclude_checks=None, advice=None, strict_mocks=None): check this test's HTTP "
        "exchanges against the tendlc contracts (with these settings)",
    )
    if _tendlc_configured(config):
        project(config)  # a bad configuration: one usage error, at start-up


def _tendlc_configured(config: pytest.Config) -> bool:
    """Whether this session asks for tendlc at all (its files or its command line): only
    then is the project's configuration read at start-up."""
    from .._shared import find_config

    return find_config(config.rootpath) is not None or any(
        str(arg).startswith("--tendlc") for arg in config.invocation_params.args
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    # After collection: every conftest.py of the run is loaded by now, so its checks are
    # registered before the session's check names are resolved.
    config = session.config
    names = config.stash.setdefault(_REGISTERED, [])
    if not names and config.hook.pytest_tendlc_register.get_hookimpls():
        from .._validation import check

        def register(name: str, **options: Any) -> Any:
            names.append(name)
            return check(name, **options)

        config.hook.pytest_tendlc_register(register=register, config=config)
    if _tendlc_configured(config):
        base_settings(config)  # an unknown check name: one usage error, before any test


def pytest_unconfigure(config: pytest.Config) -> None:
    names = config.stash.get(_REGISTERED, [])
    if names:
        from .._validation import unregister_check

        for name in names:
            unregister_check(name)


# -- settings -------------------------------------------------------------------------------


@pytest.fixture
def tendlc_config(pytestconfig: pytest.Config) -> TendlcSettings:
    """The project's defaults: the pytest ini file's ``tendlc_*`` settings where set, else
    ``[tool.tendlc]``'s. Override it in a conftest.py to change them; the command line and a
    test's ``tendlc_check`` marker still go over it."""
    return configured(pytestconfig)


@pytest.fixture(autouse=True)
def _tendlc_settings(
    request: pytest.FixtureRequest, tendlc_config: TendlcSettings
) -> Iterator[None]:
    settings = item_settings(request.node, tendlc_config)
    _traffic.remember_settings(request.node, settings)
    # A project's own tendlc_config may turn the checks on where the session did not: the
    # test's traffic is watched from here on (its higher-scoped fixtures were set up already).
    with _traffic.watching(request.node, wanted=settings.check):
        yield


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
    request: pytest.FixtureRequest, tendlc_operation: str | None
) -> Callable[..., Report]:
    """Assert that a payload follows its operation's contract; returns the report."""
    from .. import validate
    from .._catalog import as_part

    settings = _traffic.settings_of(request.node)

    def check(
        payload: Any,
        operation: str | None = None,
        *,
        part: str = "request",
        status: int | None = None,
        brand: Any = None,
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
            brand=brand,
            **settings.selection(),
        )
        if not report.valid or (settings.warnings_as_errors and report.warnings):
            raise ContractViolation(report)
        return report

    return check


def _an_operation_id() -> str:
    """An operation id of the catalog, for the examples usage errors show."""
    from .. import operations

    found = operations()
    return found[0].id if found else "<provider>.<resource>.<action>"


# -- traffic checks -------------------------------------------------------------------------


@pytest.fixture
def tendlc_traffic(request: pytest.FixtureRequest) -> TendlcTraffic:
    """The exchanges this test sent so far, each checked against the contracts (using this
    fixture turns the checks on for the test)."""
    return TendlcTraffic(request.node)


@pytest.fixture
def tendlc_expect_violation(
    request: pytest.FixtureRequest,
) -> Callable[..., AbstractContextManager[list[ExchangeResult]]]:
    """A context manager for negative tests: ``with tendlc_expect_violation(rule="maxLength"):``
    — an exchange inside that breaks the contracts (with ``rule``, at ``path``, of
    ``operation`` when given) does not fail the test; a block that sees none fails it."""

    def expect(
        *, rule: str | None = None, path: str | None = None, operation: str | None = None
    ) -> AbstractContextManager[list[ExchangeResult]]:
        return _traffic.expect_violation(request.node, rule=rule, path=path, operation=operation)

    return expect


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[Any]:
    with _traffic.watching(item):
        return (yield)


def _phase(item: pytest.Item, phase: str) -> Iterator[None]:
    with _traffic.run_phase(item, phase):
        outcome = yield
    message = _traffic.failures(item, phase)
    if message:
        # The message is the whole story: no traceback into this plugin.
        pytest.fail(message, pytrace=False)
    return outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    return (yield from _phase(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    return (yield from _phase(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield from _phase(item, "teardown"))
    finally:
        results = [entry.result for entry in _traffic.checked(item)]
        if results:
            _summary.add(item.config, item.nodeid, results)
            _recording.record(item, results)


# -- recording ------------------------------------------------------------------------------


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """pytest-recording: record and match through tendlc's scrubbing, hosts by provider."""
    _recording.configure_vcr(config, vcr)


# -- a local provider sandbox ----------------------------------------------------------------


@pytest.fixture(scope="session")
def tendlc_sandbox_config() -> Any:
    """How ``tendlc_sandbox`` behaves (a :class:`tendlc.sandbox.SandboxConfig`: the documented
    rate limits and real time by default); override it in a conftest.py."""
    from ..sandbox import SandboxConfig

    return SandboxConfig()


@pytest.fixture(scope="session")
def tendlc_sandbox(tendlc_sandbox_config: Any) -> Iterator[str]:
    """A tendlc sandbox on a free loopback port for the session; the value is its base URL
    (every provider's documented paths are served under it)."""
    from ..sandbox import create_app, serve_in_thread

    running = serve_in_thread(create_app(tendlc_sandbox_config))
    try:
        yield running
    finally:
        running.stop()


# -- the session summary and report ---------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller reports
        workeroutput["tendlc"] = json.dumps(_summary.own_entries(config))
        return
    path = config.getoption("--tendlc-report")
    if path:
        _summary.write_report(config, path, _summary.entries(config))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: gather the entries a worker checked."""
    data = getattr(node, "workeroutput", {}).get("tendlc")
    if data:
        _summary.gather_worker(node.config, data)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    found = _summary.entries(config)
    if not found:
        return
    terminalreporter.section("tendlc")
    settings = base_settings(config)
    advice = settings.advice or settings.advice_as_errors
    for line in _summary.terminal_lines(found, advice=advice):
        terminalreporter.write_line(line)
