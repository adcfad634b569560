"""The XSD 1.1 to XSD 1.0 compiler, on synthetic contracts, and the engines it relies on.

* a construct outside the compiler's whitelist keeps that contract on xmlschema, and the
  verdicts stay xmlschema's;
* what it does translate (relaxed ``xs:all``, asserts, facets, patterns) agrees with
  xmlschema on generated documents;
* each built-in type and pattern syntax it lets through: whatever libxml2 accepts, xmlschema
  accepts too;
* compiling is once per process and thread-safe, and each thread has its own lxml objects.
"""

from __future__ import annotations

import threading

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import tendlc
from _support.budgets import CALLS, ENGINES
from _support.xml import hot_verdict, xml_text
from tendlc._catalog import Body
from tendlc._parsing import DEFAULT_LIMITS
from tendlc._validation import _hot_xml, _validate, _xml, _xsd
from tendlc._validation._once import once
from tendlc._validation._xsd10 import BUILTINS, Untranslatable, compile_contract
from tendlc._validation._xsd_regex import libxml2_pattern

BUDGET = settings(deadline=CALLS, max_examples=max(50, settings.default.max_examples))
# for the examples that build a schema of their own
SCHEMA_BUDGET = settings(BUDGET, deadline=ENGINES)
HEAD = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'


def _schema(body):
    return xmlschema.XMLSchema11(HEAD + body + "</xs:schema>")


# ------------------------------------------------------------------------- fallback

UNSUPPORTED = _schema(
    """
    <xs:element name="Order">
      <xs:complexType>
        <xs:all>
          <xs:element name="Low" type="xs:integer"/>
          <xs:element name="High" type="xs:integer"/>
        </xs:all>
        <xs:assert test="xs:integer(Low) le xs:integer(High)"/>
      </xs:complexType>
    </xs:element>
    """
)


def test_an_assert_outside_the_whitelist_is_untranslatable():
    with pytest.raises(Untranslatable, match="xs:integer"):
        compile_contract(UNSUPPORTED, "Order")


def test_an_untranslatable_contract_stays_on_xmlschema(monkeypatch):
    contract = "synthetic/unsupported.xsd"
    monkeypatch.setattr(_xml, "load_schema", lambda name: UNSUPPORTED)
    monkeypatch.setattr(_xsd, "load_schema", lambda name: UNSUPPORTED)
    body = Body(media_types=("application/xml",), contract=contract, locator="Order")
    good = b"<Order><Low>1</Low><High>2</High></Order>"
    bad = b"<Order><Low>3</Low><High>2</High></Order>"
    assert not _hot_xml.accepts(body, good, DEFAULT_LIMITS)
    assert "xs:integer" in _hot_xml.FALLBACKS[(contract, "Order")]
    assert _validate._document_issues(body, good, DEFAULT_LIMITS, None) == []
    issues = _validate._document_issues(body, bad, DEFAULT_LIMITS, None)
    assert [issue.rule for issue in issues] == ["assert"]


@pytest.mark.parametrize(
    ("fragment", "words"),
    [
        ('<xs:element name="R" type="xs:anyURI"/>', "anyURI"),
        ('<xs:element name="R" type="xs:string" nillable="true"/>', "nillable"),
        ('<xs:element name="R" type="xs:string" default="x"/>', "default"),
        (
            '<xs:element name="R"><xs:complexType><xs:sequence><xs:any/></xs:sequence>'
            "</xs:complexType></xs:element>",
            "wildcard",
        ),
        (
            '<xs:element name="R"><xs:complexType><xs:attribute name="a"/></xs:complexType>'
            "</xs:element>",
            "attributes",
        ),
        (
            '<xs:element name="R"><xs:complexType mixed="true"><xs:sequence/></xs:complexType>'
            "</xs:element>",
            "mixed",
        ),
        (
            '<xs:element name="R"><xs:simpleType><xs:restriction base="xs:string">'
            '<xs:assertion test="string-length($value) gt 2"/></xs:restriction></xs:simpleType>'
            "</xs:element>",
            "assertion",
        ),
        (
            '<xs:element name="R"><xs:simpleType><xs:list itemType="xs:string"/></xs:simpleType>'
            "</xs:element>",
            "list",
        ),
        (
            '<xs:element name="R" type="T"/><xs:complexType name="T"><xs:sequence>'
            '<xs:element name="R" type="T" minOccurs="0"/></xs:sequence></xs:complexType>',
            "recursive",
        ),
        (
            '<xs:element name="R"><xs:complexType><xs:all>'
            '<xs:element name="A" type="xs:string" maxOccurs="2"/></xs:all>'
            "<xs:assert test=\"A = 'x'\"/></xs:complexType></xs:element>",
            "single",
        ),
        (
            '<xs:element name="R"><xs:complexType><xs:all>'
            '<xs:element name="A" type="xs:integer" minOccurs="0"/></xs:all>'
            "<xs:assert test=\"A = '1'\"/></xs:complexType></xs:element>",
            "plain string",
        ),
        (
            '<xs:element name="R"><xs:complexType><xs:all>'
            '<xs:element name="A" type="xs:string" minOccurs="0"/></xs:all>'
            '<xs:assert test="@a or A"/></xs:complexType></xs:element>',
            "'@'",
        ),
    ],
)
def test_constructs_outside_the_whitelist(fragment, words):
    with pytest.raises(Untranslatable, match=words):
        compile_contract(_schema(fragment), "R")


