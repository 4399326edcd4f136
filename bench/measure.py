"""Run one child process and measure its wall time and peak resident memory."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_BOX_DRAWING = re.compile(r"[\u2500-\u257f]")


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: (
        float  # largest single process of the tree (the child or a descendant it waited for)
    )
    exit_code: int  # negative: killed by that signal
    timed_out: bool
    error_line: str  # empty on success

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


def run_measured(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 600.0,
) -> Measurement:
    """Run `command` to completion; os.wait4 gives the child's own rusage, which on Linux
    includes the peak RSS of the descendants it reaped (e.g. ruff run as a subprocess)."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        # A new session lets a timeout kill the whole tree, grandchildren included.
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        timed_out = threading.Event()

        def kill_tree() -> None:
            timed_out.set()
            os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill_tree)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        exit_code = os.waitstatus_to_exitcode(status)
        process.returncode = exit_code  # reaped by wait4, not by Popen: tell it so
        measurement_error = ""
        if timed_out.is_set():
            measurement_error = f"timed out after {timeout:.0f} s"
        elif exit_code != 0:
            measurement_error = error_line(
                _tail(stdout) + "\n" + _tail(stderr)
            )  # stderr last: it wins
        return Measurement(
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kilobytes
            exit_code=exit_code,
            timed_out=timed_out.is_set(),
            error_line=measurement_error,
        )


def _tail(stream: IO[bytes], limit: int = 20_000) -> str:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(max(0, size - limit))
    return stream.read().decode("utf-8", errors="replace")


def error_line(output: str, limit: int = 240) -> str:
    """The line of a failed run's output that best says why (the last one naming an error,
    else the last one) and the two lines after it, which often hold the details. Box drawing
    (rich tracebacks), warnings and "see this URL" lines are dropped."""
    lines = [" ".join(_BOX_DRAWING.sub(" ", line).split()) for line in output.splitlines()]
    lines = [
        line
        for line in lines
        if line and "://" not in line and not line.lower().startswith("warning")
    ]
    if not lines:
        return "(no output)"
    naming_error = [
        i for i, line in enumerate(lines) if re.search(r"error|exception|failed", line, re.I)
    ]
    chosen = naming_error[-1] if naming_error else len(lines) - 1
    return " | ".join(lines[chosen : chosen + 3])[:limit]
