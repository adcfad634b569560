"""XSD 1.1 assertions that share one typed XPath tree per element.

xmlschema evaluates each ``xs:assert`` in an XPath context of its own, and building one
annotates the element's whole subtree with its schema types. The annotation depends only on
the element and the complex type the assertion belongs to, so the assertions of one type on
one element can share it: the first builds the context, the others evaluate in copies of it.
The verdicts are those of xmlschema's own assertions (``tests/test_asserts.py`` compares them);
a brand carries ten assertions, and validating one that breaks them took about twice as long
before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import copy
from typing import Any

from elementpath import ElementPathError, XPathContext
from xmlschema.validators import XsdAssert
from xmlschema.validators.exceptions import XMLSchemaNotBuiltError

__all__ = ["assert_contexts", "share_assert_contexts"]

_LOCAL = threading.local()


class _SharedContextAssert(XsdAssert):
    """An assertion that reuses the typed context its type's previous assertion built."""

    def __call__(self, obj: Any, validation: str, context: Any, value: Any = None) -> None:
        if value is not None:  # a value to bind: this assertion's own context, as built
            super().__call__(obj, validation, context, value)
            return
        if not hasattr(self, "parser") or not hasattr(self, "token"):
            raise XMLSchemaNotBuiltError(self, "schema bound parser not set")
        if not self.parser.is_schema_bound() and self.parser.schema:
            self.parser.schema.bind_parser(self.parser)
        node = context.source.get_xpath_node(obj)
        # One slot per thread: the context held keeps its node alive, so ``is`` cannot match
        # a new node at a reused address, and any other element's context replaces it.
        last = getattr(_LOCAL, "last", None)
        if last is not None and last[0] is node and last[1] is self.parent:
            xpath_context = copy(last[2])
        else:
            xpath_context = XPathContext(
                root=node,
                namespaces=context.namespaces,
                uri=context.source.url,
                fragment=True,
                variables={"value": None},
                schema=self.parser.schema,
            )
            _LOCAL.last = (node, self.parent, copy(xpath_context))
        try:
            if not self.token.evaluate(xpath_context):
                context.validation_error(validation, self, "assertion test is false", obj)
        except ElementPathError as err:
            context.validation_error(validation, self, err, obj)


def share_assert_contexts(schema: Any) -> None:
    """Make every assertion of a built schema share typed contexts (see the module text)."""
    for component in schema.maps.iter_components():  # included schemas' assertions too
        if type(component) is XsdAssert:
            component.__class__ = _SharedContextAssert


@contextmanager
def assert_contexts() -> Iterator[None]:
    """Evaluate assertions inside: on the way out, this thread's shared context (which holds on
    to the last document validated) is dropped, however the block ends."""
    try:
        yield
    finally:
        _LOCAL.last = None
