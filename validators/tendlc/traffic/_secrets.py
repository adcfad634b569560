"""Credentials in HTTP traffic: find them, mask them in messages, scrub them from recordings.

What counts as secret is data (:class:`SecretRules`): header names, query parameter names,
JSON keys and XML element names, plus any literal values known to be credentials (the ones
in the environment that conform and recording use). Nothing here decides by provider.

:meth:`SecretRules.mask` is the one way text meant for people or tools (a report, a log line)
loses its credentials: URLs in it lose their user part and credential parameters, and every
known credential value (an account id in a URL path, a username, a password, an API key or
secret or token, their Basic encodings) becomes ``***``. Which environment variables hold
credentials, and which header carries a token, is each provider record's ``credentials``.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from .._catalog import providers
from .._validation import CheckContext, Issue, Severity, check
from ._exchange import Exchange, Headers, Request, Response

__all__ = [
    "Placeholders",
    "SecretRules",
    "Suspect",
    "credential_variables",
    "find_secrets",
    "known_credentials",
    "mask_url",
    "scrub",
]

MASK = "***"
#: values that a person or a tool put in place of a secret (not secrets themselves)
_PLACEHOLDER = re.compile(
    r"^(|\*+|x+|X+|<[^>]*>|\{\{[^}]*\}\}|\$\{[^}]*\}|(redacted|filtered|dummy|placeholder|"
    r"secret|masked|scrubbed|none|null|test|changeme)(-\w+)?)$",
    re.IGNORECASE,
)
_BASIC = re.compile(r"\bBasic\s+([A-Za-z0-9+/=]{8,})")
_BEARER = re.compile(r"\bBearer\s+([A-Za-z0-9._~+/=-]{8,})")
#: a URL inside free text (a message, a note)
_URL_IN_TEXT = re.compile(r"\bhttps?://[^\s\"'<>`]+", re.IGNORECASE)
_USERINFO = re.compile(r"//[^/?#@\s]*@")
#: values shorter than this are not masked in text (they would mask ordinary words)
MIN_SECRET = 4


@dataclass(frozen=True)
class SecretRules:
    """Where credentials travel."""

    headers: frozenset[str] = frozenset(
        {
            "authorization",
            "proxy-authorization",
            "x-api-key",
            "api-key",
            "x-auth-token",
            "cookie",
            "set-cookie",
        }
    )
    query: frozenset[str] = frozenset(
        {
            "api_key",
            "api_secret",
            "apikey",
            "key",
            "secret",
            "token",
            "access_token",
            "password",
            "sig",
            "signature",
        }
    )
    #: JSON keys and XML element names whose values are credentials
    fields: frozenset[str] = frozenset(
        {
            "api_key",
            "api_secret",
            "apikey",
            "password",
            "secret",
            "token",
            "access_token",
            "client_secret",
            "Password",
            "ApiKey",
            "ApiSecret",
            "Token",
        }
    )
    #: literal values known to be credentials (from the environment, say)
    values: frozenset[str] = frozenset()

    def with_values(self, values: Iterable[str]) -> SecretRules:
        """These rules, with more literal credential values (and the forms they take in a URL:
        percent-encoded, form-encoded); values shorter than four characters are ignored."""
        found = set()
        for value in values:
            if len(value) < MIN_SECRET:
                continue
            found.update({value, quote(value, safe=""), quote_plus(value, safe="")})
        return replace(self, values=self.values | frozenset(found))

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, values: Iterable[str] = ()
    ) -> SecretRules:
        """The default rules with the headers the providers' tokens travel in, the credential
        values of the environment (:func:`credential_variables`, and their Basic encodings)
        and any others given."""
        headers = {
            p.credentials.header.lower() for p in providers() if p.credentials.header is not None
        }
        rules = cls(headers=cls.headers | headers) if headers else cls()
        return rules.with_values({*known_credentials(environ), *values})

    def mask(self, text: str) -> str:
        """The text with every credential masked: each URL in it as :func:`mask_url` masks
        it, then every known credential value replaced by ``***`` wherever it occurs."""
        if "://" in text:
            text = _URL_IN_TEXT.sub(lambda match: mask_url(match.group(), self), text)
        return self._replace_values(text)

    def mask_all(self, value: Any) -> Any:
        """A copy of a JSON-like value (mappings, lists, strings) with every string masked."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, Mapping):
            return {self.mask(str(k)): self.mask_all(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.mask_all(v) for v in value]
        return value

    def _replace_values(self, text: str) -> str:
        # longer values first, so that a value inside another is not masked half-way
        for value in _longest_first(self.values):
            if value in text:
                text = text.replace(value, MASK)
        return text


@lru_cache(maxsize=64)
def _longest_first(values: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(values, key=lambda value: (-len(value), value)))


def credential_variables() -> tuple[str, ...]:
    """The environment variables that hold the providers' credentials (their records say)."""
    return tuple(name for p in providers() for name in p.credentials.variables)


def known_credentials(environ: Mapping[str, str] | None = None) -> set[str]:
    """The credential values set in the environment (and their Basic encodings)."""
    environ = os.environ if environ is None else environ
    found = {environ[name] for name in credential_variables() if environ.get(name)}
    for provider in providers():
        user, secret = provider.credentials.user, provider.credentials.secret
        if user and secret and environ.get(user) and environ.get(secret):
            pair = f"{environ[user]}:{environ[secret]}".encode()
            found.add(base64.b64encode(pair).decode("ascii"))
    return found


def _placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip()))


