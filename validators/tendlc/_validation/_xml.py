"""XML bodies against XSD 1.1 contracts.

The explainer dispatches on xmlschema's typed error attributes and exported component classes
(``XMLSchemaChildrenValidationError.invalid_tag``, ``XsdAssert``, the facet classes), never on
class names or reason text; sentences come from :mod:`._messages`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any

from lxml import etree
from xmlschema.validators import (
    XMLSchemaChildrenValidationError,
    XsdAssert,
    XsdAtomicBuiltin,
    XsdEnumerationFacets,
    XsdFractionDigitsFacet,
    XsdLengthFacet,
    XsdMaxExclusiveFacet,
    XsdMaxInclusiveFacet,
    XsdMaxLengthFacet,
    XsdMinExclusiveFacet,
    XsdMinInclusiveFacet,
    XsdMinLengthFacet,
    XsdPatternFacets,
    XsdTotalDigitsFacet,
)

from .._catalog import Body
from .._parsing import element_children, element_path, local_name, source_line
from .._shared import assert_rule_of, xml_time_rule
from ._asserts import assert_contexts
from ._clock import lies_as_stated
from ._messages import describe
from ._report import Issue, Severity, excerpt, unique
from ._xsd import (
    child_declarations,
    component_location,
    declarations_by_element,
    load_schema,
    simple_facets,
)
from ._xsd_errors import schema_errors

__all__ = ["has_time_rules", "validate_xml_body"]

#: facet class → rule; ``xs:length`` is reported as maxLength or minLength by the value.
_FACET_RULES: tuple[tuple[type[Any], str], ...] = (
    (XsdMaxLengthFacet, "maxLength"),
    (XsdMinLengthFacet, "minLength"),
    (XsdPatternFacets, "pattern"),
    (XsdEnumerationFacets, "enum"),
    (XsdMinInclusiveFacet, "minimum"),
    (XsdMinExclusiveFacet, "exclusiveMinimum"),
    (XsdMaxInclusiveFacet, "maximum"),
    (XsdMaxExclusiveFacet, "exclusiveMaximum"),
    (XsdTotalDigitsFacet, "totalDigits"),
    (XsdFractionDigitsFacet, "fractionDigits"),
)
#: built-in types whose lexical rules are formats in the report vocabulary
_FORMAT_TYPES = ("dateTime", "date", "time", "anyURI", "duration")


def validate_xml_body(body: Body, root: etree._Element) -> list[Issue]:
    """Validate a parsed, safe XML document against the body's contract."""
    misplaced = _root_issue(body, root)
    if misplaced is not None:
        return [misplaced]
    xsd = load_schema(body.contract)
    declaration = xsd.elements[body.locator]
    issues: list[Issue] = []
    if not body.closed:
        root = copy.deepcopy(root)
        issues.extend(_prune_undocumented(root, declaration))
    # One pass: xmlschema evaluates the XPath asserts on every run, so a separate yes/no run
    # before the explaining one would double the cost of every invalid body.
    try:
        with assert_contexts():
            errors = schema_errors(xsd, declaration, root)
    except ArithmeticError:  # a value the engine cannot represent (a 19-digit year, say)
        return [*issues, *_unrepresentable(root, declaration)]
    declarations: dict[Any, Any] | None = None
    if errors:
        declarations = declarations_by_element(root, declaration)
        explained = [issue for error in errors for issue in _issues(error, declarations)]
        # xmlschema stops checking a content model at its first unexpected child: complete the
        # list of missing mandatory children from the declarations themselves.
        explained.extend(_missing_children(declarations))
        issues[:0] = unique(explained)
    if _has_time_rules(declaration):
        declarations = declarations or declarations_by_element(root, declaration)
        issues.extend(_time_issues(declarations))
    if body.child is not None and root.find(body.child) is None:
        message = f"a response of this status carries <{body.child}>"
        path = f"/{local_name(root)}/{body.child}"
        issue = Issue(
            Severity.ERROR, path, "required", message, source_line(root), expected=body.child
        )
        issues.insert(0, issue)
    return issues


