"""The bodies the sandbox answers with: the documented examples, with the records it keeps
and the fields it sets (``_fields``) laid over them, and the documented error envelopes.

Every body leaves here checked against its contract: a record field that would break the
documented response (a request-only field, a value the response does not allow) is taken
back, so the sandbox never answers with a body the contracts refuse.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from lxml import etree

from .._catalog import (
    Body,
    Operation,
    Provider,
    get_provider,
    load_contract,
    media_example,
    operations,
    per_catalog,
)
from .._parsing import (
    Document,
    JsonDocument,
    ParseError,
    XmlDocument,
    element_children,
    element_path,
    local_name,
    parse_document,
)
from .._shared import MISSING, copied, get_at, json_pointer, resolve_ref, split_pointer
from .._validation import child_declarations, declaration_at, load_schema, validate
from ._fields import apply_values

__all__ = [
    "DOCUMENTED",
    "Record",
    "documented_only",
    "error_body",
    "example_names",
    "fields_of",
    "lay_over",
    "list_body",
    "media_type_of",
    "read_record",
    "template",
]

Record = Any  # an lxml element (XML) or a dict (JSON): the fields a client sent
_ROUNDS = 4
# The warnings of a response that name a member the contract does not describe as sent.
_NOT_DESCRIBED = ("additionalProperties", "null-for-absent")


#: the name of the documented exchange's body among an answer's examples
DOCUMENTED = "documented"


@per_catalog
def _templates() -> Mapping[tuple[str, int], tuple[tuple[str, bytes], ...]]:
    """The named examples of every documented response: the documented exchange's body
    (``documented``), then each example the contract gives the response's media type (its
    ``example``, or each of its named ``examples``) that the contract accepts."""
    from ..cassettes import build_documented, documented_sources

    found: dict[tuple[str, int], list[tuple[str, bytes]]] = {}
    for entry in documented_sources():
        exchange, _ = build_documented(entry)
        assert exchange.response is not None
        key = (entry["operation"], exchange.response.status)
        if not found.get(key):
            found[key] = [(DOCUMENTED, exchange.response.body)]
    for operation in operations():
        for status, body in operation.responses.items():
            named = found.setdefault((operation.id, status), [])
            for name, example in _contract_examples(body):
                known = dict(named)
                if (
                    name not in known
                    and example not in known.values()
                    and validate(operation, example, part="response", status=status).valid
                ):
                    named.append((name, example))
    return {key: tuple(named) for key, named in found.items() if named}


def _contract_examples(body: Body) -> list[tuple[str, bytes]]:
    """The examples an OpenAPI document gives a body's media type, by name (``example`` for
    the single one)."""
    tokens = split_pointer(body.locator) if body.locator.startswith("/") else []
    if not body.contract or tokens[-1:] != ["schema"]:
        return []
    document = load_contract(body.contract)
    media = get_at(document, json_pointer(tokens[:-1]), None)
    if not isinstance(media, Mapping):
        return []
    if "example" in media:
        single = media_example(body)
        return [("example", single)] if single is not None else []
    found = []
    for name, entry in (media.get("examples") or {}).items():
        resolved, _ = resolve_ref(document, entry)
        if isinstance(resolved, Mapping) and "value" in resolved:
            value = resolved["value"]
            if isinstance(value, str) and body.wire != "json":
                found.append((str(name), value.encode("utf-8")))
            else:
                text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
                found.append((str(name), text.encode("utf-8")))
    return found


def example_names(operation: Operation, status: int) -> tuple[str, ...]:
    """The names of the documented examples of a response, the default first."""
    return tuple(name for name, _ in _templates().get((operation.id, status), ()))


def template(operation: Operation, status: int, name: str | None = None) -> bytes | None:
    """The documented (repaired, valid) body of a response, if the pages show one: the
    example called ``name``, else the first."""
    named = _templates().get((operation.id, status), ())
    if name is None:
        return named[0][1] if named else None
    return dict(named).get(name)


def media_type_of(body: Body) -> str:
    return body.media_types[0] if body.media_types else "application/octet-stream"


# -- fields ------------------------------------------------------------------------------------


def fields_of(body: Body, payload: Any) -> set[str]:
    """The field names a client may send in a body (top level): its own fields, which a
    response takes from the record rather than from the documented example."""
    return set(_fields(body))


@per_catalog
def _fields(body: Body) -> frozenset[str]:
    """The field names of a body's contract, read once per body."""
    return frozenset(_declared_fields(body))


