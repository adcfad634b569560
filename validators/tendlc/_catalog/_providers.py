"""Providers are data: one record (``provider.yaml``) beside each provider's contracts.

A record says what every front end needs to know of a provider: its contract (an XSD catalog
or an OpenAPI document), its hosts and base path, how its credentials are read and sent, the
path parameter that carries the account, the status of a refused credential, its error
envelope, its pagination, and the files of its stated rate limits, its sandbox behaviour and its
conformance probes. The format is in ``contracts/README.md`` ("Providers").

The shipped providers live in the contracts directory. Users add their own: each directory of
``TENDLC_PROVIDERS`` (``DIR[:DIR...]``, the path separator of the platform) and of
``[tool.tendlc] providers`` (relative to the configuration file) is a provider directory (it
holds ``provider.yaml``) or a directory of provider directories. The records are read once per
process; :func:`reload_providers` reads them again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from .._errors import ContractError, UnknownProviderError
from .._resources import contracts_dir
from .._shared import find_config, load_yaml
from ._caches import forget_all

__all__ = [
    "PROVIDERS_VARIABLE",
    "RECORD",
    "Account",
    "Credentials",
    "ErrorEnvelope",
    "Pagination",
    "Provider",
    "contract_name",
    "contract_path",
    "get_provider",
    "provider_directories",
    "provider_names",
    "providers",
    "reload_providers",
]

#: the environment variable naming extra provider directories
PROVIDERS_VARIABLE = "TENDLC_PROVIDERS"
#: the file name of a provider record
RECORD = "provider.yaml"

ContractKind = Literal["xsd-catalog", "openapi"]
Scheme = Literal["basic", "bearer", "header"]
_KINDS: tuple[ContractKind, ...] = ("xsd-catalog", "openapi")
_SCHEMES: tuple[Scheme, ...] = ("basic", "bearer", "header")
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Credentials:
    """Where a provider's credentials come from (environment variables only) and how they
    travel: ``basic`` (user and password), ``bearer`` (a token in Authorization) or ``header``
    (a token in the header named by ``header``)."""

    scheme: Scheme = "basic"
    #: the variable of the user name (basic)
    user: str | None = None
    #: the variable of the password (basic) or the token (bearer, header)
    secret: str | None = None
    #: the variable of the account id, when it is not the user
    account: str | None = None
    #: the header that carries the token (scheme ``header``)
    header: str | None = None

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable these credentials read, in order (user, secret, account)."""
        return tuple(v for v in (self.user, self.secret, self.account) if v)


@dataclass(frozen=True)
class Account:
    """The account a request acts for: the path parameter that carries it (if any), and what
    recordings put in place of its real value."""

    parameter: str | None = None
    placeholder: str = "account-0000"


@dataclass(frozen=True)
class ErrorEnvelope:
    """Where an error body keeps its code and message (JSON Pointers for JSON; for XML, element
    paths below the operation's documented root, whose first step is the envelope element).
    ``titles`` points (``file#/pointer``) at a mapping of code → ``{description}``, the text an
    answer's ``title`` carries; ``instance`` names the field of a fresh occurrence id;
    ``numeric_code`` says codes are numbers (the status stands in for a named one)."""

    wire: Literal["xml", "json"] = "json"
    media_type: str = "application/json"
    code: str = "/code"
    message: str = "/message"
    title: str | None = None
    instance: str | None = None
    titles: str | None = None
    numeric_code: bool = False


@dataclass(frozen=True)
class Pagination:
    """How list operations page: the query parameters, the number of the first page, and the
    page size when a request gives none (``max_size`` bounds it when the pages state one)."""

    page: str = "page"
    size: str = "size"
    first_page: int = 1
    default_size: int = 10
    max_size: int | None = None


@dataclass(frozen=True)
class Provider:
    """One provider's record (see the module text)."""

    name: str
    directory: Path
    title: str = ""
    contract_kind: ContractKind = "openapi"
    #: the contract file (an OpenAPI document, or the XSD operation catalog)
    contract: str = ""
    hosts: tuple[str, ...] = ()
    base_path: str | None = None
    #: the documentation page an operation cites when it names none
    source: str = ""
    credentials: Credentials = field(default_factory=Credentials)
    account: Account = field(default_factory=Account)
    unauthorized_status: int = 401
    errors: ErrorEnvelope = field(default_factory=ErrorEnvelope)
    pagination: Pagination = field(default_factory=Pagination)
    rate_limits: str | None = None
    sandbox: str | None = None
    probes: str | None = None
    cassettes: str | None = None
    #: where the advice rules find their roles in this provider's bodies
    advice: str | None = None
    #: the record as written, for extensions that read keys of their own
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False, repr=False)

    @property
    def default_url(self) -> str:
        """The first documented host: where conform and recordings go by default."""
        return self.hosts[0] if self.hosts else ""

    def path(self, relative: str) -> Path:
        """A file of this provider, relative to its directory (``..`` steps folded away)."""
        return Path(os.path.normpath(self.directory / relative))

    def file(
        self, key: Literal["rate_limits", "sandbox", "probes", "cassettes", "advice"]
    ) -> Path | None:
        """The file (or directory) the record names under ``key``, when it names one that
        exists."""
        relative = getattr(self, key)
        if not relative:
            return None
        found = self.path(relative)
        return found if found.exists() else None


