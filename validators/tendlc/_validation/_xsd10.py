"""Compile an XSD 1.1 contract into one XSD 1.0 document for libxml2, and checks for the rest.

The input is the schema xmlschema already loaded (includes and overrides applied), read as
components: element declarations, complex and simple types, facets, asserts. The output, for
one root element, is

* an XSD 1.0 document that libxml2 accepts: the same declarations under generated type
  names, without the asserts, and with every ``xs:all`` whose children may repeat (XSD 1.1
  only) turned into a repeatable ``xs:choice`` of the same children;
* the Python source of ``check(root) -> bool``: the occurrence limits of those ``xs:all``
  children and the asserts, translated from their XPath 2.0 into Python, run on every element
  of the types they belong to (found by the element paths at which the contract admits them).

Together they accept exactly the documents the XSD 1.1 contract accepts, as long as the
document holds elements and text and, between elements only, comments: no processing
instruction, attribute (an ``xsi:type`` would make libxml2 read another type) or namespace.
The caller makes sure, with ``complex_paths`` for the comments. Everything is translated from
a whitelist: a construct outside it raises :class:`Untranslatable`, and that contract stays
with xmlschema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ._xsd_regex import libxml2_pattern

XS = "http://www.w3.org/2001/XMLSchema"
_XS = f"{{{XS}}}"

#: Built-in types whose XSD 1.0 (libxml2) and XSD 1.1 (xmlschema) lexical and value spaces
#: agree, except where libxml2 refuses more (year 0000, whitespace around a dateTime): a
#: refusal only sends the document to xmlschema. tests/test_xsd10.py checks each of them.
BUILTINS = frozenset(
    {
        "string",
        "normalizedString",
        "token",
        "boolean",
        "decimal",
        "integer",
        "nonNegativeInteger",
        "positiveInteger",
        "int",
        "long",
        "date",
        "dateTime",
    }
)
_SINGLE_FACETS = frozenset(
    {
        "length",
        "minLength",
        "maxLength",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "totalDigits",
        "fractionDigits",
        "whiteSpace",
    }
)
_LIST_FACETS = frozenset({"pattern", "enumeration"})
_MEASURED = ("length", "minLength", "maxLength", "pattern")
# Python's whitespace that is not XSD's (\t, \n, \r and the space).
_OTHER_SPACE = re.compile(r"[^\S \t\n\r]")
_COMPARISONS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class Untranslatable(Exception):
    """The contract uses a construct the compiler does not translate: keep it on xmlschema."""


@dataclass(frozen=True)
class Compiled:
    """One root element of a contract, compiled."""

    root: str
    xsd: bytes  # the XSD 1.0 document
    source: str  # Python source defining ``check(root) -> bool``
    constants: Mapping[str, Any]  # the compiled regular expressions the source refers to
    depth: int  # the deepest element (the root is 1) a valid document can have
    complex_paths: frozenset[tuple[str, ...]]  # where elements of complex types sit
    asserts: int  # asserts translated
    relaxed: int  # xs:all groups with repeatable children turned into choices

    def engines(self) -> tuple[Any, Any]:
        """A new libxml2 schema and ``check(root) -> bool`` function: one pair per thread."""
        namespace: dict[str, Any] = {"_child": _child}
        namespace.update(self.constants)
        exec(compile(self.source, f"<tendlc check {self.root}>", "exec"), namespace)
        return etree.XMLSchema(etree.fromstring(self.xsd)), namespace["check"]


def _replace_space(text: str) -> str:
    return _SPACE.sub(" ", text)


def _collapse_space(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# What xmlschema's simple types do to a value before its patterns are matched (the same
# expressions), as functions a compiled contract can be kept with on disk.
_SPACE = re.compile(r"\s")
_SPACES = re.compile(r"\s+")
_NORMALIZERS = {"replace": _replace_space, "collapse": _collapse_space}


def _child(element: Any, name: str) -> Any:
    return None if element is None else next(element.iterchildren(name), None)


def compile_contract(xsd: Any, root: str) -> Compiled:
    """Compile the global element ``root`` of a loaded XSD 1.1 schema; raise
    :class:`Untranslatable` when the contract holds anything outside the whitelist."""
    if xsd.target_namespace:
        raise Untranslatable("a target namespace")
    if getattr(xsd, "default_open_content", None):
        raise Untranslatable("default open content")
    declaration = xsd.elements.get(root)
    if declaration is None:
        raise Untranslatable(f"no global element {root}")
    return _Compiler(xsd).run(declaration)


@dataclass
class _TypeChecks:
    """What one complex type checks beyond XSD 1.0, and the locals its asserts read."""

    name: str
    counts: list[tuple[str, int, int | None]] = field(default_factory=list)
    # (child, the test of its text ``t``, single child)
    patterns: list[tuple[str, str, bool]] = field(default_factory=list)
    asserts: list[str] = field(default_factory=list)
    locals: list[str] = field(default_factory=list)  # assignments, in order
    variables: dict[str, str] = field(default_factory=dict)  # what -> variable

    def variable(self, what: str, expression: str) -> str:
        name = self.variables.get(what)
        if name is None:
            name = self.variables[what] = f"v{len(self.variables)}"
            self.locals.append(f"{name} = {expression}")
        return name


class _Compiler:
    def __init__(self, xsd: Any) -> None:
        self.xsd = xsd
        self.document = etree.Element(_XS + "schema", nsmap={"xs": XS})
        self.names: dict[int, str] = {}
        self.keep: list[Any] = []  # the components named, so that their ids stay theirs
        self.checks: dict[int, _TypeChecks] = {}
        self.constants: dict[str, Any] = {}
        self.relaxed = 0
        self.asserts = 0
        self.scope = _TypeChecks("")
        self.patterns: dict[int, list[Any]] = {}  # simple type -> patterns checked in Python
        self.root_test: str | None = None

    # ------------------------------------------------------------------------ driver

    def run(self, declaration: Any) -> Compiled:
        self._check_element(declaration)
        element = etree.SubElement(self.document, _XS + "element")
        element.set("name", declaration.local_name)
        element.set("type", self._type(declaration.type))
        if declaration.type.is_simple():
            self.root_test = self._value_test(declaration.type)
        paths: list[tuple[tuple[str, ...], _TypeChecks]] = []
        complex_paths: set[tuple[str, ...]] = set()
        depth = self._paths(declaration, (), [], paths, complex_paths)
        xsd = etree.tostring(self.document, xml_declaration=True, encoding="UTF-8")
        try:
            etree.XMLSchema(etree.fromstring(xsd))
        except etree.XMLSchemaParseError as exc:
            raise Untranslatable(f"libxml2 refuses the compiled schema: {exc}") from None
        return Compiled(
            root=declaration.local_name,
            xsd=xsd,
            source=self._source(paths),
            constants=dict(self.constants),
            depth=depth,
            complex_paths=frozenset(complex_paths),
            asserts=self.asserts,
            relaxed=self.relaxed,
        )

    def _paths(
        self,
        declaration: Any,
        path: tuple[str, ...],
        stack: list[int],
        found: list[tuple[tuple[str, ...], _TypeChecks]],
        complex_paths: set[tuple[str, ...]],
    ) -> int:
        """Record the element paths of every type with checks, and of every complex type;
        return the depth below."""
        kind = declaration.type
        if kind.is_simple():
            return 1
        if id(kind) in stack:
            raise Untranslatable("a recursive content model")
        complex_paths.add(path)
        checks = self.checks.get(id(kind))
        if checks is not None and (checks.counts or checks.patterns or checks.asserts):
            found.append((path, checks))
        deepest = 0
        for child in _elements(kind.content):
            deepest = max(
                deepest,
                self._paths(
                    child, (*path, child.local_name), [*stack, id(kind)], found, complex_paths
                ),
            )
        return deepest + 1

    # ------------------------------------------------------------------ declarations

    def _check_element(self, declaration: Any) -> None:
        if not declaration.local_name or declaration.local_name != declaration.name:
            raise Untranslatable(f"a qualified element name {declaration.name}")
        if declaration.nillable:
            raise Untranslatable(f"nillable element {declaration.local_name}")
        if declaration.default is not None or declaration.fixed is not None:
            raise Untranslatable(f"a default or fixed value on {declaration.local_name}")
        if declaration.abstract or getattr(declaration, "substitution_group", None):
            raise Untranslatable(f"substitution groups at {declaration.local_name}")
        if declaration.name in self.xsd.maps.substitution_groups:
            raise Untranslatable(f"a substitution group headed by {declaration.local_name}")
        if getattr(declaration, "alternatives", ()):
            raise Untranslatable(f"type alternatives on {declaration.local_name}")
        if getattr(declaration, "identities", ()):
            raise Untranslatable(f"identity constraints on {declaration.local_name}")

    def _type(self, kind: Any) -> str:
        name = self.names.get(id(kind))
        if name is not None:
            return name
        if kind.is_simple():
            return self._simple(kind)
        return self._complex(kind)

    def _name(self, kind: Any, prefix: str) -> str:
        name = f"{prefix}{len(self.names)}"
        self.names[id(kind)] = name
        self.keep.append(kind)
        return name

    def _complex(self, kind: Any) -> str:
        label = kind.local_name or "an anonymous type"
        if kind.derivation is not None or kind.abstract:
            raise Untranslatable(f"complex type derivation ({label})")
        if kind.mixed:
            raise Untranslatable(f"mixed content ({label})")
        if len(kind.attributes) or getattr(kind.attributes, "wildcard", None) is not None:
            raise Untranslatable(f"attributes ({label})")
        if kind.open_content is not None and getattr(kind.open_content, "mode", "none") != "none":
            raise Untranslatable(f"open content ({label})")
        if kind.has_simple_content() or not hasattr(kind.content, "model"):
            raise Untranslatable(f"simple content ({label})")
        name = self._name(kind, "T")
        checks = self.checks[id(kind)] = _TypeChecks(f"_{name}")
        complex_type = etree.SubElement(self.document, _XS + "complexType", name=name)
        self._group(kind.content, complex_type, checks, top=True)
        # In a relaxed xs:all the counts run before the asserts: a child whose own maximum is
        # one is single there too.
        children = _singletons(kind.content)
        for child in {c.local_name: c for c in _elements(kind.content)}.values():
            if child.type.is_simple():
                test = self._value_test(child.type)
                if test is not None:
                    checks.patterns.append((child.local_name, test, child.local_name in children))
        for assertion in kind.assertions:
            if assertion.base_type is not kind:
                raise Untranslatable(f"an inherited assert ({label})")
            checks.asserts.append(self._assert(assertion, children, checks))
            self.asserts += 1
        return name

    def _group(self, group: Any, parent: Any, checks: _TypeChecks, *, top: bool) -> None:
        if group.model not in ("sequence", "choice", "all"):
            raise Untranslatable(f"a {group.model} group")
        particles = list(group)
        repeatable = [
            particle
            for particle in particles
            if getattr(particle, "max_occurs", 1) != 1 and hasattr(particle, "type")
        ]
        if group.model == "all" and repeatable:
            # XSD 1.1 lets xs:all children repeat; XSD 1.0 does not. Any number of the
            # children in any order, with each child's own limits checked afterwards.
            if not top or group.min_occurs != 1 or group.max_occurs != 1:
                raise Untranslatable("a nested or optional xs:all with repeatable children")
            node = etree.SubElement(parent, _XS + "choice", minOccurs="0", maxOccurs="unbounded")
            for particle in particles:
                if not hasattr(particle, "type"):
                    raise Untranslatable("a wildcard or group inside xs:all")
                self._check_element(particle)
                etree.SubElement(
                    node, _XS + "element", name=particle.local_name, type=self._type(particle.type)
                )
                checks.counts.append(
                    (particle.local_name, int(particle.min_occurs), particle.max_occurs)
                )
            self.relaxed += 1
            return
        node = etree.SubElement(parent, _XS + group.model)
        _occurs(node, group)
        for particle in particles:
            if hasattr(particle, "model"):
                self._group(particle, node, checks, top=False)
            elif hasattr(particle, "type") and hasattr(particle, "nillable"):
                self._check_element(particle)
                element = etree.SubElement(
                    node, _XS + "element", name=particle.local_name, type=self._type(particle.type)
                )
                _occurs(element, particle)
            else:
                raise Untranslatable(f"a wildcard ({type(particle).__name__})")

    def _simple(self, kind: Any) -> str:
        if kind.is_list() or kind.is_union():
            raise Untranslatable(f"a list or union type ({kind.local_name})")
        if type(kind).__name__ == "XsdAtomicBuiltin" or (
            kind.target_namespace == XS and kind.local_name
        ):
            if kind.target_namespace != XS or kind.local_name not in BUILTINS:
                raise Untranslatable(f"the built-in type {kind.name}")
            return f"xs:{kind.local_name}"
        if not kind.is_atomic() or not hasattr(kind, "facets"):
            raise Untranslatable(f"a simple type ({kind.local_name})")
        base = self._type(kind.base_type)
        name = self._name(kind, "S")
        simple = etree.SubElement(self.document, _XS + "simpleType", name=name)
        restriction = etree.SubElement(simple, _XS + "restriction", base=base)
        for key, facet in kind.facets.items():
            local = key.split("}")[-1] if isinstance(key, str) and key.startswith(_XS) else None
            if local == "pattern":
                translated = [libxml2_pattern(item.get("value")) for item in facet]
                values = [value for value in translated if value is not None]
                if len(values) == len(translated):
                    for value in values:
                        etree.SubElement(restriction, _XS + "pattern", value=value)
                    continue
                # A pattern libxml2 may read otherwise than xmlschema (see _xsd_regex): the
                # facet is checked in Python, with the very expressions xmlschema uses.
                self.patterns[id(kind)] = list(facet.patterns)
            elif local in _SINGLE_FACETS:
                etree.SubElement(restriction, _XS + local, value=facet.elem.get("value"))
            elif local == "enumeration":
                for item in facet:
                    etree.SubElement(restriction, _XS + local, value=item.get("value"))
            else:
                raise Untranslatable(f"the facet {key} ({kind.local_name})")
        return name

    def _value_test(self, kind: Any) -> str | None:
        """The Python checks of a simple type's value (an element's text ``t``), or None when
        there are none:

        * the patterns left to Python along the type's derivation (each derivation step must
          have a match), against the value as xmlschema normalises it, with its own method;
        * for a collapsed type with lengths or patterns, no whitespace but XSD's: xmlschema
          collapses and strips Python's (Unicode) whitespace, libxml2 only XSD's four
          characters, so ``"ab\\u2003"`` is 2 long to one and 3 to the other.
        """
        groups: list[list[str]] = []
        measured = False
        step = kind
        while step is not None and step.is_simple():
            found = self.patterns.get(id(step))
            if found:
                names = []
                for pattern in found:
                    names.append(f"_P{len(self.constants)}")
                    self.constants[names[-1]] = pattern
                groups.append(names)
            facets = getattr(step, "facets", None) or {}
            measured = measured or any(_XS + name in facets for name in _MEASURED)
            step = getattr(step, "base_type", None)
        tests: list[str] = []
        space = getattr(kind, "white_space", None)
        if space == "collapse" and measured:
            self.constants["_W"] = _OTHER_SPACE
            tests.append("_W.search(t) is None")
        if groups:
            value = "t"
            if space not in (None, "preserve"):
                # Every derivation step sees the value the element's own type normalised (its
                # whiteSpace is the strictest along the way).
                value = f"_N{len(self.constants)}"
                normalizer = _NORMALIZERS.get(space)
                if normalizer is None:
                    raise Untranslatable(f"whiteSpace {space} ({kind.local_name})")
                self.constants[value] = normalizer
                value += "(t)"
            tests.extend(
                "(" + " or ".join(f"{p}.match({value})" for p in group) + ")" for group in groups
            )
        return " and ".join(tests) if tests else None

    # ---------------------------------------------------------------------- asserts

    def _assert(self, assertion: Any, children: Mapping[str, Any], scope: _TypeChecks) -> str:
        if getattr(assertion, "xpath_default_namespace", "") or assertion.elem.get(
            "xpathDefaultNamespace"
        ):
            raise Untranslatable("an assert with an XPath default namespace")
        self.scope = scope
        code, kind, _ = self._expression(assertion.token, children, assertion)
        return _boolean(code, kind, assertion.path)

    def _expression(
        self, token: Any, children: Mapping[str, Any], assertion: Any
    ) -> tuple[str, str, Any]:
        """(Python expression, its kind: node / bool / int / str, the declaration of a node).

        A node is a variable holding the element or None: the paths asserts may use name
        children that occur at most once.
        """
        symbol = token.symbol
        arguments = list(token)
        test = assertion.path
        if symbol == "(name)" and type(token).__name__ == "NameToken":
            declaration = children.get(token.value)
            if declaration is None:
                raise Untranslatable(f"{token.value} is not a single child here ({test})")
            node = self.scope.variable(token.value, f"k.get({token.value!r})")
            return node, "node", declaration
        if symbol == "/" and len(arguments) == 2:
            left, kind, declaration = self._expression(arguments[0], children, assertion)
            step = arguments[1]
            if (
                kind != "node"
                or step.symbol != "(name)"
                or type(step).__name__ != "NameToken"
                or declaration.type.is_simple()
            ):
                raise Untranslatable(f"a path step ({test})")
            child = _singletons(declaration.type.content).get(step.value)
            if child is None:
                raise Untranslatable(f"{step.value} is not a single child here ({test})")
            what = f"{self._path_of(left)}/{step.value}"
            node = self.scope.variable(what, f"_child({left}, {step.value!r})")
            return node, "node", child
        if symbol == "(string)":
            return repr(str(token.value)), "str", None
        if symbol == "(integer)":
            return repr(int(token.value)), "int", None
        if symbol == "(" and len(arguments) == 1:
            return self._expression(arguments[0], children, assertion)
        if symbol in ("true", "false") and not arguments:
            return ("True" if symbol == "true" else "False"), "bool", None
        if symbol in ("and", "or") and len(arguments) == 2:
            left = self._boolean(arguments[0], children, assertion)
            right = self._boolean(arguments[1], children, assertion)
            return f"({left} {symbol} {right})", "bool", None
        if symbol == "not" and len(arguments) == 1:
            return f"(not {self._boolean(arguments[0], children, assertion)})", "bool", None
        if symbol in ("exists", "empty", "count") and len(arguments) == 1:
            code, kind, _ = self._expression(arguments[0], children, assertion)
            if kind != "node":
                raise Untranslatable(f"{symbol}() of a value ({test})")
            if symbol == "count":
                return f"(0 if {code} is None else 1)", "int", None
            return f"({code} is {'not ' if symbol == 'exists' else ''}None)", "bool", None
        if symbol in _COMPARISONS and len(arguments) == 2:
            return self._comparison(symbol, arguments, children, assertion), "bool", None
        if symbol == "matches" and len(arguments) == 2:
            return self._matches(arguments, children, assertion), "bool", None
        raise Untranslatable(f"{symbol!r} in {test}")

    def _matches(self, arguments: list[Any], children: Mapping[str, Any], assertion: Any) -> str:
        test = assertion.path
        code, kind, declaration = self._expression(arguments[0], children, assertion)
        if kind != "node" or arguments[1].symbol != "(string)":
            raise Untranslatable(f"matches() of other than a field and a literal ({test})")
        _string_leaf(declaration, test)
        from elementpath.regex import translate_pattern  # to compile only, not to run

        try:
            pattern = translate_pattern(str(arguments[1].value), 0, assertion.parser.xsd_version)
            compiled = re.compile(pattern)
        except Exception:
            raise Untranslatable(f"the regular expression of {test}") from None
        constant = f"_R{len(self.constants)}"
        self.constants[constant] = compiled
        # An absent field is the empty string for matches().
        text = self._text_of(code)
        return f"({constant}.search({text} or '') is not None)"

    def _comparison(
        self, symbol: str, arguments: list[Any], children: Mapping[str, Any], assertion: Any
    ) -> str:
        left = self._expression(arguments[0], children, assertion)
        right = self._expression(arguments[1], children, assertion)
        kinds = (left[1], right[1])
        if kinds == ("int", "int"):
            return f"({left[0]} {_COMPARISONS[symbol]} {right[0]})"
        if symbol in ("=", "!=") and sorted(kinds) == ["node", "str"]:
            node, literal = (left, right) if left[1] == "node" else (right, left)
            _string_leaf(node[2], assertion.path)
            # A general comparison with an absent field is false, for = and != alike.
            text = self._text_of(node[0])
            if symbol == "=":
                return f"({text} == {literal[0]})"
            return f"({node[0]} is not None and {text} != {literal[0]})"
        raise Untranslatable(f"a comparison of {kinds[0]} and {kinds[1]} ({assertion.path})")

    def _path_of(self, variable: str) -> str:
        return next(what for what, name in self.scope.variables.items() if name == variable)

    def _text_of(self, node: str) -> str:
        """A variable with the field's text: None when absent, its text ("" if empty)."""
        what = f"text({self._path_of(node)})"
        return self.scope.variable(what, f"None if {node} is None else ({node}.text or '')")

    def _boolean(self, token: Any, children: Mapping[str, Any], assertion: Any) -> str:
        code, kind, _ = self._expression(token, children, assertion)
        return _boolean(code, kind, assertion.path)

    # ----------------------------------------------------------------------- source

    def _source(self, paths: list[tuple[tuple[str, ...], _TypeChecks]]) -> str:
        lines: list[str] = []
        for checks in {id(checks): checks for _, checks in paths}.values():
            lines.append(f"def {checks.name}(e):")
            if checks.counts:
                lines.append("    n = {}")
                lines.append("    for c in e:")
                lines.append("        n[c.tag] = n.get(c.tag, 0) + 1")
                for name, low, high in checks.counts:
                    if low:
                        lines.append(f"    if n.get({name!r}, 0) < {low}:")
                        lines.append("        return False")
                    if high is not None:
                        lines.append(f"    if n.get({name!r}, 0) > {high}:")
                        lines.append("        return False")
            if checks.asserts or any(single for *_, single in checks.patterns):
                lines.append("    k = {c.tag: c for c in e}")
            for name, test, single in checks.patterns:
                if single:
                    lines.append(f"    c = k.get({name!r})")
                    lines.append("    if c is not None:")
                else:
                    lines.append(f"    for c in e.iterchildren({name!r}):")
                lines.append("        t = c.text or ''")
                lines.append(f"        if not ({test}):")
                lines.append("            return False")
            if checks.asserts:
                lines.extend(f"    {assignment}" for assignment in checks.locals)
                lines.append("    return " + " and ".join(checks.asserts))
            else:
                lines.append("    return True")
            lines.append("")
        # One walk down the element paths, shared prefixes walked once.
        trie: dict[str, Any] = {}
        for path, checks in paths:
            node = trie
            for name in path:
                node = node.setdefault(name, {})
            node.setdefault("", []).append(checks.name)
        lines.append("def check(root):")
        if self.root_test is not None:
            lines.append("    t = root.text or ''")
            lines.append(f"    if not ({self.root_test}):")
            lines.append("        return False")
        self._walk(trie, "root", "    ", lines)
        lines.append("    return True")
        return "\n".join(lines) + "\n"

    def _walk(self, node: dict[str, Any], variable: str, indent: str, lines: list[str]) -> None:
        for function in node.get("", []):
            lines.append(f"{indent}if not {function}({variable}):")
            lines.append(f"{indent}    return False")
        for name, child in node.items():
            if name:
                inner = f"e{len(indent) // 4}"
                lines.append(f"{indent}for {inner} in {variable}.iterchildren({name!r}):")
                self._walk(child, inner, indent + "    ", lines)


