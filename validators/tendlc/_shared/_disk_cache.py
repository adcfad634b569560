"""What is slow to derive from the contracts, kept on disk between processes.

A compiled contract costs about a second to build (xmlschema reads the XSDs, the compiler
writes XSD 1.0 for libxml2, YAML is parsed) and every new process, each pytest-xdist worker
included, would pay it again. :func:`disk_cached` keeps such a value in the user's cache
directory, under a key made of what it is derived from (the contents of the contract files)
and of everything that could change how it is derived: the versions of Python, tendlc and the
engines, and the source of tendlc's own modules that build the values.

* Where: ``TENDLC_CACHE_DIR`` when set (``off``, ``0``, ``false``, ``no`` or ``none`` turn
  the cache off), else the platform's user cache directory (``platformdirs`` when installed,
  else ``$XDG_CACHE_HOME`` or ``~/.cache``) under ``tendlc``.
* Writes are atomic (a temporary file in the same directory, then :func:`os.replace`): two
  processes writing one entry at once leave one of the two whole values, never a mix.
* One entry per value: an entry built from changed contracts, or by another version, is
  replaced by the new one, so that the directory does not grow with every change.
* An entry that cannot be read (truncated, corrupt, from an incompatible version, written
  for another key) counts as missing: the value is built again and the entry rewritten.
  A directory that cannot be written only means the value is not kept.

The entries are pickles, read only from the user's own cache directory (created private to
the user): a directory others can write to is as trusted as the code that reads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

__all__ = [
    "CACHE_VARIABLE",
    "cache_directory",
    "cache_statistics",
    "directory_digest",
    "disk_cached",
    "forget_directory_digests",
]

#: The environment variable naming the cache directory (or turning the cache off).
CACHE_VARIABLE = "TENDLC_CACHE_DIR"
_OFF = frozenset({"off", "0", "false", "no", "none", "disabled"})
_FORMAT = b"tendlc-cache-1"  # the entry layout: bump when it changes
_T = TypeVar("_T")
# The engines whose versions shape what is cached: imported or not, each is found by its
# files (importing xmlschema only to read its version would cost what the cache saves).
_ENGINES = ("lxml", "xmlschema", "elementpath", "jsonschema_rs", "yaml")
# tendlc's modules that build cached values: a change to their source is a change of key
# even while the version number stays (an editable checkout).
_BUILDERS = (
    "_catalog/_openapi.py",
    "_catalog/_operation.py",
    "_catalog/_parameters.py",
    "_catalog/_providers.py",
    "_catalog/_xsd_catalog.py",
    "_shared/_disk_cache.py",
    "_shared/_pointer.py",
    "_shared/_schema.py",
    "_shared/_yaml.py",
    "_shared/_annotations.py",
    "_validation/_asserts.py",
    "_validation/_hot_json.py",
    "_validation/_hot_xml.py",
    "_validation/_json.py",
    "_validation/_xml.py",
    "_validation/_xsd.py",
    "_validation/_xsd10.py",
    "_validation/_xsd_regex.py",
)

_STATISTICS = {"hits": 0, "misses": 0, "writes": 0, "unreadable": 0}
_LOCK = threading.Lock()


def cache_directory(environ: Mapping[str, str] | None = None) -> Path | None:
    """tendlc's cache directory (of ``environ``, by default the process's environment), or
    None when the cache is off."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(CACHE_VARIABLE, "").strip()
    if chosen.lower() in _OFF:
        return None
    if chosen:
        return Path(chosen).expanduser()
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        base = environ.get("XDG_CACHE_HOME", "").strip()
        return (Path(base) if base else Path.home() / ".cache") / "tendlc"
    return Path(user_cache_dir("tendlc", appauthor=False))


def cache_statistics() -> dict[str, int]:
    """This process's counts: entries read (hits), values built for lack of one (misses),
    entries written, and entries found unreadable (counted among the misses too)."""
    with _LOCK:
        return dict(_STATISTICS)


def _count(name: str) -> None:
    with _LOCK:
        _STATISTICS[name] += 1


@cache
def _environment() -> str:
    """Everything besides the contracts that a cached value depends on, as one digest."""
    digest = hashlib.sha256(_FORMAT)
    digest.update(sys.version.encode())
    digest.update(sys.implementation.cache_tag.encode() if sys.implementation.cache_tag else b"")
    package = Path(__file__).resolve().parent.parent
    version = _read_version(package)
    digest.update(version.encode())
    for relative in _BUILDERS:
        try:
            digest.update((package / relative).read_bytes())
        except OSError:
            digest.update(b"missing " + relative.encode())
    for name in _ENGINES:
        digest.update(name.encode() + b"=" + _stamp(name).encode())
    return digest.hexdigest()


