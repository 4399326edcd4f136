"""The project's work area `.apigen/`: the one place apigen writes besides its outputs.

    .apigen/<api>.lock        the API's lock (holds the pid of the run that has it)
    .apigen/<api>/backup/     what a sync transaction may have to put back (transaction.py)
    .apigen/<api>/scratch/    staging folders: a new snapshot, a new package, a restore

It sits next to specs/ and generated/ (`.gitignore` lists it), so renames from it into those
folders stay on one file system, and nothing is left in the system temp folder or beside the
outputs when a run dies: the next run of the API empties the scratch folder.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import ApiConfig
from .errors import GenerationError

WORK_DIR_NAME = ".apigen"

# Locks this process holds, by path, with their depth: the lock is reentrant within a process,
# so a sync transaction and the sync engine inside it share the one lock.
_held: dict[Path, int] = {}


class Busy(GenerationError):
    """Another run holds the API's lock."""


def work_area(config: ApiConfig) -> WorkArea:
    """The work area of `config`: `.apigen/` beside specs/ for a configured API, beside the
    output folder's packages for `generate --spec`."""
    root = config.work_dir or config.output_dir.parent / WORK_DIR_NAME
    return WorkArea(root, config.name)


class WorkArea:
    """The work area of one API (or one `--spec` package) under `root`."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.name = name
        self.lock_path = root / f"{name}.lock"
        self.folder = root / name
        self.backup = self.folder / "backup"
        self.scratch = self.folder / "scratch"

    def new_scratch(self, prefix: str) -> Path:
        """A fresh, empty folder under scratch/ (the caller removes it)."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.scratch))

    def clean_scratch(self) -> None:
        """Remove what interrupted runs left in scratch/ (call with the lock held)."""
        shutil.rmtree(self.scratch, ignore_errors=True)

    def remove_if_empty(self) -> None:
        """Drop the API's folder (and the work area) once nothing is left in them."""
        for folder in (self.scratch, self.folder, self.root):
            try:
                folder.rmdir()
            except FileNotFoundError:
                continue
            except OSError:  # not empty
                return

    @contextmanager
    def lock(self, *, timeout: float, on_wait: Callable[[str], None]) -> Iterator[None]:
        """Hold the API's lock; wait for another holder up to `timeout` seconds (telling
        `on_wait` once), then fail with Busy. Reentrant within one process."""
        key = self.lock_path.absolute()
        if _held.get(key):
            _held[key] += 1
            try:
                yield
            finally:
                _held[key] -= 1
            return
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            self._acquire(fd, timeout, on_wait)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            _held[key] = 1
            try:
                yield
            finally:
                del _held[key]
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing releases the flock

    def _acquire(self, fd: int, timeout: float, on_wait: Callable[[str], None]) -> None:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                holder = self._holder()
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"{self.lock_path}: another sync or generate of {self.name!r} is running"
                        f"{holder} (waited {timeout:g} s)"
                    ) from None
                if not told:
                    on_wait(f"waiting for another sync or generate of {self.name!r}{holder}")
                    told = True
                time.sleep(0.05)

    def _holder(self) -> str:
        try:
            pid = self.lock_path.read_text().strip()
        except OSError:
            return ""
        return f" (pid {pid})" if pid.isdigit() else ""


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link (apigen replaces files, never edits them in place), else a copy."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target, follow_symlinks=False)
