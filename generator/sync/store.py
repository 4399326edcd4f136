"""The snapshot under `specs/<api>/`: what sync owns there, and how it is replaced safely.

Sync owns three things in the API folder: `pages/` (one YAML file per page: its fence body
as published), the merged spec (`openapi.json` by default) and `sync.lock.json`. Everything
else (config.toml, overlays/, ...) is carried over untouched.

Replacing is atomic: the new folder is built next to the old one (unchanged files and
everything sync does not own are hard-linked, so their mtimes stay), then the two folders are
exchanged with one renameat2(RENAME_EXCHANGE) where Linux offers it, else with two renames
(a crash between them is repaired by the next run). A failure before the exchange leaves the
old folder exactly as it was. Files are not fsynced (that cost more than the rest of a sync):
after a power cut the lock file may not match, and the next sync then rebuilds everything.

Two syncs of one API cannot interleave: each holds an flock on `specs/<api>/.sync.lock` for
its whole run; the second waits up to `timeout` seconds, then fails with SyncBusy. The lock
file is hard-linked into the new folder, so the lock survives the exchange.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import GenerationError
from .fetch import Validators

LOCK_FILE = "sync.lock.json"
PAGES_DIR = "pages"
MUTEX_FILE = ".sync.lock"
LOCK_FORMAT = 1


class SyncBusy(GenerationError):
    """Another sync of the same API holds the lock."""


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

    @property
    def index_validators(self) -> Validators:
        return Validators(self.index_etag, self.index_last_modified)

    def to_bytes(self) -> bytes:
        data = asdict(self)
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
            return cls(pages=pages, **raw)
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


def write_snapshot(api_dir: Path, spec_file: str, files: dict[str, bytes]) -> None:
    """Replace what sync owns in `api_dir` by `files` (relative name -> bytes), atomically."""
    for relative in files:
        if not _is_owned_name(relative, spec_file):
            raise ValueError(f"not a snapshot file name: {relative!r}")
    new, old = _scratch_names(api_dir)
    shutil.rmtree(new, ignore_errors=True)
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
                _link_or_copy(previous, new / relative)  # unchanged: keep the file and its mtime
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


def recover_interrupted_swap(api_dir: Path) -> None:
    """After a crash between the two renames of the fallback swap, put the old folder back."""
    _, old = _scratch_names(api_dir)
    if not api_dir.exists() and old.is_dir():
        os.rename(old, api_dir)


def remove_leftovers(api_dir: Path) -> None:
    """Scratch folders of an interrupted sync (call with the lock held)."""
    for scratch in _scratch_names(api_dir):
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def sync_lock(api_dir: Path, *, timeout: float, create: bool = True) -> Iterator[None]:
    """Hold the API's sync lock; SyncBusy after `timeout` seconds of waiting.

    With `create=False` (read-only runs) a missing lock file means nothing to wait for.
    """
    path = api_dir / MUTEX_FILE
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC | (os.O_CREAT if create else 0), 0o644)
        except FileNotFoundError:
            if create:
                raise
            yield
            return
        try:
            _acquire(fd, path, deadline, timeout)
            # The folder may have been exchanged while we waited: lock the file now there.
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _acquire(fd: int, path: Path, deadline: float, timeout: float) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise SyncBusy(
                    f"{path}: another sync of this API is running (waited {timeout:g} s)"
                ) from None
            time.sleep(0.05)


def _scratch_names(api_dir: Path) -> tuple[Path, Path]:
    return (
        api_dir.with_name(f".{api_dir.name}.sync-new"),
        api_dir.with_name(f".{api_dir.name}.sync-old"),
    )


def _carry_over(source: Path, target: Path) -> None:
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(source, target)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # a filesystem without hard links
        shutil.copy2(source, target, follow_symlinks=False)


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