# ------------------------------------------------------------- translated constructs

TRANSLATED = _schema(
    """
    <xs:simpleType name="Code">
      <xs:restriction base="xs:string">
        <xs:pattern value="[A-Z]{2}\\S*"/>
        <xs:maxLength value="6"/>
      </xs:restriction>
    </xs:simpleType>
    <xs:simpleType name="Small">
      <xs:restriction base="xs:integer">
        <xs:minInclusive value="-5"/>
        <xs:maxExclusive value="100"/>
      </xs:restriction>
    </xs:simpleType>
    <xs:simpleType name="Money">
      <xs:restriction base="xs:decimal">
        <xs:totalDigits value="5"/>
        <xs:fractionDigits value="2"/>
      </xs:restriction>
    </xs:simpleType>
    <xs:simpleType name="Word">
      <xs:restriction base="xs:token">
        <xs:enumeration value="on"/>
        <xs:enumeration value="off"/>
      </xs:restriction>
    </xs:simpleType>
    <xs:complexType name="Pair">
      <xs:all>
        <xs:element name="Key" type="xs:string"/>
        <xs:element name="Value" type="Code" minOccurs="0"/>
      </xs:all>
    </xs:complexType>
    <xs:complexType name="Many">
      <xs:all>
        <xs:element name="Name" type="xs:string" minOccurs="2" maxOccurs="3"/>
        <xs:element name="Id" type="Small" maxOccurs="unbounded"/>
        <xs:element name="Flag" type="xs:boolean" minOccurs="0"/>
      </xs:all>
      <xs:assert test="not(exists(Flag)) or count(Flag) = 1"/>
    </xs:complexType>
    <xs:element name="Root">
      <xs:complexType>
        <xs:all>
          <xs:element name="Kind" type="xs:string"/>
          <xs:element name="Pair" type="Pair" minOccurs="0"/>
          <xs:element name="Many" type="Many" minOccurs="0"/>
          <xs:element name="Amount" type="Money" minOccurs="0"/>
          <xs:element name="Switch" type="Word" minOccurs="0"/>
          <xs:element name="When" type="xs:dateTime" minOccurs="0"/>
          <xs:element name="List" minOccurs="0">
            <xs:complexType>
              <xs:sequence>
                <xs:choice minOccurs="0" maxOccurs="2">
                  <xs:element name="A" type="xs:string"/>
                  <xs:element name="B" type="xs:int"/>
                </xs:choice>
                <xs:element name="C" type="xs:date" minOccurs="0" maxOccurs="unbounded"/>
              </xs:sequence>
            </xs:complexType>
          </xs:element>
        </xs:all>
        <xs:assert test="Kind != 'pair' or exists(Pair)"/>
        <xs:assert test="not(Kind = 'none') or (empty(Pair) and empty(Many))"/>
        <xs:assert test="not(Pair/Key = 'k') or Pair/Value = 'KK'"/>
        <xs:assert test="'x' != Kind or count(Pair) != 1 or matches(Pair/Key, '^[a-z]+$')"/>
        <xs:assert test="not(matches(Kind, 'bad'))"/>
      </xs:complexType>
    </xs:element>
    """
)
PLAN = compile_contract(TRANSLATED, "Root")


