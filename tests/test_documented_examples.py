"""Every request and response example of the provider documentation is a test case."""

import pytest

from tendlc._documented import documented_examples

EXAMPLES = documented_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_example(example):
    assert example.mismatches() == []


def test_examples_cover_both_providers_and_every_part():
    providers = {example.operation.split(".")[0] for example in EXAMPLES}
    parts = {example.part for example in EXAMPLES}
    assert providers == {"bandwidth", "vonage"}
    assert {"request", "response"} <= parts


def test_rejected_examples_name_their_fields():
    rejected = [example for example in EXAMPLES if example.expect == "invalid"]
    assert rejected, "the documentation has request examples that break its own rules"
    for example in rejected:
        assert example.issues, example.name
        assert all(path for path, _ in example.issues), example.name
