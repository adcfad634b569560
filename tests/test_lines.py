"""The lines of JSON issues: found in the text again only when a report has issues.

XML issues carry the line of their element from the parsed tree; JSON is parsed without
positions, so ``json_positions`` reads the text a second time along the paths issues name.
The property test compares it with a reference that knows nothing of the walk: the line where
a unique marker put in place of the value lands when the data is written out the same way.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tendlc
from _support.budgets import CALLS
from tendlc._documented import documented_examples
from tendlc._parsing import JsonPosition, ParseError, duplicate_key, json_positions, parse_json
from tendlc._shared import escape

NESTED = """{
  "name": "Acme",
  "a/b": {"x~y": 1},
  "items": [
    {"id": 1},
    {
      "id": 2,
      "tags": ["one",
               "two"]
    }
  ],
  "empty": {},
  "text": "line\\nbreak"
}"""


def test_values_keys_and_missing_members_have_lines():
    found = json_positions(
        NESTED,
        [
            "",
            "/name",
            "/a~1b/x~0y",
            "/items/1",
            "/items/1/tags/1",
            "/items/1/missing",
            "/items/7",
            "/empty/gone",
            "/text",
            "/name/deeper",
        ],
    )
    assert found[""] == JsonPosition(1, None, True)
    assert found["/name"] == JsonPosition(2, 2, True)
    assert found["/a~1b/x~0y"] == JsonPosition(3, 3, True)  # escaped pointer tokens
    assert found["/items/1"] == JsonPosition(6, None, True)  # an item has no key
    assert found["/items/1/tags/1"] == JsonPosition(9, None, True)
    # past the document: the deepest value on the way, the object that lacks the member
    assert found["/items/1/missing"] == JsonPosition(6, None, False)
    assert found["/items/7"] == JsonPosition(4, None, False)
    assert found["/empty/gone"] == JsonPosition(12, None, False)
    assert found["/text"].line == 13  # an escaped line break inside a string is no line
    assert found["/name/deeper"] == JsonPosition(2, None, False)  # a string has no members


def test_keys_with_escapes_bytes_and_non_ascii_text():
    text = '{"caf\\u00e9": 1,\n "\\u00fcber": {\n  "a\\/b": 2}}'
    found = json_positions(text.encode(), ["/café", "/über/a~1b"])
    assert found["/café"].line == 1 and found["/über/a~1b"] == JsonPosition(3, 3, True)
    # offsets are counted in characters of the decoded text, lines stay right after UTF-8
    found = json_positions('{"é": "ü€",\n"k":\n 1}'.encode(), ["/k"])
    assert found["/k"] == JsonPosition(3, 2, True)


def test_a_key_spelled_inside_a_string_value_is_no_member():
    text = (
        '{"a": "x\\", \\"k\\": 1",\n "b": "\\\\", "c": "\\"k\\":", "x\\"k": 0,\n'
        ' "d": 2,\n "k": 3,\n "e": null}'
    )
    assert json.loads(text)["a"] == 'x", "k": 1' and json.loads(text)['x"k'] == 0
    found = json_positions(text, ["/k", "/d", "/e", "/z"])
    assert found == {
        "/k": JsonPosition(4, 4, True),
        "/d": JsonPosition(3, 3, True),
        "/e": JsonPosition(5, 5, True),
        "/z": JsonPosition(1, None, False),
    }


def test_a_key_on_its_own_line_is_told_from_its_value():
    found = json_positions('{"a":\n\n  [1]}', ["/a"])
    assert found["/a"] == JsonPosition(3, 1, True)


def test_text_that_stops_being_json_answers_what_it_reached():
    found = json_positions('{\n"a": 1,\n"b": {\n"c": oops', ["/a", "/b/c", "/b/d"])
    assert found["/a"] == JsonPosition(2, 2, True)
    assert found["/b/c"] == JsonPosition(4, 4, True)  # where its value should start
    assert found["/b/d"] == JsonPosition(3, None, False)  # never reached: its object's line
    assert json_positions(b"\xff{", ["/a"]) == {}  # not UTF-8: nothing to say
    # an array that breaks off between the items skipped
    assert json_positions('{"a":\n [1, 2}', ["/a/2"]) == {"/a/2": JsonPosition(2, None, False)}
    assert json_positions("[\n1,\n2]", ["/\u00b2", "/1"]) == {
        "/\u00b2": JsonPosition(1, None, False),
        "/1": JsonPosition(3, None, True),
    }
    assert json_positions("{}", ["no pointer"]) == {}


def test_the_repeated_key_is_the_one_the_parser_names():
    text = '{\n"outer": 1,\n"inner": {"k": 1,\n  "k": 2},\n"outer": 3}'
    with pytest.raises(ParseError) as raised:
        parse_json(text)
    assert "'k'" in str(raised.value)  # the inner object closes first
    assert duplicate_key(text) == ("/inner/k", 4)
    assert duplicate_key('{"a": [1, {"b": 0}], "c": {}}') is None
    items = '[{"a": 1, "b": 2},\n {"b": [1, {"k": 1,\n "k": 2}], "b": 3}]'
    assert duplicate_key(items) == ("/1/b/1/k", 3)  # the value closes before its object
    assert duplicate_key('{"a~b": {"c/d": 1, "c/d": 2}}') == ("/a~0b/c~1d", 1)


# ------------------------------------------------------------------ the reference

_MARK = "\u2603marker\u2603"
KEYS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=25,
)


def _pointers(value, pointer=""):
    yield pointer
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _pointers(item, f"{pointer}/{escape(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pointers(item, f"{pointer}/{index}")


def _marked(value, tokens):
    if not tokens:
        return _MARK
    head, rest = tokens[0], tokens[1:]
    if isinstance(value, list):
        index = int(head)
        return [*value[:index], _marked(value[index], rest), *value[index + 1 :]]
    return {key: (_marked(item, rest) if key == head else item) for key, item in value.items()}


@settings(deadline=CALLS)
@given(DATA, st.sampled_from([None, 0, 1, 2]), st.booleans())
def test_every_value_starts_where_a_marker_in_its_place_lands(data, indent, ascii_only):
    from tendlc._shared import split_pointer

    def written(value):
        return json.dumps(value, indent=indent, ensure_ascii=ascii_only)

    text = written(data)
    pointers = list(_pointers(data))
    found = json_positions(text.encode(), pointers)
    assert set(found) == set(pointers)
    for pointer in pointers:
        marked = written(_marked(data, split_pointer(pointer)))
        expected = marked.count("\n", 0, marked.index(json.dumps(_MARK, ensure_ascii=ascii_only)))
        assert found[pointer].found and found[pointer].line == expected + 1, pointer
        # asked for alone, the items around it are skipped rather than read: the same answer
        assert json_positions(text, [pointer]) == {pointer: found[pointer]}
        if found[pointer].key_line is not None:  # json.dumps writes a key beside its value
            assert found[pointer].key_line == found[pointer].line


# ------------------------------------------------------------------ through validate


def _brand():
    example = next(
        e
        for e in documented_examples()
        if e.operation == "vonage.brands.create" and e.part == "request"
    )
    data = json.loads(example.published())
    data.pop("universal_ein", None)
    data["verification_email_completion_date"] = "2019-08-24T14:15:22Z"
    return data


def _line_of(text, key):
    return text[: text.index(f'"{key}"')].count("\n") + 1


def test_json_issues_carry_the_line_of_their_member():
    data = _brand()
    assert tendlc.validate("vonage.brands.create", json.dumps(data, indent=2)).valid
    data["country"] = "USA"  # a value rule: the member's line
    data["reseler"] = {}  # an undocumented member: its key's line
    del data["email"]  # a missing member: the line of the object that lacks it
    text = json.dumps(data, indent=2)
    report = tendlc.validate("vonage.brands.create", "\n\n" + text)
    lines = {(issue.path, issue.rule): issue.line for issue in report.issues}
    assert lines[("/country", "pattern")] == _line_of(text, "country") + 2
    assert lines[("/reseler", "additionalProperties")] == _line_of(text, "reseler") + 2
    assert lines[("/email", "required")] == 3
    # parsed data has no lines; the issues are the same otherwise
    parsed = tendlc.validate("vonage.brands.create", data)
    assert {(i.path, i.rule, i.line) for i in parsed.issues} == {
        (path, rule, None) for path, rule in lines
    }


def test_issues_inside_nested_members_and_responses_have_lines():
    data = _brand()
    data["entity_type"] = "PUBLIC_PROFIT"
    data.pop("stock_symbol", None)
    text = json.dumps(data, indent=1)
    report = tendlc.validate("vonage.brands.create", text)
    assert report.errors and all(issue.line is not None for issue in report.errors)
    response = json.dumps({"brand_id": 5, "unexpected": True}, indent=2)
    answered = tendlc.validate("vonage.brands.get", response, part="response", status=200)
    assert [(i.path, i.line) for i in answered.issues if i.path == "/unexpected"] == [
        ("/unexpected", 3)
    ]
    assert all(i.line is not None for i in answered.issues if i.path.startswith("/"))
    # with no status given, the lines are those of the report of the status it fits best
    fitted = tendlc.validate("vonage.brands.get", response, part="response")
    assert fitted.status == 200 and fitted.issues == answered.issues
    broken = json.dumps({"brand_id": 5, "country": "USA", "unexpected": True}, indent=2)
    best = tendlc.validate("vonage.brands.get", broken, part="response")
    assert best.errors and all(i.line is not None for i in best.issues if i.path.startswith("/"))


def test_a_parse_error_at_a_member_names_its_line():
    report = tendlc.validate("vonage.brands.create", '{"a": 1,\n "b": [1,\n  "x\\ud800"]}')
    assert [(i.path, i.rule, i.line) for i in report.issues] == [("/b/1", "parse", 3)]
    report = tendlc.validate("vonage.brands.create", '{\n"k": {"a": 1,\n "a": 2}}')
    assert [(i.path, i.rule, i.line) for i in report.issues] == [("/k/a", "parse", 3)]


def test_the_issues_of_an_exchange_carry_lines_too():
    from tendlc.traffic import Exchange, Headers, Request, check_exchange

    data = _brand()
    data["country"] = "USA"
    text = json.dumps(data, indent=2)
    exchange = Exchange(
        Request(
            "POST",
            "https://api.nexmo.com/v1/10dlc/brands",
            Headers({"Content-Type": "application/json"}),
            text.encode(),
        )
    )
    result = check_exchange(exchange)
    found = [i for i in result.issues if i.path == "/country"]
    assert [(i.direction, i.line) for i in found] == [("request", _line_of(text, "country"))]
    assert f"(line {_line_of(text, 'country')})" in "\n".join(result.lines())


# ------------------------------------------------------------------ the other wire


def _bandwidth_brand():
    example = next(
        e
        for e in documented_examples()
        if e.operation == "bandwidth.brands.create" and e.part == "request"
    )
    return example.published()


@pytest.mark.parametrize(
    ("operation", "payload", "takes", "given", "line"),
    [
        ("bandwidth.brands.create", b'{"Brand": {"EntityType": "PRIVATE"}}', "XML", "JSON", 1),
        ("bandwidth.brands.create", '\n  [{"Brand": 1}]', "XML", "JSON", 2),
        ("bandwidth.brands.create", {"Brand": {}}, "XML", "JSON", None),
        ("vonage.brands.create", b"\n\n<?xml version='1.0'?>\n<Brand/>", "JSON", "XML", 3),
        ("vonage.brands.create", "\ufeff<Brand><Name>x</Name></Brand>", "JSON", "XML", 1),
    ],
)
def test_a_body_of_the_other_wire_is_one_clear_issue(operation, payload, takes, given, line):
    report = tendlc.validate(operation, payload)
    (issue,) = report.issues
    assert (issue.path, issue.rule, issue.severity) == ("", "media-type", "error")
    assert issue.message.startswith(f"this operation takes {takes} (")
    assert issue.message.endswith(f"the body is {given}")
    assert issue.line == line  # where the document starts


def test_an_element_tree_for_a_json_body_and_a_labelled_body_of_the_other_wire():
    from lxml import etree

    (issue,) = tendlc.validate("vonage.brands.create", etree.fromstring(b"<Brand/>")).issues
    assert issue.rule == "media-type" and issue.message.endswith("the body is XML")
    # labelled as what it is: the same mistake, said once, naming the label
    labelled = tendlc.validate(
        "bandwidth.brands.create", b'{"a": 1}', media_type="application/json"
    )
    (issue,) = labelled.issues
    assert issue.message.endswith("the body is JSON (Content-Type 'application/json')")
    # a label that names neither wire is a mistake of its own
    plain = tendlc.validate("bandwidth.brands.create", b'{"a": 1}', media_type="text/plain")
    assert sorted(i.message.split(" ")[0] for i in plain.issues) == ["Content-Type", "this"]
    # the right wire with the wrong label keeps the label's issue
    wrong_label = tendlc.validate(
        "bandwidth.brands.create", _bandwidth_brand(), media_type="application/json"
    )
    assert [i.rule for i in wrong_label.issues] == ["media-type"]
    assert wrong_label.issues[0].message.startswith("Content-Type 'application/json'")
    # a file answer is no document of either wire: JSON labelled JSON is the label's mistake
    download = tendlc.validate(
        "vonage.appealEvidence.delete",
        b'{"id": "x"}',
        part="response",
        status=200,
        media_type="application/json",
    )
    assert [i.message.split(" ")[0] for i in download.issues] == ["Content-Type"]


def test_an_exchange_of_the_other_wire_says_so_once_per_side():
    from tendlc.traffic import Exchange, Headers, Request, Response, check_exchange

    url = "https://dashboard.bandwidth.com/api/accounts/1/campaignManagement/10dlc/brands"
    exchange = Exchange(
        Request("POST", url, Headers({"Content-Type": "application/json"}), b'{"Brand": {}}'),
    )
    result = check_exchange(exchange)
    assert [(i.direction, i.rule) for i in result.issues] == [("request", "media-type")]
    assert "takes XML" in result.issues[0].message
    answered = Exchange(
        Request("GET", "https://api.nexmo.com/v1/10dlc/brands/B1"),
        Response(200, Headers({"Content-Type": "application/xml"}), b"<Brand/>"),
    )
    issues = check_exchange(answered).issues
    assert [(i.direction, i.rule) for i in issues] == [("response", "media-type")]
    assert issues[0].message.endswith("the body is XML (Content-Type 'application/xml')")


# ------------------------------------------------------------------ files of several payloads


def _cli(*args, stdin=None):
    from click.testing import CliRunner

    from tendlc.cli import main

    return CliRunner().invoke(main, list(args), input=stdin)


def _json_lines(tmp_path, name):
    good = _brand()
    bad = {**good, "country": "USA"}
    rows = [json.dumps(good), "", json.dumps(good), json.dumps(bad), json.dumps(good)]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("named", [True, False])
def test_json_lines_count_lines_in_the_file(tmp_path, named):
    folder = tmp_path / "vonage"
    folder.mkdir()
    path = _json_lines(folder, "brands.create.request.jsonl")
    operation = ["vonage.brands.create"] if named else []
    outcome = _cli("validate", *operation, str(path), "--format", "json")
    assert outcome.exit_code == 1, outcome.output
    files = json.loads(outcome.output)["files"]
    assert [(f["file"].rsplit(":", 1)[1], f["valid"]) for f in files] == [
        ("1", True),
        ("3", True),
        ("4", False),
        ("5", True),
    ]
    assert [(i["path"], i["line"]) for i in files[2]["issues"]] == [("/country", 4)]
    text = _cli("validate", *operation, str(path)).output
    assert f"{path}:4: INVALID" in text
    assert "line 4    /country  [pattern]" in text


def _stacked():
    import re

    brand = _bandwidth_brand()
    assert brand.startswith(b"<?xml")
    bad = brand.replace(b"<State>NC</State>", b"<State>NCA</State>")
    assert bad != brand
    state = bad[: bad.index(b"<State>NCA")].count(b"\n") + 1  # its line within the document
    # three documents, the second with no line break after it, the third broken
    documents = brand + b"\n\n" + re.sub(rb"\n\s*", b"", brand) + b"\n" + bad
    offset = documents[: -len(bad)].count(b"\n") + 1  # the third starts on this line
    return documents, offset + state - 1


def test_stacked_xml_documents_count_lines_in_the_file(tmp_path):
    data, line = _stacked()
    path = tmp_path / "brands.xml"
    path.write_bytes(data)
    outcome = _cli("validate", "bandwidth.brands.create", str(path), "--format", "json")
    files = json.loads(outcome.output)["files"]
    assert [(f["file"].rsplit("#", 1)[1], f["valid"]) for f in files] == [
        ("1", True),
        ("2", True),
        ("3", False),
    ]
    assert [(i["path"], i["line"]) for i in files[2]["issues"]] == [("/Brand/State", line)]
    assert data.split(b"\n")[line - 1].strip() == b"<State>NCA</State>"
    # read from standard input, the same lines
    piped = _cli("validate", "bandwidth.brands.create", "-", "--format", "jsonl", stdin=data)
    records = [json.loads(row) for row in piped.output.splitlines() if row.startswith("{")]
    assert [i["line"] for r in records for i in r["issues"]] == [line]
    assert f"line {line}" in _cli("validate", "bandwidth.brands.create", str(path)).output


# ------------------------------------------------------------------ what people read


def test_every_front_end_shows_the_line_of_a_json_issue():
    import lxml.html

    from tendlc.reports import to_html, to_json, to_junit_xml, to_markdown
    from tendlc.traffic import Exchange, Headers, Request, Run, check_exchange

    data = _brand()
    data["country"] = "USA"
    text = json.dumps(data, indent=2)
    line = _line_of(text, "country")
    request = Request(
        "POST",
        "https://api.nexmo.com/v1/10dlc/brands",
        Headers({"Content-Type": "application/json"}),
        text.encode(),
    )
    result = check_exchange(Exchange(request))
    (issue,) = [i for i in result.issues if i.path == "/country"]
    assert issue.line == line > 1
    # a payload's issue names its line in its own column, an exchange's after its message
    alone = tendlc.validate("vonage.brands.create", text)
    (own,) = [i for i in alone.issues if i.path == "/country"]
    assert own.render().split()[:4] == ["error", "line", str(line), "/country"]
    assert issue.render().endswith(f"(line {line})")
    run = Run("conform")
    run.add("create a brand", result)
    shown = f"line {line}"
    found = [f for e in json.loads(to_json(run))["entries"] for f in e["exchange"]["findings"]]
    assert [f["line"] for f in found if f["path"] == "/country"] == [line]
    assert shown in to_junit_xml(run)
    assert f"(line {line})" in to_markdown(run)
    assert f"(line {line})" in lxml.html.fromstring(to_html(run)).text_content()


def test_a_text_on_one_line_puts_every_issue_on_line_one_in_any_form():
    data = _brand()
    data["country"] = "USA"
    del data["email"]
    compact = json.dumps(data)
    for payload in (compact, compact.encode(), bytearray(compact.encode())):
        issues = tendlc.validate(
            "vonage.brands.create",
            memoryview(payload) if isinstance(payload, bytearray) else payload,
        ).issues
        assert {(i.path, i.line) for i in issues} == {("/country", 1), ("/email", 1)}
    spread = json.dumps(data, indent=2).encode()
    issues = tendlc.validate("vonage.brands.create", memoryview(spread)).issues
    assert {(i.path, i.line) for i in issues} == {
        ("/country", _line_of(spread.decode(), "country")),
        ("/email", 1),
    }


def test_a_body_over_the_size_limit_is_refused_by_its_size_whatever_wire_it_shows():
    limits = tendlc.Limits(max_bytes=1_000)
    body = b'{"a": "' + b"x" * 2_000 + b'"}'
    (first, *_) = tendlc.validate("bandwidth.brands.create", body, limits=limits).errors
    assert first.rule == "parse" and "1,000" in first.message
    # within the limit, the other wire is named
    (wrong,) = tendlc.validate("bandwidth.brands.create", b'{"a": 1}').errors
    assert wrong.rule == "media-type" and "the body is JSON" in wrong.message
