"""Two speeds, one verdict: the compiled hot paths against the reference engines.

The hot paths (XML: the contract compiled to XSD 1.0 for libxml2 plus translated asserts;
JSON: jsonschema-rs on a contract rewritten for speed) may only ever say "valid". The
reference is the explaining path alone: xmlschema on the XSD 1.1 contract, jsonschema-rs on
the contract as written, behind the strict parsers. Every payload below goes through both:

* the hot path must never accept a payload the reference finds anything to report on (an
  error, or a warning for an open response);
* on the generated valid requests, and on the documented examples and boundary cases the
  reference accepts, the hot path must accept too: it is not allowed to get its speed by
  declining.

The corpus: every documented example, every body of every shipped cassette, every boundary
case (tests/boundaries), the hostile-input corpus (tests/_support/hostile.py) and more hostile
XML aimed at the compiled path (comments and CDATA inside values, xsi: attributes,
namespaces, odd encodings), and for every
operation Hypothesis-generated valid payloads, their labelled one-rule mutations, and random
edits of valid payloads (values replaced by hostile text, elements dropped, duplicated,
moved, renamed). The Hypothesis budget follows the profile: ``--hypothesis-profile=thorough``
for a long local run. The number of payloads compared is printed at the end of the module.
"""

from __future__ import annotations

import codecs
import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import tendlc
from _support.bodies import each_body_once_locally
from _support.boundaries import CASES, edited
from _support.budgets import ENGINES
from _support.hostile import hostile_payloads
from _support.xml import signature, xml_text
from tendlc import cassettes
from tendlc import strategies as tst
from tendlc._documented import documented_examples
from tendlc._parsing import (
    DEFAULT_LIMITS,
    ParseError,
    local_name,
    parse_json,
    parse_plain_xml,
    parse_xml,
)
from tendlc._validation import _hot, _hot_json, _hot_xml, assert_contexts, load_schema, prepare
from tendlc._validation._json import validate_json_body
from tendlc._validation._report import Issue
from tendlc._validation._validate import _document_issues
from tendlc._validation._xml import _prune_undocumented, validate_xml_body
from tendlc._validation._xsd_errors import schema_errors

