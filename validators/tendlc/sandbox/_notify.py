"""The order notification a provider posts to the customer's subscription URL."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from lxml import etree

from .._catalog import get_operation
from .._parsing import local_name, parse_xml

__all__ = ["notification_body", "post"]

_LOG = logging.getLogger("tendlc.sandbox")


@cache
def _template(operation_id: str) -> bytes:
    from .._documented import documented_examples

    for example in documented_examples():
        if example.operation == operation_id and example.part == "request":
            return example.repaired()
    raise LookupError(f"no documented body for {operation_id}")


def notification_body(operation_id: str, order_id: str, status: str, fields: Any) -> bytes:
    """The documented notification, about this order and this status."""
    operation = get_operation(operation_id)
    root = parse_xml(_template(operation.id))
    values = {"OrderId": order_id, "Status": status}
    if fields is not None and hasattr(fields, "findtext"):
        customer = fields.findtext("CustomerOrderId")
        if customer:
            values["CustomerOrderId"] = customer
    for child in root:
        if isinstance(child.tag, str) and local_name(child) in values:
            child.text = values[local_name(child)]
    message = root.find("Message")
    if message is not None:
        message.text = f"Import TN order is {status}."
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))


async def post(url: str, data: bytes) -> int | None:
    """POST a notification; the status it got (None when it could not be delivered)."""
    import httpx

    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(
                url, content=data, headers={"Content-Type": "application/xml"}
            )
            return response.status_code
    except httpx.HTTPError as exc:
        _LOG.warning("the notification to %s was not delivered: %s", url, exc)
        return None
