"""The report writers, read back: JUnit XML, JSON (against its schema), Markdown and HTML.

The runs are made of real checks of the providers' documented examples (examples/), so what a
report says is what tendlc.traffic.check found.
"""

import base64
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import jsonschema
import lxml.html
import pytest

import tendlc
import tendlc.reports as reports
from _support.reports import (
    BANDWIDTH,
    EXAMPLES,
    JSON,
    PAYLOAD,
    SECRET,
    STARTED,
    VONAGE,
    XML,
    invalid_brand,
    sample_run,
)
from tendlc import Issue
from tendlc.reports import (
    JSON_SCHEMA,
    to_html,
    to_json,
    to_junit_xml,
    to_markdown,
    write_reports,
)
from tendlc.traffic import (
    Exchange,
    ExchangeResult,
    Request,
    Response,
    Run,
    RunEntry,
    check_exchange,
)


@pytest.fixture(scope="module")
def run():
    return sample_run()


def test_the_checks_found_what_the_reports_must_show(run):
    """The premise of every test below: the documented examples check as expected."""
    valid, brand, unmatched, drift, _, _, _ = (e.result for e in run.entries)
    assert valid.operation == "bandwidth.campaignImports.create" and not valid.issues
    assert {(i.direction, i.path, i.rule) for i in brand.errors} >= {
        ("request", "/universal_ein", "additionalProperties"),
        ("request", "/verification_email_completion_date", "format"),
    }
    assert any(f.direction == "response" for f in brand.errors)
    assert any(PAYLOAD[:20] in i.message for i in brand.errors)
    assert unmatched.operation is None
    assert drift.valid and [i.path for i in drift.warnings] == ["/loyalty_tier"]


def test_the_public_surface():
    assert sorted(reports.__all__) == [
        "JSON_SCHEMA",
        "to_html",
        "to_json",
        "to_junit_xml",
        "to_markdown",
        "write_reports",
    ]


# -- JSON ------------------------------------------------------------------------------------


def test_the_schema_is_a_valid_2020_12_schema_and_documents_every_field():
    jsonschema.Draft202012Validator.check_schema(JSON_SCHEMA)
    assert JSON_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def undocumented(schema, where):
        for name, sub in schema.get("properties", {}).items():
            if "description" not in sub and "$ref" not in sub and name not in ("kind",):
                yield f"{where}/{name}"
            yield from undocumented(sub, f"{where}/{name}")

    missing = [
        place
        for place in undocumented(JSON_SCHEMA, "")
        if place.count("/") == 1  # the top level is documented field by field
    ]
    assert not missing, missing


