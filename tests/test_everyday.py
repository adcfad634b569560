"""Everyday use of the command line: operations inferred, one configuration, output habits,
bulk validation."""

import json
import os

import pytest
from click.testing import CliRunner

import tendlc
from tendlc._config import ConfigError, load_config
from tendlc._documented import documented_examples
from tendlc._infer import infer
from tendlc._resources import examples_dir
from tendlc.cli import main

EXAMPLES = examples_dir()
FILES = [e for e in documented_examples() if e.inline is None]


def _run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


# -- operations inferred ---------------------------------------------------------------------


@pytest.mark.parametrize("example", FILES, ids=[e.name for e in FILES])
def test_every_documented_example_is_inferred_from_its_file_name(example):
    chosen = infer(EXAMPLES / example.name, b"", None).chosen
    assert chosen is not None
    assert (chosen.operation, chosen.part, chosen.status) == (
        example.operation,
        example.part,
        example.status,
    )


def _accepting(payload, wire):
    """The (operation, part) pairs whose contract takes ``payload`` as it is: for JSON every
    field documented (no warning); for XML the pairs its root element names, narrowed to those
    that accept it when several share the root."""
    import tendlc
    from tendlc._parsing import local_name, parse_xml

    bodies = [
        (operation, part, status, body)
        for operation in tendlc.operations()
        for part, status, body in [
            ("request", None, operation.request),
            *(("response", code, b) for code, b in operation.responses.items()),
        ]
        if body is not None and body.structured and body.wire == wire
    ]
    if wire == "xml":
        root = local_name(parse_xml(payload))
        bodies = [entry for entry in bodies if entry[3].locator == root]
        if len({(op.id, part) for op, part, _, _ in bodies}) <= 1:
            return {(op.id, part) for op, part, _, _ in bodies}
    fits = set()
    for operation, part, status, _ in bodies:
        report = tendlc.validate(operation, payload, part=part, status=status)
        if report.valid and (wire == "xml" or not report.warnings):
            fits.add((operation.id, part))
    return fits


def test_payloads_alone_name_their_operation_where_they_can():
    alone = named = 0
    # (a documented example the contracts refuse may well fit another operation)
    for example in [e for e in FILES if e.expect == "valid" or e.repair]:
        payload = example.repaired()
        wire = "xml" if payload.lstrip().startswith(b"<") else "json"
        fits = _accepting(payload, wire)
        chosen = infer(None, payload, None).chosen
        if fits == {(example.operation, example.part)}:
            alone += 1  # nothing else takes it: the payload names its operation
            assert chosen is not None, example.name
        if chosen is not None:
            named += 1
            assert (chosen.operation, chosen.part) == (example.operation, example.part)
            assert (chosen.operation, chosen.part) in fits
    assert alone >= len(FILES) // 3 and named == alone, (alone, named)


def test_an_ambiguous_payload_exits_2_naming_every_candidate(tmp_path):
    vetting = (EXAMPLES / "bandwidth/vetting.create.request.xml").read_bytes()
    payload = tmp_path / "vetting.xml"
    payload.write_bytes(vetting.replace(b"<VettingId>STANDARD</VettingId>", b""))
    outcome = _run("validate", str(payload))
    assert outcome.exit_code == 2
    assert "operations fit; name one" in outcome.output
    assert "bandwidth.vetting.create request" in outcome.output
    assert "bandwidth.vetting.import request" in outcome.output
    assert "its root element <BrandVetting>" in outcome.output


def test_inference_through_the_command_line(tmp_path):
    (tmp_path / "bandwidth").mkdir()
    good = tmp_path / "bandwidth" / "brands.create.request.xml"
    good.write_bytes((EXAMPLES / "bandwidth/brands.create.request.xml").read_bytes())
    outcome = _run("validate", str(good))
    assert outcome.exit_code == 0, outcome.output
    assert "bandwidth.brands.create request" in outcome.output


