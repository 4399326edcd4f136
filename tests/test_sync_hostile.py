"""`apigen sync` as a real subprocess against a hostile or unlucky upstream on 127.0.0.1.

What is measured here (memory of the child, exit codes, the files left behind) only shows in
a separate process: the child runs `python -m generator` exactly as a user or the daily
workflow would.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.docs_server import DocsServer, Fault, encoded, serving
from support.sync_site import REAL_ORIGIN, demo_config, extract_sites, small_site

from generator.writer import built_from

FIXTURES = Path(__file__).parent / "fixtures" / "sync"
REPO = Path(__file__).resolve().parent.parent
PAGES = [
    "/reference/management-api/secrets/gets-all-secrets.md",
    "/reference/management-api/secrets/upserts-a-secret.md",
]
OLD_PAGES = [*PAGES, "/reference/management-api/models/gets-a-model-by-id.md"]
NEW_PAGES = [*PAGES, "/reference/management-api/models/gets-all-models.md"]

# Runs `python -m generator ARGS...` as its child and prints the child's exit code and peak RSS:
# RUSAGE_CHILDREN of this fresh process covers that child only, not earlier test processes.
_MEASURE = """
import resource, subprocess, sys
code = subprocess.run([sys.executable, "-m", "generator", *sys.argv[1:]]).returncode
print(f"{code} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
"""


@dataclass
class Project:
    """A project folder (specs/, generated/, .apigen/) whose API `demo` follows `server`."""

    root: Path
    server: DocsServer
    tmp: Path  # TMPDIR of the children: must stay empty
    new_site: Path

    @property
    def api_dir(self) -> Path:
        return self.root / "specs" / "demo"

    @property
    def package(self) -> Path:
        return self.root / "generated" / "demo_client"

    def in_step(self) -> bool:
        """generated/ was built from the spec on disk (the manifest's spec sha256)."""
        spec = hashlib.sha256((self.api_dir / "openapi.json").read_bytes()).hexdigest()
        return built_from(self.package) == spec

    def operations(self) -> set[str]:
        spec = json.loads((self.api_dir / "openapi.json").read_text())
        return {f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item}

    def leftovers(self) -> list[str]:
        """Anything but the lock in .apigen/, beside the package, or in the temp folder."""
        found = [p.name for p in (self.root / "generated").iterdir() if p.name != "demo_client"]
        found += [p.name for p in (self.root / "specs").iterdir() if p.name != "demo"]
        found += [p.name for p in (self.root / ".apigen").iterdir() if p.name != "demo.lock"]
        return found + [p.name for p in self.tmp.iterdir()]

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            cwd=self.root,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def env(self) -> dict[str, str]:
        return {**os.environ, "TMPDIR": str(self.tmp), "PYTHONPATH": str(REPO)}

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "generator", *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args), cwd=self.root, env=self.env(), capture_output=True, text=True
        )

    def run_measured(self, *args: str) -> tuple[int, int, str]:
        """(exit code, peak RSS in bytes, stderr of apigen) of one run."""
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        *lines, last = done.stderr.strip().splitlines()
        code, rss_kib = (int(word) for word in last.split())
        return code, rss_kib * 1024, "\n".join(lines)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    extracted = extract_sites(tmp_path_factory.mktemp("sites"))
    base = tmp_path_factory.mktemp("small")
    old = small_site(extracted / "2026-06-08", base / "old", OLD_PAGES)
    new = small_site(extracted / "2026-07-01", base / "new", NEW_PAGES)
    return old, new


@pytest.fixture
def project(sites: tuple[Path, Path], tmp_path: Path) -> Iterator[Project]:
    old, new = sites
    with serving(old, rewrite_origin=REAL_ORIGIN) as server:
        root = tmp_path / "project"
        api_dir = root / "specs" / "demo"
        api_dir.mkdir(parents=True)
        (api_dir / "config.toml").write_text(demo_config(server.url("/llms.txt")))
        tmp = tmp_path / "tmp"
        tmp.mkdir()
        yield Project(root, server, tmp, new)


def test_stacked_gzip_bomb_stays_small_and_exits_4(project: Project) -> None:
    bomb = (FIXTURES / "bomb-2gib.gz.gz").read_bytes()  # 3.4 KB; 2 GiB once decoded twice
    assert len(bomb) < 4000
    project.server.faults[PAGES[0]] = encoded(bomb, "gzip, gzip")
    code, rss, stderr = project.run_measured("sync", "demo")
    assert rss < 200 * 1024 * 1024  # before: 4.3 GB
    assert code == 4
    assert stderr.count("\n") == 0 and "refusing stacked Content-Encoding 'gzip, gzip'" in stderr
    assert not (project.api_dir / "openapi.json").exists()


