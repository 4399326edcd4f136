"""Format a generated package with ruff: safe fixes (unused imports, import order), then format."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ruff.__main__ import find_ruff_bin

from .errors import GenerationError

RUFF_CONFIG = Path(__file__).resolve().parent.parent / "templates" / "ruff.toml"


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(find_ruff_bin()), *args], capture_output=True, text=True, check=False
    )


def format_package(directory: Path, config: Path = RUFF_CONFIG) -> None:
    """Fix and format every Python file below `directory` in place."""
    target = str(directory)
    fixed = _ruff(
        "check", "--fix", "--quiet", "--exit-zero", "--no-cache", "--config", str(config), target
    )
    if fixed.returncode != 0:
        raise GenerationError(f"ruff check --fix failed on {target}: {fixed.stderr.strip()[:500]}")
    formatted = _ruff("format", "--quiet", "--no-cache", "--config", str(config), target)
    if formatted.returncode != 0:
        raise GenerationError(f"ruff format failed on {target}: {formatted.stderr.strip()[:500]}")