# ---------------------------------------------------------------------------- helpers


def _occurs(node: Any, particle: Any) -> None:
    low, high = int(particle.min_occurs), particle.max_occurs
    if low != 1:
        node.set("minOccurs", str(low))
    if high != 1:
        node.set("maxOccurs", "unbounded" if high is None else str(int(high)))


def _elements(group: Any) -> Iterator[Any]:
    if group is None or not hasattr(group, "iter_elements"):
        return iter(())
    return (element for element in group.iter_elements() if hasattr(element, "type"))


def _singletons(group: Any) -> dict[str, Any]:
    """The children that can occur at most once, by name (asserts may only name these)."""
    found: dict[str, Any] = {}

    def visit(node: Any, repeated: bool) -> None:
        repeated = repeated or node.max_occurs != 1
        for particle in node:
            if hasattr(particle, "model"):
                visit(particle, repeated)
            elif hasattr(particle, "type") and not repeated and particle.max_occurs == 1:
                found[particle.local_name] = particle

    if group is not None and hasattr(group, "model"):
        visit(group, False)
    return found


def _string_leaf(declaration: Any, test: str) -> None:
    """Compared or matched fields must be strings kept as written (typed value = text)."""
    kind = declaration.type
    if not (
        kind.is_simple()
        and kind.is_atomic()
        and getattr(kind.primitive_type, "local_name", None) == "string"
        and getattr(kind, "white_space", None) == "preserve"
    ):
        raise Untranslatable(f"{declaration.local_name} is not a plain string ({test})")


def _boolean(code: str, kind: str, test: str) -> str:
    """The effective boolean value of an expression of a kind."""
    if kind == "bool":
        return code
    if kind == "node":
        return f"({code} is not None)"
    if kind == "int":
        return f"({code} != 0)"
    if kind == "str":
        return f"({code} != '')"
    raise Untranslatable(f"a {kind} value ({test})")
