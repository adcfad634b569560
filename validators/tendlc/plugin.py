"""The tendlc pytest plugin (registered through the ``pytest11`` entry point ``tendlc``).

It gives tests one assertion over the contracts::

    @pytest.mark.tendlc("vonage.brands.create")
    def test_my_client_builds_a_valid_brand(tendlc_assert_valid):
        tendlc_assert_valid(my_client.brand_payload())

Heavy imports (the validator and its engines) happen only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._validation import Report

MARKER = "tendlc"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tendlc", "10DLC contract checks")
    group.addoption(
        "--tendlc-warnings-as-errors",
        action="store_true",
        default=False,
        help="fail tendlc assertions on warnings too (undocumented response fields)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(operation_id): the tendlc operation whose contract this test's payloads follow",
    )


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
            f"@pytest.mark.{MARKER}('vonage.brands.create')"
        )
    return str(marker.args[0])


@pytest.fixture
def tendlc_assert_valid(
    request: pytest.FixtureRequest, tendlc_operation: str | None
) -> Callable[..., Report]:
    """Assert that a payload follows its operation's contract; returns the report."""
    from . import validate

    strict = bool(request.config.getoption("--tendlc-warnings-as-errors"))

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
                "'vonage.brands.create') or @pytest.mark.tendlc(...)"
            )
        report = validate(operation_id, payload, part=part, status=status)  # type: ignore[arg-type]
        if not report.valid or (strict and report.warnings):
            raise ContractViolation(report)
        return report

    return check
