"""The generated package's own semantic version, so an app can tell whether an update breaks it.

The version is not the API's `info.version` (Baseten's is always 1.0.0): it follows the public
Python API of the package. The previous version comes from the manifest of the package being
replaced; its public API is compared with the new build's (`diff.client_api`):

- major: a breaking client change (a method, parameter or model field removed or retyped, ...),
- minor: any other change to the public API (additions, mostly),
- patch: the files changed but not the public API (docstrings, runtime fixes),
- unchanged: the package is byte-identical apart from the version file.

A package built for the first time (or before versions were recorded) starts at 1.0.0.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .diff import Change, Level
from .writer import read_manifest, tree_hashes

VERSION_FILE = "_version.py"
MANIFEST_KEY = "package_version"
FIRST_VERSION = "1.0.0"
Bump = Literal["initial", "unchanged", "patch", "minor", "major"]
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Release:
    """The version a build gets, and why."""

    version: str
    previous: str | None
    bump: Bump
    client_changes: tuple[Change, ...] = ()


def previous_version(package_dir: Path) -> str | None:
    """The version recorded in the manifest of the package at `package_dir`, if any."""
    manifest = read_manifest(package_dir)
    version = manifest.get(MANIFEST_KEY) if manifest else None
    return version if isinstance(version, str) and _SEMVER.match(version) else None


def bump_of(changes: list[Change] | tuple[Change, ...]) -> Bump:
    if any(change.level is Level.BREAKING for change in changes):
        return "major"
    return "minor" if changes else "patch"


def bumped(version: str, bump: Bump) -> str:
    match = _SEMVER.match(version)
    if match is None:
        raise ValueError(f"not a semantic version: {version!r}")
    major, minor, patch = (int(part) for part in match.groups())
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


def next_release(current: Path, fresh: Path, package: str) -> Release:
    """The release of the build in `fresh` that replaces the package in `current`."""
    previous = previous_version(current)
    if previous is None:
        return Release(FIRST_VERSION, None, "initial")
    if _without_version(tree_hashes(current)) == _without_version(tree_hashes(fresh)):
        return Release(previous, previous, "unchanged")
    from .diff.client_api import compare_packages  # griffe: only when something changed

    with tempfile.TemporaryDirectory(prefix="apigen-release-") as scratch:
        # griffe finds a package by its import name: give both builds that name.
        old_root, new_root = Path(scratch) / "old", Path(scratch) / "new"
        for root, folder in ((old_root, current), (new_root, fresh)):
            root.mkdir()
            (root / package).symlink_to(folder.resolve(), target_is_directory=True)
        changes = compare_packages(old_root, new_root, package)
    bump = bump_of(changes)
    return Release(bumped(previous, bump), previous, bump, tuple(changes))


def version_module(header: str, version: str) -> str:
    """The source of the package's `_version.py` (already formatted)."""
    return (
        f"{header}\n"
        '"""The version of this generated package (semantic; see the API\'s CHANGES.md)."""\n'
        "\n"
        f'__version__ = "{version}"\n'
    )


def _without_version(hashes: dict[str, str]) -> dict[str, str]:
    return {name: digest for name, digest in hashes.items() if name != VERSION_FILE}
