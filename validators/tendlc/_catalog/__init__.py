"""The catalog layer: every documented exchange of every provider, and the contracts behind it.

Providers are data (:mod:`._providers`): a record beside each provider's contracts, read by
generic loaders, one per contract kind (an XSD catalog, an OpenAPI document), into the same
:class:`Operation` records. The catalog loads no engine: compiling a contract is the
validation layer's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from .._errors import UnknownOperationError, UnknownProviderError
from .._shared import directory_digest, disk_cached
from ._caches import forget_with_catalog, per_catalog
from ._openapi import media_example, openapi_operations
from ._operation import MULTIPART, PARTS, Body, Operation, Part, Wire, as_part, essence_of
from ._providers import (
    PROVIDERS_VARIABLE,
    RECORD,
    Account,
    Credentials,
    ErrorEnvelope,
    Pagination,
    Provider,
    contract_name,
    contract_path,
    get_provider,
    provider_directories,
    provider_names,
    providers,
    reload_providers,
)
from ._rate_limits import RateLimit, rate_limits
from ._xsd_catalog import xsd_catalog_operations
from ._yaml import load_contract

__all__ = [
    "MULTIPART",
    "PARTS",
    "PROVIDERS_VARIABLE",
    "RECORD",
    "Account",
    "Body",
    "Credentials",
    "ErrorEnvelope",
    "Operation",
    "Pagination",
    "Part",
    "Provider",
    "RateLimit",
    "UnknownOperationError",
    "UnknownProviderError",
    "Wire",
    "advice_files",
    "as_part",
    "contract_name",
    "contract_path",
    "essence_of",
    "forget_with_catalog",
    "get_operation",
    "get_provider",
    "load_contract",
    "media_example",
    "operations",
    "per_catalog",
    "provider_directories",
    "provider_names",
    "providers",
    "rate_limits",
    "reload_providers",
]


@per_catalog
def advice_files() -> Mapping[str, Mapping[str, Any]]:
    """Each provider's advice file (its record's ``advice``: where the advice rules find their
    roles, and which exchanges show brands), by provider; providers without one are left out."""
    found = {}
    for provider in providers():
        if provider.file("advice") is not None:
            found[provider.name] = load_contract(f"{provider.name}/{provider.advice}") or {}
    return MappingProxyType(found)


_LOADERS: Mapping[str, Callable[[Provider], Iterator[Operation]]] = {
    "xsd-catalog": xsd_catalog_operations,
    "openapi": openapi_operations,
}


@per_catalog
def _by_id() -> Mapping[str, Operation]:
    found: dict[str, Operation] = {}
    for provider in providers():
        for operation in _operations_of(provider):
            if operation.id in found:
                raise ValueError(f"operation id {operation.id!r} is defined twice in the contracts")
            found[operation.id] = operation
    return MappingProxyType(dict(sorted(found.items())))


def _operations_of(provider: Provider) -> tuple[Operation, ...]:
    """A provider's operations, read from its contracts once per change of its directory (see
    :func:`~tendlc._shared.disk_cached`): the records are kept on disk between processes."""
    kind = provider.contract_kind
    return disk_cached(
        "operations",
        (provider.name, kind),
        lambda: tuple(_LOADERS[kind](provider)),
        source=(directory_digest(provider.directory),),
    )


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
