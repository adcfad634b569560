"""The project's tendlc table: ``tendlc.toml``, or ``[tool.tendlc]`` in ``pyproject.toml``.

Found here, below every layer, because the catalog reads the providers it lists; checking the
table against its schema is the configuration module's job.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["find_config", "read_toml"]


def read_toml(path: Path) -> Mapping[str, Any]:
    """A TOML file's tables (``tomllib.TOMLDecodeError``, a ``ValueError``, when malformed)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    with path.open("rb") as handle:
        return tomllib.load(handle)


def find_config(start: Path | None = None) -> tuple[Path, Mapping[str, Any]] | None:
    """The nearest ``tendlc.toml``, or ``pyproject.toml`` with a ``[tool.tendlc]`` table, from
    ``start`` (default: the working directory) up: the file and its tendlc table."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "tendlc.toml"
        if own.is_file():
            table = read_toml(own)
            return own, (table.get("tool") or {}).get("tendlc", table)
        project = candidate / "pyproject.toml"
        # A table named tendlc names it: a project without one is not parsed (importing
        # tomllib and reading the file cost more than a first validation from a warm cache).
        if project.is_file() and b"tendlc" in project.read_bytes():
            found = (read_toml(project).get("tool") or {}).get("tendlc")
            if found is not None:
                return project, found
    return None
