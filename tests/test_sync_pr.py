"""The daily upstream pull request (tools/sync_pr.py, what sync-upstream.yml runs), end to end.

Real parts: the docs mirror on 127.0.0.1, `apigen sync`, git with a local bare repository as
the remote. Only `gh` is a stand-in: a script on PATH recording its arguments (and answering
`gh pr list` with the open pull request the test wants there to be).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from support.docs_server import DocsServer, html_page, replace, serving
from support.sync_site import REAL_ORIGIN, demo_config, extract_sites, small_site

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tools" / "sync_pr.py"
BRANCH = "apigen/sync-upstream"
PAGES_OLD = [
    "/reference/management-api/secrets/gets-all-secrets.md",
    "/reference/management-api/secrets/upserts-a-secret.md",
    "/reference/management-api/models/gets-a-model-by-id.md",
]
PAGES_NEW = [*PAGES_OLD[:2], "/reference/management-api/models/gets-all-models.md"]
FAKE_GH = """#!{python}
import json, os, sys
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["pr", "list"]:
    print(os.environ.get("FAKE_GH_OPEN_PR", ""))
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bot",
    "GIT_AUTHOR_EMAIL": "bot@example.com",
    "GIT_COMMITTER_NAME": "bot",
    "GIT_COMMITTER_EMAIL": "bot@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass
class Checkout:
    work: Path  # the workflow's checkout of main
    remote: Path  # the bare repository playing GitHub
    server: DocsServer
    new_site: Path
    gh_log: Path

    def git(self, *args: str, cwd: Path | None = None) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=cwd or self.work,
            env={**os.environ, **GIT_ENV},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def sync_pr(self, *, open_pr: str = "", tests: str = "") -> subprocess.CompletedProcess[str]:
        """Run the script as the workflow does (tests: the test command, `make test` there)."""
        env = {
            **os.environ,
            **GIT_ENV,
            "PATH": f"{self.gh_log.parent}{os.pathsep}{os.environ['PATH']}",
            "FAKE_GH_LOG": str(self.gh_log),
            "FAKE_GH_OPEN_PR": open_pr,
        }
        command = [sys.executable, str(SCRIPT), "--api", "demo", "--base", "main"]
        command += ["--apigen", f"{sys.executable} -m generator", "--report-dir", "../report"]
        command += ["--test-command", tests or f"{sys.executable} -m compileall -q generated"]
        return subprocess.run(
            command, cwd=self.work, env=env, capture_output=True, text=True, check=False
        )

    def gh_calls(self) -> list[list[str]]:
        if not self.gh_log.exists():
            return []
        return [json.loads(line) for line in self.gh_log.read_text().splitlines()]

    def remote_branch(self) -> str:
        return self.git("ls-remote", str(self.remote), f"refs/heads/{BRANCH}")


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DocsServer, Path, Path]]:
    extracted = extract_sites(tmp_path_factory.mktemp("sites"))
    base = tmp_path_factory.mktemp("small")
    old = small_site(extracted / "2026-06-08", base / "old", PAGES_OLD)
    new = small_site(extracted / "2026-07-01", base / "new", PAGES_NEW)
    with serving(old, rewrite_origin=REAL_ORIGIN) as server:
        # main as the workflow finds it: synced with the old site, committed and pushed.
        template = tmp_path_factory.mktemp("template")
        work, remote = template / "work", template / "remote.git"
        api_dir = work / "specs" / "demo"
        api_dir.mkdir(parents=True)
        (api_dir / "config.toml").write_text(demo_config(server.url("/llms.txt")))
        subprocess.run(
            [sys.executable, "-m", "generator", "sync", "demo"],
            cwd=work,
            check=True,
            capture_output=True,
        )
        checkout = Checkout(work, remote, server, new, template / "gh.log")
        checkout.git("init", "--quiet", "--bare", str(remote), cwd=template)
        checkout.git("init", "--quiet", "--initial-branch", "main")
        shutil.copy(REPO / ".gitignore", work / ".gitignore")  # .apigen/ (the sync's work area)
        checkout.git("add", ".gitignore", "specs", "generated")
        checkout.git("commit", "--quiet", "-m", "main")
        checkout.git("push", "--quiet", str(remote), "main")
        yield server, template, new


@pytest.fixture
def checkout(upstream: tuple[DocsServer, Path, Path], tmp_path: Path) -> Iterator[Checkout]:
    server, template, new = upstream
    old_root = server.root
    shutil.copytree(template / "work", tmp_path / "work", symlinks=True)
    shutil.copytree(template / "remote.git", tmp_path / "remote.git")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH.format(python=sys.executable))
    (bin_dir / "gh").chmod(0o755)
    checkout = Checkout(tmp_path / "work", tmp_path / "remote.git", server, new, bin_dir / "gh.log")
    checkout.git("remote", "add", "origin", str(checkout.remote))
    try:
        yield checkout
    finally:
        server.root = old_root
        server.faults.clear()


def test_no_upstream_change_makes_no_commit_and_no_pull_request(checkout: Checkout) -> None:
    result = checkout.sync_pr()
    assert result.returncode == 0, result.stderr
    assert "did not change" in result.stdout
    assert checkout.gh_calls() == [] and checkout.remote_branch() == ""
    assert checkout.git("status", "--porcelain") == ""


def test_a_prose_only_index_edit_changes_only_stamps_and_is_not_committed(
    checkout: Checkout,
) -> None:
    checkout.server.faults["/llms.txt"] = replace(b"# Baseten", b"# Baseten documentation")
    result = checkout.sync_pr()
    assert result.returncode == 0, result.stderr
    assert checkout.gh_calls() == [] and checkout.remote_branch() == ""
    assert checkout.git("status", "--porcelain") == ""  # the rewritten lock file was put back


