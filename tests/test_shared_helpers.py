"""The shared helpers every layer uses: JSON Pointers, local ``$ref``s, ``t:when`` conditions.

Each has one home (``tendlc._catalog``); these pin what they do at their edges, so that the
layers that lean on them (explainers, generators, editors, the hot paths) agree.
"""

from __future__ import annotations

import pytest

from tendlc._errors import TendlcError
from tendlc._shared import (
    copied,
    delete_at,
    get_at,
    identity_cached,
    json_pointer,
    openapi_schema_roots,
    parse_when,
    put_at,
    reachable,
    ref_target,
    reference_to,
    resolve_ref,
    schema_map,
    split_pointer,
    subschemas,
)

DOCUMENT = {
    "paths": {"/brands/{brand_id}": {"get": {"schema": {"$ref": "#/components/schemas/Brand"}}}},
    "components": {
        "schemas": {
            "Brand": {"properties": {"a/b": {"$ref": "#/components/schemas/Name"}, "m~n": {}}},
            "Name": {"type": "string", "x-time": "future"},
            "Loop": {"items": {"$ref": "#/components/schemas/Loop"}},
        }
    },
}


def test_pointers_escape_and_split_per_rfc_6901():
    pointer = json_pointer(["properties", "a/b", "m~n", 0])
    assert pointer == "/properties/a~1b/m~0n/0"
    assert split_pointer(pointer) == ["properties", "a/b", "m~n", "0"]
    assert split_pointer("") == []
    assert get_at(DOCUMENT, "/components/schemas/Brand/properties/m~0n") == {}
    assert get_at(DOCUMENT, "/nowhere", None) is None
    with pytest.raises(KeyError, match="/nowhere"):
        get_at(DOCUMENT, "/nowhere")


def test_edits_at_a_pointer_never_invent_parents():
    data = {"a": [1, {"b": 2}]}
    assert put_at(data, "/a/1/b", 3) and data == {"a": [1, {"b": 3}]}
    assert not put_at(data, "/x/y", 1) and "x" not in data
    assert delete_at(data, "/a/0") and data == {"a": [{"b": 3}]}
    assert not delete_at(data, "/a/5")


def test_a_reference_is_a_percent_encoded_fragment_both_ways():
    pointer = "/paths/~1brands~1{brand_id}/get/schema"
    reference = reference_to(pointer)
    assert reference == "#/paths/~1brands~1%7Bbrand_id%7D/get/schema"
    assert ref_target(DOCUMENT, reference) == {"$ref": "#/components/schemas/Brand"}
    assert ref_target(DOCUMENT, "#/components/schemas/Nothing", None) is None
    assert ref_target(DOCUMENT, "other.yaml#/x", None) is None
    with pytest.raises(ValueError, match="only local references"):
        ref_target(DOCUMENT, "other.yaml#/x")
    assert ref_target(DOCUMENT, "#anchor", None) is None  # not a pointer
    with pytest.raises(ValueError, match="only local references"):
        ref_target(DOCUMENT, "#anchor")


def test_resolving_follows_the_chain_and_merges_keywords_beside_a_ref():
    node, location = resolve_ref(DOCUMENT, {"$ref": "#/components/schemas/Name", "maxLength": 3})
    assert node == {"type": "string", "x-time": "future", "maxLength": 3}
    assert location == "/components/schemas/Name"
    assert "maxLength" not in DOCUMENT["components"]["schemas"]["Name"]  # never changed


def test_reachable_follows_references_once_and_says_when_it_cannot_tell():
    nodes = reachable(DOCUMENT, "/paths/~1brands~1{brand_id}/get/schema")
    assert nodes is not None
    assert DOCUMENT["components"]["schemas"]["Name"] in nodes  # through Brand's a/b
    assert DOCUMENT["components"]["schemas"]["Loop"] not in nodes
    looped = reachable(DOCUMENT, "/components/schemas/Loop")
    assert looped is not None and len(looped) == 2  # the cycle is walked once
    assert reachable({"a": {"$ref": "elsewhere.json"}}, "/a") is None


def test_when_conditions_parse_into_clauses_or_fail_clearly():
    clauses = parse_when("EntityType=PUBLIC_PROFIT and A2pSettings/Action != delete")
    assert [(c.field, c.value, c.negated) for c in clauses] == [
        ("EntityType", "PUBLIC_PROFIT", False),
        ("A2pSettings/Action", "delete", True),
    ]
    assert clauses[0].holds("PUBLIC_PROFIT") and not clauses[0].holds("NON_PROFIT")
    assert clauses[1].holds(None) and not clauses[1].holds("delete")
    assert parse_when("") == ()
    for broken in ("EntityType", "=X", "A//B=1", "EntityType="):
        with pytest.raises(TendlcError, match="is not Path=VALUE"):
            parse_when(broken)


