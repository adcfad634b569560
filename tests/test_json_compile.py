"""A JSON body's validator is compiled from the parts of the OpenAPI document its schema uses,
at their places: its verdicts and its errors (kinds, schema paths, instance paths) are those of
a validator given the whole document."""

import json
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from tendlc._catalog import load_contract, operations
from tendlc._shared import reachable, reference_to
from tendlc._validation._json import _used, validator_at

DOCUMENT = load_contract("vonage/openapi.yaml")
_STRUCTURED = [
    body
    for operation in operations("vonage")
    for body in (operation.request, *operation.responses.values())
    if body is not None and body.structured and not body.multipart
]
BODIES = sorted({body.locator for body in _STRUCTURED})


def _recorded():
    """The JSON bodies of the recorded Vonage exchanges."""
    for path in sorted((Path(__file__).parent.parent / "cassettes" / "vonage").glob("*.yaml")):
        interaction = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"][0]
        for body in (interaction["request"].get("body"), interaction["response"].get("body")):
            text = body.get("string") if isinstance(body, dict) else body
            try:
                yield json.loads(text)
            except (TypeError, ValueError):
                continue


# every recorded body, each tried against every schema: valid for a few, invalid for most
EXAMPLES = list(_recorded())


def _whole(locator):
    root = {key: DOCUMENT[key] for key in ("paths", "components")}
    root.update(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": reference_to(locator)}
    )
    return jsonschema_rs.validator_for(root, validate_formats=True)


def _errors(validator, instance):
    return sorted(
        (error.kind.name, list(map(str, error.schema_path)), list(map(str, error.instance_path)))
        for error in validator.iter_errors(instance)
    )


def test_every_body_compiles_from_the_parts_it_uses():
    assert len(BODIES) > 50
    for locator in BODIES:
        used = _used(DOCUMENT, locator, reachable(DOCUMENT, locator))
        assert used is not None
        assert len(used["components"]["schemas"]) < len(DOCUMENT["components"]["schemas"])
        # every reference resolves within the parts (no falling back on the whole document)
        jsonschema_rs.validator_for(
            {**used, "$schema": "https://json-schema.org/draft/2020-12/schema"}
            | {"$ref": reference_to(locator)},
            validate_formats=True,
        )


@pytest.mark.parametrize("locator", BODIES)
def test_the_errors_are_those_of_the_whole_document(locator):
    used, whole = validator_at(DOCUMENT, locator), _whole(locator)
    instances = [{}, [], "text", None, {"unknown": 1}, {"id": 5, "status": "NOT A STATUS"}]
    assert len(EXAMPLES) > 30
    for instance in instances + EXAMPLES:
        assert used.is_valid(instance) == whole.is_valid(instance)
        assert _errors(used, instance) == _errors(whole, instance)
