from __future__ import annotations

from functools import cache
from typing import Any

from .._errors import ContractError
from .._shared import load_yaml
from ._caches import forget_with_catalog
from ._providers import contract_path


@cache
def load_contract(relative: str) -> Any:
    """Load (once per process) a YAML/JSON contract file named ``<provider>/<file>``;
    :class:`~tendlc.ContractError` when it is not YAML (or JSON) at all."""
    import yaml

    try:
        return load_yaml(contract_path(relative))
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())[:300]
        raise ContractError(f"the contract {relative} cannot be read: {reason}") from None


forget_with_catalog(load_contract.cache_clear)
