"""Seeds: the records a sandbox starts with and returns to on reset, each written as the
request a client would send (format: ``seed.schema.json`` beside this module, described in
contracts/README.md, "Sandbox seeds"). A seed that cannot be honoured is refused before
anything is kept, naming the entry and the field."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from .._catalog import Operation, get_operation
from .._errors import InvalidArgument
from ._behaviour import behaviour

__all__ = ["SEED_ACTIONS", "SeedEntry", "parse_seed", "seed_file", "seed_schema"]

#: the actions a seed entry's operation may have: those that make a record
SEED_ACTIONS = ("create", "upsert")
_MAX_REPORTED = 10


@dataclass(frozen=True)
class SeedEntry:
    """One seed entry, checked against the seed schema and the catalog."""

    number: int
    operation: Operation
    account: str | None = None
    user: str | None = None
    id: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __str__(self) -> str:
        return f"seed entry {self.number} ({self.operation.id})"

    def refused(self, where: str, message: str) -> InvalidArgument:
        """The error of this entry's field ``where``."""
        return InvalidArgument(f"{self}: {where}: {message}")


@cache
def seed_schema() -> Mapping[str, Any]:
    """The JSON Schema of a seed (shipped as ``tendlc/sandbox/seed.schema.json``)."""
    data: Mapping[str, Any] = json.loads(
        files("tendlc.sandbox").joinpath("seed.schema.json").read_text(encoding="utf-8")
    )
    return data


@cache
def _validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(dict(seed_schema()))


def _where(data: Any, path: list[str | int]) -> str:
    """An instance path as the entry and the field it is in."""
    if not path:
        return "the seed"
    index = int(path[0])
    number = index + 1
    entry = data[index] if isinstance(data, list) and index < len(data) else None
    operation = entry.get("operation") if isinstance(entry, Mapping) else None
    named = f"seed entry {number}" + (f" ({operation})" if isinstance(operation, str) else "")
    if len(path) == 1:
        return named
    return f"{named}: field {'.'.join(str(step) for step in path[1:])}"


def parse_seed(data: Any) -> list[SeedEntry]:
    """The entries of a seed (parsed JSON or YAML data); an :class:`InvalidArgument` names
    every entry and field the schema or the catalog refuses."""
    problems = []
    for error in _validator().iter_errors(data):
        problems.append(f"{_where(data, list(error.instance_path))}: {error.message}")
        if len(problems) == _MAX_REPORTED:
            break
    if problems:
        raise InvalidArgument("the seed is refused: " + "; ".join(problems))
    return [_entry(number, entry) for number, entry in enumerate(data, 1)]


def _entry(number: int, entry: Mapping[str, Any]) -> SeedEntry:
    name = str(entry["operation"])
    try:
        operation = get_operation(name)
    except LookupError as exc:
        error = InvalidArgument(f"seed entry {number}: field operation: {exc}")
        error.suggestions = tuple(getattr(exc, "suggestions", ()))
        raise error from None
    seeded = SeedEntry(number, operation)
    plan = behaviour().of(operation)
    if plan.action not in SEED_ACTIONS or plan.resource is None:
        raise seeded.refused(
            "field operation",
            f"{operation.id} makes no record (its action is {plan.action}); a seed entry "
            f"names an operation whose action is {' or '.join(SEED_ACTIONS)}",
        )
    declared = re.findall(r"\{(\w+)\}", operation.url_template)
    parameters = {str(k): str(v) for k, v in (entry.get("parameters") or {}).items()}
    for parameter in parameters:
        if parameter not in declared:
            raise seeded.refused(
                f"field parameters.{parameter}",
                f"not a path parameter of {operation.id} "
                f"(its parameters: {', '.join(declared) or 'none'})",
            )
    body = entry.get("body", "")
    data = json.dumps(body).encode("utf-8") if isinstance(body, Mapping | list) else body
    return SeedEntry(
        number,
        operation,
        account=entry.get("account"),
        user=entry.get("user"),
        id=entry.get("id"),
        parameters=parameters,
        body=data.encode("utf-8") if isinstance(data, str) else data,
    )


def seed_file(path: str | Path) -> list[Mapping[str, Any]]:
    """The entries of a YAML or JSON seed file, checked against the seed schema (an
    :class:`InvalidArgument` names the file, the entry and the field)."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidArgument(f"{path}: cannot read the seed: {exc}") from None
    except yaml.YAMLError as exc:
        raise InvalidArgument(f"{path}: not YAML or JSON: {exc}") from None
    data = [] if data is None else data
    try:
        parse_seed(data)
    except InvalidArgument as exc:
        refused = InvalidArgument(f"{path}: {exc}")
        refused.suggestions = exc.suggestions
        raise refused from None
    return list(data)
