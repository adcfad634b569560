from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from .._errors import ContractError
from .._shared import directory_digest, disk_cached, forget_directory_digests, load_yaml
from ._caches import forget_with_catalog
from ._providers import contract_path


@cache
def load_contract(relative: str) -> Any:
    """Load (once per process, and parsed once per change of its directory, see
    :func:`~tendlc._shared.disk_cached`) a YAML/JSON contract file named
    ``<provider>/<file>``; :class:`~tendlc.ContractError` when it is not YAML (or JSON)."""
    path = contract_path(relative)
    return disk_cached(
        "yaml", (relative,), lambda: _parse(relative, path), source=(directory_digest(path.parent),)
    )


def _parse(relative: str, path: Path) -> Any:
    import yaml

    try:
        return load_yaml(path)
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())[:300]
        raise ContractError(f"the contract {relative} cannot be read: {reason}") from None


forget_with_catalog(load_contract.cache_clear)
forget_with_catalog(forget_directory_digests)