def _root_issue(body: Body, root: etree._Element) -> Issue | None:
    """An issue when the root is not the body's element: another name, or another namespace."""
    tag = local_name(root)
    if tag != body.locator:
        return Issue(
            Severity.ERROR,
            "/" + tag,
            "root",
            f"the root element is <{tag[:60]}>; this body must be <{body.locator}>",
            source_line(root),
            expected=body.locator,
        )
    target = load_schema(body.contract).target_namespace or ""
    namespace = etree.QName(root).namespace or ""
    if namespace == target:
        return None
    found = f"in the namespace {excerpt(namespace, 80)}" if namespace else "in no namespace"
    wanted = f"is in {target!r}" if target else "has no namespace"
    return Issue(
        Severity.ERROR,
        "/" + tag,
        "root",
        f"<{tag}> is {found}; this body's contract {wanted}",
        source_line(root),
        expected=target,
    )


def _unrepresentable(root: etree._Element, declaration: Any) -> Iterator[Issue]:
    """The values the engine overflows on, found one element at a time."""
    found = False
    for element, decl in declarations_by_element(root, declaration).items():
        kind = decl.type
        if not (kind.is_simple() or kind.has_simple_content()):
            continue
        try:
            kind.is_valid(element.text or "")
        except ArithmeticError as exc:
            found = True
            yield Issue(
                Severity.ERROR,
                element_path(element),
                "format",
                f"{excerpt(element.text or '')} is out of range ({exc})",
                source_line(element),
                location=component_location(decl),
            )
    if not found:
        yield Issue(Severity.ERROR, "/", "parse", "the document holds a value that cannot be read")


def _prune_undocumented(root: etree._Element, declaration: Any) -> Iterator[Issue]:
    """Remove (from this copy) elements the contract does not declare; yield one warning each."""
    stack = [(root, declaration)]
    while stack:
        element, decl = stack.pop()
        children = child_declarations(decl)
        for child in list(element_children(element)):
            name = local_name(child)
            if name in children:
                stack.append((child, children[name]))
                continue
            yield Issue(
                Severity.WARNING,
                element_path(child),
                "additionalProperties",
                describe("additionalProperties", None, name),
                source_line(child),
                location=component_location(decl),
            )
            element.remove(child)


def _missing_children(declarations: dict[Any, Any]) -> Iterator[Issue]:
    """A ``required`` issue for every mandatory child absent from a declared element."""
    for element, decl in declarations.items():
        required = _required_children(decl)
        if required:
            present = {local_name(child) for child in element_children(element)}
            for name, child in required:
                if name not in present:
                    yield _required(element, name, child)


@cache
def _required_children(declaration: Any) -> tuple[tuple[str, Any], ...]:
    """The children an element must have whatever its other children are, with their names."""
    return tuple(
        (name, child)
        for name, child in child_declarations(declaration).items()
        if int(child.min_occurs) > 0 and _in_required_group(child)
    )


def _required(element: etree._Element, name: str, declaration: Any) -> Issue:
    return Issue(
        Severity.ERROR,
        f"{element_path(element)}/{name}",
        "required",
        f"<{name}> is required",
        source_line(element),
        location=component_location(declaration),
        expected=name,
    )


def _in_required_group(declaration: Any) -> bool:
    """False when the element sits in a choice or optional group, where absence may be fine."""
    group = getattr(declaration, "parent", None)
    while group is not None and hasattr(group, "model"):
        if group.model == "choice" or int(getattr(group, "min_occurs", 1)) == 0:
            return False
        group = getattr(group, "parent", None)
    return True


def has_time_rules(body: Body) -> bool:
    """Whether any element of the body's contract carries a ``t:time`` rule."""
    return _has_time_rules(load_schema(body.contract).elements[body.locator])


@cache
def _has_time_rules(declaration: Any) -> bool:
    """Whether any element under this declaration carries a ``t:time`` rule."""
    seen: set[int] = set()
    stack = [declaration]
    while stack:
        decl = stack.pop()
        if id(decl) in seen:
            continue
        seen.add(id(decl))
        if xml_time_rule(decl) is not None:
            return True
        stack.extend(child_declarations(decl).values())
    return False


def _time_issues(declarations: dict[Any, Any]) -> Iterator[Issue]:
    for element, decl in declarations.items():
        rule = xml_time_rule(decl)
        if rule is not None and lies_as_stated(rule, element.text or "") is False:
            yield Issue(
                Severity.ERROR,
                element_path(element),
                rule.rule,
                rule.message,
                source_line(element),
                location=component_location(decl),
                expected=rule.direction,
            )