def _declared_fields(body: Body) -> set[str]:
    if body.wire == "xml":
        declaration = load_schema(body.contract).elements.get(body.locator)
        return set(child_declarations(declaration)) if declaration is not None else set()
    document = load_contract(body.contract)
    return set(_json_properties(document, get_at(document, body.locator, {})))


def _json_properties(document: Any, node: Any, depth: int = 0) -> Iterator[str]:
    node, _ = resolve_ref(document, node)
    if not isinstance(node, Mapping) or depth > 8:
        return
    yield from (node.get("properties") or {})
    for key in ("allOf", "oneOf", "anyOf"):
        for member in node.get(key, []):
            yield from _json_properties(document, member, depth + 1)
    for key in ("then", "else"):
        if key in node:
            yield from _json_properties(document, node[key], depth + 1)


# -- laying records over documented bodies --------------------------------------------------


def _parse(body: Body, data: bytes) -> Document:
    return parse_document("xml" if body.wire == "xml" else "json", data)


_Change = tuple[Any, Any, Any]  # (item, the child put in, the child it replaced or None)


def _overlay_xml(item: Any, record: Any, client: set[str], declared: set[str]) -> list[_Change]:
    """Put the record's fields in an item element; returns what changed, to take back."""
    changes: list[_Change] = []
    sent = {local_name(child): child for child in element_children(record)}
    for child in list(element_children(item)):
        if local_name(child) in client and local_name(child) not in sent:
            item.remove(child)
    for name, value in sent.items():
        if name not in declared:
            continue
        previous = item.find(name)
        replacement = copied(value)
        if previous is not None:
            item.replace(previous, replacement)
        else:
            item.append(replacement)
        changes.append((item, replacement, previous))
    return changes


def _overlay_json(item: dict[str, Any], record: Any, client: set[str]) -> None:
    if isinstance(record, Mapping):
        for name in client:
            if name not in record:
                item.pop(name, None)
        item.update(copied(dict(record)))


def _client_fields(operation: Operation) -> set[str]:
    """The fields clients send for the records an operation answers with: those of the
    operation's own request body, or else of the operation that creates the records."""
    from ._behaviour import behaviour

    request = operation.request
    if request is not None and request.structured:
        return fields_of(request, None)
    table = behaviour()
    resource = table.of(operation).resource
    for other in table.operations.values():
        if other.resource is resource and other.action in ("create", "upsert"):
            creating = other.operation.request
            if creating is not None and creating.structured:
                return fields_of(creating, None)
    return set()


def _declared(body: Body, path: str) -> set[str]:
    declaration = declaration_at(load_schema(body.contract).elements[body.locator], path)
    return set(child_declarations(declaration)) if declaration is not None else set()


def _allows(body: Body) -> Callable[[str], bool] | None:
    """Whether a field missing from a documented body may be added at an element path: the
    contract declares it there (a JSON field is added wherever its parent is)."""
    if body.wire != "xml":
        return None

    def allows(path: str) -> bool:
        parent, _, name = path.rpartition("/")
        return name.split("[")[0] in _declared(body, parent)

    return allows


#: a record's client fields, and the fields the sandbox sets on it (paths from its item)
Entry = tuple[Record | None, Mapping[str, Any]]


def lay_over(
    operation: Operation,
    status: int,
    item_path: str | None,
    record: Record | None,
    server: Mapping[str, Any],
    root: Mapping[str, Any] | None = None,
) -> bytes:
    """The documented body of ``status`` with ``record`` (the fields the client sent) and
    ``server`` (the fields the sandbox sets: paths from the item, values or ``OMIT``) laid
    over the item at ``item_path``, and ``root`` (paths from the body's root) over the body."""
    return _build(operation, status, item_path, [(record, server)], root or {}, single=True)


