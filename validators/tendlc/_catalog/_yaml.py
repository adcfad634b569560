from __future__ import annotations

from functools import cache
from typing import Any

from .._resources import contracts_dir
from .._shared import load_yaml


@cache
def load_contract(relative: str) -> Any:
    """Load (once per process) a YAML/JSON contract file, relative to the contracts directory."""
    return load_yaml(contracts_dir() / relative)
