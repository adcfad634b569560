"""YAML files, read with the safe loader (PyYAML is imported on first use).

Every process reads the provider records and the advice rules; parsed once, a file's data is
kept in the disk cache (:func:`~tendlc._shared.disk_cached`) under its path and the digest of
its bytes, so a later process unpickles it instead of parsing it again.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from ._disk_cache import disk_cached

__all__ = ["load_yaml"]


@cache
def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """Load a YAML file with the safe loader (no arbitrary objects)."""
    data = path.read_bytes()
    return disk_cached(
        "yaml",
        (str(path.resolve()),),
        lambda: _parsed(data),
        source=(hashlib.sha256(data).hexdigest(),),
    )


def _parsed(data: bytes) -> Any:
    import yaml

    return yaml.load(data, Loader=_loader())
