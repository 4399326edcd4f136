"""Shared fixtures: the petstore package generated once per session; a local HTTP server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from support.generated import import_generated
from support.local_server import LocalServer

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


@pytest.fixture(scope="module")
def running_server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.start()
    yield local
    local.stop()


@pytest.fixture
def server(running_server: LocalServer) -> Iterator[LocalServer]:
    """The module's server with an empty script and record (one server: startup costs)."""
    running_server.reset()
    yield running_server
    running_server.stopping.set()  # release handlers still stalling for this test


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the import allowlist check last: it reads every package the session generated."""
    last = [item for item in items if item.path.name == "test_generated_imports.py"]
    items[:] = [item for item in items if item not in last] + last