def test_json_is_valid_against_its_schema_and_says_what_the_run_found(run):
    document = json.loads(to_json(run))
    jsonschema.Draft202012Validator(JSON_SCHEMA).validate(document)
    assert document["schema"] == "tendlc-report/2"
    assert document["kind"] == "conform"
    assert document["started"] == "2025-03-04T10:00:00+00:00"
    assert document["duration"] == 12.5
    assert document["context"]["provider"] == "vonage"
    assert document["summary"] == run.summary().to_dict()
    assert document["summary"]["conforms"] is False

    groups = {group["id"]: group for group in document["operations"]}
    assert [group["id"] for group in document["operations"]] == [
        "bandwidth.campaignImports.create",
        "vonage.brands.create",
        "vonage.brands.delete",
        "vonage.brands.get",
        "unmatched",
        "not-run",
    ]
    assert groups["bandwidth.campaignImports.create"]["verdict"] == "pass"
    assert groups["bandwidth.campaignImports.create"]["method"] == "POST"
    assert groups["vonage.brands.create"]["verdict"] == "fail"
    assert groups["vonage.brands.create"]["path"] == "/v1/10dlc/brands"
    assert groups["vonage.brands.create"]["errors"] == len(run.entries[1].result.errors)
    # drift passes, and each distinct warning is listed once with how often it was seen
    drifting = groups["vonage.brands.get"]
    assert (drifting["verdict"], drifting["warnings"], drifting["entries"]) == ("pass", 2, [3, 4])
    assert [(d["path"], d["rule"], d["occurrences"]) for d in drifting["drift"]] == [
        ("/loyalty_tier", "additionalProperties", 2)
    ]
    assert drifting["drift"][0]["location"].startswith("vonage/openapi.yaml#/")
    assert groups["vonage.brands.delete"]["verdict"] == "skipped"
    assert groups["unmatched"]["kind"] == "unmatched" and groups["unmatched"]["verdict"] == "fail"
    assert groups["not-run"]["failed"] == 1 and groups["not-run"]["verdict"] == "fail"

    entries = document["entries"]
    assert [e["group"] for e in entries][:3] == [
        "bandwidth.campaignImports.create",
        "vonage.brands.create",
        "unmatched",
    ]
    findings = entries[1]["exchange"]["findings"]
    universal = next(f for f in findings if f["path"] == "/universal_ein")
    assert universal["direction"] == "request" and universal["rule"] == "additionalProperties"
    assert universal["location"].startswith("vonage/openapi.yaml#/components/schemas/")
    date = next(f for f in findings if f["path"] == "/verification_email_completion_date")
    assert date["expected"] == "date-time"
    assert entries[5] == {
        "name": "vonage.brands.delete",
        "status": "skipped",
        "note": "destructive: skipped",
        "operation": "vonage.brands.delete",
        "valid": True,
        "verdict": "skipped",
        "group": "vonage.brands.delete",
        "waits": {"rate_limited": 0, "retries": 0, "waited": 0.0},
        "exchange": None,
    }
    assert SECRET not in to_json(run)


def test_json_reads_a_serialised_run_as_it_reads_the_run(run):
    assert to_json(run.to_dict()) == to_json(run)
    merged = json.loads(json.dumps({"kind": "pytest", "entries": run.to_dict()["entries"]}))
    document = json.loads(to_json(merged))
    jsonschema.Draft202012Validator(JSON_SCHEMA).validate(document)
    assert document["started"] is None and document["duration"] is None
    assert document["summary"] == run.summary().to_dict()


def test_a_schema_violation_is_caught():
    """The schema is closed: the test above would notice a field the writer adds."""
    document = json.loads(to_json(Run("conform")))
    document["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(JSON_SCHEMA).validate(document)


# -- JUnit XML -------------------------------------------------------------------------------


def test_junit_has_one_test_case_per_entry_with_counts(run):
    root = ET.fromstring(to_junit_xml(run))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "tendlc.conform"
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "7",
        "failures": "2",  # the invalid brand and the unmatched exchange
        "errors": "1",  # the probe that failed
        "skipped": "1",
    }
    assert suite.get("timestamp") == "2025-03-04T10:00:00"
    assert float(suite.get("time")) == 12.5
    properties = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert properties["provider"] == "vonage"

    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("bandwidth.campaignImports.create", "import a campaign"),
        ("vonage.brands.create", "create an invalid brand"),
        ("unmatched", "GET /v1/10dlc/nothing/here"),
        ("vonage.brands.get", "get a brand"),
        ("vonage.brands.get", "get the brand again"),
        ("vonage.brands.delete", "vonage.brands.delete"),
        ("not-run", "probe the account"),
    ]
    passing, brand, unmatched, drift, _, skipped, failed = cases
    assert list(passing.iter("failure")) == [] and "→ 201" in passing.find("system-out").text
    failure = brand.find("failure")
    assert failure.get("type") == "contract"
    assert failure.get("message").startswith(f"{len(run.entries[1].result.errors)} contract errors")
    assert "request /universal_ein [additionalProperties]" in failure.text
    assert "response " in failure.text
    assert PAYLOAD[:25] in failure.text  # the excerpt, as text
    assert "contract: vonage/openapi.yaml#/" in failure.text
    assert "expected: date-time" in failure.text
    assert "[unmatched]" in unmatched.find("failure").text
    assert SECRET not in unmatched.find("system-out").text
    assert drift.find("failure") is None
    assert "warning (drift): response /loyalty_tier" in drift.find("system-out").text
    assert skipped.find("skipped").get("message") == "destructive: skipped"
    assert failed.find("error").get("message") == "connection refused"


