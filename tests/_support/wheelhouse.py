"""A local wheelhouse for the install tests, made from the distributions this environment
already has, so that installing tendlc in a new environment reaches no package index.

Each installed distribution tendlc needs (with every extra), and the build backend with what
it needs, is packed back into a wheel from its installed files and its RECORD. The wheelhouse
lives in build/wheelhouse of the checkout, is built once (a wheel already there is kept), and
one process builds it at a time (a file lock: pytest-xdist workers share it).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from filelock import FileLock
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomllib backport
    import tomli as tomllib

# What pip writes into a dist-info directory at install time; a wheel does not carry them.
_INSTALL_RECORDS = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project_requirements(root: Path) -> list[Requirement]:
    """The checkout's requirements with every extra, and its build system's."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [Requirement(text) for text in project["project"]["dependencies"]]
    own = _normal(project["project"]["name"])
    for extra, listed in project["project"]["optional-dependencies"].items():
        if extra == "dev":
            continue
        for text in listed:
            requirement = Requirement(text)
            if _normal(requirement.name) != own:
                wanted.append(requirement)
    wanted += [Requirement(text) for text in project["build-system"]["requires"]]
    # what hatchling asks for on top of itself to build an editable install (pip install -e)
    wanted.append(Requirement("editables"))
    return wanted


def _applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras or {""})


def needed(root: Path) -> list[metadata.Distribution]:
    """The installed distributions that installing ``root`` with every extra needs."""
    found: dict[str, metadata.Distribution] = {}
    pending = [(requirement, {""}) for requirement in _project_requirements(root)]
    while pending:
        requirement, extras = pending.pop()
        if not _applies(requirement, extras):
            continue
        name = _normal(requirement.name)
        if name in found:
            continue
        distribution = metadata.distribution(name)
        found[name] = distribution
        chosen = {"", *requirement.extras}
        pending += [(Requirement(text), chosen) for text in distribution.requires or ()]
    return sorted(found.values(), key=lambda d: _normal(d.metadata["Name"]))


def _tag(distribution: metadata.Distribution) -> str:
    wheel = distribution.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    parts = [sorted({tag.split("-")[index] for tag in tags}) for index in range(3)]
    return "-".join(".".join(part) for part in parts) if tags else "py3-none-any"


def wheel_name(distribution: metadata.Distribution) -> str:
    """The file name of the wheel ``distribution`` packs into."""
    name = re.sub(r"[-_.]+", "_", distribution.metadata["Name"])
    return f"{name}-{distribution.version}-{_tag(distribution)}.whl"


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def pack(distribution: metadata.Distribution, target: Path) -> Path:
    """Pack an installed distribution back into a wheel in ``target``."""
    site = Path(str(distribution.locate_file(""))).resolve()
    info = next(
        file.parts[0] for file in distribution.files or () if file.parts[0].endswith(".dist-info")
    )
    rows: list[tuple[str, str, str]] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in distribution.files or ():
            where = Path(str(file.locate())).resolve()
            # Scripts outside site-packages are made again from entry_points.txt on install.
            if not where.is_relative_to(site) or not where.is_file():
                continue
            relative = where.relative_to(site).as_posix()
            if "__pycache__/" in relative or relative in {f"{info}/{n}" for n in _INSTALL_RECORDS}:
                continue
            data = where.read_bytes()
            archive.writestr(relative, data)
            rows.append((relative, _digest(data), str(len(data))))
        record = io.StringIO()
        writer = csv.writer(record, lineterminator="\n")
        writer.writerows([*rows, (f"{info}/RECORD", "", "")])
        archive.writestr(f"{info}/RECORD", record.getvalue())
    final = target / wheel_name(distribution)
    handle, temporary = tempfile.mkstemp(dir=target, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(buffer.getvalue())
    os.replace(temporary, final)
    return final


def wheelhouse(root: Path) -> Path:
    """``root``/build/wheelhouse with a wheel of every distribution installing it needs."""
    target = root / "build" / "wheelhouse"
    target.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / "build" / "wheelhouse.lock")):
        for distribution in needed(root):
            if not (target / wheel_name(distribution)).exists():
                pack(distribution, target)
    return target


def offline_environment(root: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment variables under which pip installs from the wheelhouse only."""
    return {
        **(base if base is not None else dict(os.environ)),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse(root)),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


__all__ = ["needed", "offline_environment", "pack", "wheel_name", "wheelhouse"]
