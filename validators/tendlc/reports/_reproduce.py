"""A ``curl`` command that sends a kept request again: the credentials as the environment
variables the provider's record names (never their values), the account id the masked URL
hides as its variable too."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from .._catalog import get_provider

__all__ = ["curl_command"]

#: what masking leaves in place of a credential in a URL
_MASK = "***"


def curl_command(request: Mapping[str, Any], provider: str | None) -> str:
    """The command (one argument a line) sending ``request`` (an excerpt's request side:
    method, url, headers, body) as the provider's record says credentials travel."""
    try:
        record = get_provider(provider).credentials if provider else None
    except LookupError:
        record = None
    account = (record.account or record.user) if record is not None else None
    url = str(request.get("url") or "")
    parts = [f"curl -sS -X {shlex.quote(str(request.get('method') or 'GET'))}"]
    parts.append(_double_quoted(url, account))
    if record is not None and record.scheme == "basic" and record.user and record.secret:
        parts.append(f'-u "${record.user}:${record.secret}"')
    elif record is not None and record.scheme == "bearer" and record.secret:
        parts.append(f'-H "Authorization: Bearer ${record.secret}"')
    elif record is not None and record.header and record.secret:
        parts.append(f'-H "{record.header}: ${record.secret}"')
    headers = request.get("headers") or {}
    for name, value in headers.items():
        if str(name).lower() in ("content-type", "accept", "content-encoding"):
            parts.append("-H " + shlex.quote(f"{name}: {value}"))
    body = str(request.get("body") or "")
    if body:
        parts.append("--data-binary " + shlex.quote(body))
    return " \\\n  ".join(parts)


def _double_quoted(url: str, account: str | None) -> str:
    """The URL in double quotes, the masked account as ``${VARIABLE}`` (anything else the
    shell would expand escaped)."""

    def escaped(text: str) -> str:
        return "".join("\\" + c if c in '"\\$`' else c for c in text)

    pieces = url.split(_MASK)
    if account is None:
        return '"' + escaped(url) + '"'
    return '"' + ("${" + account + "}").join(escaped(piece) for piece in pieces) + '"'