def test_what_the_synthetic_contract_compiles_to():
    assert (PLAN.asserts, PLAN.relaxed, PLAN.depth) == (6, 1, 3)
    for document in [
        b"<Root><Kind>pair</Kind><Pair><Key>a</Key></Pair></Root>",
        b"<Root><Kind>k</Kind><Pair><Value>KK</Value><Key>k</Key></Pair></Root>",
        b"<Root><Many><Id>1</Id><Name/><Id>-5</Id><Name>b</Name></Many><Kind>y</Kind></Root>",
        b"<Root><Kind>x</Kind><List><A/><B>7</B><C>2020-02-29</C></List></Root>",
        b"<Root><Kind>y</Kind><Amount>123.45</Amount><Switch> on </Switch></Root>",
    ]:
        assert TRANSLATED.is_valid(etree.fromstring(document)), document
        assert hot_verdict(PLAN, document), document
    for document in [
        b"<Root><Kind>pair</Kind></Root>",
        b"<Root><Kind>none</Kind><Pair><Key>a</Key></Pair></Root>",
        b"<Root><Kind>k</Kind><Pair><Key>k</Key></Pair></Root>",
        b"<Root><Kind>x</Kind><Pair><Key>A</Key></Pair></Root>",
        b"<Root><Kind>a bad one</Kind></Root>",
        b"<Root><Kind>y</Kind><Many><Id>1</Id><Name/></Many></Root>",
        b"<Root><Kind>y</Kind><Many><Name/><Name/><Name/><Name/><Id>1</Id></Many></Root>",
        b"<Root><Kind>y</Kind><Many><Name/><Name/></Many></Root>",
    ]:
        assert not TRANSLATED.is_valid(etree.fromstring(document)), document
        assert not hot_verdict(PLAN, document), document


_TEXTS = st.one_of(
    st.sampled_from(["", "a", "k", "KK", "KK\x85", "KK\u2003x", "pair", "none", "x", "bad", " on"]),
    st.sampled_from(["1", "-5", "-6", "99", "100", "007", "1.5", "12.345", "123.4", "2020-02-29"]),
    st.sampled_from(["2021-02-29", "0000-01-01", "2021-01-01T24:00:00", "true", "0", " 1 "]),
    st.text(max_size=5),
)
_NAMES = ["Kind", "Pair", "Many", "Amount", "Switch", "When", "List", "Key", "Value", "Name"]
_NAMES += ["Id", "Flag", "A", "B", "C", "Root"]


def _element(depth=0):
    leaf = st.builds(_leaf, st.sampled_from(_NAMES), _TEXTS.filter(xml_text))
    if depth >= 3:
        return leaf
    return st.one_of(
        leaf,
        st.builds(_node, st.sampled_from(_NAMES), st.lists(_element(depth + 1), max_size=5)),
    )


def _leaf(name, text):
    element = etree.Element(name)
    element.text = text
    return element


def _node(name, children):
    element = etree.Element(name)
    element.extend(children)
    return element


@BUDGET
@given(st.lists(_element(1), max_size=7), st.booleans())
def test_generated_documents_agree_with_xmlschema(children, comment):
    root = _node("Root", children)
    if comment and len(root):
        root[0].append(etree.Comment("c"))
    payload = etree.tostring(root)
    if hot_verdict(PLAN, payload):
        assert TRANSLATED.is_valid(etree.fromstring(payload)), payload


_ATOMS = [
    "exists(A)",
    "empty(B)",
    "A = 'x'",
    "'y' = B",
    "A != 'x'",
    "count(A) = 1",
    "count(B) != 1",
    "matches(A, '^x+$')",
    "matches(B, 'y')",
    "G/H = 'x'",
    "exists(G/H)",
    "true()",
    "false()",
]


def _expressions(depth=0):
    atom = st.sampled_from(_ATOMS)
    if depth >= 3:
        return atom
    inner = _expressions(depth + 1)
    return st.one_of(
        atom,
        inner.map(lambda e: f"not({e})"),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
    )


def _assert_schema(test):
    return _schema(
        """
        <xs:element name="R">
          <xs:complexType>
            <xs:all>
              <xs:element name="A" type="xs:string" minOccurs="0"/>
              <xs:element name="B" type="xs:string" minOccurs="0"/>
              <xs:element name="G" minOccurs="0">
                <xs:complexType><xs:all>
                  <xs:element name="H" type="xs:string" minOccurs="0"/>
                </xs:all></xs:complexType>
              </xs:element>
            </xs:all>
            <xs:assert test="{}"/>
          </xs:complexType>
        </xs:element>
        """.format(test.replace("'", "&apos;"))
    )


