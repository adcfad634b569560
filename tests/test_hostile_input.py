"""Bad, broken and hostile input: always an invalid report, never an exception or a leak.

The payloads are the corpus of tests/_support/hostile.py, which the sandbox, proxy and hot
path suites send through too.
"""

import socket

import pytest

import tendlc
from _support.hostile import (
    BROKEN_JSON,
    BROKEN_XML,
    FOREIGN_ROOTS,
    HOSTILE_FILES,
    JSON_OP,
    NOT_AN_OBJECT,
    NUL_BYTES,
    UNPARAMETRISED,
    XML_OP,
    hundred_megabytes,
    oversized_json,
)


def _only_issue(report):
    assert not report.valid
    assert report.errors, report
    return report.best_match()


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "canary.txt"
    path.write_text("CANARY-SECRET-7f3a", encoding="utf-8")
    return path


@pytest.fixture
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    yield server
    server.close()


def _saw_connection(server) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def test_external_file_entity_is_refused_and_not_read(canary):
    payload = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{canary}">]>'
        "<ImportedCampaign><CampaignId>&e;</CampaignId></ImportedCampaign>"
    )
    report = tendlc.validate(XML_OP, payload.encode())
    issue = _only_issue(report)
    assert issue.rule == "parse"
    assert "DTD" in issue.message
    assert "CANARY" not in str(report.to_dict())


def test_external_network_entity_is_refused_and_never_fetched(listener):
    port = listener.getsockname()[1]
    payload = (
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:{port}/x">]>'
        "<ImportedCampaign><CampaignId>&e;</CampaignId></ImportedCampaign>"
    )
    report = tendlc.validate(XML_OP, payload)
    assert _only_issue(report).rule == "parse"
    assert not _saw_connection(listener)


def test_external_dtd_is_never_fetched(listener):
    port = listener.getsockname()[1]
    payload = (
        f'<!DOCTYPE ImportedCampaign SYSTEM "http://127.0.0.1:{port}/a.dtd">'
        "<ImportedCampaign><CampaignId>C1</CampaignId></ImportedCampaign>"
    )
    assert _only_issue(tendlc.validate(XML_OP, payload)).rule == "parse"
    assert not _saw_connection(listener)


def test_billion_laughs_is_refused():
    issue = _only_issue(tendlc.validate(XML_OP, UNPARAMETRISED["billion-laughs"]))
    assert issue.rule == "parse"


@pytest.mark.parametrize(("payload", "words"), BROKEN_XML)
def test_broken_xml_is_an_invalid_report(payload, words):
    issue = _only_issue(tendlc.validate(XML_OP, payload))
    assert issue.rule == "parse"
    assert words in issue.message


def test_wrong_root_element_names_the_expected_one():
    report = tendlc.validate(XML_OP, b"<Brand><CampaignId>C1</CampaignId></Brand>")
    issue = _only_issue(report)
    assert (issue.path, issue.rule) == ("/Brand", "root")
    assert "ImportedCampaign" in issue.message


@pytest.mark.parametrize("payload", FOREIGN_ROOTS)
def test_a_root_element_in_another_namespace_says_so(payload):
    issue = _only_issue(tendlc.validate(XML_OP, payload))
    assert (issue.path, issue.rule, issue.line) == ("/ImportedCampaign", "root", 1)
    assert issue.message == (
        "<ImportedCampaign> is in the namespace 'urn:elsewhere'; this body's contract has no "
        "namespace"
    )


def test_declared_iso_8859_1_encoding_is_honoured():
    text = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        "<ImportedCampaign><CampaignId>CAFÉ1</CampaignId></ImportedCampaign>"
    )
    report = tendlc.validate(XML_OP, text.encode("iso-8859-1"))
    assert report.valid, report
    # The same document as str: the declaration no longer applies and must not get in the way.
    assert tendlc.validate(XML_OP, text).valid


def test_an_element_tree_is_accepted():
    from xml.etree import ElementTree

    from lxml import etree

    source = "<ImportedCampaign><CampaignId>C1</CampaignId></ImportedCampaign>"
    assert tendlc.validate(XML_OP, etree.fromstring(source)).valid
    assert tendlc.validate(XML_OP, ElementTree.fromstring(source)).valid


@pytest.mark.parametrize(("payload", "words"), BROKEN_JSON)
def test_broken_json_is_an_invalid_report(payload, words):
    issue = _only_issue(tendlc.validate(JSON_OP, payload))
    assert issue.rule == "parse"
    assert words in issue.message