COUNTS = {"compared": 0, "accepted": 0, "errors": 0}
BUDGET = settings(deadline=ENGINES, max_examples=max(10, settings.default.max_examples // 4))


@pytest.fixture(scope="module", autouse=True)
def _print_counts(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\ntendlc hot paths: {COUNTS['compared']:,} payloads compared with the "
                f"reference engines, {COUNTS['accepted']:,} accepted by the hot path, "
                f"{COUNTS['errors']:,} lists of XML errors compared"
            )


def reference_issues(body, payload, limits=DEFAULT_LIMITS):
    """What the explaining path alone reports (a parse failure is one issue)."""
    try:
        if body.is_xml:
            return validate_xml_body(body, parse_xml(payload, limits))
        return validate_json_body(body, parse_json(payload, limits))
    except (ParseError, RecursionError) as exc:
        return [f"parse: {exc}"]


def hot_accepts(body, payload, limits=DEFAULT_LIMITS):
    if body.is_xml:
        return _hot_xml.accepts(body, payload, limits)
    try:
        data = parse_json(payload, limits)
    except (ParseError, RecursionError):
        return False
    return _hot_json.accepts(body.contract, body.locator, data)


def agree(body, payload, *, must_accept=False, limits=DEFAULT_LIMITS):
    """The hot path accepts only what the reference has nothing to say about."""
    issues = reference_issues(body, payload, limits)
    accepted = hot_accepts(body, payload, limits)
    COUNTS["compared"] += 1
    COUNTS["accepted"] += accepted
    if accepted:
        assert not issues, f"the hot path accepts what the reference reports: {issues}"
    elif must_accept and not issues:
        pytest.fail(f"the hot path declines a valid payload: {payload!r:.300}")
    elif body.is_xml and all(isinstance(issue, Issue) for issue in issues):
        # A document the hot path declines is explained from the tree it parsed: the report
        # is the one the reference writes from parse_xml's tree.
        assert _document_issues(body, payload, limits, None) == issues, payload
    if body.is_xml:
        _same_schema_errors(body, payload, limits)
    if not issues and not body.is_xml:
        # The depth bound that lets the hot path skip the parser's depth check holds.
        bound = _hot_json.depth(body.contract, body.locator)
        data = parse_json(payload, limits)
        assert bound is None or _json_depth(data) <= bound, (bound, payload)
    return accepted


def _same_schema_errors(body, payload, limits):
    """schema_errors gives xmlschema's own iter_errors list, on the tree the explainer sees."""
    try:
        root = parse_xml(payload, limits)
    except (ParseError, RecursionError):
        return
    if local_name(root) != body.locator:
        return
    xsd = load_schema(body.contract)
    declaration = xsd.elements[body.locator]
    if not body.closed:
        root = copy.deepcopy(root)
        list(_prune_undocumented(root, declaration))
    outcomes = []
    for errors in (
        lambda: list(xsd.iter_errors(root)),
        lambda: schema_errors(xsd, declaration, root),
    ):
        try:
            with assert_contexts():
                outcomes.append([signature(error) for error in errors()])
        except ArithmeticError as exc:  # the engine's own overflow, raised by both alike
            outcomes.append(type(exc))
    assert outcomes[1] == outcomes[0], payload
    COUNTS["errors"] += isinstance(outcomes[0], list) and bool(outcomes[0])


def _json_depth(value):
    if isinstance(value, dict):
        return 1 + max(map(_json_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_json_depth, value), default=0)
    return 1


def _body(operation_id, part, status=None):
    operation = tendlc.get_operation(operation_id)
    return operation.request if part == "request" else operation.responses[status]


def _bodies():
    for operation in tendlc.operations():
        candidates = [("request", None, operation.request)]
        candidates += [("response", code, body) for code, body in operation.responses.items()]
        for part, status, body in candidates:
            if body is not None and not body.empty and not body.binary:
                yield pytest.param(operation.id, part, status, id=f"{operation.id}-{part}{status}")


BODIES = list(_bodies())
REQUESTS = [param for param in BODIES if param.values[1] == "request"]


# ------------------------------------------------------------------- recorded payloads


@pytest.mark.parametrize("example", documented_examples(), ids=lambda e: e.name)
def test_documented_examples(example):
    if example.part not in ("request", "response"):
        return
    operation = tendlc.get_operation(example.operation)
    bodies = (
        [operation.request]
        if example.part == "request"
        else [operation.responses[example.status]]
        if example.status is not None
        else list(operation.responses.values())
    )
    for body in bodies:
        if body is None or body.empty or body.binary:
            continue
        for payload in {example.published(), example.repaired()}:
            # What the reference accepts without a word, the hot path accepts too.
            agree(body, payload, must_accept=True)


@pytest.mark.parametrize("shipped", cassettes.documented(), ids=lambda path: path.stem)
def test_cassettes(shipped):
    """Every body of every shipped cassette, request and response, as it was recorded."""
    cassette = cassettes.read_cassette(shipped)
    operation = tendlc.get_operation(cassette.metadata["operation"])
    compared = 0
    for exchange in cassette.exchanges:
        bodies = [(operation.request, exchange.request.body)]
        if exchange.response is not None:
            status = exchange.response.status
            bodies.append((operation.responses.get(status), exchange.response.body))
        for body, payload in bodies:
            if body is not None and body.structured and payload:
                agree(body, payload, must_accept=True)
                compared += 1
    assert compared, "a documented exchange carries at least one body"


@pytest.mark.parametrize(("group", "case"), CASES)
def test_boundary_cases(group, case):
    if group["part"] == "query":
        return
    body = _body(group["operation"], group["part"], group.get("status"))
    agree(body, edited(group, case), must_accept=True)


def _hostile_payloads():
    """The hostile-input corpus (tests/_support/hostile.py) up to the size limit."""
    return [payload for _, payload in hostile_payloads()]


_BRAND = next(
    e
    for e in documented_examples()
    if e.operation == "bandwidth.brands.create" and e.part == "request"
).published()
_CAMPAIGN = b"<ImportedCampaign><CampaignId>C1</CampaignId></ImportedCampaign>"


def _aimed_at_the_compiled_path():
    """Valid documents with one thing libxml2 and xmlschema might read differently."""
    brand = _BRAND.replace(b'encoding="ISO-8859-1" ', b"")
    city = b"<City>Raleigh</City>"
    yield brand
    yield brand.replace(city, b"<City>Ral<!-- c -->eigh</City>")
    yield brand.replace(city, b"<City><!-- c -->Raleigh</City>")
    yield brand.replace(city, b"<City>Raleigh<!-- c --></City>")
    yield brand.replace(city, b"<City>Ral<![CDATA[ei]]>gh</City>")
    yield brand.replace(city, b"<City><![CDATA[<!DOCTYPE x>]]></City>")
    yield brand.replace(city, b"<City>Ral<?pi x?>eigh</City>")
    yield brand.replace(city, b"<City>Ral&#101;igh</City>")
    yield brand.replace(city, b"<City>Ral&amp;eigh</City>")
    yield brand.replace(city, b"<City>\xf0\x9f\x98\x80</City>")
    yield brand.replace(city, city + b"<!-- between -->")
    yield brand.replace(b"<Brand>", b"<!-- top --><Brand>")
    yield brand + b"<!-- after -->"
    yield brand.replace(b"<Brand>", b'<Brand xmlns="urn:x">')
    yield brand.replace(b"<Brand>", b'<Brand xmlns:p="urn:x">')
    yield brand.replace(b"<Brand>", b'<p:Brand xmlns:p="urn:x">').replace(
        b"</Brand>", b"</p:Brand>"
    )
    xsi = b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    yield brand.replace(b"<Brand>", b"<Brand " + xsi + b">")
    yield brand.replace(b"<Brand>", b"<Brand " + xsi + b' xsi:noNamespaceSchemaLocation="x.xsd">')
    yield brand.replace(b"<Brand>", b"<Brand " + xsi + b">").replace(
        city, b'<City xsi:type="xs:string" xmlns:xs="http://www.w3.org/2001/XMLSchema">R</City>'
    )
    yield brand.replace(b"<Brand>", b"<Brand " + xsi + b">").replace(
        b"<Vertical>COMMUNICATION</Vertical>", b'<Vertical xsi:nil="true"/>'
    )
    yield brand.replace(b"<Brand>", b"<Brand " + xsi + b">").replace(
        b"<IsMain>true</IsMain>", b'<IsMain xsi:nil="false">true</IsMain>'
    )
    yield brand.replace(city, b'<City xml:lang="en">Raleigh</City>')
    yield brand.replace(city, b'<City a="1">Raleigh</City>')
    yield brand.replace(
        b"<Brand>", b'<Brand xmlns:xsi="&#104;ttp://www.w3.org/2001/XMLSchema-instance">'
    )
    yield b'<?xml version="1.0"?><?xml-stylesheet href="a"?>' + brand.split(b"?>", 1)[1]
    yield b"<?xml-stylesheet href='a'?>" + brand.split(b"?>", 1)[1]
    yield b"<!DOCTYPE Brand>" + brand.split(b"?>", 1)[1]
    yield b"\xef\xbb\xbf" + brand
    yield brand.decode().encode("utf-16")
    yield brand.decode().encode("utf-16-le")
    yield brand.decode().encode("utf-32")
    yield brand.decode()
    yield "\ufeff" + brand.decode()
    yield _BRAND
    yield _BRAND.replace(b"Raleigh", "Ráleigh".encode("iso-8859-1"))
    yield _BRAND.replace(b"ISO-8859-1", b"UTF-16")
    yield _BRAND.replace(b"ISO-8859-1", b"EBCDIC-US")
    yield _BRAND.replace(b"ISO-8859-1", b"UTF-7").replace(
        city, b"<City>Ral+ADw-!-- --+AD4-eigh</City>"
    )
    ebcdic = codecs.encode(brand.decode().replace("<?xml", '<?xml encoding="cp037"', 1), "cp037")
    yield ebcdic
    yield brand.replace(b"\n", b"\r\n")
    yield brand.replace(b"<Phone>+18009999999</Phone>", b"<Phone>+18009999999\n</Phone>")
    yield brand.replace(b"<IsMain>true</IsMain>", b"<IsMain> true </IsMain>")
    yield brand.replace(b"<IsMain>true</IsMain>", b"<IsMain>1</IsMain>")
    yield brand.replace(b"<State>NC</State>", b"<State>N\xcc\x81C</State>")
    yield brand.replace(b"<State>NC</State>", b"<State>\xef\xbc\xae\xef\xbc\xa3</State>")
    yield brand.replace(b"<Email>Test1@bandwidth.com</Email>", b"<Email>a@b.\xe2\x80\x83c</Email>")
    yield brand.replace(b"<Email>Test1@bandwidth.com</Email>", b"<Email>a@b.c\xc2\xa0</Email>")
    yield brand.replace(
        b"<Website>https://www.bandwidth.com</Website>", b"<Website>h://\xc2\x85</Website>"
    )
    yield brand.replace(b"<PostalCode>27606</PostalCode>", b"<PostalCode>27606\n</PostalCode>")
    yield brand.replace(
        b"<PostalCode>27606</PostalCode>", "<PostalCode>٢٧٦٠٦</PostalCode>".encode()
    )
    yield brand.replace(b"<Ein>111111111</Ein>", b"<Ein>111111111\n</Ein>")
    yield brand.replace(b"<Ein>111111111</Ein>", b"<Ein> 111111111</Ein>")
    yield brand.replace(b"<Country>US</Country>", b"<Country> US</Country>")
    yield brand.replace(
        b"<EntityType>NON_PROFIT</EntityType>", b"<EntityType>NON_PROFIT </EntityType>"
    )
    yield brand.replace(b"</Brand>", b"<Brand/></Brand>")
    yield brand.replace(b"</Brand>", b"text</Brand>")
    yield _CAMPAIGN.replace(b"C1", b"C" * 12)
    yield _CAMPAIGN.replace(b"C1", "C\U0001f600".encode() * 6)


def test_hostile_input():
    payloads = _hostile_payloads() + list(_aimed_at_the_compiled_path())
    assert len(payloads) > 60
    for operation_id in ("bandwidth.brands.create", "bandwidth.campaignImports.create"):
        body = _body(operation_id, "request")
        for payload in payloads:
            agree(body, payload)
    # The plain ones the compiled path must answer itself.
    body = _body("bandwidth.brands.create", "request")
    brand = _BRAND.replace(b'encoding="ISO-8859-1" ', b"")
    for payload in (brand, _BRAND, brand.decode(), b"\xef\xbb\xbf" + brand):
        assert agree(body, payload, must_accept=True)
    json_body = _body("vonage.brands.create", "request")
    for payload in payloads:
        agree(json_body, payload)


# A null in an optional field of a response is read as absent, with a null-for-absent warning
# the hot path cannot give: every documented Vonage response, with each of its fields in turn set
# to null, goes through both paths (the published examples that send null are compared above).


def _null_variants(data):
    """``data`` with one field (of the object, or of an object of a top-level array) null."""
    if isinstance(data, dict):
        for name in data:
            yield {**data, name: None}
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, dict):
                for name in item:
                    yield [*data[:index], {**item, name: None}, *data[index + 1 :]]


def test_a_response_carrying_null_is_left_to_the_explaining_path():
    warned = 0
    for example in documented_examples():
        if not (example.operation.startswith("vonage.") and example.part == "response"):
            continue
        body = tendlc.get_operation(example.operation).responses[example.status]
        if body.empty or body.binary:
            continue
        for variant in _null_variants(json.loads(example.repaired())):
            payload = json.dumps(variant).encode()
            nulls = [i for i in reference_issues(body, payload) if i.rule == "null-for-absent"]
            assert not (agree(body, payload) and nulls)
            warned += bool(nulls)
    assert warned > 100, warned


# ---------------------------------------------------------------- generated payloads


@pytest.mark.parametrize(("operation_id", "part", "status"), each_body_once_locally(REQUESTS))
def test_generated_requests(operation_id, part, status):
    body = _body(operation_id, part, status)

    @BUDGET
    @given(
        st.sampled_from(["bytes", "text", "parsed"]).flatmap(
            lambda form: tst.requests(operation_id, form=form)
        ),
        tst.invalid_requests(operation_id, form="bytes"),
    )
    def check(valid, mutation):
        agree(body, valid, must_accept=True)
        agree(body, mutation.payload)

    prepare(body)  # the contract is compiled once, not inside the first example
    check()


@pytest.mark.parametrize(("operation_id", "part", "status"), each_body_once_locally(BODIES))
def test_generated_edits(operation_id, part, status):
    """Valid payloads with random edits: hostile values, moved, dropped, repeated fields."""
    body = _body(operation_id, part, status)
    valid = (
        tst.requests(operation_id)
        if part == "request"
        else tst.responses(operation_id, status=status)
    )

    @BUDGET
    @given(valid, st.data())
    def check(payload, data):
        edits = _xml_edits(payload) if body.is_xml else _json_edits(payload)
        agree(body, data.draw(edits))

    prepare(body)
    check()


# Values chosen to hit where two engines may read a lexical space differently.
_LEXICAL = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
    st.from_regex(r"[ \t\n\r]{0,2}[+-]?[0-9]{0,30}(\.[0-9]{0,6})?[ \t\n\r]{0,2}", fullmatch=True),
    st.from_regex(
        r"[ \n]?-?[0-9]{4,6}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{0,14})?)?)?"
        r"(Z|[+-][0-9]{2}:[0-9]{2})?[ \n]?",
        fullmatch=True,
    ),
    st.sampled_from(
        [
            "",
            " ",
            "\n",
            "true",
            "false",
            "0",
            "1",
            " true",
            "TRUE",
            "0000-01-01T00:00:00",
            "2021-02-29T00:00:00",
            "2020-02-29T24:00:00",
            "+14:00",
            "1e3",
            "INF",
            "NaN",
            "-0",
            "+18009999999",
            "18009999999",
            "+0",
            "9999999999",
            "99999999999",
            "CO",
            "co",
            "a@b.c",
            "a@@b.c",
            "a@b",
            "http://x",
            "x://",
            "asSpecified",
            "delete",
            "on",
            "off",
            "SOLE_PROPRIETOR",
            "PUBLIC_PROFIT",
            "US",
            "AEGIS",
            "Reseller",
            "DirectCustomer",
        ]
    ),
)


