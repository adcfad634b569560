"""The catalog layer: every documented exchange of both providers, and the contracts behind it.

Besides the operations, this layer is the one home of the jobs every other layer shares:
JSON Pointers and ``$ref`` resolution, the XSD declaration maps, element paths and source
lines, and the contracts' annotation vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from .._errors import UnknownOperationError
from ._annotations import (
    CONTRACT_NS,
    JSON_FIELD,
    JSON_INVALID,
    JSON_MESSAGE,
    JSON_RULE,
    JSON_TIME,
    AssertRule,
    Clause,
    TimeRule,
    assert_rule_of,
    assert_rules,
    json_time_rule,
    parse_when,
    xml_time_rule,
)
from ._asserts import release_assert_context
from ._bandwidth import bandwidth_operations
from ._limits import RateLimit, rate_limits
from ._operation import MULTIPART, PARTS, Body, Operation, Part, Wire, as_part, essence_of
from ._pointer import (
    MISSING,
    delete_at,
    escape,
    get_at,
    json_pointer,
    put_at,
    reachable,
    ref_target,
    reference_to,
    resolve_ref,
    split_pointer,
    unescape,
    walk,
)
from ._schema import (
    DYNAMIC_KEYWORDS,
    SUBSCHEMA_KEYWORDS,
    SchemaMap,
    openapi_schema_roots,
    schema_map,
    subschemas,
)
from ._vonage import vonage_operations
from ._xsd import (
    SimpleFacets,
    child_declarations,
    component_location,
    declaration_at,
    declarations_by_element,
    delete_element,
    delete_field,
    element_children,
    element_path,
    element_steps,
    find_element,
    find_elements,
    load_schema,
    local_name,
    put_element,
    simple_facets,
    source_line,
)
from ._yaml import load_contract, load_yaml

__all__ = [
    "CONTRACT_NS",
    "DYNAMIC_KEYWORDS",
    "JSON_FIELD",
    "JSON_INVALID",
    "JSON_MESSAGE",
    "JSON_RULE",
    "JSON_TIME",
    "MISSING",
    "MULTIPART",
    "PARTS",
    "SUBSCHEMA_KEYWORDS",
    "AssertRule",
    "Body",
    "Clause",
    "Operation",
    "Part",
    "RateLimit",
    "SchemaMap",
    "SimpleFacets",
    "TimeRule",
    "UnknownOperationError",
    "Wire",
    "as_part",
    "assert_rule_of",
    "assert_rules",
    "child_declarations",
    "component_location",
    "declaration_at",
    "declarations_by_element",
    "delete_at",
    "delete_element",
    "delete_field",
    "element_children",
    "element_path",
    "element_steps",
    "escape",
    "essence_of",
    "find_element",
    "find_elements",
    "get_at",
    "get_operation",
    "json_pointer",
    "json_time_rule",
    "load_contract",
    "load_schema",
    "load_yaml",
    "local_name",
    "openapi_schema_roots",
    "operations",
    "parse_when",
    "put_at",
    "put_element",
    "rate_limits",
    "reachable",
    "ref_target",
    "reference_to",
    "release_assert_context",
    "resolve_ref",
    "schema_map",
    "simple_facets",
    "source_line",
    "split_pointer",
    "subschemas",
    "unescape",
    "walk",
    "xml_time_rule",
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