def _credentials(data: Mapping[str, Any], where: str) -> Credentials:
    scheme = data.get("scheme", "basic")
    if scheme not in _SCHEMES:
        raise ContractError(f"{where}: credentials scheme must be one of {_SCHEMES}")
    found = Credentials(
        scheme=scheme,
        user=data.get("user"),
        secret=data.get("password") or data.get("token"),
        account=data.get("account"),
        header=data.get("header"),
    )
    if scheme == "basic" and not (found.user and found.secret):
        raise ContractError(f"{where}: basic credentials name a user and a password variable")
    if scheme != "basic" and not found.secret:
        raise ContractError(f"{where}: {scheme} credentials name a token variable")
    if scheme == "header" and not found.header:
        raise ContractError(f"{where}: header credentials name the header that carries them")
    return found


def _read(directory: Path) -> Provider:
    record = directory / RECORD
    data = load_yaml(record)
    where = str(record)
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
        raise ContractError(f"{where}: a provider record is a mapping with a name")
    contract = data.get("contract") or {}
    kind = contract.get("kind")
    if kind not in _KINDS:
        raise ContractError(f"{where}: contract kind must be one of {_KINDS}, not {kind!r}")
    if not contract.get("file") or not (directory / contract["file"]).is_file():
        raise ContractError(f"{where}: the contract file {contract.get('file')!r} is missing")
    account = data.get("account") or {}
    return Provider(
        name=data["name"],
        directory=directory,
        title=str(data.get("title", data["name"])),
        contract_kind=kind,
        contract=str(contract["file"]),
        hosts=tuple(str(host).rstrip("/") for host in data.get("hosts") or ()),
        base_path=data.get("base_path"),
        source=str(data.get("source", "")),
        credentials=_credentials(data.get("credentials") or {}, where),
        account=Account(
            parameter=account.get("parameter"),
            placeholder=str(account.get("placeholder", Account.placeholder)),
        ),
        unauthorized_status=int(data.get("unauthorized_status", 401)),
        errors=ErrorEnvelope(**(data.get("errors") or {})),
        pagination=Pagination(**(data.get("pagination") or {})),
        rate_limits=data.get("rate_limits"),
        sandbox=data.get("sandbox"),
        probes=data.get("probes"),
        cassettes=data.get("cassettes"),
        advice=data.get("advice"),
        raw=MappingProxyType(dict(data)),
    )


def _records_under(directory: Path) -> Iterator[Path]:
    """A provider directory itself, or each provider directory right below it."""
    if (directory / RECORD).is_file():
        yield directory
        return
    if directory.is_dir():
        yield from sorted(p for p in directory.iterdir() if (p / RECORD).is_file())


def provider_directories() -> tuple[Path, ...]:
    """Where providers are read from: the shipped ones, then ``TENDLC_PROVIDERS``, then the
    project's ``[tool.tendlc] providers``."""
    found = [contracts_dir()]
    extra = os.environ.get(PROVIDERS_VARIABLE, "")
    found += [Path(part).expanduser() for part in extra.split(os.pathsep) if part.strip()]
    project = find_config()
    if project is not None:
        source, table = project
        for entry in table.get("providers") or ():
            path = Path(str(entry)).expanduser()
            found.append(path if path.is_absolute() else source.parent / path)
    return tuple(found)


@cache
def _registry() -> Mapping[str, Provider]:
    found: dict[str, Provider] = {}
    for directory in provider_directories():
        for folder in _records_under(directory):
            provider = _read(folder.resolve())
            if provider.name in found and found[provider.name].directory != provider.directory:
                raise ContractError(
                    f"two providers are called {provider.name!r}: "
                    f"{found[provider.name].directory} and {provider.directory}"
                )
            found[provider.name] = provider
    return MappingProxyType(dict(sorted(found.items())))


def providers() -> tuple[Provider, ...]:
    """Every provider, sorted by name."""
    return tuple(_registry().values())


def provider_names() -> tuple[str, ...]:
    """The name of every provider, sorted."""
    return tuple(_registry())


def get_provider(name: str) -> Provider:
    """The provider called ``name``; :class:`UnknownProviderError` names the known ones."""
    try:
        return _registry()[name]
    except (KeyError, TypeError):
        raise UnknownProviderError(str(name), _registry()) from None


def contract_path(contract: str) -> Path:
    """The file of a contract named ``<provider>/<file>`` (the form operations and issue
    locations use), wherever that provider's directory is."""
    name, _, relative = contract.partition("/")
    provider = _registry().get(name)
    if provider is None:
        return contracts_dir() / contract
    return provider.path(relative)


def contract_name(path: Path) -> str:
    """``<provider>/<file>`` for a file inside a provider's directory (its name otherwise)."""
    resolved = path.resolve()
    for provider in _registry().values():
        try:
            return f"{provider.name}/{resolved.relative_to(provider.directory).as_posix()}"
        except ValueError:
            continue
    return path.name


def reload_providers() -> None:
    """Read the provider records again (after ``TENDLC_PROVIDERS`` or the project changed)."""
    _registry.cache_clear()
    forget_all()
