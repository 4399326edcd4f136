"""`apigen diff` end to end: spec changes plus the generated client's API changes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.cli import main

PETSTORE = Path(__file__).parent / "fixtures" / "specs" / "petstore.yaml"


@pytest.fixture
def spec_pair(tmp_path: Path) -> tuple[Path, Path]:
    old = yaml.safe_load(PETSTORE.read_text())
    new = yaml.safe_load(PETSTORE.read_text())
    del new["paths"]["/v2/pets/{pet_id}"]["delete"]  # operation removed
    new["components"]["schemas"]["NewPet"]["required"].append("tags")  # required body field
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    old_path.write_text(json.dumps(old))
    new_path.write_text(json.dumps(new))
    return old_path, new_path


def test_json_report_lists_spec_and_client_changes(
    spec_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = spec_pair
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rules = {change["id"] for change in report["changes"]}
    assert {"operation-removed", "request-property-became-required"} <= rules
    assert "client-object-removed" in rules  # the `delete` method is gone
    assert "client-parameter-became-required" in rules  # `tags=` is now required
    assert report["summary"]["breaking"] >= 4


def test_fail_on_breaking_exits_1_and_identical_specs_exit_0(
    spec_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = spec_pair
    assert main(["diff", str(old), str(new), "--no-client", "--fail-on", "breaking"]) == 1
    assert main(["diff", str(old), str(old), "--no-client", "--fail-on", "possibly-breaking"]) == 0
    assert capsys.readouterr().out.endswith("No API changes.\n")


def test_git_revisions_are_accepted(
    spec_pair: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    old, new = spec_pair
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    (repo / "spec.json").write_text(old.read_text())
    subprocess.run([*git, "add", "spec.json"], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    (repo / "spec.json").write_text(new.read_text())
    monkeypatch.chdir(repo)
    assert main(["diff", "HEAD:spec.json", "spec.json", "--no-client", "--format", "github"]) == 0
    out = capsys.readouterr().out
    assert "::error" in out and "operation-removed" in out
