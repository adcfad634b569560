"""examples/exchanges.yaml: the documented exchanges the cassettes are generated from.

Every documented response example of examples/manifest.yaml is one exchange, exactly once, and
every exchange is clean: the catalog's method and path, parameters and bodies the contracts
accept without a warning (after the textual repairs each entry names an erratum for),
documented statuses and media types, and no credentials.
"""

from __future__ import annotations

import re
from collections import Counter
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

import pytest
import yaml

import tendlc
from tendlc._documented import documented_examples
from tendlc._resources import contracts_dir, examples_dir

EXCHANGES = yaml.safe_load((examples_dir() / "exchanges.yaml").read_text(encoding="utf-8"))
ERRATA = {
    entry["id"]
    for entry in yaml.safe_load((contracts_dir() / "errata.yaml").read_text(encoding="utf-8"))
}
EXAMPLES = documented_examples()
RESPONSES = {example.name: example for example in EXAMPLES if example.part == "response"}
# The documented request (or query string) example of each operation, when there is one.
REQUESTS = {
    example.operation: example for example in EXAMPLES if example.part in ("request", "query")
}

# Entries that cannot be made clean without changing contracts/ or examples/ (none today).
BLOCKED: frozenset[str] = frozenset()

# Where each provider's exchanges go: scheme, host, and the base path before the catalog path.
BASES = {
    "bandwidth": ("https", "dashboard.bandwidth.com", ""),
    "vonage": ("https", "api.nexmo.com", "/v1/10dlc"),
}
ACCOUNT_ID = "9900000"
# Reason phrases the pages write on a status line instead of the standard one.
PAGE_REASONS = {("bandwidth", 403): "Unauthorized"}  # errata BW-025
CREDENTIALS = ("authorization", "api-key", "api_key", "x-api-key", "cookie", "token", "secret")
ENTRY_KEYS = {
    "cassette",
    "operation",
    "source",
    "request",
    "response",
    "repairs",
    "note",
    "blocked",
}


def _id(entry):
    return entry["cassette"]


def _media(value):
    return value.split(";", 1)[0].strip().lower()


def _path_pattern(template):
    """A regex matching a catalog path template with every ``{name}`` filled."""
    parts = re.split(r"\{([^}]+)\}", template)
    pattern = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(pattern + r"\Z")


def _repaired(entry, part, data):
    for repair in entry.get("repairs") or ():
        if repair["part"] != part:
            continue
        old, new = (text.encode("utf-8") for text in repair["replace"])
        assert data.count(old) == 1, (repair["errata"], "the replaced text occurs once", old)
        data = data.replace(old, new)
    return data


def _request_body(entry):
    request = entry["request"]
    if "body" in request:
        return (examples_dir() / request["body"]).read_bytes()
    if "inline" in request:
        return request["inline"].encode("utf-8")
    return None


def _errors(report):
    return [str(issue) for issue in report.errors]


def test_every_documented_response_is_one_exchange():
    assert isinstance(EXCHANGES, list)
    names = Counter(entry["cassette"] for entry in EXCHANGES)
    assert [name for name, count in names.items() if count > 1] == []
    bodies = Counter(entry["response"]["body"] for entry in EXCHANGES)
    assert [name for name, count in bodies.items() if count > 1] == []
    assert set(bodies) == set(RESPONSES)
    assert len(EXCHANGES) == len(RESPONSES)


def test_blocked_entries_are_exactly_the_listed_ones():
    blocked = {entry["cassette"] for entry in EXCHANGES if entry.get("blocked")}
    assert blocked == BLOCKED


@pytest.mark.parametrize("entry", EXCHANGES, ids=_id)
def test_entry_names_its_operation_and_source(entry):
    assert set(entry) <= ENTRY_KEYS
    operation = tendlc.get_operation(entry["operation"])
    example = RESPONSES[entry["response"]["body"]]
    assert example.operation == operation.id
    assert example.status == entry["response"]["status"]
    provider, _, short = operation.id.partition(".")
    stem = f"{provider}/{short}.{example.status}"
    assert entry["cassette"] == stem or entry["cassette"].startswith(stem + ".")
    source = entry["source"]
    assert source["seed"] == example.source["seed"]
    assert source["response"] == example.source["heading"]
    documented = REQUESTS.get(operation.id)
    if documented is not None:
        assert source["request"] == documented.source["heading"]
    assert source["request"] is None or source["request"].endswith(
        ("/ Request", "/ Ejemplo Solicitar")
    )