def test_xml_edits_at_an_element_path_mirror_the_json_ones():
    from lxml import etree

    from tendlc._parsing import delete_element, find_element, put_element

    root = etree.fromstring(b"<Brand><A><B>1</B><B>2</B></A></Brand>")
    assert (
        put_element(root, "/Brand/A/B[2]", "two")
        and find_element(root, "/Brand/A/B[2]").text == "two"
    )
    assert put_element(root, "/Brand/A/C", "new") and find_element(root, "/Brand/A/C").text == "new"
    assert put_element(root, "/Brand/A", etree.fromstring(b"<A><D/></A>"))
    assert etree.tostring(root) == b"<Brand><A><D/></A></Brand>"
    assert not put_element(root, "/Brand/Nowhere/X", "x")  # never invents parents
    assert not put_element(root, "/Brand", etree.fromstring(b"<Other/>"))  # nor a new root
    assert delete_element(root, "/Brand/A/D") and not delete_element(root, "/Brand/A/D")
    assert not delete_element(root, "/Brand")


def test_only_schema_positions_are_schemas():
    """Names in a name map and data in const, enum, default or examples are not schemas,
    whatever they look like; a mapping used both ways is marked shared."""
    closed = {"unevaluatedProperties": False}
    schema = {
        "properties": {"unevaluatedProperties": False, "p": {"type": "string"}},
        "patternProperties": {"x": {}},
        "const": closed,
        "enum": [closed],
        "default": {"type": "object"},
        "allOf": [{"$ref": "#/components/schemas/S/$defs/d"}],
        "$defs": {"d": {"not": {}}, "unevaluatedProperties": False},
        "x-extension": {"properties": {}},
    }
    document = {"paths": {"/x": {"get": {"schema": {"$ref": "#/components/schemas/S"}}}}}
    document["components"] = {"schemas": {"S": schema}}
    assert [keyword for keyword, _ in subschemas(schema)] == [
        *("properties", "properties", "patternProperties", "allOf", "$defs", "$defs"),
    ]
    found = schema_map(document, openapi_schema_roots(document))
    ids = {id(node) for node in found.schemas}
    assert (
        id(schema) in ids
        and id(schema["$defs"]["d"]) in ids
        and id(schema["$defs"]["d"]["not"]) in ids
    )
    assert id(schema["properties"]["p"]) in ids
    for data in (
        schema["properties"],
        closed,
        schema["default"],
        schema["x-extension"],
        schema["$defs"],
    ):
        assert id(data) not in ids
    assert not found.shared and not found.dynamic
    # A reference into a name map makes it a schema there too (and its entries data under
    # unknown keywords): never to be edited.
    schema["allOf"].append({"$ref": "#/components/schemas/S/properties"})
    found = schema_map(document, openapi_schema_roots(document))
    assert found.shared == {id(schema["properties"]), id(schema["properties"]["p"])}
    schema["allOf"].append({"$ref": "#anchor"})
    assert schema_map(document, openapi_schema_roots(document)).dynamic


def test_a_copy_of_json_data_shares_nothing_with_the_original():
    original = {"brand": {"names": ["Acme", {"legal": "Acme LLC"}], "score": 1.5, "ok": None}}
    copy = copied(original)
    assert copy == original
    copy["brand"]["names"][1]["legal"] = "changed"
    copy["brand"]["names"].append("more")
    assert original == {
        "brand": {"names": ["Acme", {"legal": "Acme LLC"}], "score": 1.5, "ok": None}
    }


def test_what_is_not_json_data_is_copied_deeply_all_the_same():
    from collections import OrderedDict

    from lxml import etree

    element = etree.fromstring("<Brand><Name>Acme</Name></Brand>")
    copy = copied({"element": element, "ordered": OrderedDict(a=[1])})
    copy["element"][0].text = "changed"
    copy["ordered"]["a"].append(2)
    assert element[0].text == "Acme"
    assert copy["ordered"] == OrderedDict(a=[1, 2])


@pytest.mark.parametrize("length", [10, 5_000])
def test_pointers_short_and_long_split_alike(length):
    key = "k~/" * length
    pointer = json_pointer(["a", key, 0])
    assert split_pointer(pointer) == ["a", key, "0"]
    tokens = split_pointer(pointer)
    tokens.append("mine")  # a caller's list is its own
    assert split_pointer(pointer) == ["a", key, "0"]
    with pytest.raises(ValueError, match="not a JSON Pointer"):
        split_pointer("a" * length)


def test_a_value_is_worked_out_once_per_object_and_equal_objects_are_not_confused():
    calls = []

    @identity_cached(2)
    def length(plan):
        calls.append(plan)
        return len(plan)

    first, twin = [1, 2], [1, 2]  # equal, not the same object (and not hashable)
    assert length(first) == 2 and length(first) == 2
    assert length(twin) == 2
    assert calls == [first, twin] and calls[0] is first and calls[1] is twin
    length([3])  # past the size: everything is forgotten, then worked out again
    assert length(first) == 2 and len(calls) == 4
