"""Locate the data that ships with tendlc: contracts, cassettes and documentation examples.

In a wheel they live inside the package (``tendlc/_data/contracts`` …); in an editable checkout
they are the top-level folders of the repository, two levels above this file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the directory of the shipped data set ``name`` (``contracts``, ``examples`` …)."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"tendlc data directory {name!r} is missing from this installation")


def contracts_dir() -> Path:
    """The directory holding ``bandwidth/``, ``vonage/`` and ``errata.yaml``."""
    return data_dir("contracts")


def examples_dir() -> Path:
    """The directory holding the providers' documented example payloads."""
    return data_dir("examples")


def cassettes_dir() -> Path:
    """The directory holding the recorded provider exchanges."""
    return data_dir("cassettes")
