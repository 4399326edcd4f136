"""What an unchanged upstream costs `apigen sync`: every page revalidated (304s) vs the index alone.

A local mirror of docs.baseten.co (tests/fixtures/sync/docs-site.tar.xz, 2026-07-01: llms.txt,
150 API pages) and the whole published spec are served on 127.0.0.1 by the standard library's
static server, which answers `If-Modified-Since` with 304. One sync fills a project folder
(fetch, merge, generate); then the no-op runs are timed.
"""

from __future__ import annotations

import json
import lzma
import tarfile
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.measure import Measurement, run_measured
from bench.peers import REPO_ROOT, project_python

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "sync"
SITE_DATE = "2026-07-01"
REAL_ORIGIN = "https://docs.baseten.co"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _mirror(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1; yields the base URL."""
    handler = partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _build_site(scratch: Path) -> Path:
    with tarfile.open(FIXTURES / "docs-site.tar.xz", "r:xz") as archive:
        archive.extractall(scratch, filter="data")
    site = scratch / SITE_DATE
    (site / "v1").mkdir()
    spec = lzma.decompress((FIXTURES / f"management-{SITE_DATE}.json.xz").read_bytes())
    (site / "v1" / "spec").write_bytes(spec)
    return site


def _project(scratch: Path, base_url: str) -> Path:
    project = scratch / "project"
    api_dir = project / "specs" / "bench"
    api_dir.mkdir(parents=True)
    (api_dir / "config.toml").write_text(
        '[package]\nname = "bench_client"\nclient_class = "Bench"\n'
        f'[sync]\nindex_url = "{base_url}/llms.txt"\n'
        'page_prefixes = ["/reference/management-api/", "/reference/training-api/", '
        '"/reference/gateway/"]\n'
        'api_title = "Baseten management API"\nserver_url = "https://api.baseten.co"\n'
        f'spec_url = "{base_url}/v1/spec"\n'
    )
    return project


def _sync(project: Path, *flags: str) -> list[str]:
    return [project_python(), "-m", "generator", "sync", "bench", *flags]


def bench_sync(runs: int, timeout: float) -> tuple[list[str], dict[str, Any]]:
    """Table lines and a JSON record of the sync no-op cost."""
    with tempfile.TemporaryDirectory(prefix="apigen-bench-sync-") as scratch_name:
        scratch = Path(scratch_name)
        site = _build_site(scratch)
        with _mirror(site) as base_url:
            llms = site / "llms.txt"
            llms.write_text(llms.read_text().replace(REAL_ORIGIN, base_url))
            project = _project(scratch, base_url)
            first = run_measured(_sync(project), cwd=project, timeout=timeout)
            if not first.ok:
                note = f"first sync failed (exit {first.exit_code}): {first.error_line}"
                return ["", f"sync: {note}"], {"note": note}
            rows: dict[str, list[Measurement]] = {"first sync (fetch, merge, generate)": [first]}
            for label, flags in (
                ("no-op, every page revalidated (304s)", ()),
                ("no-op, --index-only", ("--index-only",)),
            ):
                rows[label] = [
                    run_measured(_sync(project, *flags), cwd=project, timeout=timeout)
                    for _ in range(runs)
                ]
            lock = json.loads((project / "specs" / "bench" / "sync.lock.json").read_text())
            pages = sum(1 for url in lock["pages"] if "#" not in url)
    return _table(rows, pages), {
        label: [{"seconds": m.seconds, "peak_rss_mb": m.peak_rss_mb, "ok": m.ok} for m in runs]
        for label, runs in rows.items()
    }


def _table(rows: Mapping[str, Sequence[Measurement]], pages: int) -> list[str]:
    lines = [
        "",
        f"apigen sync against a local mirror ({pages} API pages + the whole spec), median:",
    ]
    width = max(len(label) for label in rows)
    for label, measured in rows.items():
        ok = [m for m in measured if m.ok]
        if not ok:
            lines.append(f"  {label:<{width}}  FAILED: {measured[-1].error_line}")
            continue
        seconds = sorted(m.seconds for m in ok)[len(ok) // 2]
        memory = sorted(m.peak_rss_mb for m in ok)[len(ok) // 2]
        lines.append(f"  {label:<{width}}  {seconds:6.2f} s  {memory:5.0f} MB")
    return lines