def _issues(error: Any, declarations: dict[Any, Any]) -> Iterator[Issue]:
    element = error.elem if isinstance(error.elem, etree._Element) else None
    if isinstance(error, XMLSchemaChildrenValidationError) and element is not None:
        yield from _children_issues(error, element, declarations)
        return
    path = element_path(element) if element is not None else (error.path or "/")
    line = source_line(element) if element is not None else None
    validator = error.validator
    location = component_location(validator)
    if isinstance(validator, XsdAssert):
        yield _assert_issue(validator, element, path, line, location)
        return
    value = (
        error.obj if isinstance(error.obj, str) else (element.text if element is not None else None)
    )
    facet_rule = _facet_rule(validator, value)
    if facet_rule is not None:
        yield _facet_issue(validator, facet_rule, value, path, line, location)
    elif isinstance(validator, XsdAtomicBuiltin):
        yield _builtin_issue(validator, value, path, line, location)
    else:
        # What remains is content of the wrong kind: text where children belong, children
        # inside a simple-content element, or character data in element-only content.
        message = "this element holds text or children it must not"
        yield Issue(Severity.ERROR, path, "type", message, line, location=location)


def _assert_issue(
    validator: Any, element: etree._Element | None, path: str, line: int | None, location: str
) -> Issue:
    """A broken assert, reported at the field it names (where the rule says which)."""
    assertion = assert_rule_of(validator)
    field = assertion.field
    found = element.find(field) if element is not None and field else None
    return Issue(
        Severity.ERROR,
        f"{path}/{field}" if field else path,
        assertion.rule,
        assertion.message,
        source_line(found) if found is not None else line,
        location=location,
    )


def _facet_issue(
    validator: Any,
    facet_rule: tuple[str, Any],
    value: str | None,
    path: str,
    line: int | None,
    location: str,
) -> Issue:
    """A broken facet; a pattern that stands for a declared format is that format."""
    rule, expected = facet_rule
    declared_format = simple_facets(validator.parent).format if validator.parent else None
    if rule == "pattern" and declared_format:
        rule, expected = "format", declared_format
    message = describe(rule, expected, value or "")
    return Issue(Severity.ERROR, path, rule, message, line, location=location, expected=expected)


def _builtin_issue(
    validator: Any, value: str | None, path: str, line: int | None, location: str
) -> Issue:
    """A value that is not of its built-in type: a format, or a type, in the report's words."""
    name = str(validator.local_name)
    rule = "format" if name in _FORMAT_TYPES else "type"
    message = (
        describe("format", name, value or "")
        if rule == "format"
        else f"{excerpt(value or '')} is not a valid xs:{name}"
    )
    return Issue(Severity.ERROR, path, rule, message, line, location=location, expected=name)


def _children_issues(
    error: XMLSchemaChildrenValidationError,
    element: etree._Element,
    declarations: dict[Any, Any],
) -> Iterator[Issue]:
    if error.invalid_tag is None:
        for particle in error.expected or ():
            name = getattr(particle, "local_name", None)
            if name:
                yield _required(element, name, particle)
        return
    tag = str(error.invalid_tag).rsplit("}", 1)[-1]
    child = _child_at(element, error.index, tag)
    declaration = declarations.get(element)
    children = child_declarations(declaration) if declaration is not None else {}
    if child is not None:
        child_path, child_line = element_path(child), source_line(child)
    else:
        child_path, child_line = f"{element_path(element)}/{tag}", source_line(element)
    location = component_location(error.validator)
    if tag in children:
        limit = children[tag].max_occurs
        yield Issue(
            Severity.ERROR,
            child_path,
            "maxItems",
            f"<{tag}> appears more often than the contract allows",
            child_line,
            location=component_location(children[tag]) or location,
            expected=limit,
        )
        return
    yield Issue(
        Severity.ERROR,
        child_path,
        "additionalProperties",
        describe("additionalProperties", None, tag),
        child_line,
        location=location,
    )


def _facet_rule(validator: Any, value: str | None) -> tuple[str, Any] | None:
    """The report rule of a failed facet and the value it expected."""
    facet: Any = validator
    if isinstance(facet, XsdLengthFacet):
        length = len(value or "")
        return ("maxLength" if length > facet.value else "minLength"), facet.value
    for facet_class, rule in _FACET_RULES:
        if isinstance(facet, facet_class):
            if rule == "pattern":
                return rule, " | ".join(facet.regexps)
            if rule == "enum":
                return rule, [str(option) for option in facet.enumeration]
            return rule, facet.value
    return None


def _child_at(element: etree._Element, index: Any, tag: str) -> etree._Element | None:
    children = list(element_children(element))
    if isinstance(index, int) and 0 <= index < len(children):
        return children[index]
    for child in children:
        if local_name(child) == tag:
            return child
    return None
