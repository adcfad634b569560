"""The JSON hot path on any schema: it never accepts what jsonschema-rs refuses on the schema as
written.

The hot path compiles the contract rewritten for speed (``unevaluatedProperties: false`` read
as ``additionalProperties: false`` where that cannot change a verdict) and may skip the
parser's depth check where the schema bounds the depth. Here every schema sits where the
contracts keep theirs (``components/schemas`` of an OpenAPI document) and goes through both:

* named regression cases: keyword-looking property names, ``const`` and ``enum`` data,
  ``patternProperties`` and ``dependentSchemas`` maps, ``$defs`` names, anchors, ``$id``,
  ``$dynamicRef``, references outside the document;
* every schema and instance of the JSON Schema Test Suite, draft 2020-12 (vendored in
  ``tests/json-schema-test-suite`` with its licence);
* generated schemas built from the keywords the rewrite reads, with generated instances.

Every instance the hot path accepts, jsonschema-rs accepts on the schema as written, and its
depth is within the bound the hot path assumed. The sizes are printed in the summary.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tendlc
from tendlc._catalog import Body
from tendlc._parsing import DEFAULT_LIMITS
from tendlc._shared import subschemas
from tendlc._validation import _hot_json
from tendlc._validation._hot_json import fast_depth, fast_document, fast_engine
from tendlc._validation._json import validator_at
from tendlc._validation._validate import _document_issues

SUITE = Path(__file__).parent / "json-schema-test-suite" / "draft2020-12"
LOCATOR = "/components/schemas/S"


def openapi(schema, *, reroot=True, **others):
    """An OpenAPI document holding ``schema`` as ``S`` (and ``others`` beside it), its local
    JSON Pointer references re-rooted to where it now sits (unless they are written for the
    document already)."""
    schemas = {"S": schema, **others}
    return {
        "openapi": "3.1.0",
        "info": {"title": "synthetic", "version": "1"},
        "components": {
            "schemas": {
                name: _rerooted(copy.deepcopy(value), f"/components/schemas/{name}")
                if reroot
                else copy.deepcopy(value)
                for name, value in schemas.items()
            }
        },
    }


def _rerooted(schema, prefix):
    """``#``-pointer references of the schema's own resource, pointing where it now sits (a
    subschema with its own ``$id`` keeps its references: they are relative to it)."""
    stack = [schema] if isinstance(schema, dict) and "$id" not in schema else []
    while stack:
        node = stack.pop()
        for keyword in ("$ref", "$dynamicRef"):
            reference = node.get(keyword)
            if isinstance(reference, str) and (reference == "#" or reference.startswith("#/")):
                node[keyword] = "#" + prefix + reference[1:]
        stack.extend(
            sub for _, sub in subschemas(node) if isinstance(sub, dict) and "$id" not in sub
        )
    return schema


def _depth(value):
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 1


class Compared:
    """One document compiled both ways."""

    def __init__(self, document, locator=LOCATOR):
        self.document = document
        self.locator = locator
        try:
            self.reference = validator_at(document, locator)
        except tendlc.ContractError:
            self.reference = None
        self.fast = fast_document(document)
        self.hot = fast_engine(self.fast, locator)
        self.bound = fast_depth(self.fast, locator)

    def check(self, instance):
        """(hot path accepts, reference accepts), after asserting the guarantee."""
        accepted = self.hot is not None and self.hot.is_valid(instance)
        expected = self.reference.is_valid(instance)
        assert expected or not accepted, (self.document, instance)
        if accepted and self.bound is not None:
            assert _depth(instance) <= self.bound, (self.document, instance, self.bound)
        return accepted, expected


# ------------------------------------------------------------------ regression cases

REGRESSIONS = [
    # keyword-looking names and data are not schemas
    ({"properties": {"unevaluatedProperties": False}}, {"unevaluatedProperties": 1}),
    ({"const": {"unevaluatedProperties": False}}, {"additionalProperties": False}),
    ({"enum": [{"unevaluatedProperties": False}]}, {"additionalProperties": False}),
    ({"patternProperties": {"unevaluatedProperties": False}}, {"x-unevaluatedProperties-x": 1}),
    ({"dependentSchemas": {"unevaluatedProperties": False}}, {"unevaluatedProperties": 1}),
    (
        {
            "properties": {"a": {"$ref": "#/$defs/unevaluatedProperties"}},
            "$defs": {"unevaluatedProperties": False},
        },
        {"a": 1},
    ),
    (
        {
            "properties": {"a": {"$ref": "#/$defs/unevaluatedProperties"}},
            "$defs": {"unevaluatedProperties": {"type": "string"}},
        },
        {"a": 1},
    ),
    # a closed object is still rewritten, and still refuses
    (
        {"type": "object", "properties": {"a": {}}, "unevaluatedProperties": False},
        {"b": 1},
    ),
    # a reference into a name map or into data reads it as a schema there, and only there
    (
        {
            "properties": {"unevaluatedProperties": False, "p": {"$ref": "#/properties"}},
            "unevaluatedProperties": False,
        },
        {"p": {"additionalProperties": 1}},
    ),
    (
        {
            "const": {"unevaluatedProperties": False},
            "properties": {"p": {"$ref": "#/const"}},
        },
        {"p": {"x": 1}},
    ),
    # anchors, identifiers and dynamic references
    ({"$ref": "#foo", "$defs": {"x": {"$anchor": "foo", "type": "string"}}}, 1),
    (
        {
            "$id": "https://tendlc.invalid/s",
            "$defs": {"n": {"type": "integer"}},
            "properties": {"a": {"$ref": "#/$defs/n"}},
            "unevaluatedProperties": False,
        },
        {"a": "x"},
    ),
    (
        {
            "$dynamicAnchor": "node",
            "type": "object",
            "properties": {"kids": {"type": "array", "items": {"$dynamicRef": "#node"}}},
            "unevaluatedProperties": False,
        },
        {"kids": [{"kids": [], "x": 1}]},
    ),
]


@pytest.mark.parametrize(("schema", "refused"), REGRESSIONS)
def test_regressions(schema, refused, tmp_path, differential):
    compared = Compared(openapi(schema))
    assert compared.reference is not None
    assert compared.hot is not None, "what compiles as written compiles rewritten"
    assert compared.check(refused) == (False, False)
    # The whole of validate: an invalid report, never an exception.
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(compared.document))
    body = Body(media_types=("application/json",), contract=str(path), locator=LOCATOR)
    issues = _document_issues(body, json.dumps(refused).encode(), DEFAULT_LIMITS, None)
    assert any(issue.severity == "error" for issue in issues), issues
    differential("JSON regression cases")["schemas"] += 1


def test_the_rewrite_reads_only_schemas():
    document = openapi(
        {
            "type": "object",
            "properties": {"a": {"type": "object", "unevaluatedProperties": False}},
            "unevaluatedProperties": False,
            "const": {"unevaluatedProperties": False},
            "patternProperties": {"unevaluatedProperties": False},
            "$defs": {"unevaluatedProperties": False},
        }
    )
    fast = fast_document(document)
    schema = fast.document["components"]["schemas"]["S"]
    assert (fast.rewritten, fast.left) == (1, 1)  # the inner object; the outer has patterns
    assert schema["properties"]["a"] == {"type": "object", "additionalProperties": False}
    assert schema["const"] == {"unevaluatedProperties": False}
    assert schema["patternProperties"] == {"unevaluatedProperties": False}
    assert schema["$defs"] == {"unevaluatedProperties": False}
    assert (
        document["components"]["schemas"]["S"]["properties"]["a"]["unevaluatedProperties"] is False
    )


def test_a_schema_that_does_not_compile_rewritten_declines():
    """A hot-path compile failure is a decline, and validate explains from the original."""
    fast = fast_document(openapi({"type": "string"}))
    fast.document["components"]["schemas"]["S"]["pattern"] = "("  # the copy only
    assert fast_engine(fast, LOCATOR) is None
    assert fast_depth(fast, "not a pointer") is None
    broken = fast_document(openapi({"type": [["object"]], "items": {}}))
    assert fast_engine(broken, LOCATOR) is None and fast_depth(broken, LOCATOR) is None


def test_a_reference_outside_the_document_is_a_contract_error(tmp_path):
    """No reference is fetched: not from the network, not from a file."""
    for reference, why in [
        ("https://tendlc.invalid/x.json", "outside the contract"),
        ("file:///etc/hostname", "outside the contract"),
        ("other.json", "No base URI"),
    ]:
        document = openapi({"$ref": reference})
        with pytest.raises(tendlc.ContractError, match="does not compile"):
            validator_at(document, LOCATOR)
        assert fast_engine(fast_document(document), LOCATOR) is None
        path = tmp_path / f"{len(reference)}.json"
        path.write_text(json.dumps(document))
        body = Body(media_types=("application/json",), contract=str(path), locator=LOCATOR)
        assert not _hot_json.checker(body)(b"{}", DEFAULT_LIMITS)
        with pytest.raises(tendlc.ContractError, match=f"does not compile: .*{why}"):
            _document_issues(body, b"{}", DEFAULT_LIMITS, None)


@pytest.mark.parametrize("levels", [200, 3000])
def test_a_schema_too_deep_to_compile_declines_then_is_a_contract_error(tmp_path, levels):
    """Nested past what jsonschema-rs (200) or the YAML reader (3000) takes: the hot path
    declines without a word, and validate says the contract is at fault."""
    schema = '{"unevaluatedProperties": false, "properties": {}, "allOf": [' * levels
    schema += "{}" + "]}" * levels
    path = tmp_path / "deep.json"
    path.write_text(f'{{"openapi": "3.1.0", "components": {{"schemas": {{"S": {schema}}}}}}}')
    body = Body(media_types=("application/json",), contract=str(path), locator=LOCATOR)
    assert not _hot_json.checker(body)(b'{"a": 1}', DEFAULT_LIMITS)
    assert _hot_json.depth(body.contract, body.locator) is None
    with pytest.raises(tendlc.ContractError, match=r"does not compile|cannot be read"):
        _document_issues(body, b'{"a": 1}', DEFAULT_LIMITS, None)


def test_an_unknown_anchor_is_a_contract_error():
    with pytest.raises(tendlc.ContractError, match="does not compile"):
        validator_at(openapi({"$ref": "#nowhere"}), LOCATOR)


# ---------------------------------------------------- the JSON Schema Test Suite


def _suite():
    for path in sorted(SUITE.rglob("*.json")):
        for index, group in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            name = f"{path.relative_to(SUITE).with_suffix('')}-{index}"
            yield pytest.param(group, id=name)


@pytest.mark.parametrize("group", list(_suite()))
def test_json_schema_test_suite(group, differential):
    sizes = differential("JSON Schema Test Suite, draft 2020-12")
    compared = Compared(openapi(group["schema"]))
    if compared.reference is None:
        sizes["schemas that do not compile as written (remote references)"] += 1
        return
    assert compared.hot is not None, "what compiles as written compiles rewritten"
    sizes["schemas"] += 1
    sizes["schemas rewritten"] += bool(compared.fast.rewritten)
    for test in group["tests"]:
        accepted, expected = compared.check(test["data"])
        sizes["instances"] += 1
        sizes["accepted by the hot path"] += accepted
        sizes["accepted by jsonschema-rs"] += expected
        sizes["verdicts as the suite expects"] += expected == test["valid"]


def test_the_suite_is_all_there():
    files = list(SUITE.rglob("*.json"))
    assert len(files) >= 59 and (SUITE.parent / "LICENSE").is_file()
    assert "unevaluatedProperties.json" in {path.name for path in files}


# -------------------------------------------------------------- generated schemas

_NAMES = ["a", "b", "unevaluatedProperties", "additionalProperties", "properties", "const"]
_NAMES += ["$ref", "$defs", "x-a"]


def _containers(inner):
    """Lists and objects of ``inner``, keyed by names that look like keywords."""
    return st.lists(inner, min_size=1, max_size=3) | st.dictionaries(
        st.sampled_from(_NAMES), inner, min_size=1, max_size=4
    )


_DATA = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["", "a", "x-a", [], {}]),
    _containers,
    max_leaves=5,
)
_REFERENCES = st.sampled_from(
    [
        "#/components/schemas/D",
        "#/components/schemas/S",
        "#/components/schemas/S/$defs/a",
        "#/components/schemas/S/$defs/unevaluatedProperties",
        "#/components/schemas/S/properties",
        "#/components/schemas/S/properties/a",
        "#/components/schemas/S/const",
        "#/components/schemas/D/$defs/properties",
    ]
)
_LEAVES = st.one_of(
    st.just({}),
    st.booleans(),
    st.sampled_from(["null", "boolean", "integer", "string", "array", "object"]).map(
        lambda kind: {"type": kind}
    ),
    _DATA.map(lambda value: {"const": value}),
    st.lists(_DATA, min_size=1, max_size=3).map(lambda values: {"enum": values}),
    _REFERENCES.map(lambda reference: {"$ref": reference}),
)


def _object(inner):
    """Schemas made of the keywords the rewrite and the depth bound read."""
    names = st.sampled_from(_NAMES)
    keywords = {
        "type": st.sampled_from(["object", "array", ["object", "null"]]),
        "properties": st.dictionaries(names, inner, max_size=3),
        "patternProperties": st.dictionaries(
            st.sampled_from(["^a", "x", "unevaluatedProperties"]), inner, max_size=2
        ),
        "additionalProperties": st.just(False) | inner,
        "unevaluatedProperties": st.just(False) | st.just(False) | inner,
        "allOf": st.lists(inner, min_size=1, max_size=2),
        "anyOf": st.lists(inner, min_size=1, max_size=2),
        "oneOf": st.lists(inner, min_size=1, max_size=2),
        "if": inner,
        "then": inner,
        "else": inner,
        "not": inner,
        "dependentSchemas": st.dictionaries(names, inner, max_size=2),
        "$defs": st.dictionaries(names, inner, max_size=2),
        "required": st.lists(names, max_size=2, unique=True),
        "items": inner,
        "prefixItems": st.lists(inner, min_size=1, max_size=2),
        "const": _DATA,
        "enum": st.lists(_DATA, min_size=1, max_size=2),
        "default": _DATA,
        "examples": st.lists(_DATA, max_size=2),
    }
    return st.lists(st.sampled_from(sorted(keywords)), min_size=1, max_size=5, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({key: keywords[key] for key in chosen})
    )


def _closed(inner):
    """Closed objects whose in-place subschemas name properties: what the rewrite rewrites,
    or just fails to."""
    names = st.sampled_from(_NAMES)
    properties = st.dictionaries(names, inner, max_size=3)
    applied = st.fixed_dictionaries(
        {},
        optional={"properties": properties, "required": st.lists(names, max_size=2, unique=True)},
    )
    return st.fixed_dictionaries(
        {"properties": properties, "unevaluatedProperties": st.just(False)},
        optional={
            "type": st.just("object"),
            "allOf": st.lists(applied, min_size=1, max_size=2),
            "anyOf": st.lists(applied, min_size=1, max_size=2),
            "oneOf": st.lists(applied, min_size=1, max_size=2),
            "if": applied,
            "then": applied,
            "else": applied,
            "dependentSchemas": st.dictionaries(names, applied, max_size=2),
            "$ref": _REFERENCES,
            "patternProperties": st.just({"^x": {}}),
            "additionalProperties": st.booleans(),
        },
    )


SCHEMAS = st.recursive(_LEAVES, lambda inner: _object(inner) | _closed(inner), max_leaves=8)
INSTANCES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["", "a", [], {}]),
    _containers,
    max_leaves=8,
)


@settings(max_examples=max(200, settings.default.max_examples), deadline=timedelta(seconds=1))
@given(SCHEMAS, SCHEMAS, st.lists(INSTANCES, min_size=5, max_size=20))
def test_generated_schemas(differential, schema, other, instances):
    sizes = differential("JSON generated schemas")
    document = openapi(schema, D=other, reroot=False)
    compared = Compared(document)
    if compared.reference is None:
        sizes["schemas that do not compile as written"] += 1
        return
    assert compared.hot is not None, "what compiles as written compiles rewritten"
    sizes["schemas"] += 1
    sizes["schemas rewritten"] += bool(compared.fast.rewritten)
    for instance in instances:
        accepted, expected = compared.check(instance)
        sizes["instances"] += 1
        sizes["accepted by the hot path"] += accepted
        sizes["accepted by jsonschema-rs"] += expected
