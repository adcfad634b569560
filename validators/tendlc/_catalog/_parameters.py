from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def parameters_schema(
    parameters: Mapping[str, Mapping[str, Any]], *, required: Iterable[str]
) -> dict[str, Any] | None:
    """One closed JSON Schema object describing a set of query or path parameters."""
    if not parameters:
        return None
    return {
        "type": "object",
        "properties": {name: dict(schema) for name, schema in parameters.items()},
        "required": sorted(set(required)),
        "additionalProperties": False,
    }