# -- one configuration -------------------------------------------------------------------------


def _project(tmp_path, table):
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n{table}\n")
    return tmp_path


def test_mappings_name_the_operation_of_files_by_glob(tmp_path, monkeypatch):
    _project(
        tmp_path,
        '[tool.tendlc.files]\n"payloads/brand-*.xml" = "bandwidth.brands.create"\n'
        '"payloads/reply.xml" = {operation = "bandwidth.brands.get", part = "response", '
        "status = 200}\n",
    )
    (tmp_path / "payloads").mkdir()
    brand = tmp_path / "payloads" / "brand-acme.xml"
    brand.write_bytes((EXAMPLES / "bandwidth/brands.create.request.xml").read_bytes())
    reply = tmp_path / "payloads" / "reply.xml"
    reply.write_bytes((EXAMPLES / "bandwidth/brands.get.response.200.xml").read_bytes())
    monkeypatch.chdir(tmp_path)
    outcome = _run("validate", "payloads")
    assert outcome.exit_code == 0, outcome.output
    assert "bandwidth.brands.create request" in outcome.output
    assert "bandwidth.brands.get response 200" in outcome.output
    mapping = load_config().mapping_for(brand)
    assert mapping is not None and mapping.operation == "bandwidth.brands.create"


@pytest.mark.parametrize(
    ("table", "path", "rule"),
    [
        (
            "[tool.tendlc]\nwarnings_as_errors = true\n",
            "/warnings_as_errors",
            "additionalProperties",
        ),
        ("[tool.tendlc]\nwarnings-as-errors = 'yes'\n", "/warnings-as-errors", "type"),
        ('[tool.tendlc.files]\n"x/*.xml" = "vonage.brand.create"\n', "/files/x~1*.xml", "enum"),
        ("[tool.tendlc.conform]\ntime-scale = 0\n", "/conform/time-scale", "exclusiveMinimum"),
        (
            "[tool.tendlc.record.path-parameters]\naccountId = ''\n",
            "/record/path-parameters/accountId",
            "minLength",
        ),
        ("[tool.tendlc.limits]\nmax-bytes = 0\n", "/limits/max-bytes", "minimum"),
        ("[tool.tendlc.limits]\nmax-size = 10\n", "/limits/max-size", "additionalProperties"),
    ],
)
def test_bad_configuration_is_reported_with_the_key_path(tmp_path, monkeypatch, table, path, rule):
    _project(tmp_path, table)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert (path, rule) in [(issue.path, issue.rule) for issue in caught.value.issues]
    monkeypatch.chdir(tmp_path)
    outcome = _run(
        "validate", "bandwidth.brands.create", str(EXAMPLES / "bandwidth/brands.create.request.xml")
    )
    assert outcome.exit_code == 2
    assert path in outcome.output and f"[{rule}]" in outcome.output


def test_a_tendlc_toml_file_is_read_too(tmp_path):
    (tmp_path / "tendlc.toml").write_text("warnings-as-errors = true\n")
    assert load_config(tmp_path).warnings_as_errors


UNDOCUMENTED = (
    (EXAMPLES / "bandwidth/brands.get.response.200.xml")
    .read_bytes()
    .replace(b"</Brand>", b"<Extra>1</Extra></Brand>")
)


def test_the_command_line_wins_over_the_configuration(tmp_path, monkeypatch):
    _project(tmp_path, "[tool.tendlc]\nwarnings-as-errors = true\n")
    reply = tmp_path / "reply.xml"
    reply.write_bytes(UNDOCUMENTED)
    monkeypatch.chdir(tmp_path)
    args = ["validate", "bandwidth.brands.get", str(reply), "--status", "200"]
    assert _run(*args).exit_code == 1  # the configuration: warnings fail
    assert _run(*args, "--no-warnings-as-errors").exit_code == 0  # the command line wins
    (tmp_path / "pyproject.toml").unlink()
    assert _run(*args).exit_code == 0
    assert _run(*args, "--warnings-as-errors").exit_code == 1