@st.composite
def _xml_edits(draw, root):
    root = etree.fromstring(etree.tostring(root))
    for _ in range(draw(st.integers(1, 3))):
        elements = list(root.iter())
        element = draw(st.sampled_from(elements))
        parent = element.getparent()
        action = draw(
            st.sampled_from(
                ["text", "near", "drop", "repeat", "move", "rename", "child", "empty", "swap"]
            )
        )
        if action in ("text", "near") and len(element) == 0:
            extra = draw(_LEXICAL.filter(xml_text))
            new = extra if action == "text" else (element.text or "") + extra
            if xml_text(new):
                element.text = new
        elif action == "drop" and parent is not None:
            parent.remove(element)
        elif action == "repeat" and parent is not None:
            parent.insert(parent.index(element), etree.fromstring(etree.tostring(element)))
        elif action == "move" and parent is not None:
            target = draw(st.sampled_from([e for e in root.iter() if e is not element]))
            if element not in target.iterancestors():
                parent.remove(element)
                target.append(element)
        elif action == "rename":
            names = sorted({e.tag for e in root.iter()} | {"Unknown"})
            element.tag = draw(st.sampled_from(names))
        elif action == "child" and len(element) == 0:
            etree.SubElement(element, draw(st.sampled_from(sorted({e.tag for e in root.iter()}))))
        elif action == "empty":
            for child in list(element):
                element.remove(child)
            element.text = None
        elif action == "swap" and parent is not None and len(parent) > 1:
            other = draw(st.sampled_from(list(parent)))
            a, b = parent.index(element), parent.index(other)
            parent[a], parent[b] = etree.Element("tmp"), etree.Element("tmp")
            parent[a], parent[b] = other, element
    form = draw(st.sampled_from(["bytes", "parsed", "latin-1"]))
    if form == "parsed":
        return root
    if form == "latin-1":
        return etree.tostring(root, encoding="iso-8859-1", xml_declaration=True)
    return etree.tostring(root, encoding="utf-8")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _LEXICAL,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_LEXICAL, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def _json_edits(draw, data):
    data = json.loads(json.dumps(data))
    for _ in range(draw(st.integers(1, 3))):
        containers = [("", data)]
        stack = [data]
        while stack:
            node = stack.pop()
            children = node.values() if isinstance(node, dict) else node
            for child in children:
                if isinstance(child, dict | list):
                    containers.append(("", child))
                    stack.append(child)
        _, node = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["set", "near", "drop", "add"]))
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if action in ("set", "near") and keys:
            key = draw(st.sampled_from(keys))
            old = node[key]
            if action == "near" and isinstance(old, str):
                node[key] = old + draw(_LEXICAL)
            elif action == "near" and isinstance(old, int | float) and not isinstance(old, bool):
                node[key] = old + draw(st.sampled_from([-1, 1, 0.5, 10**20]))
            else:
                node[key] = draw(_JSON_VALUES)
        elif action == "drop" and keys:
            del node[draw(st.sampled_from(keys))]
        elif action == "add":
            if isinstance(node, dict):
                node[draw(_LEXICAL)] = draw(_JSON_VALUES)
            else:
                node.append(draw(_JSON_VALUES))
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()) and text.startswith("{") and len(text) > 2:
        text = '{"a": 1, "a": 2, ' + text[1:]  # a duplicate key, never acceptable
    return text.encode("utf-8") if draw(st.booleans()) else text