@pytest.mark.parametrize("entry", EXCHANGES, ids=_id)
def test_method_url_and_parameters_are_the_catalogs(entry):
    operation = tendlc.get_operation(entry["operation"])
    request = entry["request"]
    assert request["method"] == operation.method
    scheme, host, base = BASES[operation.provider]
    url = urlsplit(request["url"])
    assert (url.scheme, url.hostname, url.fragment) == (scheme, host, "")
    assert url.path.startswith(base)
    match = _path_pattern(operation.path).match(url.path[len(base) :])
    assert match, (url.path, operation.path)
    values = {name: unquote(value) for name, value in match.groupdict().items()}
    if "accountId" in values:
        assert values["accountId"] == ACCOUNT_ID
    path_report = tendlc.validate(operation, values, part="path")
    assert path_report.valid, _errors(path_report)
    query_report = tendlc.validate(operation, url.query, part="query")
    assert query_report.valid, _errors(query_report)
    if operation.query is None:
        assert url.query == ""
    documented = REQUESTS.get(operation.id)
    if documented is not None and documented.part == "query":
        assert url.query == documented.published().decode("utf-8")


@pytest.mark.parametrize("entry", EXCHANGES, ids=_id)
def test_headers_carry_no_credentials(entry):
    for side in ("request", "response"):
        headers = entry[side].get("headers") or {}
        assert isinstance(headers, dict)
        for name, value in headers.items():
            lowered = name.lower()
            assert not any(word in lowered for word in CREDENTIALS), (side, name)
            assert not str(value).lower().startswith(("basic ", "bearer ")), (side, name)


@pytest.mark.parametrize("entry", EXCHANGES, ids=_id)
def test_request_body_is_the_documented_one_and_clean(entry):
    operation = tendlc.get_operation(entry["operation"])
    request = entry["request"]
    headers = {name.lower(): value for name, value in (request.get("headers") or {}).items()}
    documented = REQUESTS.get(operation.id)
    assert not ("body" in request and "inline" in request)
    if documented is not None and documented.part == "request":
        assert request.get("body") == documented.name
    elif "body" in request:
        pytest.fail(f"{request['body']} is not the documented request example")
    if "inline" in request:
        assert entry.get("note"), "a body the page does not show says why it is there"
    data = _request_body(entry)
    if operation.request is None:
        assert data is None, "the operation takes no request body"
        assert not [r for r in entry.get("repairs") or () if r["part"] == "request"]
        return
    assert data is not None, "the documented exchange needs its request body"
    assert _media(headers["content-type"]) in operation.request.media_types
    payload = _repaired(entry, "request", data)
    report = tendlc.validate(
        operation, payload, part="request", media_type=headers.get("content-type")
    )
    if entry["cassette"] in BLOCKED:
        assert not report.valid
    else:
        assert report.valid, _errors(report)


@pytest.mark.parametrize("entry", EXCHANGES, ids=_id)
def test_response_is_documented_and_clean(entry):
    operation = tendlc.get_operation(entry["operation"])
    response = entry["response"]
    status = response["status"]
    assert status in operation.responses
    expected = PAGE_REASONS.get((operation.provider, status), HTTPStatus(status).phrase)
    assert response["reason"] == expected
    headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
    assert _media(headers["content-type"]) in operation.responses[status].media_types
    example = RESPONSES[response["body"]]
    payload = _repaired(entry, "response", example.published())
    report = tendlc.validate(operation, payload, part="response", status=status)
    if entry["cassette"] in BLOCKED:
        assert not report.valid
    else:
        assert report.valid, _errors(report)
        # replayed with warnings as errors, a shipped cassette still passes
        assert [str(issue) for issue in report.warnings] == []


@pytest.mark.parametrize("entry", EXCHANGES, ids=_id)
def test_repairs_are_needed_and_name_their_errata(entry):
    repairs = entry.get("repairs") or []
    for repair in repairs:
        assert set(repair) == {"errata", "part", "replace", "why"}
        assert repair["errata"] in ERRATA
        assert repair["part"] in ("request", "response")
        old, new = repair["replace"]
        assert isinstance(old, str) and isinstance(new, str) and old and old != new
        assert repair["why"].strip()
    operation = tendlc.get_operation(entry["operation"])
    example = RESPONSES[entry["response"]["body"]]
    response_repairs = [r for r in repairs if r["part"] == "response"]
    # A response is repaired exactly when the manifest finds its published text invalid or
    # warned about, and with the manifest's own replacements where the manifest gives some.
    assert bool(response_repairs) == (example.expect == "invalid" or bool(example.warnings))
    if example.repair:
        assert [tuple(r["replace"]) for r in response_repairs] == [
            tuple(pair) for pair in example.repair["replace"]
        ]
        assert {r["errata"] for r in response_repairs} == {example.repair["errata"]}
    request_repairs = [r for r in repairs if r["part"] == "request"]
    if request_repairs:
        published = tendlc.validate(operation, _request_body(entry), part="request")
        assert not published.valid, "a request body is repaired only when it is invalid"
    documented = REQUESTS.get(operation.id)
    if documented is not None and documented.part == "request" and documented.expect == "invalid":
        assert request_repairs, "an invalid documented request is repaired in the cassette"
