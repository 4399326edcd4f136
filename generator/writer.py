"""Write a generated package atomically, with a manifest of what it was built from.

The package is built in a staging folder of the work area (`.apigen/<api>/scratch/`, on the
same file system as the destination), formatted there, and swapped in with renames only when
its content differs: a failure at any point leaves the previous package exactly as it was,
unchanged output is never rewritten, and a killed run leaves nothing beside the package (the
next run empties the scratch folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import GenerationError

MANIFEST_NAME = "apigen-manifest.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_hashes(directory: Path) -> dict[str, str]:
    """sha256 of every file below `directory` (except the manifest), by POSIX relative path."""
    hashes = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name != MANIFEST_NAME and "__pycache__" not in path.parts:
            hashes[path.relative_to(directory).as_posix()] = sha256_bytes(path.read_bytes())
    return hashes


def read_manifest(directory: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_up_to_date(directory: Path, fingerprint: str) -> bool:
    """True when `directory` was built from the same inputs and nobody edited it since."""
    manifest = read_manifest(directory)
    if manifest is None or manifest.get("inputs_fingerprint") != fingerprint:
        return False
    return bool(manifest.get("files") == tree_hashes(directory))


@contextmanager
def staging_dir(destination: Path, scratch: Path) -> Iterator[Path]:
    """A temporary folder in `scratch` (same file system as `destination`: renames are atomic)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    scratch.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{destination.name}.new-", dir=scratch))
    # mkdtemp makes it 0700; the package folder it becomes gets the mode a plain mkdir gives.
    os.chmod(staging, 0o777 & ~_current_umask())
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _current_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def write_files(directory: Path, files: dict[str, str]) -> None:
    for relative, text in sorted(files.items()):
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            raise GenerationError(f"refusing to write outside the package: {relative!r}")
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def build_package(
    destination: Path,
    files: dict[str, str],
    manifest: dict[str, Any],
    finish: Callable[[Path], dict[str, Any] | None],
    scratch: Path,
) -> bool:
    """Write `files`, run `finish` (the formatter) on them, then swap them into `destination`;
    staging folders go in `scratch`. `finish` may return entries to add to the manifest.

    Returns False when the result is byte-identical to what is there (nothing is touched).
    A symlinked `destination` stays a link: the folder it points to is the one replaced.
    """
    if destination.is_symlink():
        destination = destination.resolve()
    with staging_dir(destination, scratch) as staging:
        write_files(staging, files)
        added = finish(staging) or {}
        hashes = tree_hashes(staging)
        document = {**manifest, **added, "files": hashes}
        (staging / MANIFEST_NAME).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        if (
            destination.is_dir()
            and read_manifest(destination) == document
            and tree_hashes(destination) == hashes
        ):
            return False
        swap_in(staging, destination, scratch)
        return True


def swap_in(new: Path, destination: Path, scratch: Path) -> None:
    """Replace `destination` by `new` with two renames; the old tree (moved into `scratch`)
    is removed afterwards."""
    old = None
    if destination.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{destination.name}.old-", dir=scratch))
        os.rmdir(old)
        os.replace(destination, old)
    try:
        os.replace(new, destination)
    except OSError:
        if old is not None:
            os.replace(old, destination)  # put the previous package back
        raise
    finally:
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)


def compare_trees(expected: Path, actual: Path) -> list[str]:
    """Relative paths that differ between two package folders (added, removed or changed)."""
    left = tree_hashes(expected) if expected.is_dir() else {}
    right = tree_hashes(actual) if actual.is_dir() else {}
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


def built_from(directory: Path) -> str | None:
    """The sha256 of the spec the package in `directory` was generated from (its manifest)."""
    manifest = read_manifest(directory)
    value = manifest.get("spec_sha256") if manifest else None
    return value if isinstance(value, str) else None