@pytest.mark.parametrize("payload", NOT_AN_OBJECT)
def test_top_level_shape_other_than_an_object_is_a_type_error(payload):
    issue = _only_issue(tendlc.validate(JSON_OP, payload))
    assert (issue.path, issue.rule) == ("", "type")


def test_oversized_body_is_refused_without_echoing_it():
    report = tendlc.validate(JSON_OP, oversized_json())
    issue = _only_issue(report)
    assert issue.rule == "parse"
    assert len(str(report.to_dict())) < 1000


def test_long_values_are_quoted_as_bounded_excerpts():
    name = "Z" * 5000
    report = tendlc.validate(
        XML_OP, f"<ImportedCampaign><CampaignId>{name}</CampaignId></ImportedCampaign>"
    )
    assert not report.valid
    assert len(str(report.to_dict())) < 1000


def test_a_body_for_an_operation_that_takes_none():
    report = tendlc.validate("bandwidth.brands.revet", b"<Brand/>")
    assert _only_issue(report).rule == "body"
    assert tendlc.validate("bandwidth.brands.revet", b"").valid


def test_quadratic_blowup_is_refused():
    issue = _only_issue(tendlc.validate(XML_OP, UNPARAMETRISED["quadratic-blowup"]))
    assert issue.rule == "parse"
    assert "DTD" in issue.message


@pytest.mark.slow
@pytest.mark.parametrize("operation", [XML_OP, JSON_OP])
def test_hundred_megabyte_bodies_are_refused_by_size(operation):
    report = tendlc.validate(operation, hundred_megabytes(operation))
    issue = _only_issue(report)
    assert issue.rule == "parse"
    assert "more than the" in issue.message
    assert len(str(report.to_dict())) < 1000


@pytest.mark.parametrize(("operation", "payload"), NUL_BYTES)
def test_nul_bytes_are_refused(operation, payload):
    assert _only_issue(tendlc.validate(operation, payload)).rule == "parse"


def test_xml_may_start_with_a_byte_order_mark_or_be_utf16():
    # Both are well-formed XML (XML 1.0 section 4.3.3): a provider may send them.
    body = "<ImportedCampaign><CampaignId>C1</CampaignId></ImportedCampaign>"
    assert tendlc.validate(XML_OP, b"\xef\xbb\xbf" + body.encode()).valid
    assert tendlc.validate(XML_OP, body.encode("utf-16")).valid


def test_a_declared_encoding_that_lies_is_reported():
    report = tendlc.validate(XML_OP, UNPARAMETRISED["lying-declaration"])
    assert _only_issue(report).rule == "parse"


def test_personal_data_is_quoted_only_as_a_bounded_excerpt():
    secret = "Jane Doe, +14155550100, jane@example.com, 1 Main St; " * 100
    report = tendlc.validate(
        "vonage.resellers.create", {"company_name": secret, "phone": secret, "email": secret}
    )
    text = str(report.to_dict())
    assert not report.valid
    assert text.count("Jane Doe") <= 2 * len(report.issues)
    assert secret not in text


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_files_through_the_command_line(tmp_path, name):
    from click.testing import CliRunner

    from tendlc.cli import main

    operation, body = HOSTILE_FILES[name]
    path = tmp_path / name
    path.write_bytes(body)
    result = CliRunner().invoke(main, ["validate", operation, str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    import json

    issues = json.loads(result.output)["files"][0]["issues"]
    assert issues[0]["rule"] == "parse"
    assert "passwd" not in result.output or "root:" not in result.output


def test_a_value_too_large_for_the_engine_is_a_format_issue_not_a_crash():
    # A 19-digit year overflows the date arithmetic of the XSD engine.
    body = (
        "<TnOptionOrderResponse><TnOptionOrder>"
        "<OrderCreateDate>9999999999999999999-01-01T00:00:00</OrderCreateDate>"
        "<AccountId>000000000</AccountId><OrderId>ac48abbe-2311-4888-ca4a-05eaa336119c</OrderId>"
        "<ProcessingStatus>RECEIVED</ProcessingStatus>"
        "</TnOptionOrder></TnOptionOrderResponse>"
    )
    report = tendlc.validate("bandwidth.tnOptions.create", body, part="response", status=201)
    assert not report.valid
    paths = {(issue.path, issue.rule) for issue in report.issues if issue.severity == "error"}
    assert ("/TnOptionOrderResponse/TnOptionOrder/OrderCreateDate", "format") in paths
