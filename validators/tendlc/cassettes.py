"""vcrpy cassettes: the shipped cassettes of every documented exchange, reading any cassette
directory, checking it against the contracts and for credentials, and writing new ones.

>>> from tendlc import cassettes
>>> cassettes.path("vonage", "brands.create.201").name
'brands.create.201.yaml'

Cassettes are read the way vcrpy writes them (YAML or JSON; bodies as text, ``!!binary`` or
base64; gzip and deflate bodies decompressed, up to the size limit) and written so that
vcrpy and pytest-recording replay them as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ._catalog import providers
from ._errors import TendlcError
from ._resources import cassettes_dir
from ._validation import CheckContext, run_checks, selected_checks
from .traffic import Exchange, RunEntry, SecretRules, check_exchange

__all__ = [
    "CassetteError",
    "CassetteFile",
    "build_documented",
    "cassette_files",
    "check_file",
    "documented",
    "documented_sources",
    "path",
    "read_cassette",
    "rebuild_documented",
    "write_cassette",
]

SUFFIXES = (".yaml", ".yml", ".json")


class CassetteError(TendlcError, OSError):
    """A cassette that cannot be read (missing, not YAML or JSON, not a cassette)."""


def path(provider: str, name: str) -> Path:
    """The shipped cassette of a documented exchange (``path("vonage", "brands.create.201")``),
    from a wheel or a checkout alike."""
    folders = _shipped()
    if provider not in folders:
        raise CassetteError(
            f"no shipped cassettes for {provider!r}: {', '.join(folders) or 'none'}"
        )
    found = folders[provider] / f"{name.removesuffix('.yaml')}.yaml"
    if not found.is_file():
        known = sorted(p.stem for p in folders[provider].glob("*.yaml"))
        from ._errors import nearest

        hint = nearest(name, known)
        raise CassetteError(
            f"no shipped cassette {provider}/{name}"
            + (f"; did you mean {', '.join(hint)}?" if hint else "")
        )
    return found


def documented() -> list[Path]:
    """Every shipped cassette, sorted."""
    return sorted(p for folder in _shipped().values() for p in folder.glob("*.yaml"))


def _shipped() -> dict[str, Path]:
    """Each provider's cassette directory (its record's ``cassettes``), where it has one."""
    found = {provider.name: provider.file("cassettes") for provider in providers()}
    return {name: folder for name, folder in found.items() if folder is not None}


@dataclass(frozen=True)
class CassetteFile:
    """The interactions of one cassette file, and the metadata tendlc's own cassettes carry."""

    path: Path
    exchanges: tuple[Exchange, ...]
    metadata: Mapping[str, Any]


def _load(text: str, where: Path) -> Any:
    if where.suffix == ".json" or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError as exc:
            if where.suffix == ".json":
                raise CassetteError(f"{where}: not JSON ({exc})") from None
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise CassetteError(f"{where}: not a YAML cassette ({str(exc).splitlines()[0]})") from None


def read_cassette(location: str | Path) -> CassetteFile:
    """Read one cassette file; :class:`CassetteError` when it cannot be read as one."""
    where = Path(location)
    try:
        text = where.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CassetteError(f"{where}: not UTF-8 text") from None
    except OSError as exc:
        raise CassetteError(f"{where}: {exc.strerror or exc}") from None
    data = _load(text, where)
    if not isinstance(data, Mapping) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{where}: not a vcrpy cassette (no interactions list)")
    exchanges = []
    for index, interaction in enumerate(data["interactions"]):
        if not isinstance(interaction, Mapping) or not isinstance(
            interaction.get("request"), Mapping
        ):
            raise CassetteError(f"{where}: interaction {index} has no request")
        try:
            exchanges.append(Exchange.from_vcr(interaction))
        except (TypeError, ValueError) as exc:
            raise CassetteError(f"{where}: interaction {index}: {exc}") from None
    metadata = data.get("tendlc") if isinstance(data.get("tendlc"), Mapping) else {}
    return CassetteFile(where, tuple(exchanges), metadata or {})


