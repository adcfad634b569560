"""JSON Pointers (RFC 6901), local ``$ref`` resolution, and edits of JSON data at a pointer.

The one home of these jobs: reports, contracts, generators, editors and the traffic layer all
speak the same pointers (``""`` is the whole document, ``/a/0/b~1c`` the key ``b/c``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

__all__ = [
    "MISSING",
    "delete_at",
    "escape",
    "get_at",
    "json_pointer",
    "put_at",
    "reachable",
    "ref_target",
    "reference_to",
    "resolve_ref",
    "split_pointer",
    "unescape",
    "walk",
]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: The value of an absent location (distinct from ``None``, which JSON can hold).
MISSING: Any = _Missing()

_MAX_REF_HOPS = 64


def escape(token: str | int) -> str:
    """One pointer token, escaped (``~`` → ``~0``, ``/`` → ``~1``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """One pointer token, unescaped."""
    return token.replace("~1", "/").replace("~0", "~")


def json_pointer(tokens: Iterable[str | int]) -> str:
    """Render raw tokens as a JSON Pointer (``""`` is the document itself)."""
    return "".join("/" + escape(token) for token in tokens)


def split_pointer(pointer: str) -> list[str]:
    """The raw tokens of a JSON Pointer (a leading ``#`` of a URI fragment is allowed)."""
    # the same few pointers (a contract's paths, a body's fields) are split again and again;
    # long ones (made of a payload's own keys) are not kept
    return list(_kept_tokens(pointer) if len(pointer) <= 200 else _tokens(pointer))


def _tokens(pointer: str) -> tuple[str, ...]:
    pointer = pointer[1:] if pointer.startswith("#") else pointer
    if not pointer:
        return ()
    if not pointer.startswith("/"):
        raise ValueError(f"{pointer[:60]!r} is not a JSON Pointer")
    return tuple(unescape(token) for token in pointer.split("/")[1:])


_kept_tokens = lru_cache(maxsize=8192)(_tokens)


def _step(node: Any, token: str | int) -> Any:
    if isinstance(node, Mapping):
        return node.get(str(token), MISSING)
    if isinstance(node, Sequence) and not isinstance(node, str | bytes):
        text = str(token)
        if text.isdigit() and int(text) < len(node) and (text == "0" or text[0] != "0"):
            return node[int(text)]
    return MISSING


def walk(document: Any, tokens: Iterable[str | int], default: Any = MISSING) -> Any:
    """The value at ``tokens`` inside ``document``; ``default`` (or KeyError) when absent."""
    node = document
    for token in tokens:
        node = _step(node, token)
        if node is MISSING:
            if default is MISSING:
                raise KeyError(json_pointer(tokens))
            return default
    return node


def get_at(document: Any, pointer: str, default: Any = MISSING) -> Any:
    """The value at a JSON Pointer; ``default`` (or KeyError) when absent."""
    return walk(document, split_pointer(pointer), default)


def _parent(document: Any, pointer: str) -> tuple[Any, str]:
    tokens = split_pointer(pointer)
    if not tokens:
        raise ValueError("the whole document has no parent")
    parent = walk(document, tokens[:-1], None)  # absent: no container to edit
    return parent, tokens[-1]


def put_at(document: Any, pointer: str, value: Any) -> bool:
    """Set (or add) the value at ``pointer``; an index equal to a list's length appends.

    Returns False when the parent does not exist or cannot hold the key.
    """
    parent, key = _parent(document, pointer)
    if isinstance(parent, dict):
        parent[key] = value
        return True
    if isinstance(parent, list) and key.isdigit():
        index = int(key)
        if index < len(parent):
            parent[index] = value
            return True
        if index == len(parent):
            parent.append(value)
            return True
    return False


def delete_at(document: Any, pointer: str) -> bool:
    """Remove the value at ``pointer``; False when there is nothing to remove."""
    parent, key = _parent(document, pointer)
    if isinstance(parent, dict) and key in parent:
        del parent[key]
        return True
    if isinstance(parent, list) and key.isdigit() and int(key) < len(parent):
        del parent[int(key)]
        return True
    return False


def reference_to(pointer: str) -> str:
    """The local ``$ref`` to a JSON Pointer: ``#`` and the pointer, percent-encoded where a
    URI fragment needs it (``{`` and ``}`` of path templates, say)."""
    return "#" + quote(pointer, safe="/~-_.!$&'()*+,;=:@")


def ref_target(document: Mapping[str, Any], reference: Any, default: Any = MISSING) -> Any:
    """The node a local ``$ref`` (``#`` and a percent-encoded JSON Pointer) points to.

    ``default`` (when given) is returned for a reference that is not a local JSON Pointer (an
    anchor, another document) or leads nowhere; without it, those raise :class:`ValueError`
    and :class:`LookupError`.
    """
    fragment = unquote(reference[1:]) if isinstance(reference, str) else ""
    if (
        not isinstance(reference, str)
        or not reference.startswith("#")
        or fragment[:1] not in ("", "/")
    ):
        if default is not MISSING:
            return default
        raise ValueError(f"only local references (JSON Pointers) are supported, not {reference!r}")
    return get_at(document, fragment, default)


def resolve_ref(document: Mapping[str, Any], node: Any) -> tuple[Any, str | None]:
    """Follow local ``$ref`` s until a node without one; return it and the last target pointer.

    Keywords beside a ``$ref`` apply too (JSON Schema 2020-12): they are merged over the target
    into a new mapping, so the document itself is never changed.
    """
    location: str | None = None
    for _ in range(_MAX_REF_HOPS):
        if not isinstance(node, Mapping) or "$ref" not in node:
            return node, location
        reference = node["$ref"]
        target = ref_target(document, reference)
        location = unquote(reference[1:])
        if len(node) > 1:
            merged = dict(target) if isinstance(target, Mapping) else {}
            merged.update((key, value) for key, value in node.items() if key != "$ref")
            target = merged
        node = target
    raise ValueError(f"$ref chain longer than {_MAX_REF_HOPS} hops near {location!r}")


def reachable(document: Mapping[str, Any], pointer: str) -> list[dict[str, Any]] | None:
    """Every mapping of the schema at ``pointer`` and of the schemas its local ``$ref``s
    reach, each once; None when a reference leads where the document cannot tell."""
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack = [get_at(document, pointer, None)]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict) and id(item) not in seen:
            seen.add(id(item))
            found.append(item)
            stack.extend(item.values())
            if "$ref" in item:
                target = ref_target(document, item["$ref"], None)
                if target is None:
                    return None
                stack.append(target)
    return found