_DOCUMENTS = st.tuples(
    st.sampled_from([None, "", "x", "xx", "y", "yy", "x\n", " x"]),
    st.sampled_from([None, "", "x", "y", "ya", "y\n"]),
    st.sampled_from([None, "", "x", "y"]),
)


@SCHEMA_BUDGET
@given(_expressions(), st.lists(_DOCUMENTS, min_size=1, max_size=6))
def test_translated_asserts_agree_with_xmlschema(test, documents):
    xsd = _assert_schema(test)
    plan = compile_contract(xsd, "R")
    for a, b, h in documents:
        root = etree.Element("R")
        for name, value in (("A", a), ("B", b)):
            if value is not None:
                etree.SubElement(root, name).text = value
        if h is not None:
            etree.SubElement(etree.SubElement(root, "G"), "H").text = h
        payload = etree.tostring(root)
        assert hot_verdict(plan, payload) == xsd.is_valid(etree.fromstring(payload)), (
            test,
            payload,
        )


# ----------------------------------------------------------- engines on their own

_LEXICAL = st.one_of(
    st.text(max_size=8),
    st.from_regex(
        r"[ \t\n\r]{0,2}[+-]?[0-9]{0,30}(\.[0-9]{0,8})?([eE][+-]?[0-9]{1,3})?[ \t\n]?",
        fullmatch=True,
    ),
    st.from_regex(
        r"[ \n]?-?[0-9]{4,6}-[0-9]{1,2}-[0-9]{1,2}"
        r"(T[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{0,14})?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?[ \n]?",
        fullmatch=True,
    ),
    st.sampled_from(["true", "false", "1", "0", " true ", "TRUE", "INF", "NaN", "-0", "+0"]),
)


@pytest.mark.parametrize("builtin", sorted(BUILTINS))
def test_builtin_types_libxml2_accepts_only_what_xmlschema_accepts(builtin):
    source = f'<xs:element name="v" type="xs:{builtin}"/>'
    xsd = _schema(source)
    libxml2 = etree.XMLSchema(etree.fromstring(HEAD + source + "</xs:schema>"))

    @BUDGET
    @given(_LEXICAL.filter(xml_text))
    def check(text):
        element = etree.Element("v")
        element.text = text
        if libxml2.validate(element):
            assert xsd.is_valid(element), repr(text)

    check()


@pytest.mark.parametrize(
    ("base", "facets"),
    [
        ("integer", '<xs:minInclusive value="0"/>'),
        ("integer", '<xs:minInclusive value="-5"/><xs:maxExclusive value="100"/>'),
        ("integer", '<xs:maxInclusive value="99999999999999999999999999999"/>'),
        ("decimal", '<xs:totalDigits value="5"/><xs:fractionDigits value="2"/>'),
        ("decimal", '<xs:minExclusive value="0.000000000000000000000000001"/>'),
        ("int", '<xs:minInclusive value="0"/>'),
        ("string", '<xs:length value="3"/>'),
        ("token", '<xs:enumeration value="a b"/><xs:maxLength value="3"/>'),
        ("normalizedString", '<xs:minLength value="2"/>'),
        ("string", '<xs:whiteSpace value="collapse"/><xs:maxLength value="2"/>'),
    ],
)
def test_facets_libxml2_accepts_only_what_xmlschema_accepts(base, facets):
    source = (
        f'<xs:element name="v"><xs:simpleType><xs:restriction base="xs:{base}">{facets}'
        "</xs:restriction></xs:simpleType></xs:element>"
    )
    xsd = _schema(source)
    plan = compile_contract(xsd, "v")
    libxml2 = etree.XMLSchema(etree.fromstring(plan.xsd))
    texts = _LEXICAL | st.from_regex(r"[+-]?0*[0-9]{20,31}(\.[0-9]{0,30})?", fullmatch=True)

    @BUDGET
    @given(texts.filter(xml_text))
    def check(text):
        element = etree.Element("v")
        element.text = text
        if libxml2.validate(element):
            assert xsd.is_valid(element), repr(text)

    check()


