"""Compiled contracts kept on disk between processes (``tendlc._shared.disk_cached``).

A second process reads what the first compiled instead of compiling it (evidence: the
cache's own counts, and xmlschema never imported for a valid Bandwidth body); the key follows
the contract files (a user's provider edited between two reads); two processes writing at once
leave entries a third reads; an unreadable entry is built again; the cache can be turned off;
and a schema read back from disk explains an invalid body exactly as one built from the XSDs.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import tendlc
from tendlc._catalog import PROVIDERS_VARIABLE, reload_providers
from tendlc._shared import CACHE_VARIABLE, cache_directory, cache_statistics, disk_cached

ROOT = Path(__file__).resolve().parent.parent
ACME = Path(__file__).resolve().parent / "providers" / "acme"


def _request_body(cassette):
    recorded = yaml.safe_load((ROOT / "cassettes" / cassette).read_text(encoding="utf-8"))
    return recorded["interactions"][0]["request"]["body"]


BRAND = _request_body("bandwidth/brands.create.201.yaml")
CAMPAIGN = json.loads(_request_body("vonage/campaigns.create.201.yaml"))
# A brand the contract refuses: the explaining path (xmlschema) writes its issues.
BROKEN_BRAND = BRAND.replace("<EntityType>", "<EntityType>NOT_A_TYPE", 1)
# A brand whose Website is repeated: an assertion over it is an XPath type error, whose message
# is written from the assertion's expression (which elementpath does not pickle)
TWO_WEBSITES = BRAND.replace("</Brand>", "<Website>https://www.example.com/2</Website></Brand>")
REVET_TWO_WEBSITES = (
    "<BrandRevetResponse><Brand><BrandId>B1</BrandId><Website>0</Website>"
    "<Website>https://www.example.com/0</Website></Brand></BrandRevetResponse>"
)

# Run in a new interpreter: validate, then say what the cache did and what was imported.
CHILD = """
import json, sys
import tendlc
from tendlc._shared import cache_statistics
payloads = json.loads(sys.argv[1])
reports = [
    tendlc.validate(operation, payload, **(options[0] if options else {})).to_dict()
    for operation, payload, *options in payloads
]
print(json.dumps({
    "statistics": cache_statistics(),
    "xmlschema": "xmlschema" in sys.modules,
    "reports": reports,
}))
"""


def _child(cache, payloads):
    code = str(Path(tendlc.__file__).resolve().parent.parent)
    environment = {
        **os.environ,
        CACHE_VARIABLE: str(cache),
        "PYTHONPATH": os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")])),
    }
    environment.pop(PROVIDERS_VARIABLE, None)
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(payloads)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def _run(cache, payloads):
    process = _child(cache, payloads)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return json.loads(out)


VALID = [["bandwidth.brands.create", BRAND], ["vonage.campaigns.create", CAMPAIGN]]


def test_a_second_process_reads_the_compiled_contracts_instead_of_compiling(tmp_path):
    first = _run(tmp_path, VALID)
    assert first["statistics"]["misses"] > 0
    assert first["statistics"]["writes"] == first["statistics"]["misses"]
    assert first["xmlschema"]  # compiling an XSD contract reads it with xmlschema
    second = _run(tmp_path, VALID)
    assert second["statistics"]["misses"] == 0
    assert second["statistics"]["writes"] == 0
    # (the XSD 1.1 schema itself is kept too, for the explaining path: a valid body does not
    # need it)
    assert 0 < second["statistics"]["hits"] <= first["statistics"]["misses"]
    assert not second["xmlschema"]  # nothing was compiled: xmlschema was never needed
    assert [report["valid"] for report in second["reports"]] == [True, True]
    assert second["reports"] == first["reports"]


def test_a_schema_read_back_from_disk_explains_as_one_built_from_the_xsds(tmp_path):
    payloads = [
        ["bandwidth.brands.create", BROKEN_BRAND],
        ["vonage.campaigns.create", {}],
        ["bandwidth.brands.create", TWO_WEBSITES],
        # the brand of a re-vet is declared in a schema the vetting contract includes
        ["bandwidth.brands.revet", REVET_TWO_WEBSITES, {"part": "response", "status": 200}],
    ]
    built = _run(tmp_path, payloads)
    read = _run(tmp_path, payloads)
    assert read["statistics"]["misses"] == 0 and read["statistics"]["hits"] > 0
    assert [report["valid"] for report in read["reports"]] == [False] * 4
    assert read["reports"] == built["reports"]
    assert any(issue["rule"] == "enum" for issue in read["reports"][0]["issues"])


def test_two_processes_writing_at_once_leave_entries_a_third_reads(tmp_path):
    both = [_child(tmp_path, VALID) for _ in range(2)]
    for process in both:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert not [path for path in tmp_path.iterdir() if not path.name.endswith(".pickle")]
    third = _run(tmp_path, VALID)
    assert third["statistics"]["misses"] == 0 and third["statistics"]["unreadable"] == 0
    assert [report["valid"] for report in third["reports"]] == [True, True]


def test_unreadable_entries_are_built_again_and_rewritten(tmp_path):
    first = _run(tmp_path, VALID)
    entries = sorted(tmp_path.glob("*.pickle"))
    assert len(entries) == first["statistics"]["writes"]
    for index, entry in enumerate(entries):
        data = entry.read_bytes()
        # garbage, a truncated entry, and an empty one
        entry.write_bytes([b"not a pickle", data[: len(data) // 2], b""][index % 3])
    again = _run(tmp_path, VALID)
    assert again["statistics"]["unreadable"] == len(entries)
    assert again["statistics"]["misses"] == len(entries)
    assert again["reports"] == first["reports"]
    healed = _run(tmp_path, VALID)
    assert healed["statistics"]["misses"] == 0 and healed["statistics"]["unreadable"] == 0


def test_an_entry_written_for_another_key_is_not_served(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    assert disk_cached("probe", ("a",), lambda: "value of a") == "value of a"
    assert disk_cached("probe", ("b",), lambda: "value of b") == "value of b"
    a, b = sorted(tmp_path.glob("probe-*.pickle"), key=lambda path: path.stat().st_mtime_ns)
    shutil.copyfile(a, b)  # b's file now holds a's entry
    before = cache_statistics()
    assert disk_cached("probe", ("b",), lambda: "value of b") == "value of b"
    assert cache_statistics()["unreadable"] == before["unreadable"] + 1


def test_values_are_built_once_then_read(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    built = []

    def build():
        built.append(1)
        return {"compiled": [1, 2, 3]}

    assert disk_cached("probe", ("x",), build) == {"compiled": [1, 2, 3]}
    assert disk_cached("probe", ("x",), build) == {"compiled": [1, 2, 3]}
    assert len(built) == 1
    assert disk_cached("probe", ("y",), build) == {"compiled": [1, 2, 3]}
    assert len(built) == 2


def test_a_value_built_from_another_source_replaces_the_old_entry(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    assert disk_cached("probe", ("x",), lambda: "first", source=("contract v1",)) == "first"
    assert disk_cached("probe", ("x",), lambda: "second", source=("contract v2",)) == "second"
    assert disk_cached("probe", ("y",), lambda: "other", source=("contract v1",)) == "other"
    assert len(list(tmp_path.glob("probe-*.pickle"))) == 2  # one for x, one for y
    assert disk_cached("probe", ("x",), lambda: "built again", source=("contract v2",)) == "second"
    assert disk_cached("probe", ("x",), lambda: "third", source=("contract v1",)) == "third"


def test_a_yaml_file_is_parsed_once_and_read_again_only_as_it_is(tmp_path, monkeypatch):
    from tendlc._shared import load_yaml

    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_VARIABLE, str(cache))
    record = tmp_path / "provider.yaml"
    record.write_text("name: one\nhosts: [a.example]\n")
    assert load_yaml(record) == {"name": "one", "hosts": ["a.example"]}
    before = cache_statistics()
    assert load_yaml(record) == {"name": "one", "hosts": ["a.example"]}
    assert cache_statistics()["hits"] == before["hits"] + 1
    record.write_text("name: two\n")  # changed: parsed again, the old entry replaced
    assert load_yaml(record) == {"name": "two"}
    assert len(list(cache.glob("yaml-*.pickle"))) == 1
    record.write_text("name: [unclosed\n")  # a broken file is still the parser's error
    with pytest.raises(yaml.YAMLError):
        load_yaml(record)


@pytest.mark.parametrize("setting", ["off", "0", "false", "no", "none", "OFF"])
def test_the_cache_turned_off_builds_every_time_and_writes_nothing(tmp_path, monkeypatch, setting):
    monkeypatch.setenv(CACHE_VARIABLE, setting)
    monkeypatch.chdir(tmp_path)
    assert cache_directory() is None
    built = []
    for _ in range(2):
        assert disk_cached("probe", ("x",), lambda: built.append(1) or "v") == "v"
    assert len(built) == 2
    assert list(tmp_path.iterdir()) == []


def test_validation_works_with_the_cache_turned_off(tmp_path):
    off = _run("off", VALID)
    assert off["statistics"] == {"hits": 0, "misses": 0, "writes": 0, "unreadable": 0}
    assert [report["valid"] for report in off["reports"]] == [True, True]


def test_a_cache_directory_that_cannot_be_written_only_keeps_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("in the way")
    monkeypatch.setenv(CACHE_VARIABLE, str(blocker / "cache"))
    assert disk_cached("probe", ("x",), lambda: "v") == "v"
    assert blocker.read_text() == "in the way"


def test_the_default_directory_is_the_users_cache(monkeypatch):
    monkeypatch.delenv(CACHE_VARIABLE, raising=False)
    found = cache_directory()
    assert found is not None and "tendlc" in found.parts


@pytest.fixture
def own_provider(tmp_path, monkeypatch):
    """A copy of the acme provider the test may edit, and a cache of the test's own."""
    folder = tmp_path / "providers" / "acme"
    shutil.copytree(ACME, folder)
    monkeypatch.setenv(PROVIDERS_VARIABLE, str(folder.parent))
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    reload_providers()
    yield folder
    monkeypatch.undo()
    reload_providers()