def test_an_upstream_change_opens_one_pull_request_titled_from_the_breaking_count(
    checkout: Checkout,
) -> None:
    checkout.server.root = checkout.new_site
    result = checkout.sync_pr()
    assert result.returncode == 0, result.stderr

    branch_head = checkout.remote_branch().split()[0]
    changed = checkout.git("diff", "--name-only", "main", branch_head).splitlines()
    assert "specs/demo/openapi.json" in changed and "specs/demo/CHANGES.md" in changed
    assert "generated/demo_client/_version.py" in changed

    calls = checkout.gh_calls()
    assert [call[:2] for call in calls] == [
        ["label", "create"],
        ["label", "create"],
        ["pr", "list"],
        ["pr", "create"],
    ]
    create = calls[-1]
    title = create[create.index("--title") + 1]
    report = json.loads((checkout.work.parent / "report" / "sync.json").read_text())["report"]
    client_breaking = report["client"]["breaking"]  # the removed operation's methods, at least
    assert report["spec"]["breaking"] == 2 and client_breaking >= 2
    assert title == (
        f"Sync demo from upstream: 2 breaking API, {client_breaking} breaking client changes, "
        "client 2.0.0 (major)"
    )
    labels = [create[i + 1] for i, arg in enumerate(create) if arg == "--label"]
    assert labels == ["upstream-sync", "breaking-change"]
    assert create[create.index("--head") + 1] == BRANCH
    assert create[create.index("--base") + 1] == "main"
    body = Path(create[create.index("--body-file") + 1])
    body = body if body.is_absolute() else checkout.work / body
    entry = body.read_text()
    assert entry.startswith("## ") and "### Authentication" in entry
    assert entry.count("\n## ") == 0  # the newest entry only
    committed = checkout.git("show", f"{branch_head}:specs/demo/CHANGES.md")
    assert committed.split("\n\n", 1)[1].startswith(entry.rstrip())


def test_an_open_pull_request_is_updated_and_its_branch_force_pushed(checkout: Checkout) -> None:
    # Yesterday's run left the branch with another commit on it, and its pull request open.
    checkout.git("switch", "--quiet", "-c", "yesterday")
    (checkout.work / "note.txt").write_text("yesterday\n")
    checkout.git("add", "note.txt")
    checkout.git("commit", "--quiet", "-m", "yesterday")
    checkout.git("push", "--quiet", "origin", f"HEAD:refs/heads/{BRANCH}")
    checkout.git("switch", "--quiet", "main")
    yesterday = checkout.remote_branch().split()[0]

    checkout.server.root = checkout.new_site
    result = checkout.sync_pr(open_pr="7")
    assert result.returncode == 0, result.stderr
    today = checkout.remote_branch().split()[0]
    assert today != yesterday
    assert checkout.git("rev-parse", f"{today}~1") == checkout.git("rev-parse", "main")

    calls = checkout.gh_calls()
    assert [call[:2] for call in calls][-2:] == [["pr", "list"], ["pr", "edit"]]
    assert calls[-1][2] == "7" and ["pr", "create"] not in [call[:2] for call in calls]
    assert calls[-1][calls[-1].index("--remove-label") + 1] == "tests-failing"


def test_a_broken_page_fails_the_run_and_changes_nothing(checkout: Checkout) -> None:
    checkout.server.root = checkout.new_site
    checkout.server.faults[PAGES_NEW[2]] = html_page()
    result = checkout.sync_pr()
    assert result.returncode != 0
    assert PAGES_NEW[2] in result.stderr and "nothing committed" in result.stderr
    assert checkout.gh_calls() == [] and checkout.remote_branch() == ""
    assert checkout.git("status", "--porcelain") == ""


def test_failing_tests_still_open_the_pull_request_marked_failing(checkout: Checkout) -> None:
    checkout.server.root = checkout.new_site
    failing = (
        f"{sys.executable} -c \"print('FAILED tests/test_x.py::test_y'); raise SystemExit(1)\""
    )
    result = checkout.sync_pr(tests=failing)
    assert result.returncode == 1
    create = checkout.gh_calls()[-1]
    assert create[:2] == ["pr", "create"]
    assert create[create.index("--title") + 1].startswith("[tests failing] Sync demo")
    assert "tests-failing" in create
    body = (checkout.work / create[create.index("--body-file") + 1]).read_text()
    assert body.startswith("> [!CAUTION]") and "FAILED tests/test_x.py::test_y" in body
    assert (checkout.work.parent / "report" / "test-output.txt").is_file()


def test_the_workflow_runs_the_script_safely() -> None:
    """What the test above exercises is what the workflow runs, under the same guards."""
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "sync-upstream.yml").read_text())
    job = workflow["jobs"]["sync"]
    assert job["timeout-minutes"] <= 60 and workflow["defaults"]["run"]["shell"] == "bash"
    steps = {step.get("uses", "").split("@")[0]: step for step in job["steps"]}
    assert steps["actions/setup-python"]["with"]["cache"] == "pip"
    assert steps["actions/setup-node"]["with"]["cache"] == "npm"
    scripts = [step["run"] for step in job["steps"] if "run" in step]
    assert not [script for script in scripts if "${{" in script]  # untrusted values: env only
    assert any("tools/sync_pr.py" in script and "pipefail" in script for script in scripts)
    assert steps["actions/upload-artifact"]["if"] == "always()"
