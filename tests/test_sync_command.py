"""`apigen sync` / `apigen generate` with upstream: regenerate, report, fall back, roll back."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.docs_server import DocsServer, replace, serving
from support.sync_site import REAL_ORIGIN, demo_config, extract_sites, small_site, tree_state

from generator.cli import main

PAGES_OLD = [
    "/reference/management-api/secrets/gets-all-secrets.md",
    "/reference/management-api/secrets/upserts-a-secret.md",
    "/reference/management-api/models/gets-a-model-by-id.md",
]
PAGES_NEW = [*PAGES_OLD[:2], "/reference/management-api/models/gets-all-models.md"]


@dataclass
class Workspace:
    root: Path  # cwd: holds specs/ and generated/
    server: DocsServer
    old_site: Path
    new_site: Path

    @property
    def api_dir(self) -> Path:
        return self.root / "specs" / "demo"

    def state(self) -> dict[str, tuple[str, int]]:
        """Every file (content and mtime) of the snapshot and the generated package."""
        return {**tree_state(self.api_dir), **tree_state(self.root / "generated")}

    def run(self, *args: str) -> int:
        return main(
            [
                "--specs-dir",
                str(self.root / "specs"),
                "--output-root",
                str(self.root / "generated"),
                *args,
            ]
        )


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    extracted = extract_sites(tmp_path_factory.mktemp("sites"))
    base = tmp_path_factory.mktemp("small")
    old = small_site(extracted / "2026-06-08", base / "old", PAGES_OLD)
    new = small_site(extracted / "2026-07-01", base / "new", PAGES_NEW)
    return old, new


@pytest.fixture
def workspace(sites: tuple[Path, Path], tmp_path: Path) -> Iterator[Workspace]:
    old, new = sites
    with serving(old, rewrite_origin=REAL_ORIGIN) as server:
        api_dir = tmp_path / "specs" / "demo"
        api_dir.mkdir(parents=True)
        (api_dir / "config.toml").write_text(demo_config(server.url("/llms.txt")))
        yield Workspace(tmp_path, server, old, new)


def test_sync_writes_snapshot_regenerates_and_records_changes(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert workspace.run("sync", "demo") == 0
    package = workspace.root / "generated" / "demo_client"
    assert (package / "_client.py").is_file()
    first = capsys.readouterr().out
    assert "operations: 3 operations added, 0 removed, 0 changed" in first
    assert "demo_client 1.0.0, API version 1.0.0" in first

    before = workspace.state()
    assert workspace.run("sync", "demo") == 0  # nothing changed upstream: nothing written
    assert workspace.state() == before
    assert "up to date" in capsys.readouterr().out
    # the work area keeps only the lock: no backup, no scratch
    assert sorted(os.listdir(workspace.root / ".apigen")) == ["demo.lock"]

    workspace.server.root = workspace.new_site
    assert workspace.run("sync", "demo", "--check") == 1  # CI: upstream changed
    assert workspace.state() == before
    check_line = capsys.readouterr().err
    assert check_line == (
        "apigen: error: upstream changed (1 operation added, 1 operation removed, "
        "2 operations edited, 1 schema added, 1 schema edited, authentication changed): "
        "run `apigen sync demo`\n"
    )

    assert workspace.run("sync", "demo", "--json") == 0
    report = json.loads(capsys.readouterr().out)["report"]
    assert report["operations"] == {"added": 1, "removed": 1, "changed": 2, "docs_only": 0}
    assert report["spec"] == {"breaking": 2, "possibly-breaking": 0, "compatible": 4, "total": 6}
    assert report["client"]["breaking"] == 2  # the removed operation's sync and async methods
    assert (report["previous_package_version"], report["package_version"]) == ("1.0.0", "2.0.0")
    assert report["authentication"]["sent_new"] == "Authorization: Bearer <DEMO_API_KEY>"

    changes = (workspace.api_dir / "CHANGES.md").read_text()
    headings = [line for line in changes.splitlines() if line.startswith("#")]
    assert headings[:4] == [
        "# Upstream changes",
        f"## {report['date']}: demo_client 2.0.0 (API 1.0.0)",  # newest first
        "### Authentication",
        "### Client changes",
    ]
    assert headings.count("### Spec changes") == 2
    assert "## " + report["date"] + ": demo_client 1.0.0 (API 1.0.0)" in headings
    assert "llms.txt sha256: `" + report["index_sha256"] + "`" in changes
    assert "`security-requirement-changed`" in changes
    assert "method `resources.models.ModelsResource.retrieve` removed" in changes
    version = (package / "_version.py").read_text()
    assert '__version__ = "2.0.0"' in version


def test_generate_falls_back_to_the_snapshot_when_upstream_is_unreachable(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert workspace.run("sync", "demo") == 0
    workspace.server.stop()
    capsys.readouterr()
    assert workspace.run("generate", "demo") == 0
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "upstream unreachable" in line] == [
        f"upstream unreachable: using the snapshot of {json.loads((workspace.api_dir / 'sync.lock.json').read_text())['snapshot_date']}"
    ]


def test_a_new_spec_that_cannot_be_generated_is_rolled_back(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert workspace.run("sync", "demo") == 0
    before = workspace.state()
    workspace.server.root = workspace.new_site
    # Valid YAML, invalid OpenAPI: the page's operation loses its responses.
    workspace.server.faults[PAGES_NEW[2]] = replace(b"      responses:", b"      responzes:")
    code = workspace.run("sync", "demo")
    err = capsys.readouterr().err
    assert code == 3 and err.startswith("apigen: error: ") and "not valid OpenAPI" in err
    assert workspace.state() == before


def test_a_page_that_references_a_local_file_is_refused_and_rolled_back(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A docs page is as hostile as a spec: `$dynamicRef` to a file reads nothing into the output."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("type: object\nproperties:\n  leaked_secret_field: {type: string}\n")
    assert workspace.run("sync", "demo") == 0
    before = workspace.state()
    workspace.server.root = workspace.new_site
    workspace.server.faults[PAGES_NEW[2]] = replace(
        b"          description: Unique identifier of the model",
        f"          $dynamicRef: file://{secret}".encode(),
    )
    code = workspace.run("sync", "demo")
    err = capsys.readouterr().err
    assert code == 3 and err.startswith("apigen: error: ") and "$dynamicRef" in err
    assert workspace.state() == before
    generated = workspace.root / "generated"
    assert not any("leaked_secret_field" in p.read_text() for p in generated.rglob("*.py"))


def test_a_package_out_of_step_with_the_spec_is_regenerated_not_up_to_date(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert workspace.run("sync", "demo") == 0
    package = workspace.root / "generated" / "demo_client"
    stale = shutil.copytree(package, workspace.root / "stale")
    workspace.server.root = workspace.new_site
    assert workspace.run("sync", "demo") == 0
    shutil.rmtree(package)
    stale.rename(package)  # generated/ from the old spec, specs/ from the new one
    capsys.readouterr()

    assert workspace.run("sync", "demo") == 0  # upstream unchanged, the package is not
    out, err = capsys.readouterr()
    assert "was not generated from" in err and "regenerated" in out and "up to date" not in out
    spec_sha256 = hashlib.sha256((workspace.api_dir / "openapi.json").read_bytes()).hexdigest()
    assert json.loads((package / "apigen-manifest.json").read_text())["spec_sha256"] == spec_sha256
