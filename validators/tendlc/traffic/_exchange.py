"""A transport-neutral HTTP exchange: what was sent and what came back.

Constructors read the objects of each client and recorder (httpx, requests, vcrpy cassette
interactions, ASGI); everything downstream (matching, checks, reports, recordings) sees only
:class:`Exchange`.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .._parsing import DEFAULT_LIMITS

__all__ = ["Exchange", "Headers", "Request", "Response"]


class Headers(Sequence[tuple[str, str]]):
    """HTTP headers in order, names compared without case (repeated names kept)."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, Any] | None = None) -> None:
        pairs: list[tuple[str, str]] = []
        source: Iterable[Any] = ()
        if isinstance(items, Mapping):
            source = items.items()
        elif items is not None:
            source = items
        for name, value in source:
            values = value if isinstance(value, list | tuple) else [value]
            pairs.extend((_text(name), _text(item)) for item in values)
        self._items = tuple(pairs)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name`` (any case)."""
        wanted = name.lower()
        return next((value for key, value in self._items if key.lower() == wanted), default)

    def get_all(self, name: str) -> list[str]:
        """Every value of the header ``name`` (any case), in order."""
        wanted = name.lower()
        return [value for key, value in self._items if key.lower() == wanted]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and other._items == self._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Headers({list(self._items)!r})"

    def to_dict(self) -> dict[str, list[str]]:
        """Name → values, names as first written."""
        result: dict[str, list[str]] = {}
        for name, value in self._items:
            key = next((k for k in result if k.lower() == name.lower()), name)
            result.setdefault(key, []).append(value)
        return result


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


@dataclass(frozen=True)
class Request:
    """What a client sent."""

    method: str
    url: str
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        return urlsplit(self.url).query

    @property
    def media_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass(frozen=True)
class Response:
    """What came back."""

    status: int
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    reason: str = ""

    @property
    def media_type(self) -> str | None:
        return self.headers.get("content-type")

    def decoded(self) -> Response:
        """This response with a gzip or deflate body decompressed (as clients read it)."""
        body = _decoded(self.body, self.headers)
        return self if body is self.body else Response(self.status, self.headers, body, self.reason)


@dataclass(frozen=True)
class Exchange:
    """One request and the response to it (None when no response came). ``live`` says who
    answered: True a server over the network, False something in-process (a mock transport,
    respx, pytest-httpx, responses, a replayed cassette, an app called in-process), None
    unknown."""

    request: Request
    response: Response | None = None
    live: bool | None = None
    #: seconds from sending the request to having the whole answer, when measured
    elapsed: float | None = field(default=None, compare=False)

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def from_httpx(cls, response: Any, *, body: bytes | None = None) -> Exchange:
        """From an ``httpx.Response`` (its ``.request`` is the request sent). ``body`` gives
        the response body when the response was streamed and read elsewhere."""
        request = response.request
        headers = Headers(response.headers.multi_items())
        return cls(
            _from_httpx_request(request),
            Response(
                status=int(response.status_code),
                headers=headers,
                body=response.content if body is None else _decoded(body, headers),
                reason=str(getattr(response, "reason_phrase", "") or ""),
            ),
            # httpcore gives every answer read off a socket its network stream; mocks do not
            live="network_stream" in (getattr(response, "extensions", None) or {}),
            elapsed=_httpx_elapsed(response),
        )

    @classmethod
    def from_requests(cls, response: Any) -> Exchange:
        """From a ``requests.Response`` (its ``.request`` is the prepared request sent)."""
        prepared = response.request
        body = prepared.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = b"" if body is None else b"<streamed body>"
        return cls(
            Request(
                method=str(prepared.method).upper(),
                url=str(prepared.url),
                headers=Headers(dict(prepared.headers)),
                body=body,
            ),
            Response(
                status=int(response.status_code),
                headers=Headers(dict(response.headers)),
                body=response.content or b"",
                reason=str(response.reason or ""),
            ),
            live=_read_off_a_socket(response),
        )

    @classmethod
    def from_vcr(cls, interaction: Mapping[str, Any]) -> Exchange:
        """From one interaction of a vcrpy cassette, as vcrpy serialises it (request with
        ``method``, ``uri``, ``headers``, ``body``; response with ``status``, ``headers``,
        ``body: {string: …}``); compressed bodies are decompressed."""
        request = interaction.get("request") or {}
        response = interaction.get("response")
        request_headers = Headers(request.get("headers") or {})
        sent = Request(
            method=str(request.get("method", "GET")).upper(),
            url=str(request.get("uri", "")),
            headers=request_headers,
            body=_decoded(_vcr_body(request.get("body")), request_headers),
        )
        if not isinstance(response, Mapping):
            return cls(sent, live=False)
        status = response.get("status") or {}
        headers = Headers(response.get("headers") or {})
        return cls(
            sent,
            Response(
                status=int(status.get("code", 0) if isinstance(status, Mapping) else status),
                headers=headers,
                body=_decoded(_vcr_body(response.get("body")), headers),
                reason=str(status.get("message", "") if isinstance(status, Mapping) else ""),
            ),
            live=False,
        )

    def to_vcr(self) -> dict[str, Any]:
        """This exchange as one vcrpy cassette interaction."""
        response = self.response
        return {
            "request": {
                "method": self.request.method,
                "uri": self.request.url,
                "body": _vcr_text(self.request.body),
                "headers": self.request.headers.to_dict(),
            },
            "response": None
            if response is None
            else {
                "status": {"code": response.status, "message": response.reason},
                "headers": response.headers.to_dict(),
                "body": {"string": _vcr_text(response.body)},
            },
        }


def _httpx_elapsed(response: Any) -> float | None:
    """httpx's time from sending to the answer read whole; None while it is still open."""
    try:
        return float(response.elapsed.total_seconds())
    except (AttributeError, RuntimeError, TypeError):
        return None


