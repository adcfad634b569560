"""The catalog layer: every documented exchange of both providers, and the contracts behind it.

It reads the contracts' operation tables (an XSD catalog, an OpenAPI document) into
:class:`Operation` records and loads no engine: compiling a contract is the validation
layer's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from .._errors import UnknownOperationError
from ._bandwidth import bandwidth_operations
from ._limits import RateLimit, rate_limits
from ._operation import MULTIPART, PARTS, Body, Operation, Part, Wire, as_part, essence_of
from ._vonage import vonage_operations
from ._yaml import load_contract

__all__ = [
    "MULTIPART",
    "PARTS",
    "Body",
    "Operation",
    "Part",
    "RateLimit",
    "UnknownOperationError",
    "Wire",
    "as_part",
    "essence_of",
    "get_operation",
    "load_contract",
    "operations",
    "rate_limits",
]


@cache
def _by_id() -> Mapping[str, Operation]:
    found: dict[str, Operation] = {}
    for operation in (*bandwidth_operations(), *vonage_operations()):
        if operation.id in found:
            raise ValueError(f"operation id {operation.id!r} is defined twice in the contracts")
        found[operation.id] = operation
    return MappingProxyType(dict(sorted(found.items())))


def operations(provider: str | None = None) -> tuple[Operation, ...]:
    """Every operation of the catalog (of one provider when given), sorted by id."""
    return tuple(op for op in _by_id().values() if provider is None or op.provider == provider)


def get_operation(operation_id: str | Operation) -> Operation:
    """The operation with this id; :class:`UnknownOperationError` suggests the nearest ids."""
    if isinstance(operation_id, Operation):
        return operation_id
    try:
        return _by_id()[operation_id]
    except (KeyError, TypeError):
        raise UnknownOperationError(str(operation_id), _by_id()) from None
