"""The errors tendlc raises: one root, each also the builtin it behaves like.

Bad *input* is never an exception (it is an invalid :class:`~tendlc.Report`); these are for
programmer errors (an unknown operation id, a bad argument) and for files that cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "ContractError",
    "InvalidArgument",
    "MissingExtra",
    "TendlcError",
    "UnknownOperationError",
    "UnknownProviderError",
    "nearest",
    "require",
]


class TendlcError(Exception):
    """The root of every error tendlc raises."""


class UnknownOperationError(TendlcError, LookupError):
    """An operation id that is not in the catalog; the message suggests the nearest ids."""

    def __init__(self, operation_id: str, known: Iterable[str]) -> None:
        self.operation_id = operation_id
        known = list(known)
        self.suggestions = nearest(operation_id, known)
        if not self.suggestions:
            prefix = operation_id.split(".")[0]
            self.suggestions = [op for op in known if op.startswith(prefix + ".")][:3]
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(
            f"unknown operation {operation_id!r}{hint} (`tendlc operations` lists all)"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownProviderError(TendlcError, LookupError):
    """A provider name that no provider record carries; the message names the known ones."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        known = sorted(known)
        self.suggestions = nearest(name, known)
        super().__init__(
            f"unknown provider {name!r}; known providers: {', '.join(known) or 'none'}"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidArgument(TendlcError, ValueError):
    """A function was called with an argument it cannot honour (an unknown part, a naive
    ``now``, an unknown field or form); the message names the valid choices."""

    #: the valid choices nearest to what was given, best first, where the error knows them
    suggestions: tuple[str, ...] = ()


class ContractError(TendlcError, ValueError):
    """A contract file uses the annotation vocabulary wrongly (a bug in the contract, not input)."""


class MissingExtra(TendlcError, ImportError):
    """A feature whose packages are not installed; the message names the extra to install."""


def require(modules: Iterable[str], extra: str, feature: str) -> None:
    """Raise :class:`MissingExtra` (one line saying what to install) unless ``modules`` import."""
    import importlib.util

    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtra(f"{feature} needs {', '.join(missing)}: pip install 'tendlc[{extra}]'")


def nearest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices closest to ``word`` (for "did you mean" hints), best first."""
    import difflib

    return difflib.get_close_matches(word, list(choices), n=n, cutoff=0.5)
