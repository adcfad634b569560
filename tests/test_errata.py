"""contracts/errata.yaml: every contradiction of the documentation, each proven by a test."""

from pathlib import Path

import pytest
import yaml

from tendlc._documented import documented_examples
from tendlc._resources import contracts_dir

ERRATA = yaml.safe_load((contracts_dir() / "errata.yaml").read_text(encoding="utf-8"))
BOUNDARIES = Path(__file__).parent / "boundaries"


def test_errata_ids_are_unique_and_complete():
    ids = [entry["id"] for entry in ERRATA]
    assert len(ids) == len(set(ids))
    assert sum(1 for i in ids if i.startswith("BW-")) >= 12
    assert sum(1 for i in ids if i.startswith("VG-")) >= 3
    for entry in ERRATA:
        for key in ("seed", "where", "quote", "finding", "decision", "test"):
            assert entry.get(key), (entry["id"], key)


@pytest.mark.parametrize("entry", ERRATA, ids=[entry["id"] for entry in ERRATA])
def test_each_erratum_names_a_test_that_exists(entry):
    test = entry["test"]
    if "example" in test:
        names = {example.name for example in documented_examples()}
        assert test["example"] in names
    elif "pytest" in test:
        module, _, function = test["pytest"].partition("::")
        source = (Path(__file__).parent.parent / module).read_text(encoding="utf-8")
        assert f"def {function}(" in source
    else:
        cases = {
            case["name"]
            for group in yaml.safe_load((BOUNDARIES / test["boundary"]).read_text("utf-8"))
            for case in group["cases"]
        }
        assert test["case"] in cases


def test_repairs_reference_errata():
    ids = {entry["id"] for entry in ERRATA}
    for example in documented_examples():
        if example.repair:
            assert example.repair["errata"] in ids, example.name
