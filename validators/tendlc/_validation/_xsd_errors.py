"""xmlschema's list of errors for one document, without its per-call set-up where it is idle.

``XMLSchema.iter_errors`` builds a fresh validation context for every document: it checks each
of its arguments and the namespace mapper's, and that costs about as much as validating a
small document. For a document without namespace declarations the context it builds is always
the same one, apart from the document itself, so :func:`schema_errors` copies one built once
(``ValidationContext`` supports ``copy``) and lets the root's declaration validate the root in
it, the call ``iter_errors`` itself makes. When the document had anything to check beyond its
root's declaration (identity constraints, ID references), or this xmlschema lacks the
protocol, the errors come from ``iter_errors`` instead. ``tests/test_hot_paths.py`` compares
the two on every document of the corpus.
"""

from __future__ import annotations

import inspect
from contextlib import suppress
from copy import copy
from functools import cache
from typing import Any, cast

from lxml import etree
from xmlschema import XMLResource
from xmlschema.validators import ValidationContext, XMLSchemaStopValidation, XsdElement

__all__ = ["schema_errors"]


def _protocol() -> bool:
    """Whether this xmlschema validates an element in a given context as the one this module
    was written against does (else every document gets ``iter_errors``)."""
    try:
        parameters = list(inspect.signature(XsdElement.raw_decode).parameters)
    except (AttributeError, TypeError, ValueError):
        return False
    return (
        parameters == ["self", "obj", "validation", "context"]
        and callable(getattr(ValidationContext, "__copy__", None))
        and "source" in getattr(ValidationContext, "__slots__", ())
    )


@cache
def _template() -> ValidationContext | None:
    """The context iter_errors builds for a document without namespaces (any such one), or
    None when this xmlschema lacks the protocol."""
    if not _protocol():
        return None
    return ValidationContext(source=XMLResource(etree.Element("_")), check_identities=True)


def _declares_namespaces(root: etree._Element) -> bool:
    """Whether a namespace is in scope at the root or declared below it (the xml prefix,
    built in, is neither)."""
    return bool(root.nsmap) or next(etree.iterwalk(root, events=("start-ns",)), None) is not None


def schema_errors(schema: Any, declaration: Any, root: etree._Element) -> list[Any]:
    """The errors ``schema.iter_errors(root)`` gives, for a root ``declaration`` answers to."""
    template = _template()
    if template is None or not isinstance(declaration, XsdElement) or _declares_namespaces(root):
        return list(schema.iter_errors(root))
    context = copy(template)
    context.source = XMLResource(root)
    with suppress(XMLSchemaStopValidation):  # a validation hook's stop: iter_errors' too
        declaration.raw_decode(cast(Any, root), "lax", context)  # lxml: as ElementTree
    if context.identities or context.id_map:  # references for iter_errors to check at the end
        return list(schema.iter_errors(root))
    return list(context.errors)