@dataclass(frozen=True)
class Suspect:
    """A place in an exchange where a credential seems to travel."""

    where: str  # "request header", "query", "url", "request body", "response header", …
    name: str
    why: str

    def __str__(self) -> str:
        return f"{self.where} {self.name}: {self.why}"


def find_secrets(exchange: Exchange, rules: SecretRules | None = None) -> list[Suspect]:
    """Every place of an exchange that seems to carry a credential."""
    rules = rules or SecretRules()
    found: list[Suspect] = []
    request, response = exchange.request, exchange.response
    found.extend(_header_suspects("request header", request.headers, rules))
    if response is not None:
        found.extend(_header_suspects("response header", response.headers, rules))
    parts = urlsplit(request.url)
    if parts.password or (parts.username and "@" in parts.netloc):
        found.append(Suspect("url", "userinfo", "credentials in the URL's user part"))
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in rules.query and not _placeholder(value):
            found.append(Suspect("query", name, "a credential parameter with a value"))
        elif value in rules.values:
            found.append(Suspect("query", name, "holds a known credential"))
    for where, body in (("request body", request.body), ("response body", _body(response))):
        found.extend(_body_suspects(where, body, rules))
    for value in rules.values:
        if value in request.url and not any(s.where in ("query",) for s in found):
            found.append(Suspect("url", "path", "holds a known credential"))
    return found


@check("secrets", parts=("exchange",), default=False)
def _secrets_check(context: CheckContext) -> list[Issue]:
    """Credentials travelling in an exchange that is to be kept (a cassette, a recording)."""
    rules = context.config.get("secret_rules") or SecretRules()
    return [
        Issue(Severity.ERROR, "", "secret", f"{suspect} (scrub it before committing)")
        for suspect in find_secrets(context.exchange, rules)
    ]


def _body(response: Response | None) -> bytes:
    return b"" if response is None else response.body


def _header_suspects(where: str, headers: Headers, rules: SecretRules) -> Iterator[Suspect]:
    for name, value in headers:
        if name.lower() in rules.headers and not _placeholder(value):
            scheme = value.split(" ", 1)[0] if " " in value else "a value"
            yield Suspect(where, name, f"carries {scheme} credentials")
        elif any(known in value for known in rules.values):
            yield Suspect(where, name, "holds a known credential")


def _body_suspects(where: str, body: bytes, rules: SecretRules) -> Iterator[Suspect]:
    if not body:
        return
    text = body.decode("utf-8", "replace")
    if _BASIC.search(text):
        yield Suspect(where, "Basic", "Basic credentials in the body")
    if _BEARER.search(text):
        yield Suspect(where, "Bearer", "a bearer token in the body")
    for name in sorted(rules.fields):
        for match in re.finditer(
            rf'"{re.escape(name)}"\s*:\s*"([^"]*)"|<{re.escape(name)}>([^<]*)</{re.escape(name)}>',
            text,
        ):
            value = match.group(1) if match.group(1) is not None else match.group(2)
            if not _placeholder(value):
                yield Suspect(where, name, "a credential field with a value")
    for value in rules.values:
        if value in text:
            yield Suspect(where, "value", "holds a known credential")


def mask_url(url: str, rules: SecretRules | None = None) -> str:
    """The URL with credentials in its user part and query, and every known credential value
    (an account id in the path, say), replaced by ``***``."""
    rules = rules or SecretRules()
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL after all (an unclosed IPv6 bracket): mask it as text
        return rules._replace_values(_USERINFO.sub(f"//{MASK}@", url))
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(name.lower() in rules.query or value in rules.values for name, value in pairs):
        query = urlencode(
            [
                (name, MASK if name.lower() in rules.query or value in rules.values else value)
                for name, value in pairs
            ],
            safe="*",
        )
    else:
        query = parts.query
    masked = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return rules._replace_values(masked)


