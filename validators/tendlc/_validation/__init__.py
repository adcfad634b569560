"""Validation: the engines behind :func:`validate`, and the :class:`Report` they produce.

The XSD engine (xmlschema) and the helpers built on it are imported when first used, so that
layers above that only handle JSON or exchanges do not load it.
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

from .._catalog import PARTS
from ._checks import (
    Check,
    CheckContext,
    CheckFunction,
    check,
    load_advice_with,
    registered_checks,
    run_checks,
    selected_checks,
    unregister_check,
)
from ._clock import clock, current_time
from ._json import explain
from ._messages import describe
from ._report import (
    DIRECTIONS,
    STRUCTURAL_RULES,
    Issue,
    Report,
    Severity,
    excerpt,
    relevance,
    unique,
)
from ._validate import media_type_issues, prepare, validate

if TYPE_CHECKING:
    from ._advice import (
        BrandSource,
        RoleMap,
        Rule,
        advise,
        brand_fields,
        brand_reference,
        brand_source,
        role_map,
        rule_set,
        rules_for,
    )
    from ._asserts import assert_contexts
    from ._xsd import (
        SimpleFacets,
        child_declarations,
        component_location,
        declaration_at,
        declarations_by_element,
        load_schema,
        simple_facets,
    )

__all__ = [
    "DIRECTIONS",
    "PARTS",
    "STRUCTURAL_RULES",
    "BrandSource",
    "Check",
    "CheckContext",
    "CheckFunction",
    "Issue",
    "Report",
    "RoleMap",
    "Rule",
    "Severity",
    "SimpleFacets",
    "advise",
    "assert_contexts",
    "brand_fields",
    "brand_reference",
    "brand_source",
    "check",
    "child_declarations",
    "clock",
    "component_location",
    "current_time",
    "declaration_at",
    "declarations_by_element",
    "describe",
    "excerpt",
    "explain",
    "load_schema",
    "media_type_issues",
    "prepare",
    "registered_checks",
    "relevance",
    "role_map",
    "rule_set",
    "rules_for",
    "run_checks",
    "selected_checks",
    "simple_facets",
    "unique",
    "unregister_check",
    "validate",
]


def _register_advice() -> None:
    from ._advice import register_checks

    register_checks()


load_advice_with(_register_advice)

_LAZY = {
    "BrandSource": "._advice",
    "brand_fields": "._advice",
    "brand_reference": "._advice",
    "brand_source": "._advice",
    "RoleMap": "._advice",
    "Rule": "._advice",
    "advise": "._advice",
    "role_map": "._advice",
    "rule_set": "._advice",
    "rules_for": "._advice",
    "assert_contexts": "._asserts",
    "SimpleFacets": "._xsd",
    "child_declarations": "._xsd",
    "component_location": "._xsd",
    "declaration_at": "._xsd",
    "declarations_by_element": "._xsd",
    "load_schema": "._xsd",
    "simple_facets": "._xsd",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(module, __name__), name)
    globals()[name] = value
    return value
