from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .._errors import ContractError
from .._resources import contracts_dir

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """Load a YAML file with the safe loader (no arbitrary objects)."""
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=_Loader)


@cache
def load_contract(relative: str) -> Any:
    """Load (once per process) a YAML/JSON contract file, relative to the contracts directory;
    :class:`~tendlc.ContractError` when it is not YAML (or JSON) at all."""
    try:
        return load_yaml(contracts_dir() / relative)
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())[:300]
        raise ContractError(f"the contract {relative} cannot be read: {reason}") from None
