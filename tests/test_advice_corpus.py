"""The advice corpus (tests/advice_corpus/): registrations written from the cited sources, with the
rule families a reviewer following them would reject each for. The rules must find at least 95 %
of the expected families, nothing on the clean registrations, and no family a case does not
expect."""

from __future__ import annotations

from typing import Any

import pytest

import tendlc
from _support.advice_cases import CAMPAIGN, CORPUS_CASES, corpus_body
from tendlc._validation._advice import advise, rules

CASES = CORPUS_CASES
MIN_RECALL = 0.95
FAMILIES = {rule.family for rule in rules()}


def _found(case: dict[str, Any]) -> set[str]:
    issues = advise(case.get("operation", CAMPAIGN), corpus_body(case), brand=case.get("brand"))
    return {
        issue.rule.rsplit(".", 1)[0] if issue.rule.count(".") > 1 else issue.rule
        for issue in issues
    }


def test_the_corpus_is_large_varied_and_cites_its_sources():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 60
    clean = [case for case in CASES if not case["expect"]]
    traps = [case for case in clean if case["id"].startswith("trap-")]
    assert len(clean) >= 20 and len(traps) >= 8
    expected = {family for case in CASES for family in case["expect"]}
    assert expected <= FAMILIES, expected - FAMILIES
    for case in CASES:
        assert case.get("source"), case["id"]
        assert len(case["expect"]) <= 2, case["id"]  # one or two defects per registration


@pytest.mark.parametrize("case", [c for c in CASES if not c["expect"]], ids=lambda c: c["id"])
def test_a_clean_registration_gets_no_advice_and_passes_the_contract(case):
    report = tendlc.validate(case.get("operation", CAMPAIGN), corpus_body(case))
    assert report.valid, [str(issue) for issue in report.errors]
    issues = advise(case.get("operation", CAMPAIGN), corpus_body(case), brand=case.get("brand"))
    assert [str(issue) for issue in issues] == []


def test_recall_of_the_expected_families_and_no_unexpected_family():
    expected = found = 0
    missed: list[tuple[str, str]] = []
    unexpected: list[tuple[str, str]] = []
    for case in CASES:
        families = _found(case)
        wanted = set(case["expect"])
        expected += len(wanted)
        found += len(wanted & families)
        missed += [(case["id"], family) for family in sorted(wanted - families)]
        unexpected += [(case["id"], family) for family in sorted(families - wanted)]
    recall = found / expected
    clean = sum(1 for case in CASES if not case["expect"])
    print(
        f"\nadvice corpus: {len(CASES)} registrations ({clean} clean), {expected} expected "
        f"families, recall {recall:.1%} ({found}/{expected}), {len(unexpected)} unexpected"
    )
    for case_id, family in missed:
        print(f"  missed {family} in {case_id}")
    assert recall >= MIN_RECALL, missed
    assert unexpected == []