PLUGIN_PROJECT = """
import httpx

def test_sends_an_invalid_import():
    transport = httpx.MockTransport(lambda request: httpx.Response(404))
    with httpx.Client(transport=transport) as client:
        client.post("https://dashboard.bandwidth.com/api/accounts/1/campaignManagement/10dlc/"
                    "campaigns/imports", content=b"<ImportedCampaign/>",
                    headers={"Content-Type": "application/xml"})
"""


def test_the_plugin_reads_the_configuration_below_ini_marker_and_command_line(pytester):
    pytester.makepyfile(test_project=PLUGIN_PROJECT)
    pytester.makefile(".toml", pyproject="[tool.tendlc]\ncheck = true\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(failed=1)  # configuration
    pytester.makeini("[pytest]\ntendlc_check = false\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)  # ini wins
    pytester.runpytest("-p", "no:cacheprovider", "--tendlc-check").assert_outcomes(failed=1)


LIMITED = "[tool.tendlc.limits]\nmax-bytes = 200\nmax-depth = 3\n"


def test_the_limits_table_bounds_what_the_command_line_validates(tmp_path, monkeypatch):
    brand = tmp_path / "brand.xml"
    brand.write_bytes((EXAMPLES / "bandwidth/brands.create.request.xml").read_bytes())
    monkeypatch.chdir(tmp_path)
    assert _run("validate", "bandwidth.brands.create", str(brand)).exit_code == 0
    (tmp_path / "pyproject.toml").write_text(LIMITED)
    assert load_config().limits == tendlc.Limits(max_bytes=200, max_depth=3)
    for jobs in ("1", "2"):
        outcome = _run("validate", "--jobs", jobs, "bandwidth.brands.create", str(brand))
        assert outcome.exit_code == 1, outcome.output
        assert "more than the 200 allowed" in outcome.output


LIMITED_PROJECT = """
import httpx

URL = "https://api.nexmo.com/v1/10dlc/brands/BLQKOPK/campaigns/CXXXXXX/numbers"

def test_payload(tendlc_assert_valid):
    tendlc_assert_valid({"country": "US", "number": "15556660001"}, "vonage.campaignNumbers.link")

def test_exchange(tendlc_traffic):
    transport = httpx.MockTransport(lambda request: httpx.Response(202, json={}))
    with httpx.Client(transport=transport) as client:
        client.post(URL, content=b'{"country": "US", "number": "15556660001"}' + b" " * 300,
                    headers={"Content-Type": "application/json"})
    (result,) = tendlc_traffic
    assert not result.valid
    assert any("more than the 200 allowed" in i.message for i in result.issues)
"""


def test_the_plugin_validates_within_the_configured_limits(pytester):
    pytester.makepyfile(test_limited=LIMITED_PROJECT)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)
    pytester.makefile(".toml", pyproject=LIMITED)
    result = pytester.runpytest("-p", "no:cacheprovider")
    # within 200 bytes and depth 3, the small payload still passes; the padded exchange fails
    result.assert_outcomes(passed=2)


# -- output habits ------------------------------------------------------------------------------

BROKEN = b"""<?xml version="1.0"?>
<Brand>
<EntityType>PUBLIC_PROFIT</EntityType>
<DisplayName>ACME</DisplayName>
<Phone>12345</Phone>
</Brand>
"""


def test_quiet_verbose_and_issues_sorted_by_line(tmp_path):
    broken = tmp_path / "brand.xml"
    broken.write_bytes(BROKEN)
    plain = _run("validate", "bandwidth.brands.create", str(broken))
    lines = [line for line in plain.output.splitlines() if line.startswith("  ")]
    numbers = [int(line.split()[2]) for line in lines if line.split()[1] == "line"]
    assert numbers == sorted(numbers) and len(lines) > 3
    quiet = _run("validate", "-q", "bandwidth.brands.create", str(broken))
    assert quiet.output.strip().splitlines() == [plain.output.splitlines()[0]]
    verbose = _run("validate", "-v", "bandwidth.brands.create", str(broken))
    assert "contract: bandwidth/types.xsd#/xs:schema/" in verbose.output
    assert "contract: bandwidth/brands.xsd#/xs:schema/xs:complexType[@name='BrandCreate']" in (
        verbose.output
    )


def test_no_color_is_respected(tmp_path):
    from tendlc._cli._common import colour

    os.environ.pop("NO_COLOR", None)
    assert "\x1b[" not in colour("INVALID", "red")  # not a terminal here
    os.environ["NO_COLOR"] = "1"
    try:
        assert colour("INVALID", "red") == "INVALID"
    finally:
        del os.environ["NO_COLOR"]


def test_shell_completion_offers_operation_ids():
    outcome = CliRunner().invoke(
        main,
        [],
        prog_name="tendlc",
        env={
            "_TENDLC_COMPLETE": "bash_complete",
            "COMP_WORDS": "tendlc validate vonage.bra",
            "COMP_CWORD": "2",
        },
    )
    offered = {line.split(",", 1)[1] for line in outcome.output.splitlines() if "," in line}
    assert {"vonage.brands.create", "vonage.brands.get"} <= offered
    assert all(name.startswith("vonage.bra") for name in offered)


# -- bulk --------------------------------------------------------------------------------


@pytest.fixture
def bulk(tmp_path):
    good = (EXAMPLES / "bandwidth/brands.create.request.xml").read_bytes()
    bad = good.replace(b"<Country>US</Country>", b"<Country>USA</Country>")
    folder = tmp_path / "brands"
    folder.mkdir()
    for index in range(250):
        (folder / f"brand-{index:04d}.xml").write_bytes(bad if index % 25 == 0 else good)
    campaign = json.loads((EXAMPLES / "vonage/campaigns.update.request.json").read_text())
    campaign.pop("message_flow", None)
    campaign["description"] = "User notifications about appointments, orders and payments"
    lines = [json.dumps(campaign)] * 30 + [json.dumps({**campaign, "usecase": "NOPE"})]
    (tmp_path / "campaigns.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "stacked.xml").write_bytes(good + b"\n" + bad)
    return tmp_path


def test_bulk_validation_of_directories_json_lines_and_stacked_documents(bulk):
    outcome = _run(
        "validate",
        "bandwidth.brands.create",
        str(bulk / "brands"),
        str(bulk / "stacked.xml"),
        "--format",
        "jsonl",
        "--jobs",
        "2",
    )
    assert outcome.exit_code == 1
    records = [json.loads(line) for line in outcome.output.splitlines() if line.startswith("{")]
    assert len(records) == 252
    invalid = [r["file"] for r in records if not r["valid"]]
    assert len(invalid) == 11 and invalid[-1].endswith("stacked.xml#2")
    stacked = [f"{bulk / 'stacked.xml'}#1", f"{bulk / 'stacked.xml'}#2"]
    assert [r["file"] for r in records] == [*sorted(r["file"] for r in records[:250]), *stacked]
    one = _run(
        "validate",
        "bandwidth.brands.create",
        str(bulk / "brands"),
        "--format",
        "jsonl",
        "--jobs",
        "1",
    )
    assert one.output.splitlines()[:250] == outcome.output.splitlines()[:250]
    lines = _run("validate", "vonage.campaigns.update", str(bulk / "campaigns.jsonl"), "-q")
    assert lines.exit_code == 1
    assert lines.output.count(": valid (") == 30
    assert "campaigns.jsonl:31: INVALID" in lines.output


def test_unreadable_files_and_bad_arguments_exit_2(tmp_path):
    assert _run("validate", "bandwidth.brands.create", str(tmp_path / "nope.xml")).exit_code == 2
    assert _run("validate", "no.such.operation", "x").exit_code == 2