def _hostile_run():
    nasty = "bad \x00\x08\x1b ]]> <&> \"'\ufffe \udc80 end"
    result = ExchangeResult(
        Exchange(Request("GET", f"{VONAGE}/brands/B1"), Response(200)),
        "vonage.brands.get",
        (replace(_issue(nasty), check="body", direction="response"),),
    )
    return Run("proxy", [RunEntry(f"entry {nasty}", result)], context={"note": nasty})


def _issue(message):
    return Issue("error", "/x]]>", "enum", message, expected=[message])


def test_junit_survives_control_characters_and_cdata_ends():
    text = to_junit_xml(_hostile_run())
    root = ET.fromstring(text)
    case = root.find("testsuite/testcase")
    failure = case.find("failure").text
    assert "]]> <&>" in failure and "\\x00\\x08\\x1b" in failure and "\\udc80" in failure
    assert case.get("name").startswith("entry bad \\x00")
    text.encode("utf-8")  # no lone surrogate left


def test_every_writer_survives_hostile_text(tmp_path):
    run = _hostile_run()
    written = write_reports(
        run,
        junit_xml=tmp_path / "r.xml",
        json=tmp_path / "r.json",
        markdown=tmp_path / "r.md",
        html=tmp_path / "r.html",
    )
    ET.parse(written[0])
    document = json.loads(written[1].read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(JSON_SCHEMA).validate(document)
    assert document["entries"][0]["exchange"]["findings"][0]["message"].startswith("bad \x00")
    assert "\x00" not in written[2].read_text(encoding="utf-8")
    page = lxml.html.fromstring(written[3].read_text(encoding="utf-8"))
    assert "]]> <&>" in page.text_content()


# -- Markdown --------------------------------------------------------------------------------


def _table(markdown, header):
    """The rows (lists of cells) of the table whose header row starts with ``header``."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
        rows.append([cell.strip() for cell in cells])
    return rows


def test_markdown_has_a_verdict_a_summary_and_a_row_per_operation(run):
    text = to_markdown(run)
    assert text.splitlines()[0] == "# ❌ FAIL: tendlc Conformance run"
    assert "**Provider:** vonage" in text and "**Duration:** 12.5 s" in text
    summary = run.summary()
    assert _table(text, "Exchanges") == [
        [str(summary.exchanges), "1", str(summary.errors), "2", "0", "1", "1"]
    ]
    # exchanges, errors, warnings and the verdict (advice, time, 429s, retries, waited between)
    operations = {row[0].strip("`"): [*row[1:4], row[-1]] for row in _table(text, "Operation")}
    assert list(operations) == [
        "bandwidth.campaignImports.create",
        "vonage.brands.create",
        "vonage.brands.delete",
        "vonage.brands.get",
        "unmatched",
        "not-run",
    ]
    assert operations["bandwidth.campaignImports.create"] == ["1", "0", "0", "✅ pass"]
    assert operations["vonage.brands.create"][3] == "❌ fail"
    assert operations["vonage.brands.get"] == ["2", "0", "2", "⚠️ pass, drift"]
    assert operations["vonage.brands.delete"][3] == "⏭️ skipped"


def test_markdown_details_name_direction_path_and_rule_escaped(run):
    text = to_markdown(run)
    assert "### vonage.brands.create (POST /v1/10dlc/brands)" in text
    rows = _table(text, "Entry")
    assert [
        "create an invalid brand",
        "request",
        "`/universal_ein`",
        "`additionalProperties`",
    ] in [row[:4] for row in rows]
    # markup in a quoted value is text, never HTML that a summary page would render
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert SECRET not in text
    # drift is listed, and is not a failure
    drift = _table(text, "Operation | Direction")
    assert drift[0][:5] == [
        "`vonage.brands.get`",
        "response",
        "`/loyalty_tier`",
        "`additionalProperties`",
        "2",
    ]
    assert "### vonage.brands.get" not in text


def test_markdown_details_are_bounded():
    result = invalid_brand()
    run = Run("conform", [RunEntry(f"brand {i}", result) for i in range(40)])
    text = to_markdown(run)
    rows = _table(text, "Entry")
    assert len(rows) == 50
    hidden = 40 * len(result.errors) - 50
    assert f"… and {hidden} more failures not shown" in text
    assert len(text) < 30_000


# -- HTML ------------------------------------------------------------------------------------


def test_html_is_self_contained_and_says_what_the_run_found(run):
    text = to_html(run)
    page = lxml.html.fromstring(text)
    # nothing is fetched: no external script, style, image, font or frame; links are anchors
    for element in page.iter():
        for attribute in ("src", "srcset", "data", "action", "poster"):
            assert element.get(attribute) is None, (element.tag, attribute)
        if element.get("href") is not None:
            assert element.get("href").startswith("#"), element.get("href")
    assert page.xpath("//link") == []
    style = "".join(page.xpath("//style/text()"))
    assert "url(" not in style and "@import" not in style
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in policy
    (script,) = page.xpath("//script")  # the filter script and nothing else
    assert "alert" not in script.text

    assert page.xpath("string(//*[@id='verdict'])") == "fail"
    header = page.xpath("string(//header)")
    assert "conform" in header and "http://127.0.0.1:8765/v1/10dlc" in header
    assert "12.5 s" in header and "2025-03-04T10:00:00+00:00" in header
    counters = {
        node.get("data-counter"): node.xpath("string(b)")
        for node in page.xpath("//*[@data-counter]")
    }
    assert counters["exchanges"] == "5" and counters["warnings"] == "2"
    assert counters["errors"] == str(run.summary().errors)

    rows = page.xpath("//table[@id='operations-table']/tbody/tr")
    cells = {row.get("data-operation"): [c.text_content() for c in row.xpath("td")] for row in rows}
    assert cells["vonage.brands.create"][:3] == [
        "vonage.brands.create",
        "POST",
        "/v1/10dlc/brands",
    ]
    assert cells["vonage.brands.create"][6].startswith("fail")
    assert cells["vonage.brands.get"][3:6] == ["2", "0", "2"]
    assert "pass" in cells["vonage.brands.get"][6] and "2 warnings" in cells["vonage.brands.get"][6]


def test_html_findings_show_direction_path_rule_excerpt_expected_and_location(run):
    page = lxml.html.fromstring(to_html(run))
    section = page.xpath("//section[@data-operation='vonage.brands.create']")[0]
    findings = [
        [cell.text_content() for cell in row.xpath("td")]
        for row in section.xpath(".//tr[contains(@class, 'finding')]")
    ]
    universal = next(row for row in findings if row[2] == "/universal_ein")
    assert universal[:4] == ["error", "request", "/universal_ein", "additionalProperties"]
    assert "vonage/openapi.yaml#/components/schemas/" in universal[5]
    date = next(row for row in findings if row[2] == "/verification_email_completion_date")
    # the hostile excerpt is text in a cell: escaped, with its quotes
    assert PAYLOAD.replace("'", "\\'") in date[4]
    assert "expected: date-time" in date[5]
    assert {row[1] for row in findings} == {"request", "response"}

    # drift: its own section, by operation, labelled drift and not error
    drift = page.xpath("//section[@id='drift']")[0]
    assert drift.xpath("string(.//h3)") == "vonage.brands.get"
    assert "/loyalty_tier" in drift.text_content()
    # a passing operation (drift passes) is collapsed, after every failing one
    (passing,) = page.xpath("//details[@data-operation='vonage.brands.get']")
    assert passing.get("open") is None
    labels = passing.xpath(".//tr[contains(@class,'finding')]/td[1]")
    assert [label.text_content() for label in labels] == ["drift", "drift"]
    text = page.text_content()
    assert "destructive: skipped" in text and "connection refused" in text
    assert SECRET not in to_html(run)


def test_html_escapes_quotes_in_attributes():
    run = Run("proxy", context={"base_url": 'http://127.0.0.1:1/"><script>alert(2)</script>'})
    text = to_html(run)
    assert "<script>alert(2)" not in text
    assert len(lxml.html.fromstring(text).xpath("//script")) == 1


# -- every format ----------------------------------------------------------------------------


def test_an_empty_run_gives_valid_reports_in_every_format(tmp_path):
    run = Run("conform", started=STARTED, finished=STARTED)
    paths = write_reports(
        run,
        junit_xml=tmp_path / "a" / "r.xml",
        json=tmp_path / "b" / "r.json",
        markdown=tmp_path / "r.md",
        html=tmp_path / "r.html",
    )
    assert [p.name for p in paths] == ["r.xml", "r.json", "r.md", "r.html"]
    suite = ET.parse(paths[0]).getroot().find("testsuite")
    assert suite.get("tests") == "0" and suite.findall("testcase") == []
    document = json.loads(paths[1].read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(JSON_SCHEMA).validate(document)
    assert document["operations"] == [] and document["entries"] == []
    assert document["summary"]["conforms"] is True
    markdown = paths[2].read_text(encoding="utf-8")
    assert markdown.startswith("# ✅ PASS") and "Nothing was checked" in markdown
    page = lxml.html.fromstring(paths[3].read_text(encoding="utf-8"))
    assert page.xpath("string(//*[@id='verdict'])") == "pass"
    assert "nothing was checked" in page.text_content()


def test_write_reports_writes_only_what_is_asked(tmp_path, run):
    assert write_reports(run) == []
    paths = write_reports(run, markdown=str(tmp_path / "summary.md"))
    assert paths == [tmp_path / "summary.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.md"]
    assert paths[0].read_text(encoding="utf-8") == to_markdown(run)


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("vonage.brands.delete", "vonage.brands.delete"),
        ("vonage.brands.delete[soft]", "vonage.brands.delete"),
        ("vonage.brands.delete: not allowed", "vonage.brands.delete"),
        ("vonage.brands.deleted", "not-run"),
        ("vonage.brands.delete.more", "not-run"),
        ("probe the account", "not-run"),
    ],
)
def test_a_probe_that_did_not_run_belongs_to_the_operation_it_names(name, group):
    run = Run("conform", [RunEntry(name, None, status="skipped", note="n")])
    document = json.loads(to_json(run))
    assert document["entries"][0]["group"] == group
    assert [g["id"] for g in document["operations"]] == [group]


def test_credentials_in_a_context_url_are_masked_in_every_format():
    run = Run("conform", context={"base_url": f"https://user:{SECRET}@host.test/?api_key={SECRET}"})
    for writer in (to_junit_xml, to_json, to_markdown, to_html):
        text = writer(run)
        assert SECRET not in text, writer.__name__
        assert "host.test" in text, writer.__name__


# -- the credentials of the environment (or of a run) are in no report ------------------------

CREDENTIALS = {
    "BANDWIDTH_USERNAME": "report-user@example.test",
    "BANDWIDTH_PASSWORD": "report-pass-5e1d",
    "BANDWIDTH_ACCOUNT_ID": "7412589",
    "VONAGE_API_KEY": "rkey9a7c",
    "VONAGE_API_SECRET": "rsecret-3b6f",
}
BASIC = base64.b64encode(b"report-user@example.test:report-pass-5e1d").decode()
LEAKS = [*CREDENTIALS.values(), "report-user%40example.test", BASIC]
WRITERS = (to_junit_xml, to_json, to_markdown, to_html)


def _credential_run(**options):
    """A run whose URLs, entry names, notes and finding messages hold every credential: the
    account id in the path, the username percent-encoded in a query, the password and the API
    key quoted by a finding, a Basic encoding in a probe's note."""
    account = CREDENTIALS["BANDWIDTH_ACCOUNT_ID"]
    base = BANDWIDTH.replace("9900000", account)
    run = Run("conform", context={"base_url": f"https://{account}.example.test/"}, **options)
    run.add(
        f"GET /api/accounts/{account}/campaignManagement/10dlc/brands",
        check_exchange(
            Exchange(
                Request("GET", f"{base}/brands?user=report-user%40example.test"),
                Response(
                    200,
                    XML,
                    b"<BrandsResponse><Brands/><TotalCount>0</TotalCount></BrandsResponse>",
                ),
            )
        ),
    )
    run.add(
        "list brands by page",
        check_exchange(
            Exchange(
                Request("GET", f"{VONAGE}/brands?page=report-pass-5e1d&page_size=rkey9a7c"),
                Response(200, JSON, b"{}"),
            )
        ),
    )
    run.extend(
        [
            RunEntry(
                "vonage.account.get",
                None,
                status="failed",
                note=f"answered 401 for Basic {BASIC} (rsecret-3b6f)",
            )
        ]
    )
    return run


def _assert_no_credential(text, where):
    for leak in LEAKS:
        assert leak not in text, (where, leak)


def test_the_environment_credentials_are_in_no_report(monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    run = _credential_run()
    unmasked = run.summary()
    for writer in WRITERS:
        text = writer(run)
        _assert_no_credential(text, writer.__name__)
        masked = "/api/accounts/***/" if writer is not to_markdown else r"/accounts/\*\*\*/"
        assert masked in text, writer.__name__
    document = json.loads(to_json(run))
    jsonschema.validate(document, JSON_SCHEMA)
    # masking changes texts, never what the run says
    assert document["summary"] == unmasked.to_dict()
    assert [e["verdict"] for e in document["entries"]] == ["fail", "fail", "fail"]
    messages = [
        f["message"]
        for e in document["entries"]
        if e["exchange"]
        for f in e["exchange"]["findings"]
    ]
    assert "expected an integer, got the text '***'" in messages
    assert document["entries"][2]["note"] == "answered 401 for Basic *** (***)"


def test_a_run_masks_the_credentials_it_was_given_whatever_the_environment(monkeypatch):
    from tendlc.traffic import SecretRules

    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    run = _credential_run(rules=SecretRules.from_environment(CREDENTIALS))
    _assert_no_credential(json.dumps(run.to_dict()), "Run.to_dict")
    for writer in WRITERS:
        _assert_no_credential(writer(run), writer.__name__)


def test_a_run_merged_from_other_processes_is_masked_with_this_environment(monkeypatch):
    from tendlc.traffic import SecretRules

    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    # serialised where nothing was known to be a credential (a worker without the variables)
    raw = _credential_run(rules=SecretRules()).to_dict()
    assert CREDENTIALS["BANDWIDTH_ACCOUNT_ID"] in json.dumps(raw)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for writer in WRITERS:
        _assert_no_credential(writer(raw), writer.__name__)


def test_a_credential_that_is_also_a_word_of_the_run_changes_no_verdict(monkeypatch):
    # a password spelled like a severity and a secret like a status: only texts are masked,
    # so the counts, severities, statuses and verdicts the writers compute with stay as they were
    def verdicts():
        run = sample_run()
        document = json.loads(to_json(run))
        suite = ET.fromstring(to_junit_xml(run)).find("testsuite")
        return (
            document["summary"],
            [(e["status"], e["verdict"], e["group"]) for e in document["entries"]],
            [(g["id"], g["verdict"], g["errors"], g["warnings"]) for g in document["operations"]],
            {name: suite.get(name) for name in ("tests", "failures", "errors", "skipped")},
        )

    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    before = verdicts()
    monkeypatch.setenv("BANDWIDTH_PASSWORD", "error")
    monkeypatch.setenv("VONAGE_API_SECRET", "failed")
    assert verdicts() == before
    assert before[0]["errors"] > 0 and before[0]["failed"] > 0


def test_masking_text_masks_urls_in_it_and_every_known_value():
    from tendlc.traffic import SecretRules

    rules = SecretRules.from_environment(CREDENTIALS)
    text = (
        "see https://u:pw@host.test/api/accounts/7412589/x?api_key=k1k2k3 and "
        "http://[::1 for report-user%40example.test, report-user+example.test"
    )
    masked = rules.mask(text)
    assert masked == (
        "see https://***@host.test/api/accounts/***/x?api_key=*** and "
        "http://[::1 for ***, report-user+example.test"
    )
    assert rules.mask(masked) == masked  # masking again changes nothing
    assert SecretRules().mask("GET /api/accounts/7412589") == "GET /api/accounts/7412589"
    assert SecretRules().with_values(["abc"]).values == frozenset()  # too short to mask


# -- excerpts, reproduce commands, contract text, timings, coverage, advice ------------------


def _big_invalid_brand(secret):
    """An invalid brand request over 4 KiB whose body quotes ``secret``, answered 201."""
    brand = json.loads((EXAMPLES / "vonage/brands.create.request.json").read_text())
    brand["company_name"] = "x" * 6000
    brand["website"] = f"https://example.test/{secret}"
    exchange = Exchange(
        Request("POST", f"{VONAGE}/brands", JSON, json.dumps(brand).encode()),
        Response(201, JSON, (EXAMPLES / "vonage/brands.create.response.201.json").read_bytes()),
        elapsed=0.25,
    )
    return check_exchange(exchange)


def test_a_run_keeps_bounded_masked_bodies_of_exchanges_with_findings_only(monkeypatch):
    from tendlc.traffic import EXCERPT, SecretRules, bounded

    monkeypatch.setenv("VONAGE_API_SECRET", "rsecret-3b6f")
    rules = SecretRules.from_environment()
    failing = bounded(_big_invalid_brand("rsecret-3b6f"), rules)
    passing = bounded(sample_run().entries[0].result, rules)
    assert not failing.valid and passing.valid and not passing.issues
    assert passing.exchange.request.body == passing.exchange.response.body == b""
    assert passing.to_dict()["excerpt"] is None
    assert len(failing.exchange.request.body) <= EXCERPT + 64  # the masks may add a little
    excerpt = failing.to_dict()["excerpt"]
    sent = excerpt["request"]
    assert sent["truncated"] is True and sent["bytes"] > 6000
    assert "rsecret-3b6f" not in json.dumps(excerpt)
    assert excerpt["response"]["status"] == 201 and excerpt["response"]["truncated"] is False
    assert failing.to_dict()["elapsed"] == 0.25
    document = json.loads(to_json(Run("conform", entries=[RunEntry("big", failing)])))
    jsonschema.Draft202012Validator(JSON_SCHEMA).validate(document)
    assert document["entries"][0]["exchange"]["excerpt"]["request"]["truncated"] is True


def test_html_puts_failing_operations_first_each_with_exchange_reproduce_command_and_contract():
    run = sample_run()
    run.add("a big brand", _big_invalid_brand("nothing-secret"))
    html = to_html(run)
    page = lxml.html.fromstring(html)
    failing = page.xpath("//section[@id='failing']")[0]
    passing = page.xpath("//section[@id='passing']")[0]
    order = [node.get("id") for node in page.xpath("//section[@id] | //details[@id]")]
    assert order.index("failing") < order.index("passing")
    assert {s.get("data-operation") for s in failing.xpath("./section")} == {
        "vonage.brands.create",
        "unmatched",
        "not-run",
    }
    assert all(d.get("open") is None for d in passing.xpath("./details"))
    # the operations table lists the failing ones first too
    rows = [
        r.get("data-verdict")
        for r in page.xpath("//table[@id='operations-table']//tr[@data-verdict]")
    ]
    assert rows == sorted(rows, key=lambda verdict: verdict != "fail")

    brand = failing.xpath("./section[@data-operation='vonage.brands.create']")[0]
    first = brand.xpath(".//div[contains(@class, 'entry')]")[0]
    request, response = first.xpath(".//div[@class='request']/pre | .//div[@class='response']/pre")
    assert request.text_content().startswith("POST https://api.nexmo.com/v1/10dlc/brands")
    assert "application/json" in request.text_content()
    assert response.text_content().startswith("HTTP 201")
    curl = first.xpath(".//pre[@class='curl']")[0].text_content()
    assert curl.startswith("curl -sS -X POST")
    assert '-u "$VONAGE_API_KEY:$VONAGE_API_SECRET"' in curl
    big = brand.xpath(".//div[contains(@class, 'entry')][.//b[text()='a big brand']]")[0]
    assert "0.250 s" in big.xpath("string(.//div[@class='entry-head'])")
    assert "Body cut to its first" in big.text_content()
    assert "complete it before sending" in big.text_content()
    # every contract location of a finding links to the contract's text in the page
    links = page.xpath("//a[@class='contract-link']")
    assert links
    ids = set(page.xpath("//@id"))
    assert all(link.get("href")[1:] in ids for link in links)
    schema = page.xpath("//section[@id='contracts']//section[@class='contract']/h3")
    assert [h.text_content() for h in schema] == ["vonage/openapi.yaml"]
    target = page.get_element_by_id(links[0].get("href")[1:])
    assert target.xpath("string(.//pre)").lstrip().startswith(("{", "["))


def test_xsd_contract_text_has_an_anchor_per_named_component():
    from tendlc.reports._contracts import anchor_of, contract_texts

    location = "bandwidth/brands.xsd#/xs:schema/xs:complexType[@name='BrandCreate']/xs:assert[1]"
    (text,) = contract_texts([location, "https://example.test/rule#x"])
    anchors = {block.anchor: block for block in text.blocks}
    assert anchor_of(location) in anchors
    assert '<xs:complexType name="BrandCreate"' in anchors[anchor_of(location)].text
    assert len(anchors) > 3  # every named component of the file, not only the one linked
    assert anchor_of("https://example.test/rule#x") is None


def test_every_report_has_coverage_by_documented_status():
    run = sample_run()
    document = json.loads(to_json(run))
    groups = {g["id"]: g for g in document["operations"]}
    created = groups["vonage.brands.create"]["statuses"]
    documented = sorted(tendlc.get_operation("vonage.brands.create").responses)
    assert created["documented"] == documented and created["seen"] == [201]
    assert created["not_seen"] == [s for s in documented if s != 201]
    assert groups["unmatched"]["statuses"]["documented"] == []
    markdown = to_markdown(run)
    coverage = {row[0].strip("`"): row[1:] for row in _table(markdown, "Operation | Documented")}
    assert "## Coverage by documented status" in markdown
    assert coverage["vonage.brands.create"][1] == "201"
    html = lxml.html.fromstring(to_html(run))
    row = html.xpath("//tr[@data-coverage='vonage.brands.create']/td")
    assert row[2].text_content() == "201"
    junit = ET.fromstring(to_junit_xml(run))
    values = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert values["statuses vonage.brands.create"].startswith("documented ")


def test_advice_has_a_section_of_its_own_in_every_report_and_fails_nothing():
    body = json.loads((EXAMPLES / "vonage/campaigns.create.request.json").read_text())
    advised = check_exchange(
        Exchange(
            Request("POST", f"{VONAGE}/brands/BLQKOPK/campaigns", JSON, json.dumps(body).encode()),
            Response(
                201, JSON, (EXAMPLES / "vonage/campaigns.create.response.201.json").read_bytes()
            ),
        ),
        advice=True,
    )
    assert advised.advice
    run = Run("proxy", entries=[RunEntry("create a campaign", advised)])
    document = json.loads(to_json(run))
    jsonschema.Draft202012Validator(JSON_SCHEMA).validate(document)
    assert document["summary"]["errors"] == len(advised.errors)  # advice is not counted
    assert len(document["advice"]) == len(advised.advice) == document["summary"]["advice"]
    assert "## Advice" in to_markdown(run)
    assert lxml.html.fromstring(to_html(run)).xpath(
        "//section[@id='advice']//tr[@class='finding advice']"
    )
    junit = ET.fromstring(to_junit_xml(run))
    assert "advice: request" in junit.find(".//system-out").text
    listed = [p for p in junit.iter("property") if p.get("name").startswith("advice ")]
    assert len(listed) == len(advised.advice)
    assert listed[0].get("name") == "advice vonage.campaigns.create create a campaign"


def test_junit_times_each_test_case():
    run = Run("conform", entries=[RunEntry("a big brand", _big_invalid_brand("x"))])
    (case,) = ET.fromstring(to_junit_xml(run)).iter("testcase")
    assert case.get("time") == "0.250"
