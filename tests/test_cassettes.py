"""The shipped cassettes, reading and checking any vcrpy cassette, and secrets in cassettes."""

import gzip
import http.server
import json
import threading

import httpx
import pytest
import vcr
from click.testing import CliRunner

from tendlc import cassettes
from tendlc.cli import main
from tendlc.traffic import capture, check_exchange

SHIPPED = cassettes.documented()


def test_every_documented_exchange_has_its_cassette_built_from_its_source(tmp_path):
    sources = cassettes.documented_sources()
    assert len(sources) == len(SHIPPED) == 68
    cassettes.rebuild_documented(tmp_path)
    for shipped in SHIPPED:
        relative = shipped.relative_to(shipped.parent.parent)
        assert (tmp_path / relative).read_text() == shipped.read_text(), (
            f"{relative} is stale: run python -c 'import tendlc.cassettes as c; "
            "c.rebuild_documented()'"
        )


def test_repairs_are_named_in_the_cassette_metadata():
    repaired = [c for c in map(cassettes.read_cassette, SHIPPED) if c.metadata.get("repairs")]
    assert repaired
    for cassette in repaired:
        for repair in cassette.metadata["repairs"]:
            assert repair["errata"].startswith(("BW-", "VG-"))
            assert repair["why"] and len(repair["replace"]) == 2


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_shipped_cassette_replays_through_httpx_with_vcrpy_and_checks_clean(shipped):
    (recorded,) = cassettes.read_cassette(shipped).exchanges
    request = recorded.request
    results = []
    with (
        vcr.use_cassette(str(shipped), record_mode="none"),
        capture(lambda exchange: results.append(check_exchange(exchange))),
        httpx.Client() as client,
    ):
        response = client.request(
            request.method, request.url, headers=dict(request.headers), content=request.body
        )
    assert response.status_code == recorded.response.status
    (result,) = results
    metadata = cassettes.read_cassette(shipped).metadata
    assert result.operation == metadata["operation"]
    assert result.valid, [str(i) for i in result.errors]


def test_the_cassettes_command_passes_the_shipped_directory():
    outcome = CliRunner().invoke(main, ["cassettes", "check", str(SHIPPED[0].parent.parent)])
    assert outcome.exit_code == 0, outcome.output
    assert "68 cassette(s), 68 interaction(s): 0 error(s)" in outcome.output


def test_a_shipped_cassette_is_found_by_provider_and_name():
    found = cassettes.path("vonage", "brands.create.201")
    assert found.is_file() and found.parent.name == "vonage"
    with pytest.raises(cassettes.CassetteError, match="did you mean"):
        cassettes.path("vonage", "brands.create.200")
    with pytest.raises(OSError):
        cassettes.path("twilio", "x")


PYTEST_RECORDING = """
import httpx
import pytest
from tendlc import cassettes

@pytest.mark.vcr(str(cassettes.path("vonage", "brands.get.200")))
def test_replayed_brand(tendlc_traffic):
    response = httpx.get("https://api.nexmo.com/v1/10dlc/brands/BLQKOPK")
    assert response.status_code == 200
    assert tendlc_traffic.operations == ["vonage.brands.get"]
    assert tendlc_traffic.valid
"""


def test_shipped_cassettes_replay_with_pytest_recording(pytester):
    pytester.makepyfile(test_replay=PYTEST_RECORDING)
    result = pytester.runpytest("-p", "no:cacheprovider", "--record-mode=none", "--tendlc-check")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["1 exchange(s) checked, 0 unmatched, 0 error(s), 0 warning(s)"])


# -- cassettes written by plain vcrpy ------------------------------------------------------------

BRAND = json.dumps({"brand_id": "BLQKOPK", "display_name": "ACME"}).encode()


