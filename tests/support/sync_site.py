"""Fixtures for the sync tests: the mirrored docs sites, a small site, and a folder's state.

tests/fixtures/sync/docs-site.tar.xz holds `2026-06-08/` and `2026-07-01/` (llms.txt and the
reference/ pages) of ../shared/baseten/docs-site, compressed: 2.4 MB of near-identical pages.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import tarfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sync"
REAL_ORIGIN = "https://docs.baseten.co"
BASETEN_PREFIXES = ("/reference/management-api/", "/reference/training-api/", "/reference/gateway/")
API_TITLE = "Baseten management API"
SERVER_URL = "https://api.baseten.co"
OLD, NEW = "2026-06-08", "2026-07-01"


def extract_sites(destination: Path) -> Path:
    """Unpack both mirrored sites under `destination`; returns it."""
    with tarfile.open(FIXTURES / "docs-site.tar.xz", "r:xz") as archive:
        archive.extractall(destination, filter="data")
    return destination


def published_spec_bytes() -> bytes:
    """The whole management spec as published on 2026-07-01 (spec-history in shared/)."""
    return lzma.decompress((FIXTURES / "management-2026-07-01.json.xz").read_bytes())


def small_site(source: Path, destination: Path, pages: list[str]) -> Path:
    """A site of `source` whose llms.txt lists only `pages` (paths like /reference/x.md)."""
    lines = ["# Baseten", "", "## Docs", ""]
    for page in pages:
        target = destination / page.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / page.lstrip("/"), target)
        lines.append(f"- [{Path(page).stem}]({REAL_ORIGIN}{page})")
    (destination / "llms.txt").write_text("\n".join(lines) + "\n")
    return destination


def demo_config(index_url: str) -> str:
    """config.toml of the `demo` API: package demo_client, synced from `index_url`."""
    return (
        '[package]\nname = "demo_client"\nclient_class = "Demo"\n'
        f'[sync]\nindex_url = "{index_url}"\n'
        'page_prefixes = ["/reference/management-api/"]\n'
        f'api_title = "{API_TITLE}"\nserver_url = "{SERVER_URL}"\n'
    )


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder under `root`: relative path -> (sha256 or "dir", mtime in ns)."""
    state: dict[str, tuple[str, int]] = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            relative = str(path.relative_to(root))
            if path.is_dir():
                state[relative] = ("dir", path.stat().st_mtime_ns)
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                state[relative] = (digest, path.stat().st_mtime_ns)
    return state
