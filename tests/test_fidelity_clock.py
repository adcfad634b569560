"""Rules relative to the current time, checked against an injectable clock.

The contracts mark them with ``x-time`` (OpenAPI) / ``t:time`` (XSD): the value must be strictly
after (``future``) or before (``past``) "now", a date without a time compared by calendar day in
UTC. ``tendlc.validate(..., now=...)`` takes the clock (a timezone-aware datetime; the current
time by default). The pages state one such rule: the political vetting's election date "Must be
in the future" (seed 004, "Request vetting for a brand"; errata VG-012).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest

import tendlc
from tendlc._documented import documented_examples

EXAMPLES = {example.name: example for example in documented_examples()}
RULE = "vetting.election-date-in-the-future"
FIELD = "/vetting_political_details/election_date"
NOW = datetime(2030, 10, 30, 12, 0, tzinfo=timezone.utc)

POLITICAL_VETTING = {
    "evp_id": "CV",
    "vetting_class": "POLITICAL",
    "vetting_political_details": {
        "requestor_first_name": "John",
        "requestor_last_name": "Doe",
        "locale": "Federal",
        "fec_committee_type_code": "C",
        "committee_id": "00000",
        "candidate_type": "PAC",
        "state_local_committee_type": "FEDERAL",
        "local_committee_state": "AZ",
        "local_committee_municipality": "US",
        "tribal_location": "US",
        "filing_url": "https://example.com",
        "election_date": "2030-11-05",
        "pin_preference": "Regular",
    },
}


def _vetting(election_date):
    body = copy.deepcopy(POLITICAL_VETTING)
    body["vetting_political_details"]["election_date"] = election_date
    return body


def _found(report):
    return [(issue.path, issue.rule) for issue in report.errors]


def test_an_election_date_after_today_is_accepted():
    report = tendlc.validate("vonage.vetting.create", _vetting("2030-10-31"), now=NOW)
    assert report.valid, _found(report)


@pytest.mark.parametrize("election_date", ["2030-10-29", "2022-10-31", "2030-10-30"])
def test_an_election_date_today_or_before_is_rejected(election_date):
    report = tendlc.validate("vonage.vetting.create", _vetting(election_date), now=NOW)
    assert (FIELD, RULE) in _found(report)
    assert all(issue.rule == RULE for issue in report.errors)


def test_the_calendar_day_is_the_day_in_utc():
    # 23:30 in New York on 30 October is already 31 October in UTC.
    evening = datetime(2030, 10, 30, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    report = tendlc.validate("vonage.vetting.create", _vetting("2030-10-31"), now=evening)
    assert (FIELD, RULE) in _found(report)
    assert tendlc.validate("vonage.vetting.create", _vetting("2030-11-01"), now=evening).valid


def test_the_clock_defaults_to_the_current_time():
    past = (datetime.now(timezone.utc) - timedelta(days=2)).date().isoformat()
    assert (FIELD, RULE) in _found(tendlc.validate("vonage.vetting.create", _vetting(past)))
    future = (datetime.now(timezone.utc) + timedelta(days=2)).date().isoformat()
    assert tendlc.validate("vonage.vetting.create", _vetting(future)).valid


def test_a_malformed_date_keeps_its_format_rule():
    report = tendlc.validate("vonage.vetting.create", _vetting("2030-31-12"), now=NOW)
    assert (FIELD, "format") in _found(report)


def test_the_documented_request_example_is_now_also_rejected_for_its_past_date():
    example = EXAMPLES["vonage/vetting.create.request.json"]
    report = tendlc.validate("vonage.vetting.create", example.published(), now=NOW)
    assert (FIELD, RULE) in _found(report)
    # Its other, clock-independent, defects are unchanged.
    assert set(example.issues) <= set(_found(report))


def test_a_returned_vetting_record_is_not_held_to_the_request_rule():
    # A stored record outlives its election; the response tables write the date yyyy-dd-mm.
    record = json.loads(EXAMPLES["vonage/vetting.list.response.200.json"].published())
    report = tendlc.validate("vonage.vetting.list", record, part="response", status=200, now=NOW)
    assert RULE not in {issue.rule for issue in report.issues}


def test_a_standard_vetting_has_no_election_date_to_check():
    body = {"evp_id": "Aegis", "vetting_class": "STANDARD"}
    assert tendlc.validate("vonage.vetting.create", body, now=NOW).valid
