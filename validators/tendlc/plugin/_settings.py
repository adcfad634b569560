"""What the plugin does for one test, resolved from the command line, the test's marker, the
pytest ini file and ``[tool.tendlc]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

__all__ = [
    "CHECK_MARKER",
    "MARKER",
    "TendlcSettings",
    "add_options",
    "base_settings",
    "check_wanted",
    "command_line",
    "configured",
    "item_settings",
    "names",
    "project",
]

MARKER = "tendlc"
CHECK_MARKER = "tendlc_check"
_BOOLEANS = {"true": True, "yes": True, "on": True, "1": True}
_BOOLEANS.update({"false": False, "no": False, "off": False, "0": False})
_PROJECT = pytest.StashKey[Any]()
_BASE = pytest.StashKey["TendlcSettings"]()

#: (option, keywords) of the command line; (ini name, help) of the ini file
_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "--tendlc-check",
        {
            "action": "store_true",
            "default": None,
            "help": "check every httpx / "
            "requests exchange of every test against the contracts (ini: tendlc_check)",
        },
    ),
    (
        "--tendlc-warnings-as-errors",
        {
            "action": "store_true",
            "default": None,
            "help": "fail "
            "on warnings too (undocumented fields of live answers); ini: tendlc_warnings_as_errors",
        },
    ),
    (
        "--tendlc-report",
        {
            "metavar": "PATH",
            "default": None,
            "help": "write the checked exchanges and their issues as JSON to PATH",
        },
    ),
    (
        "--tendlc-record",
        {
            "metavar": "DIR",
            "default": None,
            "help": "record each test's checked "
            "exchanges, credentials removed, as a vcrpy cassette under DIR",
        },
    ),
    (
        "--tendlc-checks",
        {
            "metavar": "NAMES",
            "default": None,
            "help": "run only these checks (comma-separated names or families); ini: tendlc_checks",
        },
    ),
    (
        "--tendlc-exclude-checks",
        {
            "metavar": "NAMES",
            "default": None,
            "help": "leave these checks out; ini: tendlc_exclude_checks",
        },
    ),
    (
        "--tendlc-advice",
        {
            "action": "store_true",
            "default": None,
            "help": "add the advice checks (why carriers reject registrations); ini: tendlc_advice",
        },
    ),
    (
        "--tendlc-advice-as-errors",
        {
            "action": "store_true",
            "default": None,
            "help": "advice fails the test (implies --tendlc-advice)",
        },
    ),
)
_INI = (
    ("tendlc_check", "check every test's HTTP exchanges (true or false)"),
    ("tendlc_warnings_as_errors", "fail tendlc checks on warnings (true or false)"),
    ("tendlc_checks", "the only tendlc checks to run (names)"),
    ("tendlc_exclude_checks", "tendlc checks to leave out (names)"),
    ("tendlc_advice", "add the advice checks (true or false)"),
    ("tendlc_strict_mocks", "undocumented fields of mocked answers fail (default true)"),
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("tendlc", "10DLC contract checks")
    for option, keywords in _OPTIONS:
        group.addoption(option, **keywords)
    # Read as text, so that "not set" (the project's [tool.tendlc] configuration decides) is
    # told apart from false.
    for name, text in _INI:
        parser.addini(name, text, default="")


def project(config: pytest.Config) -> Any:
    """The project's ``[tool.tendlc]`` configuration, read once per session: a bad one is one
    usage error at start-up, not an error in every test."""
    found = config.stash.get(_PROJECT, None)
    if found is None:
        from .._config import ConfigError, load_config

        try:
            found = load_config(config.rootpath)
            found.import_check_modules()
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[_PROJECT] = found
    return found


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
    #: an answer no server sent (a mock, a replayed cassette) may not carry undocumented fields
    strict_mocks: bool = True
    #: ``OPERATION_GLOB PATH_GLOB`` entries that stay warnings in mocked answers
    known_drift: tuple[str, ...] = ()

    def payload_limits(self) -> Any:
        """The :class:`tendlc.Limits` payloads and exchanges are checked within."""
        from .._parsing import Limits

        return Limits(**dict(self.limits))

    def selection(self) -> dict[str, Any]:
        """The check selection, as keywords of :func:`tendlc.validate`."""
        return {
            "checks": self.checks,
            "exclude_checks": self.exclude_checks,
            "advice": self.advice or self.advice_as_errors,
            "advice_as_errors": self.advice_as_errors,
        }

    def exchange_options(self) -> dict[str, Any]:
        """The keywords of :func:`tendlc.traffic.check_exchange`."""
        return {
            **self.selection(),
            "limits": self.payload_limits(),
            "strict_mocks": self.strict_mocks,
            "known_drift": self.known_drift,
        }


def names(text: str) -> tuple[str, ...]:
    """Check names written comma- or line-separated."""
    return tuple(name.strip() for name in text.replace("\n", ",").split(",") if name.strip())


def base_settings(config: pytest.Config) -> TendlcSettings:
    """The session's settings before any test's own: the command line over
    :func:`configured` (the default of the ``tendlc_config`` fixture)."""
    found = config.stash.get(_BASE, None)
    if found is None:
        found = config.stash[_BASE] = command_line(config, configured(config))
    return found


def configured(config: pytest.Config) -> TendlcSettings:
    """The files' settings: the pytest ini file where it says, else ``[tool.tendlc]``."""
    configured = project(config)

    def flag(name: str, default: bool) -> bool:
        value = str(config.getini(name)).strip().lower()
        if not value:
            return default
        if value not in _BOOLEANS:
            raise pytest.UsageError(f"{name} = {value!r}: write true or false")
        return _BOOLEANS[value]

    def listed(name: str, default: tuple[str, ...] | None) -> tuple[str, ...] | None:
        value = str(config.getini(name)).strip()
        return names(value) if value else default

    return TendlcSettings(
        check=flag("tendlc_check", configured.check),
        warnings_as_errors=flag("tendlc_warnings_as_errors", configured.warnings_as_errors),
        limits=tuple(sorted(configured.limit_settings.items())),
        checks=listed("tendlc_checks", configured.checks),
        exclude_checks=listed("tendlc_exclude_checks", configured.exclude_checks) or (),
        advice=flag("tendlc_advice", configured.advice),
        advice_as_errors=configured.advice_as_errors,
        strict_mocks=flag("tendlc_strict_mocks", configured.strict_mocks),
        known_drift=configured.known_drift,
    )


