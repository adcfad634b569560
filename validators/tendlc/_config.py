"""One configuration for a project: ``[tool.tendlc]`` in ``pyproject.toml``, or ``tendlc.toml``.

The command line and the pytest plugin read the same table. Where a setting can come from
several places, the precedence is: the command line, then a test's marker, then the pytest
ini file, then this configuration (each user of a setting writes it where it applies it).

The table is checked against :data:`CONFIG_SCHEMA` when read: an unknown key or a bad value is
a :class:`ConfigError` whose issues name the key's path, like a contract issue.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ._errors import TendlcError
from ._shared import find_config

__all__ = [
    "CONFIG_SCHEMA",
    "Config",
    "ConfigError",
    "FileMapping",
    "load_config",
]

_PARTS = ["request", "response", "query", "path"]
#: ``<provider>.<resource>.<action>``; that the operation exists is checked against the catalog
_OPERATION_ID = r"^[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z][A-Za-z0-9_-]*$"

#: what [tool.tendlc] may hold (JSON Schema 2020-12)
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "warnings-as-errors": {"type": "boolean"},
        "checks": {
            "type": "array",
            "description": "the only checks to run (names or families; default: every "
            "default check)",
            "items": {"type": "string", "minLength": 1},
        },
        "exclude-checks": {
            "type": "array",
            "description": "checks (names or families) never to run",
            "items": {"type": "string", "minLength": 1},
        },
        "check-modules": {
            "type": "array",
            "description": "Python modules imported first: the checks they register with "
            "tendlc.check run too",
            "items": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_.]*$"},
        },
        "advice": {
            "type": "boolean",
            "description": "add the advice checks (why carriers reject registrations)",
        },
        "strict-mocks": {
            "type": "boolean",
            "description": "an answer no server sent (a mock, a replayed cassette) may not "
            "carry fields its contract does not document (default true)",
        },
        "known-drift": {
            "type": "array",
            "description": "'OPERATION_GLOB PATH_GLOB' entries: undocumented fields that stay "
            "warnings in mocked answers",
            "items": {"type": "string", "pattern": r"^\S+( \S+)?$"},
        },
        "advice-as-errors": {
            "type": "boolean",
            "description": "advice makes a payload or an exchange fail",
        },
        "providers": {
            "type": "array",
            "description": "directories of provider records (relative to this file), each a "
            "provider directory or a directory of them",
            "items": {"type": "string", "minLength": 1},
        },
        "check": {
            "type": "boolean",
            "description": "check every test's HTTP exchanges (the plugin's tendlc_check)",
        },
        "files": {
            "type": "object",
            "description": "file globs (relative to the configuration file) -> the operation "
            "their payloads are for",
            "additionalProperties": {
                "oneOf": [
                    {"type": "string", "pattern": _OPERATION_ID},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["operation"],
                        "properties": {
                            "operation": {
                                "type": "string",
                                "pattern": _OPERATION_ID,
                            },
                            "part": {"enum": _PARTS},
                            "status": {"type": "integer", "minimum": 100, "maximum": 599},
                        },
                    },
                ]
            },
        },
        "record": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "path-parameters": {
                    "type": "object",
                    "description": "path parameter -> the placeholder its recorded values become",
                    "additionalProperties": {"type": "string", "minLength": 1},
                },
                "values": {
                    "type": "object",
                    "description": "a literal value (an id) -> its placeholder in recordings",
                    "additionalProperties": {"type": "string"},
                },
                "vcr": {
                    "type": "boolean",
                    "description": "pytest-recording records and matches through the same "
                    "scrubbing (default true)",
                },
            },
        },
        "limits": {
            "type": "object",
            "description": "bounds on every payload validated (tendlc.Limits)",
            "additionalProperties": False,
            "properties": {
                "max-bytes": {"type": "integer", "minimum": 1},
                "max-depth": {"type": "integer", "minimum": 1, "maximum": 10000},
                "max-number-digits": {"type": "integer", "minimum": 1},
            },
        },
        "conform": {
            "type": "object",
            "additionalProperties": False,
            "patternProperties": {
                # <provider>-base-url: one provider's base URL (same as base-urls.<provider>)
                "^[a-z][a-z0-9_]*-base-url$": {"type": "string", "format": "uri"},
            },
            "properties": {
                "base-urls": {
                    "type": "object",
                    "description": "provider name -> the base URL its probes go to",
                    "additionalProperties": {"type": "string", "format": "uri"},
                },
                "time-scale": {"type": "number", "exclusiveMinimum": 0},
                "timeout": {"type": "number", "exclusiveMinimum": 0},
                "allow-writes": {"type": "boolean"},
                "fuzz": {"type": "boolean"},
                "fuzz-examples": {"type": "integer", "minimum": 1},
                "fuzz-seed": {"type": "integer", "minimum": 0},
                "fuzz-time": {"type": "number", "exclusiveMinimum": 0},
                "warnings-as-errors": {
                    "type": "boolean",
                    "description": "undocumented response fields fail the run",
                },
                "max-response-time": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "description": "seconds a call may take; a slower answer is an error",
                },
            },
        },
    },
}


class ConfigError(TendlcError, ValueError):
    """The configuration breaks its schema; ``issues`` names each key at fault."""

    def __init__(self, source: Path, issues: list[Any]) -> None:
        self.source = source
        self.issues = issues
        lines = [f"{source}: [tool.tendlc] is not valid:"]
        lines += [f"  {issue.path or '/'}  [{issue.rule}]  {issue.message}" for issue in issues]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class FileMapping:
    pattern: str
    operation: str
    part: str | None = None
    status: int | None = None

    def matches(self, relative: str) -> bool:
        return fnmatch.fnmatch(relative, self.pattern) or PurePosixPath(relative).match(
            self.pattern
        )


@dataclass(frozen=True)
class Config:
    """The project's tendlc settings (defaults when there is no configuration)."""

    source: Path | None = None
    warnings_as_errors: bool = False
    check: bool = False
    files: tuple[FileMapping, ...] = ()
    record_path_parameters: Mapping[str, str] = field(default_factory=dict)
    record_values: Mapping[str, str] = field(default_factory=dict)
    conform: Mapping[str, Any] = field(default_factory=dict)
    #: ``[tool.tendlc.limits]``, as :class:`tendlc.Limits` keywords
    limit_settings: Mapping[str, int] = field(default_factory=dict)
    #: the check selection: only ``checks`` (None: the default ones), less ``exclude_checks``
    checks: tuple[str, ...] | None = None
    exclude_checks: tuple[str, ...] = ()
    check_modules: tuple[str, ...] = ()
    advice: bool = False
    advice_as_errors: bool = False
    strict_mocks: bool = True
    known_drift: tuple[str, ...] = ()
    record_vcr: bool = True

    def selection(self) -> dict[str, Any]:
        """The check selection as keywords of :func:`tendlc.validate` and the exchange
        checks."""
        return {
            "checks": self.checks,
            "exclude_checks": self.exclude_checks,
            "advice": self.advice or self.advice_as_errors,
            "advice_as_errors": self.advice_as_errors,
        }

    def import_check_modules(self) -> None:
        """Import ``check-modules`` (their checks register themselves); a module that cannot
        be imported is a :class:`ConfigError`."""
        import importlib

        for name in self.check_modules:
            try:
                importlib.import_module(name)
            except ImportError as exc:
                raise ConfigError(
                    self.source or Path("pyproject.toml"),
                    [_problem("/check-modules", f"cannot import {name}: {exc}")],
                ) from None

    @property
    def limits(self) -> Any:
        """The :class:`tendlc.Limits` payloads are validated within (the defaults, with what
        ``[tool.tendlc.limits]`` sets)."""
        from ._parsing import Limits

        return Limits(**self.limit_settings)

    def base_url(self, provider: str) -> str | None:
        """``[tool.tendlc.conform] base-urls.<provider>`` (or ``<provider>-base-url``)."""
        urls = self.conform.get("base-urls") or {}
        found = urls.get(provider) or self.conform.get(f"{provider}-base-url")
        return str(found) if found else None

    @property
    def root(self) -> Path:
        return self.source.parent if self.source is not None else Path.cwd()

    def mapping_for(self, path: Path) -> FileMapping | None:
        """The first file mapping whose glob matches ``path``."""
        try:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        return next((m for m in self.files if m.matches(relative)), None)