@pytest.mark.parametrize(
    ("schema", "bound"),
    [
        ({"type": "string"}, 1),
        ({"enum": [1, [2, [3]]]}, 3),
        ({"type": "object", "properties": {"a": {"type": "integer"}}}, None),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "integer"}},
                "additionalProperties": False,
            },
            2,
        ),
        ({"properties": {"a": {"type": "integer"}}, "additionalProperties": False}, None),
        ({"type": "array", "items": {"type": "array", "items": {"type": "null"}}}, 3),
        ({"type": "array"}, None),
        ({"type": "array", "prefixItems": [{}], "items": {"type": "null"}}, None),
        ({"allOf": [{"type": "string"}, {}]}, 1),
        ({"anyOf": [{"type": "string"}, {}]}, None),
        ({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}, 2),
        (
            {
                "$ref": "#/$defs/loop",
                "$defs": {"loop": {"type": "array", "items": {"$ref": "#/$defs/loop"}}},
            },
            None,
        ),
        ({"type": "object", "unevaluatedProperties": False, "properties": {}}, None),
        (True, None),
        (False, 0),
    ],
)
def test_json_depth_bounds(schema, bound):
    from tendlc._validation._hot_json import _depth

    assert _depth(schema, schema if isinstance(schema, dict) else {}, frozenset()) == bound