class _Provider(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = gzip.compress(BRAND)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("serializer", ["yaml", "json"])
def test_plain_vcrpy_cassettes_with_credentials_fail_naming_the_interaction_and_header(
    tmp_path, provider, serializer
):
    path = tmp_path / f"recorded.{serializer}"
    # vcrpy's JSON serializer cannot hold the gzip bytes: it needs them decoded
    decode = serializer == "json"
    with vcr.use_cassette(
        str(path), serializer=serializer, record_mode="once", decode_compressed_response=decode
    ):
        httpx.get(
            f"{provider}/v1/10dlc/brands/BLQKOPK?api_key=a1b2c3d4",
            headers={"Authorization": "Basic YTFiMmMzZDQ6c2VjcmV0LXZhbHVl"},
        )
    text = path.read_text()
    assert "authorization" in text.lower() and "a1b2c3d4" in text  # vcrpy kept them, as it does

    (exchange,) = cassettes.read_cassette(path).exchanges
    assert exchange.response.body == BRAND  # the gzip body vcrpy stored, decompressed

    outcome = CliRunner().invoke(main, ["cassettes", "check", str(tmp_path)])
    assert outcome.exit_code == 1, outcome.output
    assert f"{path}#0: FAIL" in outcome.output
    assert "request header authorization: carries basic credentials" in outcome.output.lower()
    assert "query api_key: a credential parameter with a value" in outcome.output
    assert "a1b2c3d4" not in outcome.output  # the report itself masks the key

    report = CliRunner().invoke(main, ["cassettes", "check", "--format", "json", str(path)])
    data = json.loads(report.output)
    findings = [f for e in data["entries"] for f in e["exchange"]["findings"]]
    secrets = sorted(f["message"].split(":")[0].lower() for f in findings if f["rule"] == "secret")
    assert secrets == ["query api_key", "request header authorization"]
    assert data["summary"]["conforms"] is False


def test_a_scrubbed_plain_vcrpy_cassette_passes(tmp_path, provider):
    path = tmp_path / "scrubbed.yaml"
    with vcr.use_cassette(
        str(path),
        record_mode="once",
        filter_headers=["authorization"],
        filter_query_parameters=["api_key"],
        decode_compressed_response=True,
    ):
        httpx.get(
            f"{provider}/v1/10dlc/brands/BLQKOPK?api_key=a1b2c3d4",
            headers={"Authorization": "Basic YTFiMmMzZDQ6c2VjcmV0LXZhbHVl"},
        )
    outcome = CliRunner().invoke(main, ["cassettes", "check", str(path)])
    assert outcome.exit_code == 0, outcome.output


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("just: text\n", "not a vcrpy cassette"),
        ("interactions: [\n", "not a YAML cassette"),
        ("interactions:\n- response: {}\n", "has no request"),
    ],
)
def test_unreadable_cassettes_exit_2_with_a_reason(tmp_path, content, words):
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    outcome = CliRunner().invoke(main, ["cassettes", "check", str(path)])
    assert outcome.exit_code == 2
    assert words in outcome.output


def test_a_missing_path_exits_2():
    outcome = CliRunner().invoke(main, ["cassettes", "check", "no/such/dir"])
    assert outcome.exit_code == 2
    assert "no such file or directory" in outcome.output


def _as_json_cassette_with_base64_bodies(shipped):
    """A shipped cassette as vcrpy's JSON serializer writes bodies it cannot hold as text."""
    import base64

    import yaml

    data = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    for interaction in data["interactions"]:
        for side in ("request", "response"):
            body = interaction[side].get("body")
            text = body.get("string") if isinstance(body, dict) else body
            if text:
                encoded = base64.b64encode(str(text).encode("utf-8")).decode("ascii")
                interaction[side]["body"] = {"base64_string": encoded}
    return data


def test_base64_bodies_are_read_and_checked(tmp_path):
    shipped = cassettes.path("bandwidth", "brands.create.201")
    data = _as_json_cassette_with_base64_bodies(shipped)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data))
    (exchange,) = cassettes.read_cassette(good).exchanges
    assert exchange.request.body.startswith(b"<?xml") and b"<Brand>" in exchange.request.body
    outcome = CliRunner().invoke(main, ["cassettes", "check", str(good)])
    assert outcome.exit_code == 0, outcome.output

    broken = json.loads(json.dumps(data))
    request_body = broken["interactions"][0]["request"]["body"]
    import base64

    text = base64.b64decode(request_body["base64_string"]).replace(b"<State>NC", b"<State>NCA")
    request_body["base64_string"] = base64.b64encode(text).decode("ascii")
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps(broken))
    outcome = CliRunner().invoke(main, ["cassettes", "check", str(invalid)])
    assert outcome.exit_code == 1 and "/Brand/State" in outcome.output, outcome.output

    request_body["base64_string"] = "not base64 at all!"
    garbled = tmp_path / "garbled.json"
    garbled.write_text(json.dumps(broken))
    outcome = CliRunner().invoke(main, ["cassettes", "check", str(garbled)])
    assert outcome.exit_code == 2 and "interaction 0" in outcome.output, outcome.output


def test_ids_the_configuration_scrubs_must_not_be_left_in_a_cassette(tmp_path, monkeypatch):
    shipped = cassettes.path("vonage", "brands.get.200")
    text = shipped.read_text(encoding="utf-8")
    brand_id = cassettes.read_cassette(shipped).exchanges[0].request.url.rsplit("/", 1)[-1]
    assert len(brand_id) >= 4 and brand_id in text
    (tmp_path / "cassette.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    clean = CliRunner().invoke(main, ["cassettes", "check", "cassette.yaml"])
    assert clean.exit_code == 0, clean.output
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.tendlc.record]\nvalues = {{"{brand_id}" = "BRANDID"}}\n'
    )
    flagged = CliRunner().invoke(main, ["cassettes", "check", "cassette.yaml"])
    assert flagged.exit_code == 1, flagged.output
    assert "[secret]" in flagged.output and brand_id not in flagged.output
    (tmp_path / "pyproject.toml").write_text("[tool.tendlc]\nunknown-key = 1\n")
    broken = CliRunner().invoke(main, ["cassettes", "check", "cassette.yaml"])
    assert broken.exit_code == 2 and "unknown-key" in broken.output
