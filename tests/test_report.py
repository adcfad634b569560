from tendlc import Issue, Report
from tendlc.validation import excerpt


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
    issue = Issue("error", "/Brand/City", "maxLength", "too long", line=7)
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
            }
        ],
    }


def test_excerpt_is_bounded():
    text = "x" * 1_000_000
    shown = excerpt(text)
    assert len(shown) < 80
    assert "1000000 characters" in shown
    assert excerpt("short") == "'short'"
