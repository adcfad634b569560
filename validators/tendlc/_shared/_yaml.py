"""YAML files, read with the safe loader (PyYAML is imported on first use)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["load_yaml"]


@cache
def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """Load a YAML file with the safe loader (no arbitrary objects)."""
    import yaml

    with path.open("rb") as handle:
        return yaml.load(handle, Loader=_loader())
