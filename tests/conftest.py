"""Shared fixtures: a generated package of the small petstore spec, built once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from support.generated import import_generated

from generator.config import config_for_spec
from generator.pipeline import generate

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def petstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    """(package folder, imported package) generated from tests/fixtures/specs/petstore.yaml."""
    out = tmp_path_factory.mktemp("petstore")
    config = config_for_spec(FIXTURES / "specs" / "petstore.yaml", out, "petstore_client")
    generate(config, warn=lambda _: None)
    yield out / "petstore_client", import_generated(out, "petstore_client")


# In-process tests see apigen's own tracebacks; the CLI turns them into one line otherwise.
os.environ.setdefault("APIGEN_DEBUG", "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the import allowlist check last: it reads every package the session generated."""
    last = [item for item in items if item.path.name == "test_generated_imports.py"]
    items[:] = [item for item in items if item not in last] + last
