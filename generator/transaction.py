"""One sync + regenerate of an API as a transaction: `specs/<api>` and `generated/<pkg>` change
together or not at all.

`ApiTransaction` owns the whole life of it:
1. take the API's lock (workarea.py); a second run waits for the first, then goes on;
2. finish what a killed run left: a backup marked complete means a run died inside its
   transaction, so both folders are put back from it; then the scratch folder is emptied;
3. back up both folders into `.apigen/<api>/backup/` (hard links: apigen replaces files,
   never edits them in place), and mark the backup complete;
4. run the body (sync, record the changes, generate) with SIGTERM turned into an exception;
5. on success drop the backup; on any exception (SIGINT and SIGTERM included) put both
   folders back first, then drop it. kill -9 skips 5: the next run does it in step 2.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

from .config import ApiConfig
from .sync.store import recover_interrupted_swap
from .workarea import WorkArea, link_or_copy, work_area

COMPLETE = "complete"  # written last into the backup: only a complete backup is restored
DEFAULT_LOCK_WAIT = 600.0  # seconds


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is so that the transaction can roll back."""

    signum = signal.SIGTERM


class ApiTransaction:
    """`with ApiTransaction(config, warn):` runs its block as one transaction (see above)."""

    def __init__(
        self,
        config: ApiConfig,
        warn: Callable[[str], None],
        *,
        lock_timeout: float = DEFAULT_LOCK_WAIT,
    ) -> None:
        self.config = config
        self.warn = warn
        self.area: WorkArea = work_area(config)
        self.lock_timeout = lock_timeout
        # what is backed up, by its folder name in the backup
        self.folders = {"specs": config.api_dir, "generated": config.output_dir}
        self._lock = self.area.lock(timeout=lock_timeout, on_wait=warn)
        self._previous_handler: Any = None

    def __enter__(self) -> ApiTransaction:
        self._lock.__enter__()
        try:
            self._finish_interrupted_run()
            self._take_backup()
            self._catch_sigterm()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._release_sigterm()
            if error is not None:
                self._restore()
            self._drop_backup()
            self.area.clean_scratch()
            self.area.remove_if_empty()
        finally:
            self._lock.__exit__(None, None, None)

    def _finish_interrupted_run(self) -> None:
        if (self.area.backup / COMPLETE).is_file():
            self.warn(
                f"notice: a previous run was interrupted: {self.config.api_dir} and "
                f"{self.config.output_dir} put back as they were before it"
            )
            self._restore()
        self._drop_backup()
        recover_interrupted_swap(self.config.api_dir, self.area)
        self.area.clean_scratch()

    def _take_backup(self) -> None:
        self.area.backup.mkdir(parents=True)
        for name, folder in self.folders.items():
            if folder.is_dir():
                shutil.copytree(
                    folder, self.area.backup / name, symlinks=True, copy_function=link_or_copy
                )
        (self.area.backup / COMPLETE).write_text(f"{os.getpid()}\n")

    def _restore(self) -> None:
        """Put every folder back as the backup has it (idempotent: a run killed while restoring
        is restored again by the next one)."""
        for name, folder in self.folders.items():
            saved = self.area.backup / name
            staged = self.area.new_scratch(f"restore-{name}-")
            try:
                if saved.is_dir():
                    shutil.copytree(
                        saved, staged / "copy", symlinks=True, copy_function=link_or_copy
                    )
                if folder.exists() or folder.is_symlink():
                    os.replace(folder, staged / "failed")
                if saved.is_dir():
                    folder.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(staged / "copy", folder)
            finally:
                shutil.rmtree(staged, ignore_errors=True)

    def _drop_backup(self) -> None:
        (self.area.backup / COMPLETE).unlink(missing_ok=True)  # first: a partial one is no backup
        shutil.rmtree(self.area.backup, ignore_errors=True)

    def _catch_sigterm(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return

        def terminated(signum: int, frame: FrameType | None) -> None:
            raise Terminated()

        self._previous_handler = signal.signal(signal.SIGTERM, terminated)

    def _release_sigterm(self) -> None:
        if self._previous_handler is not None:
            signal.signal(signal.SIGTERM, self._previous_handler)
            self._previous_handler = None
