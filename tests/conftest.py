"""Shared fixtures: a generated package of the small petstore spec, built once per session."""

from __future__ import annotations

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
