"""Golden snapshots: generated output is compared byte for byte with committed copies.

Regenerate after an intended change (see README):
    make generate && UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.config import config_for_spec, load_config
from generator.pipeline import generate
from generator.writer import compare_trees

REPO = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = FIXTURES / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def test_petstore_matches_golden_snapshot(tmp_path: Path) -> None:
    config = config_for_spec(FIXTURES / "specs" / "petstore.yaml", tmp_path, "petstore_client")
    generate(config, warn=lambda _: None)
    golden = GOLDEN / "petstore_client"
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(tmp_path / "petstore_client", golden)
    assert compare_trees(golden, tmp_path / "petstore_client") == []


def test_committed_baseten_client_is_up_to_date(tmp_path: Path) -> None:
    """`generated/baseten_client` is what the generator makes of `specs/baseten` today
    (regenerated over a copy: the package's version comes from the package it replaces)."""
    shutil.copytree(REPO / "generated" / "baseten_client", tmp_path / "baseten_client")
    config = load_config(REPO / "specs" / "baseten", tmp_path)
    generate(config, force=True, warn=lambda _: None)
    assert compare_trees(REPO / "generated" / "baseten_client", tmp_path / "baseten_client") == []