def list_body(
    operation: Operation,
    status: int,
    items_path: str,
    entries: Sequence[Entry],
    root: Mapping[str, Any] | None = None,
) -> bytes:
    """The documented list body with one item per record, and ``root`` (the paging: page,
    size, counts, links) over the body."""
    return _build(operation, status, items_path, entries, root or {}, single=False)


def _build(
    operation: Operation,
    status: int,
    path: str | None,
    entries: Sequence[Entry],
    root: Mapping[str, Any],
    *,
    single: bool,
) -> bytes:
    body = operation.responses[status]
    data = template(operation, status)
    if data is None or not body.structured:
        return data or b""
    document = _parse(body, data)
    if path is None:
        if not root:
            return data
        apply_values(document, "", root, _allows(body))
        return document.dump()
    client = _client_fields(operation)
    if isinstance(document, XmlDocument):
        return _build_xml(operation, status, document, path, entries, single, client, root)
    return _build_json(operation, status, document, path, entries, single, client, root)


def _build_xml(
    operation: Operation,
    status: int,
    document: XmlDocument,
    path: str,
    entries: Sequence[Entry],
    single: bool,
    client: set[str],
    root: Mapping[str, Any],
) -> bytes:
    body = operation.responses[status]
    declared = _declared(body, path)
    changes: list[_Change] = []
    if single:
        item = document.get(path)
        if item is None:
            return document.dump()
        targets = [(item, entries[0])]
    else:
        parent_path, _, name = path.rpartition("/")
        parent = document.get(parent_path)
        existing = [child for child in document.children(parent_path) if local_name(child) == name]
        if parent is None or not existing:
            return document.dump()
        model = existing[0]
        for child in existing:
            parent.remove(child)
        targets = []
        for entry in entries:
            item = copied(model)
            parent.append(item)
            targets.append((item, entry))
    for item, (record, _) in targets:
        if record is not None:
            changes.extend(_overlay_xml(item, record, client, declared))
    allows = _allows(body)
    for item, (_, server) in targets:
        apply_values(document, element_path(item), server, allows)
    apply_values(document, "", root, allows)
    # Take back record fields the documented response does not allow.
    for _ in range(_ROUNDS):
        data = document.dump()
        paths = _problems(operation, status, data)
        bad = [change for change in changes if any(_under(change[1], p) for p in paths)]
        if not bad:
            return data
        for change in bad:
            item, child, previous = change
            if previous is not None:
                item.replace(child, previous)
            else:
                item.remove(child)
            changes.remove(change)
    return document.dump()


def _build_json(
    operation: Operation,
    status: int,
    document: Document,
    path: str,
    entries: Sequence[Entry],
    single: bool,
    client: set[str],
    root: Mapping[str, Any],
) -> bytes:
    prefix = split_pointer(path)
    targets: list[tuple[list[str], dict[str, Any], Mapping[str, Any]]] = []
    if single:
        item = document.get(path)
        if not isinstance(item, dict):
            return document.dump()
        before = copied(item)
        _overlay_json(item, entries[0][0], client)
        apply_values(JsonDocument(item), "", entries[0][1])
        targets.append((prefix, item, before))
    else:
        container = document.get(path)
        if not isinstance(container, list) or not container or not isinstance(container[0], dict):
            return document.dump()
        model = container[0]
        made = []
        for index, (record, server) in enumerate(entries):
            item = copied(model)
            _overlay_json(item, record, client)
            apply_values(JsonDocument(item), "", server)
            made.append(item)
            targets.append(([*prefix, str(index)], item, model))
        container[:] = made
    apply_values(document, "", root)
    for _ in range(_ROUNDS):
        data = document.dump()
        changed = False
        for issue_path in _problems(operation, status, data):
            tokens = split_pointer(issue_path) if issue_path.startswith("/") else []
            for item_tokens, target, original in targets:
                if tokens[: len(item_tokens)] != item_tokens or len(tokens) <= len(item_tokens):
                    continue
                name = tokens[len(item_tokens)]
                if name not in target or target[name] == original.get(name, MISSING):
                    continue
                if name in original:
                    target[name] = copied(original[name])
                else:
                    del target[name]
                changed = True
        if not changed:
            return data
    return document.dump()