# ------------------------------------------------------------------------ the parsers


def test_plain_xml_is_parsed_as_parse_xml_parses_it():
    for payload in [*_aimed_at_the_compiled_path(), *_hostile_payloads()]:
        plain = parse_plain_xml(payload)
        if plain is None:
            continue
        try:
            reference = parse_xml(payload)
        except ParseError as exc:  # only the depth limit is the caller's to check
            assert "nests deeper" in exc.message
            continue
        root, _, whole = plain
        assert _unblanked(root) == _unblanked(reference)
        # A tree read whole is parse_xml's, whitespace and lines included.
        size = len(payload.encode()) if isinstance(payload, str) else len(payload)
        assert whole == (not isinstance(payload, bytes | str) or size <= 16 * 1024)
        if whole:
            assert etree.tostring(root) == etree.tostring(reference)
            assert [e.sourceline for e in root.iter()] == [e.sourceline for e in reference.iter()]


def _unblanked(root):
    """The tree without whitespace-only text between elements."""
    root = etree.fromstring(etree.tostring(root))
    for element in root.iter():
        if len(element):
            if element.text is not None and not element.text.strip():
                element.text = None
            for child in element:
                if child.tail is not None and not child.tail.strip():
                    child.tail = None
    return etree.tostring(root)


@pytest.mark.parametrize("depth", [63, 64, 65, 250])
def test_a_declined_plain_document_still_gets_the_depth_limit(depth):
    """The hot path reads a plain document without the depth check (a valid one is as deep
    as its contract); one it declines is checked before it is explained."""
    body = _body("bandwidth.vetting.create", "request")
    inner = "<X>" * (depth - 1) + "</X>" * (depth - 1)
    payload = f"<BrandVetting>{inner}</BrandVetting>".encode()
    plain = parse_plain_xml(payload)
    assert plain is not None and plain[2]
    issues = _document_issues(body, payload, DEFAULT_LIMITS, None)
    parse_issues = [issue for issue in issues if issue.rule == "parse"]
    if depth > DEFAULT_LIMITS.max_depth:
        assert [issue.message for issue in parse_issues] == [
            f"the document nests deeper than {DEFAULT_LIMITS.max_depth} levels"
        ]
    else:
        assert not parse_issues and issues, issues


