import pytest

from tendlc import Issue, Report
from tendlc._validation import excerpt


def test_warnings_keep_a_report_valid_and_errors_do_not():
    warning = Issue("warning", "/a", "additionalProperties", "undocumented")
    error = Issue("error", "/b", "maxLength", "too long", line=3)
    assert Report("op", "response", 200, (warning,)).valid
    report = Report("op", "request", None, (warning, error))
    assert not report.valid
    assert report.errors == (error,)
    assert report.warnings == (warning,)


def test_best_match_prefers_structural_errors_then_document_order():
    late = Issue("error", "/x", "maxLength", "m", line=9)
    early = Issue("error", "/y", "enum", "m", line=2)
    parse = Issue("error", "", "parse", "m", line=20)
    assert Report("op", "request", None, (late, early)).best_match() is early
    assert Report("op", "request", None, (late, early, parse)).best_match() is parse
    assert Report("op", "request", None, ()).best_match() is None


def test_report_serialises_every_field():
    issue = Issue(
        "error",
        "/Brand/City",
        "maxLength",
        "too long",
        line=7,
        location="bandwidth/types.xsd#/xs:schema/xs:simpleType[@name='String100']",
        expected=100,
    )
    data = Report("bandwidth.brands.create", "request", None, (issue,)).to_dict()
    assert data == {
        "operation": "bandwidth.brands.create",
        "part": "request",
        "status": None,
        "valid": False,
        "issues": [
            {
                "severity": "error",
                "path": "/Brand/City",
                "rule": "maxLength",
                "message": "too long",
                "line": 7,
                "location": "bandwidth/types.xsd#/xs:schema/xs:simpleType[@name='String100']",
                "expected": 100,
                "check": "",
                "direction": "",
            }
        ],
    }


def test_an_issue_reads_back_from_its_dict_form():
    issue = Issue(
        "warning",
        "/a/0",
        "additionalProperties",
        "undocumented",
        line=4,
        location="vonage/openapi.yaml#/components",
        expected=["x", "y"],
        check="body",
        direction="response",
    )
    assert Issue.from_dict(issue.to_dict()) == issue
    # whatever a report file holds, reading it back never raises and stays an Issue
    odd = Issue.from_dict({"severity": "fatal", "line": "7", "path": None, "extra": 1})
    assert (odd.severity, odd.line, odd.path, odd.rule) == ("error", None, "", "")


def test_severity_is_an_enum_equal_to_its_value_and_advice_never_invalidates():
    from tendlc import Severity

    advice = Issue("advice", "/sample1", "advice.sample-opt-out", "add STOP")
    assert advice.severity is Severity.ADVICE and advice.severity == "advice"
    report = Report("op", "request", None, (advice,))
    assert report.valid and report.advice == (advice,) and not report.warnings
    with pytest.raises(ValueError):
        Issue("fatal", "/a", "r", "m")


def test_one_rendering_of_an_issue():
    issue = Issue("error", "/Brand/City", "maxLength", "too long", line=7, expected=100)
    assert issue.render() == "error   line 7    /Brand/City  [maxLength]  too long"
    assert str(issue) == issue.render()
    exchange = Issue("warning", "/x", "additionalProperties", "m", direction="response")
    assert exchange.render().startswith("warning response  /x")
    verbose = Issue("error", "/a", "enum", "m", location="v/o.yaml#/a", expected=["x"])
    assert verbose.render(verbose=True).splitlines()[1].split() == [
        "contract:",
        "v/o.yaml#/a",
        "expected:",
        '["x"]',
    ]


def test_excerpt_is_bounded():
    text = "x" * 1_000_000
    shown = excerpt(text)
    assert len(shown) < 80
    assert "1000000 characters" in shown
    assert excerpt("short") == "'short'"


def test_best_match_can_be_re_ranked():
    first = Issue("error", "/a", "maxLength", "m", line=1)
    second = Issue("error", "/b", "brand.public-profit-needs-stock-symbol", "m", line=5)
    report = Report("op", "request", None, (first, second))
    assert report.best_match() is first
    assert report.best_match(key=lambda issue: "." not in issue.rule) is second


def test_a_report_is_not_a_container_so_no_count_is_mistaken_for_the_verdict():
    warning = Issue("warning", "/a", "additionalProperties", "undocumented")
    report = Report("op", "response", 200, (warning,))
    assert report.valid and list(report) == [warning]
    with pytest.raises(TypeError):
        len(report)  # type: ignore[arg-type]
    invalid = Report("op", "request", None, (Issue("error", "/a", "required", "missing"),))
    for either in (report, invalid):
        with pytest.raises(TypeError, match=r"report\.valid"):
            bool(either)
        with pytest.raises(TypeError):
            if either:  # the mistake it guards against: "if report:" as a verdict
                pass


def test_expected_values_serialise_as_plain_json():
    from decimal import Decimal

    issue = Issue("error", "/a", "enum", "m", expected=("on", "off"))
    assert issue.to_dict()["expected"] == ["on", "off"]
    assert Issue("error", "/a", "maximum", "m", expected=Decimal("25")).to_dict()["expected"] == 25
