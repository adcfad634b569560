from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_MISSING = object()


def json_pointer(tokens: Iterable[str | int]) -> str:
    """Render path tokens as a JSON Pointer (``""`` is the document itself)."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)


def walk(document: Any, tokens: Iterable[str | int], default: Any = _MISSING) -> Any:
    """The value at ``tokens`` inside ``document``; ``default`` (or KeyError) when absent."""
    node = document
    for token in tokens:
        if isinstance(node, Mapping) and str(token) in node:
            node = node[str(token)]
        elif isinstance(node, Sequence) and not isinstance(node, str):
            try:
                node = node[int(token)]
            except (ValueError, IndexError):
                node = _MISSING
        else:
            node = _MISSING
        if node is _MISSING:
            if default is _MISSING:
                raise KeyError(json_pointer(tokens))
            return default
    return node


def split_pointer(pointer: str) -> list[str]:
    """The raw tokens of a JSON Pointer."""
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]