def write_cassette(
    location: str | Path, exchanges: Iterable[Exchange], metadata: Mapping[str, Any] | None = None
) -> Path:
    """Write exchanges as a vcrpy (YAML) cassette, with tendlc's metadata block if given."""
    import yaml

    where = Path(location)
    document: dict[str, Any] = {}
    if metadata:
        document["tendlc"] = dict(metadata)
    document["interactions"] = [exchange.to_vcr() for exchange in exchanges]
    document["version"] = 1
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text(
        yaml.dump(document, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    return where


def _dumper() -> Any:
    """A safe YAML dumper that writes multi-line text (bodies) as literal blocks."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value and not any(c in value for c in "\r\t") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


def cassette_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The cassette files of the given files and directories (recursively), sorted."""
    for location in paths:
        where = Path(location)
        if where.is_dir():
            yield from sorted(p for p in where.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            yield where


def check_file(cassette: CassetteFile, rules: SecretRules | None = None) -> list[RunEntry]:
    """Every interaction of a cassette checked against the contracts and for credentials."""
    rules = rules or SecretRules()
    entries = []
    for index, exchange in enumerate(cassette.exchanges):
        result = check_exchange(
            exchange,
            operation=cassette.metadata.get("operation"),
            config={"secret_rules": rules},
        )
        # a cassette is kept: the credentials it carries are errors (the secrets check)
        context = CheckContext(
            None, "exchange", exchange, exchange=exchange, config={"secret_rules": rules}
        )
        secrets = run_checks(context, selected_checks("exchange", ["secrets"]), "exchange")
        if secrets:
            result = replace(result, issues=(*result.issues, *secrets))
        entries.append(RunEntry(f"{cassette.path}#{index}", result))
    return entries


# -- the shipped cassettes, generated from the documented exchanges -------------------------

SOURCES = "exchanges.yaml"


def documented_sources() -> list[Mapping[str, Any]]:
    """The documented exchanges (``examples/exchanges.yaml``) the shipped cassettes come from."""
    import yaml

    from ._resources import examples_dir

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((examples_dir() / SOURCES).read_text(encoding="utf-8"), Loader=loader)
    return list(data or [])


def _body(spec: Mapping[str, Any], entry: Mapping[str, Any], part: str) -> bytes:
    from ._resources import examples_dir

    data: bytes
    if "body" in spec:
        data = (examples_dir() / spec["body"]).read_bytes()
    elif "inline" in spec:
        data = str(spec["inline"]).encode("utf-8")
    else:
        data = b""
    for repair in entry.get("repairs") or ():
        if repair["part"] == part:
            old, new = (str(text).encode("utf-8") for text in repair["replace"])
            if data.count(old) != 1:
                raise ValueError(f"{entry['cassette']}: {repair['errata']} text is not in the body")
            data = data.replace(old, new)
    return data


def build_documented(entry: Mapping[str, Any]) -> tuple[Exchange, dict[str, Any]]:
    """The exchange and the metadata of one documented cassette."""
    from .traffic import Headers, Request, Response

    request, response = entry["request"], entry["response"]
    exchange = Exchange(
        Request(
            str(request["method"]),
            str(request["url"]),
            Headers(request.get("headers") or {}),
            _body(request, entry, "request"),
        ),
        Response(
            int(response["status"]),
            Headers(response.get("headers") or {}),
            _body(response, entry, "response"),
            str(response.get("reason", "")),
        ),
    )
    metadata: dict[str, Any] = {"operation": entry["operation"], "source": dict(entry["source"])}
    if entry.get("repairs"):
        metadata["repairs"] = [dict(repair) for repair in entry["repairs"]]
    if entry.get("note"):
        metadata["note"] = entry["note"]
    return exchange, metadata


def rebuild_documented(target: str | Path | None = None) -> list[Path]:
    """Write every shipped cassette from its documented exchange (for maintainers: run after
    changing ``examples/exchanges.yaml`` or an example)."""
    root = Path(target) if target is not None else cassettes_dir()
    written = []
    for entry in documented_sources():
        exchange, metadata = build_documented(entry)
        written.append(write_cassette(root / f"{entry['cassette']}.yaml", [exchange], metadata))
    return written