def load_config(start: Path | None = None) -> Config:
    """Read and check the project's configuration (:class:`ConfigError` when invalid)."""
    found = find_config(start)
    if found is None:
        return Config()
    source, table = found
    issues = _issues(table)
    if issues:
        raise ConfigError(source, issues)
    files = []
    for pattern, target in (table.get("files") or {}).items():
        if isinstance(target, str):
            files.append(FileMapping(pattern, target))
        else:
            files.append(
                FileMapping(pattern, target["operation"], target.get("part"), target.get("status"))
            )
    record = table.get("record") or {}
    return Config(
        source=source,
        warnings_as_errors=bool(table.get("warnings-as-errors", False)),
        check=bool(table.get("check", False)),
        files=tuple(files),
        record_path_parameters=dict(record.get("path-parameters") or {}),
        record_values=dict(record.get("values") or {}),
        conform=dict(table.get("conform") or {}),
        limit_settings={
            key.replace("-", "_"): int(value) for key, value in (table.get("limits") or {}).items()
        },
        checks=tuple(table["checks"]) if "checks" in table else None,
        exclude_checks=tuple(table.get("exclude-checks") or ()),
        check_modules=tuple(table.get("check-modules") or ()),
        advice=bool(table.get("advice", False)),
        advice_as_errors=bool(table.get("advice-as-errors", False)),
        strict_mocks=bool(table.get("strict-mocks", True)),
        known_drift=tuple(table.get("known-drift") or ()),
        record_vcr=bool(record.get("vcr", True)),
    )


def _problem(path: str, message: str) -> Any:
    from ._validation import Issue, Severity

    return Issue(Severity.ERROR, path, "import", message)


def _issues(table: Any) -> list[Any]:
    import jsonschema_rs

    from ._catalog import get_operation
    from ._errors import UnknownOperationError
    from ._shared import json_pointer
    from ._validation import Issue, Severity, explain

    validator = jsonschema_rs.validator_for(CONFIG_SCHEMA, validate_formats=True)
    issues = list(explain(validator, CONFIG_SCHEMA, table, noun="setting"))
    for pattern, target in (table.get("files") or {}).items() if isinstance(table, dict) else ():
        operation = target if isinstance(target, str) else (target or {}).get("operation")
        if isinstance(operation, str):
            try:
                get_operation(operation)
            except UnknownOperationError as exc:
                path = ["files", pattern] + ([] if isinstance(target, str) else ["operation"])
                issues.append(Issue(Severity.ERROR, json_pointer(path), "enum", str(exc)))
    return issues