def _problems(operation: Operation, status: int, data: bytes) -> list[str]:
    report = validate(operation, data, part="response", status=status)
    return [issue.path for issue in report.issues]


def _under(element: Any, path: str) -> bool:
    mine = element_path(element)
    return path == mine or path.startswith((mine + "/", mine + "["))


def documented_only(operation: Operation, response: Any) -> Any:
    """The answer without the fields the contract does not document (a documented example may
    show one the tables leave out, or a null for a field of another carrier: the sandbox
    answers with what the contract describes)."""
    body = operation.responses.get(response.status)
    if body is None or not body.structured or not response.body.strip():
        return response
    data = response.body
    for _ in range(_ROUNDS):
        report = validate(operation, data, part="response", status=response.status)
        extra = [i.path for i in report.warnings if i.rule in _NOT_DESCRIBED]
        if not extra:
            break
        document = _parse(body, data)
        for path in extra:
            document.delete(path)
        data = document.dump()
    if data is response.body:
        return response
    return type(response)(response.status, response.headers, data, response.reason)


# -- errors -------------------------------------------------------------------------------------


def error_body(
    provider: Provider,
    operation: Operation | None,
    status: int,
    code: str,
    message: str,
) -> tuple[bytes, str]:
    """The provider's documented error envelope (its record's ``errors``) with this code and
    message: in an XML body, inside the operation's documented root element."""
    envelope = provider.errors
    message = " ".join(message.split())[:500]
    if envelope.numeric_code and not code.isdigit():
        code = str(status)
    fields = {envelope.code: code, envelope.message: message}
    if envelope.title:
        fields[envelope.title] = _title(provider, code)
    if envelope.instance:
        fields[envelope.instance] = str(uuid.uuid4())
    media = envelope.media_type
    documented = operation.responses.get(status) if operation is not None else None
    if documented is not None and documented.media_types:
        media = documented.media_types[0]
    document: Document
    prefix = ""
    if envelope.wire == "xml":
        envelope_root = envelope.code.strip("/").split("/")[0]
        root = _documented_root(operation, status) or envelope_root
        if root != envelope_root:
            prefix = "/" + root
        document = XmlDocument(etree.Element(root))
    else:
        document = JsonDocument({})
    for path, value in fields.items():
        document.put_deep(prefix + path, value)
    return document.dump(), media


def _documented_root(operation: Operation | None, status: int) -> str | None:
    """The root element of the operation's documented body of ``status`` (else of its first
    success), where an XML error envelope goes."""
    if operation is None:
        return None
    documented = operation.responses.get(status)
    success = [b for s, b in sorted(operation.responses.items()) if s < 300]
    for body in (documented, *success[:1]):
        if body is not None and body.wire == "xml":
            return body.locator
    return None


def _title(provider: Provider, code: str) -> str:
    entry = _error_titles(provider.name).get(code)
    if isinstance(entry, Mapping) and entry.get("description"):
        return str(entry["description"])
    return code.replace("-", " ").capitalize()


@per_catalog
def _error_titles(provider_name: str) -> Mapping[str, Any]:
    titles = get_provider(provider_name).errors.titles
    if not titles:
        return {}
    file, _, pointer = titles.partition("#")
    codes = get_at(load_contract(f"{provider_name}/{file}"), pointer, {})
    return codes if isinstance(codes, Mapping) else {}


def read_record(body: Body, data: bytes) -> Record | None:
    """The fields a client sent (None when the body is not a document)."""
    if not body.structured:
        return None
    try:
        return _parse(body, data).root
    except ParseError:
        return None