def test_one_layer_bomb_stops_at_the_page_limit(project: Project) -> None:
    import gzip

    inner = gzip.decompress((FIXTURES / "bomb-2gib.gz.gz").read_bytes())  # 2 MB of gzip
    project.server.faults[PAGES[0]] = encoded(inner, "gzip")
    code, rss, stderr = project.run_measured("sync", "demo")
    assert code == 4 and "larger than the limit of 5242880 bytes" in stderr
    assert stderr.count("\n") == 0
    assert rss < 200 * 1024 * 1024


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    """Poll `condition` until it holds; fail if `process` ends first."""
    deadline = time.monotonic() + 120
    while not condition():
        if process.poll() is not None:
            pytest.fail(
                f"the run ended (exit {process.returncode}) before the point: {process.communicate()}"
            )
        assert time.monotonic() < deadline, "the run never reached the point"
        time.sleep(0.002)


def regenerating(project: Project) -> Callable[[], bool]:
    """True while the package is being built (its staging folder exists in the work area)."""
    scratch = project.root / ".apigen" / "demo" / "scratch"
    return lambda: any(scratch.glob("demo_client.new-*"))


@pytest.mark.parametrize("repair", [("sync", "demo"), ("generate", "demo")])
def test_kill_9_during_regeneration_is_repaired_by_the_next_run(
    project: Project, repair: tuple[str, ...]
) -> None:
    assert project.run("sync", "demo").returncode == 0
    project.server.root = project.new_site
    killed = project.start("sync", "demo")
    wait_for(regenerating(project), killed)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    # the run died with the new snapshot written and the package not yet regenerated
    assert "GET /v1/models" in project.operations() and not project.in_step()

    again = project.run(*repair)
    assert again.returncode == 0, again.stderr
    assert "a previous run was interrupted" in again.stderr
    assert project.in_step() and "GET /v1/models" in project.operations()
    assert "GET /v1/models" in (project.api_dir / "CHANGES.md").read_text()
    assert project.leftovers() == []


def test_sigterm_during_regeneration_rolls_back_at_once(project: Project) -> None:
    assert project.run("sync", "demo").returncode == 0
    before = {p.name: p.read_bytes() for p in project.api_dir.iterdir() if p.is_file()}
    project.server.root = project.new_site
    terminated = project.start("sync", "demo")
    wait_for(regenerating(project), terminated)
    terminated.send_signal(signal.SIGTERM)
    _, stderr = terminated.communicate()
    assert terminated.returncode == 128 + signal.SIGTERM
    assert stderr.strip().splitlines()[-1] == "apigen: interrupted"
    assert {p.name: p.read_bytes() for p in project.api_dir.iterdir() if p.is_file()} == before
    assert project.in_step() and project.leftovers() == []


def held_then_broken(arrived: threading.Event, gate: threading.Event) -> Fault:
    """The first request waits for `gate`, then gets the page with its responses misspelt
    (valid YAML, invalid OpenAPI: the spec is written, then generation fails); later requests
    get the page as it is."""
    calls = []

    def fault(handler: Any) -> bool:
        calls.append(1)
        if len(calls) > 1:
            return False
        arrived.set()
        gate.wait(60)
        handler.serve_file(handler.path, lambda body: body.replace(b"responses:", b"responzes:"))
        return True

    return fault


def test_concurrent_syncs_serialize_and_the_failing_one_rolls_back(project: Project) -> None:
    assert project.run("sync", "demo").returncode == 0
    project.server.root = project.new_site
    arrived, gate = threading.Event(), threading.Event()
    project.server.faults[NEW_PAGES[2]] = held_then_broken(arrived, gate)

    failing = project.start("sync", "demo")
    assert arrived.wait(60), "the first sync never asked for the page"
    second = project.start("sync", "demo")
    lines: queue.Queue[str] = queue.Queue()
    assert second.stderr is not None
    threading.Thread(target=lambda: lines.put(second.stderr.readline()), daemon=True).start()
    try:
        waiting = lines.get(timeout=30)
    finally:
        gate.set()
    assert waiting.startswith(f"waiting for another sync or generate of 'demo' (pid {failing.pid})")
    _, failed_err = failing.communicate(timeout=120)
    second_out, second_err = second.communicate(timeout=120)

    assert failing.returncode == 3 and "not valid OpenAPI" in failed_err
    assert second.returncode == 0, second_err
    assert "upstream changed" in second_out
    assert project.in_step() and "GET /v1/models" in project.operations()
    changes = (project.api_dir / "CHANGES.md").read_text()
    assert changes.count("llms.txt sha256") == 2  # the first sync and the second: none lost
    assert project.leftovers() == []