_PATTERN_ATOMS = st.sampled_from(
    [
        *("a", "b", "@", ".", "\\.", "\\-", "\\s", "\\S", "[a-z]", "[^a]", "[^@\\s]", "[\\s]"),
        *("[A-Z0-9]", "(a|b)", "(ab|a)", "(a|@)", "[ab@]", "(a[0-9]?)", "\\+", "[+.\\-]"),
    ]
)
_PATTERNS = st.lists(
    st.tuples(_PATTERN_ATOMS, st.sampled_from(["", "?", "*", "+", "{2}", "{1,3}"])),
    min_size=1,
    max_size=5,
).map(lambda parts: "".join(atom + quantifier for atom, quantifier in parts))
_SUBJECTS = st.text(
    alphabet=st.sampled_from([*"ab@.-zAZ09 \t\n\r", "\x85", "\xa0", "\u2003", "\u3000", "é"])
    | st.characters(codec="utf-8"),
    max_size=6,
)


def _pattern_schema(pattern):
    return _schema(
        '<xs:element name="v"><xs:simpleType><xs:restriction base="xs:string">'
        f'<xs:pattern value="{pattern}"/></xs:restriction></xs:simpleType></xs:element>'
    )


@SCHEMA_BUDGET
@given(_PATTERNS, st.lists(_SUBJECTS.filter(xml_text), min_size=1, max_size=8))
def test_patterns_read_alike(pattern, subjects):
    """Compiled, a pattern accepts what xmlschema accepts: in libxml2 when it has no negated
    class, in Python (with xmlschema's own expression) when it has one."""
    xsd = _pattern_schema(pattern)
    plan = compile_contract(xsd, "v")
    direct = libxml2_pattern(pattern)
    libxml2 = None
    if direct is not None:
        libxml2 = etree.XMLSchema(etree.fromstring(_pattern_xsd10(direct)))
    for subject in subjects:
        element = etree.Element("v")
        element.text = subject
        expected = xsd.is_valid(element)
        assert hot_verdict(plan, etree.tostring(element)) == expected, (pattern, subject)
        if libxml2 is not None:
            assert libxml2.validate(element) == expected, (pattern, subject)


def _pattern_xsd10(pattern):
    escaped = pattern.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")
    return (
        HEAD + '<xs:element name="v"><xs:simpleType><xs:restriction base="xs:string">'
        f'<xs:pattern value="{escaped}"/></xs:restriction></xs:simpleType></xs:element>'
        "</xs:schema>"
    )


def test_negated_classes_are_checked_in_python():
    # libxml2 refuses "c" for [^b]?[^a], which xmlschema (and XSD) accept.
    libxml2 = etree.XMLSchema(etree.fromstring(_pattern_xsd10("[^b]?[^a]")))
    element = etree.Element("v")
    element.text = "c"
    assert not libxml2.validate(element)
    assert libxml2_pattern("[^b]?[^a]") is None
    plan = compile_contract(_pattern_schema("[^b]?[^a]"), "v")
    assert hot_verdict(plan, b"<v>c</v>")
    assert not hot_verdict(plan, b"<v>a</v>")


# -------------------------------------------------------------------------- threads


def test_once_computes_each_value_once_under_contention():
    calls = []
    barrier = threading.Barrier(8)

    @once
    def slow(key):
        calls.append(key)
        threading.Event().wait(0.05)
        return object()

    results = []

    def worker():
        barrier.wait()
        results.append(slow("k"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["k"]
    assert len({id(result) for result in results}) == 1


def test_validation_from_many_threads_gives_the_single_thread_verdicts():
    from tendlc._documented import documented_examples

    examples = [e for e in documented_examples() if e.part in ("request", "response")]
    expected = {e.name: e.validate().to_dict() for e in examples}
    seen_parsers = []  # the parsers themselves: kept alive, their ids stay theirs
    failures = []

    def worker():
        from tendlc._parsing._xml import _parser

        seen_parsers.append(_parser())
        for _ in range(3):
            for example in examples:
                if example.validate().to_dict() != expected[example.name]:
                    failures.append(example.name)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len({id(parser) for parser in seen_parsers}) == 4  # one parser per thread


def test_every_contract_root_reports_how_it_runs():
    """Each Bandwidth body either compiles or says why it stays on xmlschema."""
    for operation in tendlc.operations("bandwidth"):
        for body in (operation.request, *operation.responses.values()):
            if body is None or body.empty or body.binary:
                continue
            plan = _hot_xml.compiled(body.contract, body.locator)
            assert plan is not None or (body.contract, body.locator) in _hot_xml.FALLBACKS