def _read_off_a_socket(response: Any) -> bool:
    """Whether a ``requests`` answer came from a server: urllib3 keeps the standard library's
    response of a real connection; responses and vcrpy put their own in its place."""
    import http.client

    original = getattr(getattr(response, "raw", None), "_original_response", None)
    return isinstance(original, http.client.HTTPResponse)


def _from_httpx_request(request: Any) -> Request:
    try:
        content = request.content
    except Exception:  # a streamed request body that was not read
        content = b"<streamed body>"
    return Request(
        method=str(request.method).upper(),
        url=str(request.url),
        headers=Headers(request.headers.multi_items()),
        body=content,
    )


def _vcr_body(body: Any) -> bytes:
    """A vcrpy body: ``{string: …}``, a string, bytes, base64 text or None."""
    if isinstance(body, Mapping):
        if "string" in body:
            body = body["string"]
        elif "base64_string" in body:
            return base64.b64decode(str(body["base64_string"]))
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8")


def _vcr_text(body: bytes) -> str | bytes:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


def _decoded(body: bytes, headers: Headers, limit: int = DEFAULT_LIMITS.max_bytes) -> bytes:
    """A gzip or deflate body decompressed (one that does not decompress is kept as it is).

    Decompression stops one byte past ``limit``, the size the body checks accept (a
    multipart upload whose contract states a larger bound aside): a small body that inflates
    to gigabytes (a decompression bomb) costs no more than that, and the checks refuse what
    was decompressed as larger than the limit."""
    encoding = (headers.get("content-encoding") or "").lower().strip()
    if encoding in ("gzip", "x-gzip"):
        wbits, members = 16 + zlib.MAX_WBITS, True
    elif encoding == "deflate":
        wbits, members = zlib.MAX_WBITS, False
    else:
        return body
    try:
        return _inflated(body, wbits, members, limit + 1)
    except (zlib.error, EOFError):
        return body


def _inflated(data: bytes, wbits: int, members: bool, most: int) -> bytes:
    """``data`` decompressed, at most ``most`` bytes of it; gzip's members one after another
    (``members``). A stream that ends early raises EOFError."""
    out: list[bytes] = []
    size = 0
    pending = data
    while size < most:
        inflater = zlib.decompressobj(wbits)
        while size < most:
            piece = inflater.decompress(pending, most - size)
            out.append(piece)
            size += len(piece)
            pending = inflater.unconsumed_tail
            if inflater.eof or not (pending or piece):
                break
        if size >= most:
            break
        if not inflater.eof:
            raise EOFError("the compressed stream ends before its end marker")
        pending = inflater.unused_data
        if not members or not pending:
            break
    return b"".join(out)