# -- scrubbing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placeholders:
    """What recorded ids become: path parameters by name (an account parameter → its
    provider's placeholder), and literal values anywhere in the exchange."""

    path_parameters: Mapping[str, str] = field(default_factory=lambda: _account_parameters())
    values: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        path_parameters: Mapping[str, str] | None = None,
        values: Mapping[str, str] | None = None,
    ) -> Placeholders:
        """The default placeholders, the account ids of the environment's credentials (each
        provider's account variable, or its user where the user is the account), and those a
        project configures (``[tool.tendlc.record]``)."""
        environ = os.environ if environ is None else environ
        parameters = {**_account_parameters(), **(path_parameters or {})}
        found: dict[str, str] = {}
        for provider in providers():
            variable = provider.credentials.account or provider.credentials.user
            if not variable or not environ.get(variable):
                continue
            account = provider.account
            # the account id is a path parameter too: a configured placeholder wins
            found[environ[variable]] = (
                parameters[account.parameter] if account.parameter else account.placeholder
            )
        found.update(values or {})
        return cls(path_parameters=parameters, values=found)


def _account_parameters() -> dict[str, str]:
    """Each provider's account path parameter → its placeholder."""
    return {p.account.parameter: p.account.placeholder for p in providers() if p.account.parameter}


def scrub(
    exchange: Exchange,
    rules: SecretRules | None = None,
    placeholders: Placeholders | None = None,
    path_parameters: Mapping[str, str] | None = None,
) -> Exchange:
    """A copy of the exchange with every credential removed and ids replaced by placeholders.

    Secret headers are dropped; secret query parameters, body fields and known credential
    values become ``***``; the URL's user part is removed. ``path_parameters`` are the values
    the router read from the URL: those named in ``placeholders`` are replaced wherever they
    occur (URL, headers such as Location, bodies).
    """
    rules = rules or SecretRules()
    placeholders = placeholders or Placeholders()
    swaps: dict[str, str] = {value: MASK for value in rules.values}
    for name, value in (path_parameters or {}).items():
        if name in placeholders.path_parameters and value:
            swaps[value] = placeholders.path_parameters[name]
    swaps.update(placeholders.values)
    # longer values first, so that a value inside another is not replaced half-way
    ordered = sorted(swaps.items(), key=lambda item: len(item[0]), reverse=True)

    def text(value: str) -> str:
        for old, new in ordered:
            value = value.replace(old, new)
        return value

    request = exchange.request
    parts = urlsplit(request.url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [
            (name, MASK if name.lower() in rules.query else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    url = text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))
    scrubbed_request = Request(
        request.method,
        url,
        _scrub_headers(request.headers, rules, text),
        _scrub_body(request.body, rules, text),
    )
    response = exchange.response
    scrubbed_response = (
        None
        if response is None
        else Response(
            response.status,
            _scrub_headers(response.headers, rules, text),
            _scrub_body(response.body, rules, text),
            response.reason,
        )
    )
    return Exchange(scrubbed_request, scrubbed_response, exchange.live)


def _scrub_headers(headers: Headers, rules: SecretRules, text: Any) -> Headers:
    kept = [(name, text(value)) for name, value in headers if name.lower() not in rules.headers]
    return Headers(kept)


def _scrub_body(body: bytes, rules: SecretRules, text: Any) -> bytes:
    if not body:
        return body
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        return body  # a file: ids and credentials do not travel inside uploads
    stripped = decoded.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(decoded)
        except ValueError:
            data = None
        if data is not None:
            cleaned = _scrub_json(data, rules)
            if cleaned != data:  # rewrite only what changed: the body stays as it was sent
                decoded = json.dumps(cleaned, ensure_ascii=False)
    for name in rules.fields:
        decoded = re.sub(
            rf"(<{re.escape(name)}>)[^<]*(</{re.escape(name)}>)", rf"\g<1>{MASK}\g<2>", decoded
        )
    decoded = _BASIC.sub(f"Basic {MASK}", decoded)
    decoded = _BEARER.sub(f"Bearer {MASK}", decoded)
    return str(text(decoded)).encode("utf-8")


def _scrub_json(data: Any, rules: SecretRules) -> Any:
    if isinstance(data, dict):
        return {
            key: MASK
            if key in rules.fields and isinstance(value, str)
            else _scrub_json(value, rules)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_scrub_json(item, rules) for item in data]
    return data
