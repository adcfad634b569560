"""XSD patterns on the XML hot path: libxml2 is given only the shapes it reads as xmlschema does.

* the whitelist (``SHAPES``) and what each shape takes, pinned by examples; every other pattern
  is declined, and checked in Python with xmlschema's own compiled expression;
* the patterns libxml2 was measured to read wrongly, as named regression cases, through the
  compiled contract (``compile_contract(...).engines()``) against ``XMLSchema11.is_valid``;
* a differential over generated patterns (in the accepted syntax and around it) and generated
  matching, near-miss and random strings: the compiled path never accepts what xmlschema
  refuses. Its sizes are printed in the terminal summary.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from _support.patterns import CHARS, PATTERNS, near
from _support.xml import hot_verdict, xml_text
from tendlc._resources import contracts_dir
from tendlc._validation._xsd10 import XS, compile_contract
from tendlc._validation._xsd_regex import MAX_COPIES, SHAPES, libxml2_pattern, shape_of

HEAD = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
# A schema per example is compiled by xmlschema (tens of milliseconds each).
BUDGET = settings(
    max_examples=max(150, settings.default.max_examples), deadline=timedelta(seconds=2)
)


def _attribute(value):
    return (
        value.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _pattern_schema(pattern, base="string"):
    return xmlschema.XMLSchema11(
        f'{HEAD}<xs:element name="v"><xs:simpleType><xs:restriction base="xs:{base}">'
        f'<xs:pattern value="{_attribute(pattern)}"/></xs:restriction></xs:simpleType>'
        "</xs:element></xs:schema>"
    )


def _payload(text):
    element = etree.Element("v")
    element.text = text
    return element, etree.tostring(element)


# ------------------------------------------------------------------------- the whitelist


def test_the_shapes_libxml2_is_given():
    assert SHAPES == ("flat", "shallow")


@pytest.mark.parametrize(
    ("pattern", "shape", "spelled"),
    [
        # flat: atoms in sequence with any quantifier, counted ones as written
        ("[A-Z]{2}", "flat", "[A-Z]{2}"),
        ("\\+[1-9][0-9]{1,14}", "flat", "\\+[1-9][0-9]{1,14}"),
        ("[A-Za-z0-9 \\-]+", "flat", "[A-Za-z0-9 \\-]+"),
        ("a{0}b{2,}c*d?", "flat", "a{0}b{2,}c*d?"),
        ("[a-]x", "flat", "[a-]x"),
        ("", "flat", ""),
        # shallow: branches of atoms, or one branch with groups of atoms: counts written out
        ("[0-9]{5}(-[0-9]{4})?", "shallow", "[0-9][0-9][0-9][0-9][0-9](-[0-9][0-9][0-9][0-9])?"),
        ("[0-9]{5}-[0-9]{4}|[0-9]{5}", "shallow", None),
        ("a{2}b|a", "shallow", "aab|a"),
        ("[A-Z]{2}|[A-Z]{3}", "shallow", "[A-Z][A-Z]|[A-Z][A-Z][A-Z]"),
        ("(ab|c){2,3}", "shallow", "(ab|c)(ab|c)(ab|c)?"),
        ("x(a{1,3})+", "shallow", "x(aa?a?)+"),
        ("(a){2,}", "shallow", "(a)(a)+"),
        ("@OTP_(PIN|YES)@", "shallow", "@OTP_(PIN|YES)@"),
    ],
)
def test_shapes_taken(pattern, shape, spelled):
    assert shape_of(pattern) == shape
    if spelled is not None:
        assert libxml2_pattern(pattern) == spelled


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("((a)*|a-)b", "a group inside a group"),
        ("(([a-z{]{0,})-)*x{0}b", "a group inside a group"),
        ("(a)*|a-", "a group in a branch of '|'"),
        ("[\\t-\\r]", "a class range from an escape"),
        ("[\\--\\t]", "a class range from an escape"),
        ("[a-\\t]", "a class range to an escape"),
        ("[a-c-e]", "'-' inside a class, not last"),
        ("[-a]", "a class starting with '-'"),
        ("[a-z-[aeiou]]", "'-' inside a class, not last"),
        ("[z-a]", "runs backwards"),
        ("[^a]b", "a negated class"),
        ("a.b", "'.'"),
        ("\\S+", "\\S"),
        ("\\d{3}", "the escape \\d"),
        ("\\p{L}", "the escape \\p"),
        ("é", "the character"),
        ("a\tb", "the character"),
        ("^a$", "'^'"),
        ("a{2}{3}", "a quantifier after a quantifier"),
        ("a{3,2}", "below its minimum"),
        ("a{,2}", "a quantifier"),
        ("(a", "an unclosed group"),
        ("[ab", "an unclosed class"),
        ("a)", "')'"),
        (f"(a){{0,{MAX_COPIES + 1}}}", "more than"),
        (f"(a{{0,{MAX_COPIES}}}){{0,{MAX_COPIES}}}x", "too long"),
    ],
)
def test_shapes_declined(pattern, why):
    shape = shape_of(pattern)
    assert shape.startswith("declined: ") and why in shape, shape
    assert libxml2_pattern(pattern) is None


def _contract_patterns():
    found = set()
    for path in sorted(Path(contracts_dir()).rglob("*.xsd")):
        tree = etree.parse(str(path))
        found.update(tree.xpath("//xs:pattern/@value", namespaces={"xs": XS}))
    return sorted(found)


@pytest.mark.parametrize("pattern", _contract_patterns())
def test_the_contracts_patterns_stay_on_libxml2(pattern):
    """The shipped contracts' patterns keep their speed: in a shape, or negated (as before)."""
    assert shape_of(pattern) in SHAPES or "negated" in shape_of(pattern), shape_of(pattern)


