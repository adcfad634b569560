"""XML bodies against the Bandwidth XSD 1.1 contracts."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

import xmlschema
from lxml import etree

from .._resources import contracts_dir
from ..catalog import Body
from ._once import once
from ._report import Issue, excerpt, unique

CONTRACT_NS = "urn:tendlc:contract"
_RULE_ATTR = f"{{{CONTRACT_NS}}}rule"
_FIELD_ATTR = f"{{{CONTRACT_NS}}}field"
_MESSAGE_ATTR = f"{{{CONTRACT_NS}}}message"
_FORMAT_ATTR = f"{{{CONTRACT_NS}}}format"

_FACET_RULES = {
    "XsdMaxLengthFacet": "maxLength",
    "XsdMinLengthFacet": "minLength",
    "XsdLengthFacet": "maxLength",
    "XsdPatternFacets": "pattern",
    "XsdEnumerationFacets": "enum",
    "XsdMinInclusiveFacet": "minimum",
    "XsdMinExclusiveFacet": "minimum",
    "XsdMaxInclusiveFacet": "maximum",
    "XsdMaxExclusiveFacet": "maximum",
    "XsdTotalDigitsFacet": "maximum",
}
_FORMAT_TYPES = ("dateTime", "date", "time", "anyURI", "duration")


@once
def schema(contract: str) -> Any:
    """The compiled XSD 1.1 schema of a contract file (once per process)."""
    return xmlschema.XMLSchema11(str(contracts_dir() / contract))


def source_line(node: Any) -> int | None:
    """The line an lxml node started on, when the input had lines."""
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None


def element_path(element: etree._Element) -> str:
    """``/Root/Child[2]/Leaf``: names, with a 1-based index only among same-name siblings."""
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        name = etree.QName(node).localname
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def validate_xml_body(body: Body, root: etree._Element) -> list[Issue]:
    """Validate a parsed, safe XML document against the body's contract."""
    tag = etree.QName(root).localname
    if tag != body.locator:
        return [
            Issue(
                "error",
                "/" + tag,
                "root",
                f"the root element is <{tag[:60]}>; this body must be <{body.locator}>",
                source_line(root),
            )
        ]
    xsd = schema(body.contract)
    issues: list[Issue] = []
    if not body.closed:
        root = copy.deepcopy(root)
        issues.extend(_prune_undocumented(root, xsd.elements[body.locator]))
    # One pass: xmlschema evaluates the XPath asserts on every run, so a separate yes/no run
    # before the explaining one would double the cost of every invalid body.
    errors = list(xsd.iter_errors(root))
    if errors:
        declarations = _declarations_by_element(root, xsd.elements[body.locator])
        explained = [issue for error in errors for issue in _issues(error, declarations)]
        # xmlschema stops checking a content model at its first unexpected child: complete the
        # list of missing mandatory children from the declarations themselves.
        explained.extend(_missing_children(declarations))
        issues[:0] = unique(explained)
    if body.child is not None and root.find(body.child) is None:
        issues.insert(
            0,
            Issue(
                "error",
                f"/{tag}/{body.child}",
                "required",
                f"a response of this status carries <{body.child}>",
                source_line(root),
            ),
        )
    return issues


def _prune_undocumented(root: etree._Element, declaration: Any) -> Iterator[Issue]:
    """Remove (from this copy) elements the contract does not declare; yield one warning each."""
    stack = [(root, declaration)]
    while stack:
        element, decl = stack.pop()
        children = _child_declarations(decl)
        for child in list(element):
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name in children:
                stack.append((child, children[name]))
                continue
            yield Issue(
                "warning",
                element_path(child),
                "additionalProperties",
                f"<{name[:60]}> is not a documented field",
                source_line(child),
            )
            element.remove(child)


def _missing_children(declarations: dict[Any, Any]) -> Iterator[Issue]:
    """A ``required`` issue for every mandatory child absent from a declared element."""
    for element, decl in declarations.items():
        present = {etree.QName(c).localname for c in element if isinstance(c.tag, str)}
        for name, child in _child_declarations(decl).items():
            if int(child.min_occurs) > 0 and name not in present and _in_required_group(child):
                yield Issue(
                    "error",
                    f"{element_path(element)}/{name}",
                    "required",
                    f"<{name}> is required",
                    source_line(element),
                )


def _in_required_group(declaration: Any) -> bool:
    """False when the element sits in a choice or optional group, where absence may be fine."""
    group = getattr(declaration, "parent", None)
    while group is not None and hasattr(group, "model"):
        if group.model == "choice" or int(getattr(group, "min_occurs", 1)) == 0:
            return False
        group = getattr(group, "parent", None)
    return True


_CHILDREN: dict[int, tuple[Any, Mapping[str, Any]]] = {}


def _child_declarations(decl: Any) -> Mapping[str, Any]:
    """The declarations of an element's children, by name (computed once per declaration)."""
    cached = _CHILDREN.get(id(decl))
    if cached is None or cached[0] is not decl:
        content = getattr(decl.type, "content", None)
        children: Mapping[str, Any] = {}
        if content is not None and hasattr(content, "iter_elements"):
            children = {c.local_name: c for c in content.iter_elements() if c.local_name}
        cached = (decl, children)
        _CHILDREN[id(decl)] = cached
    return cached[1]


