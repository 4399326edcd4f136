"""The snapshot under `specs/<api>/`: what sync owns there, and how it is replaced safely.

Sync owns three things in the API folder: `pages/` (one YAML file per page: its fence body
as published), the merged spec (`openapi.json` by default) and `sync.lock.json`. Everything
else (config.toml, overlays/, ...) is carried over untouched.

Replacing is atomic: the new folder is built in the work area's scratch folder (unchanged
files and everything sync does not own are hard-linked, so their mtimes stay), then the two
folders are exchanged with one renameat2(RENAME_EXCHANGE) where Linux offers it, else with two
renames (a crash between them is repaired by the next run). A failure before the exchange
leaves the old folder exactly as it was. Files are not fsynced (that cost more than the rest
of a sync): after a power cut the lock file may not match, and the next sync then rebuilds
everything. The caller holds the API's lock (workarea.py) while it writes.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..workarea import WorkArea, link_or_copy
from .fetch import Validators

LOCK_FILE = "sync.lock.json"
PAGES_DIR = "pages"
LOCK_FORMAT = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PageRecord:
    """What the lock file remembers about one page."""

    sha256: str
    etag: str | None = None
    last_modified: str | None = None
    file: str | None = None  # pages/<name>.yaml when the page holds a document of this API
    operation: str | None = None  # "POST /v1/x", from the fence's info string
    skipped: str | None = None  # why the page holds nothing for this API
    origin: str | None = None  # where the document came from when not the page's own fence

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


@dataclass(frozen=True)
class LockState:
    """The contents of sync.lock.json."""

    snapshot_date: str
    index_url: str
    index_sha256: str
    index_etag: str | None
    index_last_modified: str | None
    selection: dict[str, Any]  # the settings that choose pages: a change forces a rebuild
    overlays_sha256: str
    spec_sha256: str
    pages: dict[str, PageRecord] = field(default_factory=dict)
    whole_spec: PageRecord | None = None  # validators and sha256 of the whole spec (spec_url)

    @property
    def index_validators(self) -> Validators:
        return Validators(self.index_etag, self.index_last_modified)

    def to_bytes(self) -> bytes:
        data = asdict(self)
        if self.whole_spec is None:
            del data["whole_spec"]
        data["format"] = LOCK_FORMAT
        return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> LockState:
        """Parse a lock file; ValueError (with a reason) when it is not one of ours."""
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.pop("format", None) != LOCK_FORMAT:
            raise ValueError(f"not a format-{LOCK_FORMAT} lock file")
        try:
            pages = {url: PageRecord(**record) for url, record in raw.pop("pages").items()}
            whole = raw.pop("whole_spec", None)
            return cls(pages=pages, whole_spec=PageRecord(**whole) if whole else None, **raw)
        except (TypeError, AttributeError, KeyError) as exc:
            raise ValueError(f"unexpected structure ({exc})") from None


def read_lock(api_dir: Path) -> LockState:
    """The lock file; OSError when absent, ValueError when unreadable."""
    return LockState.from_bytes((api_dir / LOCK_FILE).read_bytes())


def snapshot_date(api_dir: Path) -> str | None:
    """When sync last wrote the snapshot (UTC, ISO 8601), or None: never, or unreadable."""
    try:
        return read_lock(api_dir).snapshot_date
    except (OSError, ValueError):
        return None


def page_file_name(url: str, taken: set[str]) -> str:
    """`pages/<name>.yaml` from the URL path: only [a-z0-9_-], `/` becomes `__`, unique in `taken`."""
    path = urlsplit(url).path.strip("/").removesuffix(".md").lower()
    name = re.sub(r"[^a-z0-9_-]+", "-", path.replace("/", "__")).strip("-_")[:120] or "page"
    if name in taken:
        name = f"{name}-{sha256(url.encode())[:10]}"
    taken.add(name)
    return f"{PAGES_DIR}/{name}.yaml"


def owned_files(api_dir: Path, spec_file: str) -> dict[str, bytes]:
    """Every file sync owns in the API folder now, by relative name."""
    files = {}
    for name in (spec_file, LOCK_FILE):
        path = api_dir / name
        if path.is_file() and not path.is_symlink():
            files[name] = path.read_bytes()
    pages = api_dir / PAGES_DIR
    if pages.is_dir():
        for path in sorted(pages.iterdir()):
            relative = f"{PAGES_DIR}/{path.name}"
            if _is_owned_name(relative, spec_file) and path.is_file() and not path.is_symlink():
                files[relative] = path.read_bytes()
    return files


def _is_owned_name(relative: str, spec_file: str) -> bool:
    return relative in (spec_file, LOCK_FILE) or (
        re.fullmatch(rf"{PAGES_DIR}/[a-z0-9_-]+\.yaml", relative) is not None
    )


def write_snapshot(api_dir: Path, spec_file: str, files: dict[str, bytes], area: WorkArea) -> None:
    """Replace what sync owns in `api_dir` by `files` (relative name -> bytes), atomically."""
    for relative in files:
        if not _is_owned_name(relative, spec_file):
            raise ValueError(f"not a snapshot file name: {relative!r}")
    new, old = _scratch_names(area)
    shutil.rmtree(new, ignore_errors=True)
    area.scratch.mkdir(parents=True, exist_ok=True)
    try:
        new.mkdir()
        shutil.copymode(api_dir, new)
        for entry in api_dir.iterdir():
            if entry.name not in (spec_file, LOCK_FILE, PAGES_DIR):
                _carry_over(entry, new / entry.name)
        (new / PAGES_DIR).mkdir()
        for relative, data in sorted(files.items()):
            previous = api_dir / relative
            if previous.is_file() and not previous.is_symlink() and previous.read_bytes() == data:
                link_or_copy(previous, new / relative)  # unchanged: keep the file and its mtime
            else:
                (new / relative).write_bytes(data)
        if not _exchange(new, api_dir):
            os.rename(api_dir, old)
            try:
                os.rename(new, api_dir)
            except OSError:
                os.rename(old, api_dir)
                raise
            new = old
    finally:
        shutil.rmtree(new, ignore_errors=True)


def recover_interrupted_swap(api_dir: Path, area: WorkArea) -> None:
    """After a crash between the two renames of the fallback swap, put the old folder back
    (call with the lock held, before the scratch folder is emptied)."""
    _, old = _scratch_names(area)
    if not api_dir.exists() and old.is_dir():
        os.rename(old, api_dir)


def _scratch_names(area: WorkArea) -> tuple[Path, Path]:
    return area.scratch / "snapshot-new", area.scratch / "snapshot-old"


def _carry_over(source: Path, target: Path) -> None:
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)
    else:
        link_or_copy(source, target)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)
