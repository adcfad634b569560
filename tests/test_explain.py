"""The explainers: typed engine errors become issues with the shared rule vocabulary, the
contract location of the rule and the value it expected."""

from datetime import datetime, timezone

import pytest
import yaml

import tendlc
from tendlc._catalog import Body
from tendlc._validation import clock
from tendlc._validation._json import validate_json_data
from tendlc._validation._xml import validate_xml_body

BRAND = (
    b"<Brand><EntityType>PRIVATE_PROFIT</EntityType><BrandRelationship>SMALL_ACCOUNT"
    b"</BrandRelationship><City>Raleigh</City><CompanyName>ABC</CompanyName><Country>US"
    b"</Country><DisplayName>ABC</DisplayName><Ein>123456789</Ein><Email>a@example.com</Email>"
    b"<Phone>+19192971000</Phone><PostalCode>27606</PostalCode><State>NC</State>"
    b"<Street>1 Main</Street><Vertical>TECHNOLOGY</Vertical><IsMain>true</IsMain></Brand>"
)


def _issue(report, path):
    return next(issue for issue in report.issues if issue.path == path)


def test_xml_issues_carry_where_the_rule_lives_and_what_it_expects():
    assert tendlc.validate("bandwidth.brands.create", BRAND).valid
    long_name = BRAND.replace(b"<DisplayName>ABC", b"<DisplayName>" + b"x" * 101)
    issue = _issue(tendlc.validate("bandwidth.brands.create", long_name), "/Brand/DisplayName")
    assert issue.rule == "maxLength"
    assert issue.expected == 100
    assert issue.location.startswith("bandwidth/types.xsd#/xs:schema/")
    assert "maxLength" in issue.location
    assert "101 characters long; at most 100" in issue.message

    public = BRAND.replace(b"PRIVATE_PROFIT", b"PUBLIC_PROFIT")
    issue = _issue(tendlc.validate("bandwidth.brands.create", public), "/Brand/StockSymbol")
    assert issue.rule == "brand.public-profit-needs-stock-symbol"
    assert issue.location.startswith("bandwidth/brands.xsd#/xs:schema/xs:complexType")
    assert "xs:assert" in issue.location

    wrong = BRAND.replace(b"SMALL_ACCOUNT", b"TINY")
    issue = _issue(tendlc.validate("bandwidth.brands.create", wrong), "/Brand/BrandRelationship")
    assert issue.rule == "enum" and "SMALL_ACCOUNT" in issue.expected


def test_json_issues_carry_the_schema_pointer_and_the_bound():
    report = tendlc.validate("vonage.brands.create", {"display_name": "x" * 300})
    issue = _issue(report, "/display_name")
    assert issue.rule == "maxLength"
    assert isinstance(issue.expected, int)
    assert issue.location.startswith("vonage/openapi.yaml#/components/schemas/")
    assert issue.location.endswith("/maxLength")
    missing = _issue(report, "/entity_type")
    assert missing.rule == "required" and missing.expected == "entity_type"


def test_the_wrong_top_level_shape_says_what_was_expected_and_what_came():
    report = tendlc.validate("vonage.brands.create", b'[{"entity_type": "PUBLIC_PROFIT"}]')
    assert [(i.path, i.rule) for i in report.issues] == [("", "type")]
    assert report.issues[0].message == "expected a JSON object, got an array of 1 item"


XSD = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:t="urn:tendlc:contract">
  <xs:element name="Order">
    <xs:complexType>
      <xs:all>
        <xs:element name="Code">
          <xs:simpleType><xs:restriction base="xs:string"><xs:length value="4"/>
          </xs:restriction></xs:simpleType>
        </xs:element>
        <xs:element name="Amount" minOccurs="0">
          <xs:simpleType><xs:restriction base="xs:decimal"><xs:totalDigits value="3"/>
          </xs:restriction></xs:simpleType>
        </xs:element>
        <xs:element name="Starts" type="xs:date" minOccurs="0"
                    t:time="future" t:rule="order.starts-in-the-future"
                    t:message="an order starts in the future"/>
      </xs:all>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


@pytest.fixture
def order_body(tmp_path):
    path = tmp_path / "order.xsd"
    path.write_text(XSD, encoding="utf-8")
    return Body(media_types=("application/xml",), contract=str(path), locator="Order")


def _xml(body, text):
    return validate_xml_body(body, tendlc._parsing.parse_xml(text))


@pytest.mark.parametrize(
    ("code", "rule"), [("ABCDE", "maxLength"), ("ABC", "minLength"), ("ABCD", None)]
)
def test_xs_length_is_reported_as_the_bound_the_value_crosses(order_body, code, rule):
    issues = _xml(order_body, f"<Order><Code>{code}</Code></Order>")
    assert [issue.rule for issue in issues] == ([rule] if rule else [])
    if rule:
        assert issues[0].expected == 4


def test_total_digits_has_its_own_rule(order_body):
    issues = _xml(order_body, "<Order><Code>ABCD</Code><Amount>1234</Amount></Order>")
    assert [(issue.path, issue.rule, issue.expected) for issue in issues] == [
        ("/Order/Amount", "totalDigits", 3)
    ]


def test_xml_time_rules_use_the_injected_clock(order_body):
    text = "<Order><Code>ABCD</Code><Starts>2030-06-01</Starts></Order>"
    with clock(datetime(2030, 5, 31, tzinfo=timezone.utc)):
        assert _xml(order_body, text) == []
    with clock(datetime(2030, 6, 1, 12, tzinfo=timezone.utc)):
        issues = _xml(order_body, text)
    assert [(i.path, i.rule, i.message) for i in issues] == [
        ("/Order/Starts", "order.starts-in-the-future", "an order starts in the future")
    ]


DOCUMENT = {
    "components": {
        "schemas": {
            "Appointment": {
                "type": "object",
                "properties": {
                    "at": {
                        "type": "string",
                        "format": "date-time",
                        "x-time": "future",
                        "x-rule": "appointment.in-the-future",
                        "x-message": "the appointment must be in the future",
                    }
                },
                "unevaluatedProperties": False,
            }
        }
    }
}


def test_json_time_rules_use_the_injected_clock(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump(DOCUMENT), encoding="utf-8")
    locator = "/components/schemas/Appointment"
    data = {"at": "2030-01-01T10:00:00Z"}
    with clock(datetime(2029, 12, 31, tzinfo=timezone.utc)):
        assert validate_json_data(str(path), locator, data, closed=True) == []
    with clock(datetime(2030, 1, 2, tzinfo=timezone.utc)):
        issues = validate_json_data(str(path), locator, data, closed=True)
    assert [(i.path, i.rule, i.message) for i in issues] == [
        ("/at", "appointment.in-the-future", "the appointment must be in the future")
    ]


def test_best_match_shows_structure_first_on_real_reports():
    report = tendlc.validate("bandwidth.brands.create", b"<Brandd/>")
    assert report.best_match().rule == "root"