def _declarations_by_element(root: etree._Element, declaration: Any) -> dict[Any, Any]:
    """Each element of the document mapped to the declaration it answers to."""
    found = {root: declaration}
    stack = [(root, declaration)]
    while stack:
        element, decl = stack.pop()
        children = _child_declarations(decl)
        for child in element:
            if isinstance(child.tag, str) and etree.QName(child).localname in children:
                child_decl = children[etree.QName(child).localname]
                found[child] = child_decl
                stack.append((child, child_decl))
    return found


def _issues(error: Any, declarations: dict[Any, Any]) -> Iterator[Issue]:
    element = error.elem if isinstance(error.elem, etree._Element) else None
    path = element_path(element) if element is not None else (error.path or "/")
    line = source_line(element) if element is not None else None
    validator = error.validator
    kind = type(validator).__name__
    reason = " ".join(str(error.reason or "").split())

    invalid_tag = getattr(error, "invalid_tag", None)
    if invalid_tag is not None and element is not None:
        child = _child_at(element, getattr(error, "index", None), invalid_tag)
        parent_declaration = declarations.get(element)
        declared = invalid_tag in (
            _child_declarations(parent_declaration)
            if parent_declaration is not None
            else _declared_names(error)
        )
        child_path = element_path(child) if child is not None else f"{path}/{invalid_tag}"
        child_line = source_line(child) if child is not None else line
        if declared:
            yield Issue(
                "error",
                child_path,
                "maxItems",
                f"<{invalid_tag}> appears more often than the contract allows",
                child_line,
            )
        else:
            yield Issue(
                "error",
                child_path,
                "additionalProperties",
                f"<{str(invalid_tag)[:60]}> is not a documented field",
                child_line,
            )
        return

    expected = getattr(error, "expected", None)
    if expected and "not complete" in reason:
        for particle in expected:
            name = getattr(particle, "local_name", None) or getattr(particle, "name", None)
            if name:
                yield Issue("error", f"{path}/{name}", "required", f"<{name}> is required", line)
        return

    if kind == "XsdAssert":
        attrs = validator.elem.attrib
        rule = attrs.get(_RULE_ATTR, "assert")
        field = attrs.get(_FIELD_ATTR)
        message = attrs.get(_MESSAGE_ATTR) or f"the rule {rule} is not met"
        yield Issue(
            "error",
            f"{path}/{field}" if field else path,
            rule,
            message,
            _field_line(element, field) or line,
        )
        return

    value = (
        error.obj if isinstance(error.obj, str) else (element.text if element is not None else None)
    )
    if kind in _FACET_RULES:
        rule = _FACET_RULES[kind]
        owner = getattr(getattr(validator, "parent", None), "elem", None)
        declared_format = owner.get(_FORMAT_ATTR) if owner is not None else None
        if rule == "pattern" and declared_format:
            yield Issue(
                "error",
                path,
                "format",
                f"{excerpt(value or '')} is not a valid {declared_format}",
                line,
            )
            return
        yield Issue(
            "error", path, rule, f"{excerpt(value or '')} {_facet_text(rule, validator)}", line
        )
        return
    type_name = getattr(validator, "local_name", None) or getattr(validator, "name", None) or ""
    if any(str(type_name).endswith(fmt) for fmt in _FORMAT_TYPES):
        yield Issue(
            "error", path, "format", f"{excerpt(value or '')} is not a valid {type_name}", line
        )
        return
    if "Unexpected child" in reason or "character data" in reason:
        yield Issue("error", path, "type", "this element holds text or children it must not", line)
        return
    yield Issue("error", path, "type", f"{excerpt(value or '')}: {reason[:160]}", line)


def _facet_text(rule: str, facet: Any) -> str:
    bound = getattr(facet, "value", None)
    if rule == "maxLength":
        return f"is longer than {bound} characters"
    if rule == "minLength":
        return f"is shorter than {bound} characters"
    if rule == "pattern":
        patterns = getattr(facet, "regexps", None) or []
        return f"does not match the pattern {' | '.join(patterns)[:120]}"
    if rule == "enum":
        options = [str(option) for option in (getattr(facet, "enumeration", None) or [])]
        return "is not one of: " + ", ".join(options[:12]) + (", …" if len(options) > 12 else "")
    if rule == "minimum":
        return f"is below the minimum {bound}"
    return f"is above the maximum {bound}"


def _declared_names(error: Any) -> set[str]:
    particle = getattr(error, "particle", None) or getattr(error, "validator", None)
    try:
        return {child.local_name for child in particle.iter_elements()}  # type: ignore[union-attr]
    except AttributeError:
        return set()


def _child_at(element: etree._Element, index: Any, tag: str) -> etree._Element | None:
    children = [child for child in element if isinstance(child.tag, str)]
    if isinstance(index, int) and 0 <= index < len(children):
        return children[index]
    for child in children:
        if etree.QName(child).localname == tag:
            return child
    return None


def _field_line(element: etree._Element | None, field: str | None) -> int | None:
    if element is None or not field:
        return None
    found = element.find(field)
    return source_line(found) if found is not None else None
