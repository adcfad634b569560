"""The brand behind a campaign, as exchanges show it.

A campaign names its brand only by id, so the brand rules can only read the brand when it was
seen before: in a brand's create or update (the request's fields, the answer's id), or in the
answers of the brand reads. Where each provider's exchanges hold a brand, its id and its
fields, and which operations name their brand by id, is data: ``brand_exchanges`` and
``brand_references`` of ``<provider>/advice.yaml``. A brand is kept as plain data (the keys of
the rules file's ``brand_mapping``: ``display_name``, ``company_name``, ``website`` ...), which
is what ``advise(..., brand=...)`` reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..._catalog import Operation, advice_files, per_catalog
from ..._errors import InvalidArgument
from ..._parsing import find_elements
from ._roles import Source, _walk, brand_readings, brand_values, role_map
from ._rules import rule_set

__all__ = ["BrandSource", "brand_fields", "brand_reference", "brand_source"]


@dataclass(frozen=True)
class BrandSource:
    """How the exchanges of one operation show brands."""

    operation: str
    #: where the brands are in the success answer (``""``: the whole body; ``*``: every item)
    brands: tuple[str, ...]
    #: where a brand's id is in one brand
    id: Source
    #: the path parameter that holds the id when the answer does not
    parameter: str | None = None
    #: whether the request body describes the brand too (a create, an update)
    request: bool = False

    @classmethod
    def from_data(cls, operation: str, data: Mapping[str, Any]) -> BrandSource:
        """One entry of ``brand_exchanges``."""
        brands = data.get("brands", [""])
        return cls(
            operation,
            tuple(str(b) for b in (brands if isinstance(brands, list) else [brands])),
            Source.from_data(str(data["id"])),
            str(data["parameter"]) if data.get("parameter") else None,
            bool(data.get("request")),
        )

    def shown(
        self,
        request: Any,
        answer: Any,
        path_parameters: Mapping[str, str] | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """The brands an exchange of the operation shows, as ``(id, fields)``: ``request``
        and ``answer`` are its parsed bodies (None when absent or unreadable). The request's
        fields come first and the answer's replace them; a brand without an id is left out."""
        parameters = path_parameters or {}
        asked = (self.parameter and parameters.get(self.parameter)) or None
        sent = brand_fields(request, role_map_of=self.operation) if self.request else {}
        found: list[tuple[str, dict[str, Any]]] = []
        for brand in self._brands(answer):
            brand_id = next(
                (str(v.value) for v in self.id.values(brand) if str(v.value).strip()), asked
            )
            if brand_id:
                found.append((brand_id, {**sent, **brand_fields(brand)}))
        if not found and asked and sent:
            # an answer without the brand (an empty 200): the request is all there is
            found.append((asked, sent))
        return found

    def _brands(self, answer: Any) -> Iterator[Any]:
        for pointer in self.brands:
            if isinstance(answer, etree._Element):
                yield from find_elements(answer, pointer) if pointer else [answer]
            elif isinstance(answer, Mapping | list):
                for value in _walk(answer, Source.from_data(pointer).steps, ""):
                    if isinstance(value.value, Mapping):
                        yield value.value


def brand_fields(document: Any, *, role_map_of: str | None = None) -> dict[str, Any]:
    """A brand document (a brand request or a brand of an answer, parsed) as plain data: the
    brand roles it has, under the keys of the rules file's ``brand_mapping``. With
    ``role_map_of`` (an operation id), the document is that operation's request body, read
    through its own roles. A document with none of the fields is ``{}``."""
    if document is None or not isinstance(document, Mapping | etree._Element):
        return {}
    if role_map_of is not None:
        from ..._catalog import get_operation

        roles = role_map(get_operation(role_map_of))
        values = roles.resolve(document) if roles is not None else {}
    else:
        try:
            values = brand_values(document, _readings, _unparsed)
        except InvalidArgument:
            return {}
    keys = _plain_keys()
    return {
        keys[role]: found[0].value
        for role, found in values.items()
        if role in keys and found and isinstance(found[0].value, str) and found[0].value.strip()
    }


@per_catalog
def _readings(xml: bool) -> tuple[Any, ...]:
    return brand_readings(rule_set().brand_mapping, xml)


def _unparsed(data: Any) -> Any:
    return None  # brand_fields is given parsed documents only


@per_catalog
def _plain_keys() -> Mapping[str, str]:
    """Brand role -> its key in plain data (the member the rules file's mapping reads)."""
    return {
        role: sources[0].steps[0]
        for role, sources in rule_set().brand_mapping.roles.items()
        if sources and sources[0].steps
    }


def brand_source(operation: str | Operation) -> BrandSource | None:
    """How the exchanges of an operation show brands (None: they show none)."""
    operation_id = operation if isinstance(operation, str) else operation.id
    return _sources().get(operation_id)


def brand_reference(operation: str | Operation) -> str | None:
    """The path parameter by which an operation names the brand behind its body (None: it
    names none the advice needs)."""
    operation_id = operation if isinstance(operation, str) else operation.id
    return _references().get(operation_id)


@per_catalog
def _sources() -> Mapping[str, BrandSource]:
    return {
        str(operation): BrandSource.from_data(str(operation), data)
        for provider_file in advice_files().values()
        for operation, data in (provider_file.get("brand_exchanges") or {}).items()
    }


@per_catalog
def _references() -> Mapping[str, str]:
    return {
        str(operation): str(parameter)
        for provider_file in advice_files().values()
        for operation, parameter in (provider_file.get("brand_references") or {}).items()
    }
