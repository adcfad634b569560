"""The notification a provider posts to the customer's URL when an order moves on: the
documented body of the notifying operation, with the fields its ``notify`` entry names set
from the order (contracts/README.md, "Sandbox behaviour")."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .._catalog import Operation, get_operation, media_example, per_catalog
from .._parsing import Document, parse_document

__all__ = ["notification_body", "post"]

_LOG = logging.getLogger("tendlc.sandbox")


@per_catalog
def _template(operation_id: str) -> bytes:
    """The documented body the operation sends (its documented example, else its contract's)."""
    from .._documented import documented_examples

    for example in documented_examples():
        if example.operation == operation_id and example.part == "request":
            return example.repaired()
    operation = get_operation(operation_id)
    found = media_example(operation.request) if operation.request is not None else None
    if found is None:
        raise LookupError(f"no documented body for {operation_id}")
    return found


def notification_body(operation: Operation, values: Mapping[str, Any]) -> tuple[bytes, str]:
    """The documented notification with ``values`` set (paths from the body's root; ``OMIT``
    leaves a field out), and its media type."""
    from ._fields import apply_values

    request = operation.request
    assert request is not None, f"{operation.id} documents no body to send"
    document: Document = parse_document(
        "xml" if request.wire == "xml" else "json", _template(operation.id)
    )
    apply_values(document, "", values)
    media = request.media_types[0] if request.media_types else "application/octet-stream"
    return document.dump(), media


async def post(url: str, data: bytes, media_type: str) -> int | None:
    """POST a notification; the status it got (None when it could not be delivered)."""
    import httpx

    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(url, content=data, headers={"Content-Type": media_type})
            return response.status_code
    except httpx.HTTPError as exc:
        _LOG.warning("the notification to %s was not delivered: %s", url, exc)
        return None
