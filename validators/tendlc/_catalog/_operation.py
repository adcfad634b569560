from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal

from .._errors import InvalidArgument

#: What a payload given to ``validate`` is: a body of a request or response, or parameters.
Part = Literal["request", "response", "query", "path"]
#: Every part, in the order reports name them.
PARTS: tuple[Part, ...] = ("request", "response", "query", "path")


def as_part(value: str) -> Part:
    """``value`` as a :data:`Part`; :class:`~tendlc.InvalidArgument` when it is none."""
    for part in PARTS:
        if value == part:
            return part
    raise InvalidArgument(f"part must be one of {', '.join(PARTS)}, not {value!r}")


#: How a body travels: an XML or JSON document, a file, or nothing at all.
Wire = Literal["xml", "json", "binary", "empty"]

_EMPTY: Mapping[Any, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Body:
    """Where the contract of one request or response body lives, and how to judge it.

    ``contract`` is a path relative to the contracts directory; ``locator`` is the root element
    name for XML or a JSON Pointer into the OpenAPI document for JSON. ``closed`` bodies reject
    undocumented fields; open ones report them as warnings.
    """

    media_types: tuple[str, ...]
    contract: str = ""
    locator: str = ""
    child: str | None = None
    binary: bool = False
    closed: bool = True
    empty: bool = False

    # Read on every validation: worked out once per body (cached_property writes the
    # instance's __dict__, which a frozen dataclass allows).
    @cached_property
    def wire(self) -> Wire:
        """How this body travels (the engines choose by it, never by provider)."""
        if self.empty:
            return "empty"
        if self.binary:
            return "binary"
        return "xml" if self.is_xml else "json"

    @cached_property
    def is_xml(self) -> bool:
        return any(media.endswith("xml") for media in self.media_types)

    @property
    def structured(self) -> bool:
        """True for an XML or JSON document (not a file, not an empty body)."""
        return not self.empty and not self.binary

    @cached_property
    def multipart(self) -> bool:
        """True for a multipart/form-data body (a file upload with its fields)."""
        return any(essence_of(media) == MULTIPART for media in self.media_types)


#: The media type of file uploads with their fields.
MULTIPART = "multipart/form-data"


def essence_of(media_type: str) -> str:
    """``type/subtype`` of a Content-Type, lower case, parameters dropped."""
    return media_type.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Operation:
    """One documented request/response exchange of a provider, by its stable id."""

    id: str
    provider: str
    method: str
    path: str
    summary: str = ""
    source: str = ""
    request: Body | None = None
    responses: Mapping[int, Body] = field(default_factory=lambda: _EMPTY)
    query: Mapping[str, Any] | None = None
    path_parameters: Mapping[str, Any] | None = None
    #: the documented prefix of every path (``/v1/10dlc``), before :attr:`path`
    base_path: str = ""
    #: the documented host (``https://api.nexmo.com``)
    host: str = ""

    @property
    def url_template(self) -> str:
        """The documented path with its prefix: what a request's path ends with."""
        return self.base_path + self.path

    @property
    def routable(self) -> bool:
        """False for exchanges at a URL the documentation does not fix (webhooks)."""
        return self.path.startswith("/")

    @property
    def statuses(self) -> tuple[int, ...]:
        """The documented response statuses, ascending."""
        return tuple(sorted(self.responses))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary of the operation (for listings)."""
        return {
            "id": self.id,
            "provider": self.provider,
            "method": self.method,
            "path": self.path,
            "url": self.url_template,
            "summary": self.summary,
            "request": None if self.request is None else list(self.request.media_types),
            "statuses": list(self.statuses),
            "query": sorted(self.query["properties"]) if self.query else [],
        }
