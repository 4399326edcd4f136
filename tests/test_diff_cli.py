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


def test_ignore_file_and_level_overrides_are_honoured_by_fail_on(
    spec_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = spec_pair
    args = ["diff", str(old), str(new), "--no-client", "--fail-on", "breaking"]
    ignore = new.parent / "diff-ignore.toml"
    # accepting only the removal still fails on the new required body property
    ignore.write_text(
        '[[ignore]]\nrule = "operation-removed"\noperation = "DELETE /v2/pets/{pet_id}"\n'
        'reason = "announced to every customer in March"\n'
    )
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "[operation-removed]" not in captured.out
    assert "1 change(s) accepted by" in captured.err
    # ...until that rule is downgraded for this API as well
    ignore.write_text(
        ignore.read_text() + '[levels]\n"request-property-became-required" = "warn"\n'
    )
    assert main(args) == 0
    assert "Possibly breaking" in capsys.readouterr().out
    assert main([*args[:-1], "possibly-breaking"]) == 1


def test_diff_policy_in_the_api_config_and_its_errors(
    spec_pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = spec_pair
    config = new.parent / "config.toml"
    config.write_text('[diff.levels]\n"operation-removed" = "none"\n')
    assert main(["diff", str(old), str(new), "--no-client"]) == 0
    assert "[operation-removed]" not in capsys.readouterr().out
    config.write_text('[[diff.ignore]]\nrule = "no-such-rule"\nreason = "x"\n')
    assert main(["diff", str(old), str(new), "--no-client"]) == 3
    error = capsys.readouterr().err
    assert "config.toml [diff] ignore[0]: unknown rule id 'no-such-rule'" in error
    assert error.count("\n") == 1
    config.write_text('[[diff.ignore]]\nrule = "operation-removed"\n')
    assert main(["diff", str(old), str(new), "--no-client"]) == 3
    assert "`reason` is required" in capsys.readouterr().err


def test_revisions_of_a_configured_api_name_its_package_and_point_into_the_checkout(
    spec_pair: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`apigen diff REV:specs/demo/openapi.json specs/demo/openapi.json` as a pull request
    check runs it: client rows name demo_client's real classes, annotations real files."""
    old, new = spec_pair
    repo = tmp_path / "repo"
    api_dir = repo / "specs" / "demo"
    api_dir.mkdir(parents=True)
    (api_dir / "config.toml").write_text('[package]\nname = "demo_client"\nclient_class = "Demo"\n')
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    (api_dir / "openapi.json").write_text(old.read_text())
    subprocess.run([*git, "add", "specs"], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    (api_dir / "openapi.json").write_text(json.dumps(json.loads(new.read_text()), indent=2))
    monkeypatch.chdir(repo)
    assert main(["generate", "demo", "--offline"]) == 0  # the checkout's generated client
    capsys.readouterr()

    spec = "specs/demo/openapi.json"
    assert main(["diff", f"HEAD:{spec}", spec, "--format", "json"]) == 0
    client = [
        c for c in json.loads(capsys.readouterr().out)["changes"] if c["id"].startswith("client-")
    ]
    assert all(c["pointer"].startswith("demo_client.") for c in client)
    assert "method `resources.pets.PetsResource.delete` removed" in {c["text"] for c in client}
    assert not [c for c in client if "api_client" in c["pointer"] or "_client." in c["text"]]

    assert main(["diff", "HEAD:specs/demo/openapi.json", spec, "--format", "github"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert not [line for line in lines if "HEAD%3A" in line]
    required = next(line for line in lines if "request-property-became-required" in line)
    line_no = int(required.split(",line=")[1].split(",")[0])
    assert required.startswith(f"::error file={spec},line=")
    assert '"tags": {' in (api_dir / "openapi.json").read_text().splitlines()[line_no - 1]
    became = next(line for line in lines if "client-parameter-became-required" in line)
    file = became.split("file=")[1].split(",")[0]
    line_no = int(became.split(",line=")[1].split(",")[0])
    assert file.startswith("generated/demo_client/")
    method = became.split("method `")[1].split("`")[0].rsplit(".", 1)[1]
    assert f"def {method}(" in (repo / file).read_text().splitlines()[line_no - 1]


def test_an_accepted_change_shared_by_operations_needs_every_operation() -> None:
    from generator.diff import diff_specs
    from generator.diff.policy import DiffPolicy, Ignore

    def spec(kind: str) -> dict[str, object]:
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}
        item = {"get": {"responses": {"200": {"description": "ok", "content": content}}}}
        pet = {"type": "object", "properties": {"id": {"type": kind}}, "required": ["id"]}
        return {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": item, "/b": item},
            "components": {"schemas": {"Pet": pet}},
        }

    [change] = diff_specs(spec("string"), spec("integer"))
    assert change.operations == ("GET /a", "GET /b")
    one = DiffPolicy({}, (Ignore(change.rule, "GET /a", "agreed"),))
    assert one.apply([change]) == ([change], [])
    both = DiffPolicy({}, (*one.ignore, Ignore(change.rule, "get /b", "agreed")))
    assert both.apply([change]) == ([], [change])
    everywhere = DiffPolicy({}, (Ignore(change.rule, None, "agreed"),))
    assert everywhere.apply([change]) == ([], [change])