def test_the_hot_verdict_is_true_or_declined_and_hands_on_a_tree_read_whole():
    """Valid: True. Declined: the one shared DECLINED when nothing was read to hand on (no
    allocation per call), a Declined carrying the tree when a plain XML document was read
    whole; a Declined is never a yes."""
    operation = "bandwidth.campaignSettings.create"
    xml = _body(operation, "request")
    valid = next(
        e.published()
        for e in documented_examples()
        if e.operation == operation and e.part == "request" and e.expect == "valid"
    )
    assert _hot.attempt(xml, valid, DEFAULT_LIMITS) is True
    root = xml.locator
    declined = _hot.attempt(xml, f"<{root}><Nothing/></{root}>".encode(), DEFAULT_LIMITS)
    assert isinstance(declined, _hot.Declined) and not declined
    assert declined.tree is not None and local_name(declined.tree) == root
    assert _hot.attempt(xml, f"<{root}>".encode(), DEFAULT_LIMITS) is _hot.DECLINED
    json_body = _body("vonage.brands.create", "request")
    assert _hot.attempt(json_body, b"{}", DEFAULT_LIMITS) is _hot.DECLINED
    assert _hot.attempt(json_body, b"not json", DEFAULT_LIMITS) is _hot.DECLINED
    assert not _hot.DECLINED and _hot.DECLINED.tree is None
