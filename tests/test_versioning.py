"""The generated package's own semantic version follows its public API, not `info.version`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import __version__ as apigen_version
from generator.config import config_for_spec
from generator.pipeline import GenerateResult, generate
from generator.versioning import bumped

PETSTORE = Path(__file__).parent / "fixtures" / "specs" / "petstore.yaml"


@pytest.mark.parametrize(
    ("bump", "expected"),
    [("major", "2.0.0"), ("minor", "1.5.0"), ("patch", "1.4.8"), ("unchanged", "1.4.7")],
)
def test_bumped(bump: Any, expected: str) -> None:
    assert bumped("1.4.7", bump) == expected


def _build(tmp_path: Path, spec: dict[str, Any]) -> GenerateResult:
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    config = config_for_spec(spec_file, tmp_path / "out", "pets_client")
    return generate(config, warn=lambda _: None)


def _installed_version(tmp_path: Path) -> tuple[str, str]:
    script = (
        "import pets_client, pets_client._client as c; print(pets_client.__version__, c.USER_AGENT)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split(" ", 1)
    return out[0], out[1].strip()


def test_version_follows_the_public_api_across_regenerations(tmp_path: Path) -> None:
    spec = yaml.safe_load(PETSTORE.read_text())
    first = _build(tmp_path, spec).release
    assert (first.version, first.previous, first.bump) == ("1.0.0", None, "initial")
    assert _installed_version(tmp_path) == (
        "1.0.0",
        f"pets_client/1.0.0 (API 2.0.0; apigen {apigen_version})",
    )

    spec["paths"]["/v2/pets"]["get"]["summary"] = "List every pet"  # a docstring only
    patch = _build(tmp_path, spec).release
    assert (patch.version, patch.previous, patch.bump, patch.client_changes) == (
        "1.0.1",
        "1.0.0",
        "patch",
        (),
    )

    spec["paths"]["/v2/pets"]["get"]["parameters"].append(
        {"name": "color", "in": "query", "schema": {"type": "string"}}
    )
    minor = _build(tmp_path, spec).release
    assert (minor.version, minor.bump) == ("1.1.0", "minor")
    assert {change.rule for change in minor.client_changes} == {"client-parameter-added"}

    del spec["paths"]["/v2/pets/{pet_id}/adopt"]
    major = _build(tmp_path, spec).release
    assert (major.version, major.bump) == ("2.0.0", "major")
    assert "client-object-removed" in {change.rule for change in major.client_changes}
    assert _installed_version(tmp_path)[0] == "2.0.0"

    again = _build(tmp_path, spec).release  # nothing changed: nothing rewritten, same version
    assert (again.version, again.bump) == ("2.0.0", "unchanged")
    manifest = json.loads((tmp_path / "out" / "pets_client" / "apigen-manifest.json").read_text())
    assert manifest["package_version"] == "2.0.0"
