"""The rate limiter's state between runs: what the last calls of each limit were and until
when a provider's Retry-After holds, per provider and base URL, in a small JSON file of the
user's cache directory. A run that follows another waits only what is really left of the
limits, not the whole of them again.

The file is ``$TENDLC_CACHE_DIR/limits.json`` when that variable is set, else ``limits.json``
in tendlc's user cache directory (platformdirs' when it is installed, else
``$XDG_CACHE_HOME/tendlc`` or ``~/.cache/tendlc``). A file that cannot be read or is not what
tendlc wrote is ignored, with a warning.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..traffic import Limiter

__all__ = ["CACHE_VARIABLE", "limiter_state_file", "load_limiter", "save_limiter"]

#: the environment variable naming the directory the state is kept in
CACHE_VARIABLE = "TENDLC_CACHE_DIR"
_VERSION = 1
#: a saved limiter nothing of which is this old is dropped from the file
_STALE = 24 * 3600.0


def limiter_state_file(environ: Mapping[str, str]) -> Path:
    """Where the limiter's state is kept (see the module's documentation)."""
    override = environ.get(CACHE_VARIABLE)
    if override:
        return Path(override) / "limits.json"
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "tendlc" / "limits.json"
    return Path(user_cache_dir("tendlc", appauthor=False)) / "limits.json"


def _read(path: Path, warn: Callable[[str], None]) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        warn(f"ignoring the rate limits' state in {path}: {type(exc).__name__}: {exc}")
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        warn(f"ignoring the rate limits' state in {path}: not JSON ({exc})")
        return {}
    if (
        not isinstance(data, dict)
        or data.get("version") != _VERSION
        or not isinstance(data.get("limiters"), dict)
    ):
        warn(f"ignoring the rate limits' state in {path}: not a state tendlc wrote")
        return {}
    return dict(data["limiters"])


def load_limiter(path: Path, key: str, limiter: Limiter, warn: Callable[[str], None]) -> None:
    """Give ``limiter`` what was saved under ``key`` (nothing when there is nothing, or the
    file is unreadable: then ``warn`` says why)."""
    saved = _read(path, warn).get(key)
    if saved is None:
        return
    try:
        limiter.restore(saved, time.time())
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        warn(f"ignoring the rate limits' state of {key} in {path}: {type(exc).__name__}: {exc}")


def save_limiter(path: Path, key: str, limiter: Limiter, warn: Callable[[str], None]) -> None:
    """Keep the state of ``limiter`` under ``key`` (replaced atomically: two runs that end at
    once leave one of their states, never a torn file); ``warn`` says when it cannot."""
    now = time.time()
    limiters = {k: v for k, v in _read(path, lambda _: None).items() if _fresh(v, now)}
    limiters[key] = limiter.export(now)
    text = json.dumps({"version": _VERSION, "limiters": limiters}, indent=1, sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".limits-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        warn(f"cannot keep the rate limits' state in {path}: {exc}")


def _fresh(saved: Any, now: float) -> bool:
    """Whether a saved limiter still says anything (an arrival or a hold within a day)."""
    try:
        moments = [float(saved.get("not_before", 0.0))]
        for limit in saved["limits"].values():
            moments.extend(float(at) for at in limit["arrivals"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return max(moments) > now - _STALE