def _read_version(package: Path) -> str:
    module = sys.modules.get(package.name)
    return str(getattr(module, "__version__", "")) if module is not None else ""


def _stamp(name: str) -> str:
    """An installed module's version, or where its files are, their size and age (a new
    version of a package rewrites them)."""
    module = sys.modules.get(name)
    version = getattr(module, "__version__", None) if module is not None else None
    origin = getattr(module, "__file__", None) if module is not None else None
    if origin is None:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
    if origin is None:
        return f"{version}" if version else "absent"
    try:
        stat = os.stat(origin)
    except OSError:
        return f"{version} {origin}"
    return f"{version} {origin} {stat.st_size} {stat.st_mtime_ns}"


_DIGESTS: dict[Path, str] = {}


def directory_digest(directory: Path) -> str:
    """The digest of the names and contents of the files directly inside ``directory`` (a
    provider's contracts include one another within it); computed once per process until
    :func:`forget_directory_digests`."""
    known = _DIGESTS.get(directory)
    if known is not None:
        return known
    digest = hashlib.sha256(str(directory.resolve()).encode())
    try:
        files = sorted(path for path in directory.iterdir() if path.is_file())
    except OSError:
        files = []
    for path in files:
        digest.update(b"\0" + path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    found = _DIGESTS[directory] = digest.hexdigest()
    return found


def forget_directory_digests() -> None:
    """Read the contract files again for the next key (after the catalog is read again)."""
    _DIGESTS.clear()


def disk_cached(
    kind: str,
    identity: Iterable[str],
    build: Callable[[], _T],
    *,
    source: Iterable[str] = (),
    dump: Callable[[_T], Any] | None = None,
    load: Callable[[Any], _T] | None = None,
) -> _T:
    """The value ``build()`` returns, read from the cache when an entry of ``kind`` for
    ``identity`` (which value: a contract's name, a root element) built from ``source`` (what
    it is derived from: the digest of the contract's directory) is there, else built and
    written, in place of the entries of the same kind and identity built from another source
    or by other versions (so that the cache does not grow with every change). ``dump`` turns
    the value into what is pickled and ``load`` turns that back (for a value that does not
    pickle as it is)."""
    directory = cache_directory()
    if directory is None:
        return build()
    name = hashlib.sha256(kind.encode())
    for part in identity:
        name.update(b"\0" + part.encode())
    key = hashlib.sha256(_environment().encode() + name.digest())
    for part in source:
        key.update(b"\0" + part.encode())
    digest = key.hexdigest()
    prefix = f"{kind}-{name.hexdigest()[:24]}-"
    path = directory / f"{prefix}{digest[:24]}.pickle"
    found = _read(path, digest)
    if found is not _ABSENT:
        try:
            value = load(found) if load is not None else found
        except Exception:  # an entry that does not fit the code reading it: built again
            _count("unreadable")
        else:
            _count("hits")
            return value
    _count("misses")
    value = build()
    try:
        stored = dump(value) if dump is not None else value
    except Exception:  # a value that cannot be kept is still the value
        return value
    if _write(directory, path, digest, stored):
        _forget_others(directory, prefix, path)
    return value


def _forget_others(directory: Path, prefix: str, kept: Path) -> None:
    """Remove the entries of the same value built from other sources (best effort)."""
    try:
        others = [path for path in directory.glob(prefix + "*.pickle") if path != kept]
    except OSError:
        return
    for path in others:
        with contextlib.suppress(OSError):
            path.unlink()


_ABSENT = object()


def _read(path: Path, digest: str) -> Any:
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except OSError:
        return _ABSENT
    try:
        header, key, value = pickle.loads(data)
    except Exception:  # truncated, corrupt, or written by an incompatible version
        _count("unreadable")
        return _ABSENT
    if header != _FORMAT or key != digest:
        _count("unreadable")
        return _ABSENT
    return value


def _proxy(mapping: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(mapping)


class _Pickler(pickle.Pickler):
    """A pickler that also keeps read-only mappings (the catalog's records hold them), as
    read-only mappings: only in the cache's own entries, not in every pickle of the process."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _proxy, (dict(obj),)
        return NotImplemented


def _write(directory: Path, path: Path, digest: str, value: Any) -> bool:
    """Write an entry atomically; whether it was written."""
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((_FORMAT, digest, value))
    except Exception:  # something inside does not pickle: not kept
        return False
    data = buffer.getvalue()
    temporary = None
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=directory)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
        temporary = None
        _count("writes")
        return True
    except OSError:
        return False  # a read-only or full disk: the value is only not kept
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
