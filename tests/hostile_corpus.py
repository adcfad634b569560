"""The hostile-input corpus of tests/test_hostile_input.py, for the other suites that must
answer it: the payloads of its parametrised tests (taken from their parametrize marks), its
hostile files, and the payloads of its other tests (``UNPARAMETRISED``, ``LARGE``).

A case added to test_hostile_input.py (a parametrised ``payload``, a hostile file, an entry
of ``UNPARAMETRISED`` or ``LARGE``) reaches every suite that uses this corpus.
"""

from __future__ import annotations

from collections.abc import Callable

import test_hostile_input as hostile


def hostile_payloads() -> list[tuple[str, bytes | str]]:
    """(name, payload) of every hostile input up to the size limit, in a stable order."""
    found: list[tuple[str, bytes | str]] = [
        (f"file-{name}", body) for name, (_, body) in hostile.HOSTILE_FILES.items()
    ]
    for name in sorted(dir(hostile)):
        test = getattr(hostile, name)
        for mark in getattr(test, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            names = mark.args[0]
            names = [n.strip() for n in names.split(",")] if isinstance(names, str) else names
            if "payload" not in names:
                continue
            index = names.index("payload")
            ids = mark.kwargs.get("ids") or []
            # test_broken_json_is_an_invalid_report[nan] -> broken_json-nan
            subject = name.removeprefix("test_").split("_is_")[0].split("_are_")[0]
            for position, values in enumerate(mark.args[1]):
                payload = values[index] if len(names) > 1 else values
                if isinstance(payload, bytes | str):
                    case = ids[position] if position < len(ids) else str(position)
                    found.append((f"{subject}-{case}", payload))
    found.extend(hostile.UNPARAMETRISED.items())
    return found


def large_payloads() -> dict[str, Callable[[], bytes]]:
    """Name -> a function making a body above the size limit (up to 100 MB)."""
    return dict(hostile.LARGE)
