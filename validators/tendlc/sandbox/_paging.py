"""Lists one page at a time, as the provider's record pages (its ``pagination``: the query
parameters, the first page's number, the default and largest size), with the page, size and
totals, the page tokens and the links to other pages where the behaviour table's ``paging``
puts them. Links are on the sandbox's own base URL, never the provider's host."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from .._catalog import Operation, Pagination, get_provider
from ._behaviour import Paging
from ._fields import OMIT

__all__ = ["Page", "page_of", "paging_values"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """One page of a list of ``total`` items."""

    number: int
    size: int
    first: int
    total: int

    @property
    def pages(self) -> int:
        """The number of pages (one when the list is empty: the page that says so)."""
        return max(1, math.ceil(self.total / self.size)) if self.size else 1

    @property
    def last(self) -> int:
        return self.first + self.pages - 1

    def of(self, items: Sequence[T]) -> list[T]:
        """The items on this page (none beyond the last page)."""
        start = (self.number - self.first) * self.size
        return list(items[start : start + self.size])


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def page_of(operation: Operation, query: str, total: int, paging: Paging) -> Page | None:
    """The page a list request asks for (its page number or page token, and its size), when
    the operation takes the record's paging parameters; None: the list is answered whole."""
    pagination = get_provider(operation.provider).pagination
    declared = (operation.query or {}).get("properties") or {}
    if pagination.size not in declared and pagination.page not in declared:
        return None
    asked = dict(parse_qsl(query, keep_blank_values=True))
    size = _number(asked.get(pagination.size)) or pagination.default_size
    if pagination.max_size is not None:
        size = min(size, pagination.max_size)
    token = _number(asked.get(paging.token_parameter)) if paging.token_parameter else None
    number = token if token is not None else _number(asked.get(pagination.page))
    number = max(number if number is not None else pagination.first_page, pagination.first_page)
    return Page(number, max(size, 1), pagination.first_page, total)


def _page_url(
    base_url: str, path: str, query: str, pagination: Pagination, paging: Paging, page: Page
) -> str:
    """The URL of a page: the request's, with the page's number and size (and no token)."""
    replaced = (pagination.page, pagination.size, paging.token_parameter)
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name not in replaced
    ]
    kept += [(pagination.page, str(page.number)), (pagination.size, str(page.size))]
    return f"{base_url.rstrip('/')}{path}?{urlencode(kept)}"


def paging_values(
    operation: Operation,
    paging: Paging,
    page: Page | None,
    total: int,
    *,
    base_url: str,
    path: str,
    query: str,
) -> dict[str, Any]:
    """The paging fields of a list body: where each goes (``paging``) and its value; the
    links and tokens of pages that do not exist are left out."""
    if page is None:
        return _whole(operation, paging, total, f"{base_url.rstrip('/')}{path}", query)
    values: dict[str, Any] = {}
    if paging.total:
        values[paging.total] = total
    if paging.page:
        values[paging.page] = page.number
    if paging.size:
        values[paging.size] = page.size
    if paging.pages:
        values[paging.pages] = page.pages
    pagination = get_provider(operation.provider).pagination
    numbers = {
        "self": page.number,
        "first": page.first,
        "last": page.last,
        "previous": min(page.number - 1, page.last) if page.number > page.first else None,
        "next": page.number + 1 if page.number < page.last else None,
    }
    for name, where in paging.links.items():
        number = numbers.get(name)
        values[where] = (
            OMIT
            if number is None
            else _page_url(base_url, path, query, pagination, paging, Page(number, page.size, 0, 0))
        )
    for name, where in paging.tokens.items():
        number = numbers.get(name)
        values[where] = OMIT if number is None else str(number)
    return values


def _whole(
    operation: Operation, paging: Paging, total: int, url: str, query: str
) -> dict[str, Any]:
    """The paging fields of a list answered whole: one page, the request's own URL."""
    values: dict[str, Any] = {}
    if paging.total:
        values[paging.total] = total
    if paging.pages:
        values[paging.pages] = 1
    if paging.page:
        values[paging.page] = get_provider(operation.provider).pagination.first_page
    if paging.size:
        values[paging.size] = max(total, 1)
    own = url + (f"?{query}" if query else "")
    for name, where in paging.links.items():
        values[where] = own if name in ("self", "first", "last") else OMIT
    for where in paging.tokens.values():
        values[where] = OMIT
    return values
