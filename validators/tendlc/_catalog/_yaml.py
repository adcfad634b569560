from __future__ import annotations

from functools import cache
from typing import Any

from .._shared import load_yaml
from ._caches import forget_with_catalog
from ._providers import contract_path


@cache
def load_contract(relative: str) -> Any:
    """Load (once per process) a YAML/JSON contract file named ``<provider>/<file>``."""
    return load_yaml(contract_path(relative))


forget_with_catalog(load_contract.cache_clear)