# ------------------------------------------------------------------ regression cases

# (pattern, a string libxml2 was measured to accept and xmlschema refuses, one both accept)
MISREAD = [
    ("[0-9]{5}-[0-9]{4}|[0-9]{5}", "310202201", "31020-2201"),
    ("[A-Z]{2}|[A-Z]{3}", "AAAA", "AAA"),
    ("a{2}b|a", "aa", "aab"),
    ("[a-z]{2}x|y", "ay", "abx"),
    ("(([a-z{]{0,})-)*x{0}b", "{b", "a{-b"),
    ("[\\t-\\r]", "\r", "r"),
    ("[\\--\\t]", "\t", "-"),
    ("(-{1,2}b+)?-?", "--", "-b-"),
    ("([a-b]{0,1}-{2})?-{2}", "---", "----"),
    ("a{1}([a-]?)([a-])+[a-b]{2}", "aabaaa", "aaab"),
    ("((a)*|a-)b", "a-ab", "a-b"),
    ("[a-]([b\\-]*a?)*|\\-*|[b\\-]{1,3}", "ba", "-b"),
]


@pytest.mark.parametrize(("pattern", "refused", "accepted"), [*MISREAD, ("[\\t-\\r]", "\n", "\t")])
def test_patterns_libxml2_misreads(pattern, refused, accepted):
    xsd = _pattern_schema(pattern)
    plan = compile_contract(xsd, "v")
    libxml2, check = plan.engines()
    element, payload = _payload(refused)
    assert not xsd.is_valid(element)
    assert not (libxml2.validate(element) and check(element))
    assert not hot_verdict(plan, payload)
    element, payload = _payload(accepted)
    assert xsd.is_valid(element)
    assert hot_verdict(plan, payload)


def test_the_misread_patterns_are_read_wrongly_by_libxml2_as_written():
    """Why they are declined or rewritten: libxml2 given each as written accepts the string."""
    for pattern, refused, _ in MISREAD:
        schema = etree.XMLSchema(
            etree.fromstring(
                f'{HEAD}<xs:element name="v"><xs:simpleType><xs:restriction base="xs:string">'
                f'<xs:pattern value="{_attribute(pattern)}"/></xs:restriction></xs:simpleType>'
                "</xs:element></xs:schema>"
            )
        )
        assert schema.validate(_payload(refused)[0]), pattern


@pytest.mark.parametrize(
    ("pattern", "base", "text", "valid", "hot"),
    [
        ("\\d+", "string", "12", True, True),
        ("\\d+", "string", "1a", False, False),
        ("\\d+", "token", " 12 ", True, True),
        ("\\d+ \\d", "token", "1 \t 2", True, True),
        ("[^a]+", "normalizedString", "b\tc", True, True),
        ("[a-z-[aeiou]]+", "string", "bcd", True, True),
        ("[a-z-[aeiou]]+", "string", "bad", False, False),
        # xmlschema collapses Unicode whitespace in a token, libxml2 does not: declined
        ("\\d+ \\d", "token", "1\u20032", True, False),
        ("\\d+", "token", "1\u20032", False, False),
    ],
)
def test_declined_patterns_are_checked_as_xmlschema_checks_them(pattern, base, text, valid, hot):
    """In Python, with xmlschema's expression, on the value xmlschema normalised."""
    xsd = _pattern_schema(pattern, base)
    plan = compile_contract(xsd, "v")
    element, payload = _payload(text)
    assert xsd.is_valid(element) == valid
    assert hot_verdict(plan, payload) == hot


# ---------------------------------------------------------------------- differential


@BUDGET
@given(PATTERNS, st.data())
def test_generated_patterns_never_accept_what_xmlschema_refuses(differential, generated, data):
    pattern, matching = generated
    sizes = differential("XML patterns")
    try:
        xsd = _pattern_schema(pattern)
    except xmlschema.XMLSchemaParseError:
        sizes["patterns xmlschema refuses"] += 1
        return
    sizes[f"patterns {shape_of(pattern).split(':')[0]}"] += 1
    plan = compile_contract(xsd, "v")
    # Short strings (and patterns): a pattern with nested repetition backtracks for ages on
    # long ones, in Python (xmlschema) as in libxml2.
    strings = data.draw(
        st.lists(
            matching.map(lambda text: text[:12]).flatmap(near) | st.text(CHARS, max_size=8),
            min_size=10,
            max_size=30,
        ),
        label="strings",
    )
    for text in strings:
        if not xml_text(text):
            continue
        element, payload = _payload(text)
        expected = xsd.is_valid(element)
        accepted = hot_verdict(plan, payload)
        sizes["strings"] += 1
        sizes["accepted by xmlschema"] += expected
        sizes["accepted by the hot path"] += accepted
        assert expected or not accepted, (pattern, libxml2_pattern(pattern), text)