def command_line(config: pytest.Config, base: TendlcSettings) -> TendlcSettings:
    """``base`` with what the command line says over it."""
    option = config.getoption
    chosen: dict[str, Any] = {}
    for flag_name, key in (
        ("--tendlc-check", "check"),
        ("--tendlc-warnings-as-errors", "warnings_as_errors"),
        ("--tendlc-advice", "advice"),
    ):
        if option(flag_name) is not None:
            chosen[key] = bool(option(flag_name))
    if option("--tendlc-advice-as-errors"):
        chosen["advice"] = chosen["advice_as_errors"] = True
    if option("--tendlc-checks") is not None:
        chosen["checks"] = names(option("--tendlc-checks"))
    if option("--tendlc-exclude-checks") is not None:
        chosen["exclude_checks"] = names(option("--tendlc-exclude-checks"))
    found = TendlcSettings(**{**base.__dict__, **chosen})
    _check_names(found)
    return found


def _check_names(settings: TendlcSettings) -> None:
    if settings.checks is None and not settings.exclude_checks:
        return  # the default selection: nothing to check, nothing to import
    from .._errors import InvalidArgument
    from .._validation import selected_checks

    try:
        selected_checks("request", settings.checks, settings.exclude_checks)
    except InvalidArgument as exc:
        raise pytest.UsageError(f"tendlc: {exc}") from None


def item_settings(item: pytest.Item, files: TendlcSettings) -> TendlcSettings:
    """One test's settings. Precedence, highest first: the test's ``tendlc_check`` marker
    (its own word is the most specific: a negative test marked ``tendlc_check(False)`` stays
    unchecked under ``--tendlc-check``), the command line, then ``files`` (the
    ``tendlc_config`` fixture: the ini file, then ``[tool.tendlc]``, unless a conftest.py
    overrides it)."""
    base = command_line(item.config, files)
    marker = item.get_closest_marker(CHECK_MARKER)
    if marker is None:
        return base
    chosen: dict[str, Any] = {
        "check": bool(marker.args[0] if marker.args else marker.kwargs.get("enabled", True))
    }
    for key in ("warnings_as_errors", "advice", "strict_mocks"):
        if marker.kwargs.get(key) is not None:
            chosen[key] = bool(marker.kwargs[key])
    for key in ("checks", "exclude_checks"):
        value = marker.kwargs.get(key)
        if value is not None:
            chosen[key] = names(value) if isinstance(value, str) else tuple(value)
    return TendlcSettings(**{**base.__dict__, **chosen})


def check_wanted(item: pytest.Item) -> bool:
    """Whether a test's traffic may be checked (decided before its fixtures are set up, so
    that the traffic of every fixture it sets up is seen too)."""
    config = item.config
    marker = item.get_closest_marker(CHECK_MARKER)
    return bool(
        (marker is not None and (not marker.args or marker.args[0]))
        or base_settings(config).check
        or {"tendlc_traffic", "tendlc_expect_violation"} & set(getattr(item, "fixturenames", ()))
        or config.getoption("--tendlc-record")
    )
