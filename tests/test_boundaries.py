"""Boundary tests for every constraint of the contracts (tests/boundaries/*.yaml).

Each case edits a valid documented example at one path; the last valid value must pass and
the first invalid one must fail with the named path and rule (or, with ``severity: warning``,
pass with a warning of that path and rule).
"""

from pathlib import Path

import pytest
import yaml

import tendlc
from tendlc._documented import documented_examples
from tendlc._edit import dump_json, edit_json, edit_query, edit_xml

HERE = Path(__file__).parent / "boundaries"
_BY_NAME = {example.name: example for example in documented_examples()}


def _cases():
    for path in sorted(HERE.glob("*.yaml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for case in group["cases"]:
                yield pytest.param(group, case, id=f"{path.stem}::{case['name']}")


CASES = list(_cases())


def _base(group) -> bytes | str:
    if "payload" in group:
        return group["payload"]
    example = _BY_NAME[group["base"]]
    return example.repaired()


def _edited(group, case):
    base = _base(group)
    sets, deletes = case.get("set") or {}, case.get("delete") or []
    if group["part"] == "query":
        return edit_query(base if isinstance(base, str) else base.decode(), sets, deletes)
    operation = tendlc.get_operation(group["operation"])
    body = (
        operation.request if group["part"] == "request" else (operation.responses[group["status"]])
    )
    if body.is_xml:
        return edit_xml(base, sets, deletes)
    return dump_json(edit_json(base, sets, deletes)).encode("utf-8")


@pytest.mark.parametrize(("group", "case"), CASES)
def test_boundary(group, case):
    report = tendlc.validate(
        group["operation"], _edited(group, case), part=group["part"], status=group.get("status")
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
