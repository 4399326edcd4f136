"""`apigen sync` as a real subprocess against a hostile or unlucky upstream on 127.0.0.1.

What is measured here (memory of the child, exit codes, the files left behind) only shows in
a separate process: the child runs `python -m generator` exactly as a user or the daily
workflow would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.docs_server import DocsServer, encoded, serving
from support.sync_site import REAL_ORIGIN, extract_sites, small_site

FIXTURES = Path(__file__).parent / "fixtures" / "sync"
REPO = Path(__file__).resolve().parent.parent
PAGES = [
    "/reference/management-api/secrets/gets-all-secrets.md",
    "/reference/management-api/secrets/upserts-a-secret.md",
]

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

    @property
    def api_dir(self) -> Path:
        return self.root / "specs" / "demo"

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
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    extracted = extract_sites(tmp_path_factory.mktemp("sites"))
    return small_site(extracted / "2026-07-01", tmp_path_factory.mktemp("small"), PAGES)


@pytest.fixture
def project(site: Path, tmp_path: Path) -> Iterator[Project]:
    with serving(site, rewrite_origin=REAL_ORIGIN) as server:
        root = tmp_path / "project"
        api_dir = root / "specs" / "demo"
        api_dir.mkdir(parents=True)
        (api_dir / "config.toml").write_text(
            '[package]\nname = "demo_client"\nclient_class = "Demo"\n'
            f'[sync]\nindex_url = "{server.url("/llms.txt")}"\n'
            'page_prefixes = ["/reference/management-api/"]\n'
            'api_title = "Baseten management API"\nserver_url = "https://api.baseten.co"\n'
        )
        tmp = tmp_path / "tmp"
        tmp.mkdir()
        yield Project(root, server, tmp)


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