def test_the_key_follows_the_contract_files_of_a_users_provider(own_provider):
    sender = {"type": "individual", "display_name": "Jo Acme", "email": "jo@acme.test"}
    assert tendlc.validate("acme.senders.create", sender).valid
    reload_providers()  # the next process, as far as the caches are concerned
    before = cache_statistics()
    assert tendlc.validate("acme.senders.create", sender).valid
    read = cache_statistics()
    assert read["misses"] == before["misses"] and read["hits"] > before["hits"]
    contract = own_provider / "openapi.yaml"
    text = contract.read_text(encoding="utf-8")
    shorter = "display_name: {type: string, minLength: 1, maxLength: 3}"
    contract.write_text(text.replace(shorter.replace("3}", "64}"), shorter, 1), encoding="utf-8")
    reload_providers()
    report = tendlc.validate("acme.senders.create", sender)
    assert cache_statistics()["misses"] > read["misses"]  # built again from the new contract
    assert not report.valid
    assert [(issue.path, issue.rule) for issue in report.errors] == [("/display_name", "maxLength")]


def test_the_modules_that_build_cached_values_are_all_in_the_key():
    from tendlc._shared import _disk_cache

    package = Path(tendlc.__file__).resolve().parent
    missing = [name for name in _disk_cache._BUILDERS if not (package / name).is_file()]
    assert missing == []  # a module renamed would silently leave the key
