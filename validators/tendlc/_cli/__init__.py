"""The ``tendlc`` command line."""

from . import _traffic, _validate  # noqa: F401  (the commands register on the group)
from ._group import main

__all__ = ["main"]
