"""Boundary tests for every constraint of the contracts (tests/boundaries/*.yaml).

Each case edits a valid documented example at one path; the last valid value must pass and
the first invalid one must fail with the named path and rule (or, with ``severity: warning``,
pass with a warning of that path and rule).
"""

import pytest

import tendlc
from _support.boundaries import CASES, edited


@pytest.mark.parametrize(("group", "case"), CASES)
def test_boundary(group, case):
    report = tendlc.validate(
        group["operation"], edited(group, case), part=group["part"], status=group.get("status")
    )
    expect = case["expect"]
    if expect == "valid":
        assert report.valid, [str(issue) for issue in report.errors]
    elif expect.get("severity") == "warning":
        assert report.valid, [str(issue) for issue in report.errors]
        found = [(issue.path, issue.rule) for issue in report.warnings]
        assert (expect["path"], expect["rule"]) in found, found
    else:
        found = [(issue.path, issue.rule) for issue in report.errors]
        assert (expect["path"], expect["rule"]) in found, found


def test_boundaries_exist_for_both_providers():
    providers = {group["operation"].split(".")[0] for group, _ in (c.values for c in CASES)}
    assert providers == {"bandwidth", "vonage"}
    assert len(CASES) > 200
