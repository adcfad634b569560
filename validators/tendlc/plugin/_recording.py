"""Recording and replay: ``--tendlc-record`` writes each test's checked exchanges as a
scrubbed vcrpy cassette, and pytest-recording (vcrpy) records and replays through the same
scrubbing, so that what a recording replaced (account ids, credentials) matches on replay too,
and a cassette replays for every documented host of its provider."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._settings import project

if TYPE_CHECKING:
    from ..traffic import ExchangeResult

__all__ = ["configure_vcr", "record", "same_provider_host"]


def record(item: pytest.Item, results: Iterable[ExchangeResult]) -> None:
    """``--tendlc-record DIR``: the test's exchanges, scrubbed, in
    ``DIR/<test module>/<test name>.yaml`` (pytest-recording's layout, so that it replays
    them)."""
    directory = item.config.getoption("--tendlc-record")
    results = list(results)
    if not directory or not results:
        return
    from ..cassettes import write_cassette
    from ..traffic import scrub

    rules, placeholders = _scrubbing(item.config)
    exchanges = [scrub(r.exchange, rules, placeholders, r.path_parameters) for r in results]
    module = Path(str(item.path)).stem if getattr(item, "path", None) else "tests"
    name = re.sub(r"[^A-Za-z0-9_.\-\[\]]+", "_", item.name)
    write_cassette(Path(directory) / module / f"{name}.yaml", exchanges)


def _scrubbing(config: pytest.Config) -> tuple[Any, Any]:
    from ..traffic import Placeholders, SecretRules

    configured = project(config)
    rules = SecretRules.from_environment()
    placeholders = Placeholders.from_environment(
        path_parameters=configured.record_path_parameters, values=configured.record_values
    )
    return rules, placeholders


def configure_vcr(config: pytest.Config, vcr: Any) -> None:
    """pytest-recording's hook: match hosts by provider, and scrub what is recorded — and the
    live request a cassette is searched for, so that a scrubbed recording replays."""
    vcr.register_matcher("tendlc_host", same_provider_host)
    vcr.match_on = tuple("tendlc_host" if name == "host" else name for name in vcr.match_on)
    if not project(config).record_vcr:
        return
    rules, placeholders = _scrubbing(config)
    vcr.before_record_request = _request_scrubber(rules, placeholders)
    vcr.before_record_response = _response_scrubber(rules, placeholders)


def same_provider_host(first: Any, second: Any) -> None:
    """A vcrpy matcher: the same host, or two documented hosts of one provider (a cassette
    recorded against one of a provider's hosts replays for a client of another)."""
    if first.host == second.host:
        return
    owners = _host_owners()
    if owners.get(first.host) is None or owners.get(first.host) != owners.get(second.host):
        raise AssertionError(f"{first.host} != {second.host}")


def _host_owners() -> dict[str, str]:
    from urllib.parse import urlsplit

    from .._catalog import providers

    return {
        str(urlsplit(host).hostname): provider.name
        for provider in providers()
        for host in provider.hosts
    }


def _request_scrubber(rules: Any, placeholders: Any) -> Callable[[Any], Any]:
    from ..traffic import Exchange, Headers, Request, default_router, scrub

    def scrubbed(request: Any) -> Any:
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        sent = Request(request.method, request.uri, Headers(dict(request.headers)), body)
        match = default_router().match(request.method, request.uri)
        parameters = dict(match.path_parameters) if match is not None else {}
        clean = scrub(Exchange(sent), rules, placeholders, parameters).request
        copied = copy.deepcopy(request)
        copied.uri = clean.url
        copied.body = clean.body or None
        copied.headers = {name: value for name, value in clean.headers}
        return copied

    return scrubbed


def _response_scrubber(rules: Any, placeholders: Any) -> Callable[[Any], Any]:
    from ..traffic import Exchange, Request, scrub

    def scrubbed(response: Any) -> Any:
        exchange = Exchange.from_vcr({"request": {}, "response": response})
        kept = Exchange(Request("GET", "http://recorded"), exchange.response)
        answer = scrub(kept, rules, placeholders).response
        assert answer is not None
        copied = copy.deepcopy(response)
        copied["headers"] = answer.headers.to_dict()
        if not answer.headers.get("content-encoding"):  # a compressed body stays as it came
            copied["body"] = {"string": answer.body}
        return copied

    return scrubbed
