"""Shared fixtures: a generated package of the small petstore spec, built once per session."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.config import config_for_spec
from generator.pipeline import generate

FIXTURES = Path(__file__).parent / "fixtures"


def import_generated(out: Path, package: str) -> ModuleType:
    """Import a freshly generated package from `out` (dropping any stale copy first)."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(out))


@pytest.fixture(scope="session")
def petstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    """(package folder, imported package) generated from tests/fixtures/specs/petstore.yaml."""
    out = tmp_path_factory.mktemp("petstore")
    config = config_for_spec(FIXTURES / "specs" / "petstore.yaml", out, "petstore_client")
    generate(config, warn=lambda _: None)
    yield out / "petstore_client", import_generated(out, "petstore_client")
