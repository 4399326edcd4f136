"""Importing a freshly generated package in the test process."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType


def import_generated(out: Path, package: str) -> ModuleType:
    """Import `package` from the folder `out`, dropping any copy imported before."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
