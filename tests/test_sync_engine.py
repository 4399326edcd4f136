"""`run_sync` end to end against a docs site served on 127.0.0.1 (tests/support/docs_server)."""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.docs_server import (
    DocsServer,
    html_page,
    replace,
    serving,
    stall,
    status,
    truncated,
)
from support.sync_site import (
    API_TITLE,
    BASETEN_PREFIXES,
    NEW,
    OLD,
    REAL_ORIGIN,
    SERVER_URL,
    extract_sites,
    published_spec_bytes,
    small_site,
    tree_state,
)

from generator.errors import ApigenError, GenerationError, InputError, UpstreamError
from generator.sync import (
    LOCK_FILE,
    SyncResult,
    SyncSettings,
    UpstreamUnreachable,
    read_lock,
    run_sync,
    snapshot_date,
    store,
)
from generator.workarea import Busy

# Component schemas of the published spec that no operation references: pages cannot carry them.
UNREFERENCED_SCHEMAS = {
    "GetDeploymentConfigRequestV1",
    "GetDeploymentMetricsRequestV1",
    "GetEnvironmentLogsRequestV1",
    "GetLoopsDeploymentLogsRequestV1",
    "GetTrainingJobCheckpointFilesRequestV1",
    "ListLoopsCheckpointsQueryParamsV1",
    "ListLoopsRunsQueryParamsV1",
    "ModelAPIsRequestV1",
    "UsageSummaryRequestV1",
    "UsersRequestV1",
}


async def no_sleep(seconds: float) -> None:
    """Retries and backoff without waiting."""


def settings(server: DocsServer, api_dir: Path, **overrides: object) -> SyncSettings:
    values: dict[str, object] = {
        "api_dir": api_dir,
        "index_url": server.url("/llms.txt"),
        "page_prefixes": BASETEN_PREFIXES,
        "api_title": API_TITLE,
        "server_url": SERVER_URL,
        "timeout": 5.0,
        "retries": 2,
        "lock_timeout": 0.0,
        **overrides,
    }
    return SyncSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract_sites(tmp_path_factory.mktemp("docs-site"))


# The full flow on the two mirrored sites, run once: the tests below look at its stages.


@dataclass
class Flow:
    api_dir: Path
    first: SyncResult
    after_first: dict[str, tuple[str, int]]
    noop: SyncResult
    after_noop: dict[str, tuple[str, int]]
    noop_requests: list[str]
    noop_statuses: set[int]
    index_only_requests: list[str]
    after_index_only: dict[str, tuple[str, int]]
    progress: list[tuple[int, int]]
    switched: SyncResult
    switch_conditional: int  # page requests of the switch that carried If-None-Match
    switch_not_modified: int


@pytest.fixture(scope="module")
def flow(sites: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    specs = tmp_path_factory.mktemp("specs")
    api_dir = specs / "baseten"
    api_dir.mkdir()
    (api_dir / "config.toml").write_text("# not sync's\n")
    with serving(sites / OLD, rewrite_origin=REAL_ORIGIN) as server:
        config = settings(server, api_dir)
        progress: list[tuple[int, int]] = []
        first = run_sync(config, sleep=no_sleep, progress=lambda *done: progress.append(done))
        after_first = tree_state(specs)
        server.requests.clear()
        noop = run_sync(config, sleep=no_sleep)
        after_noop = tree_state(specs)
        noop_requests = server.paths_requested()
        noop_statuses = {request.status for request in server.requests}
        server.requests.clear()
        run_sync(dataclasses.replace(config, index_only=True), sleep=no_sleep)
        index_only_requests = server.paths_requested()
        after_index_only = tree_state(specs)
        server.requests.clear()
        server.root = sites / NEW
        switched = run_sync(config, sleep=no_sleep)
        page_requests = [r for r in server.requests if r.path != "/llms.txt"]
        yield Flow(
            api_dir,
            first,
            after_first,
            noop,
            after_noop,
            noop_requests,
            noop_statuses,
            index_only_requests,
            after_index_only,
            progress,
            switched,
            sum(1 for r in page_requests if r.if_none_match),
            sum(1 for r in page_requests if r.status == 304),
        )


def test_first_sync_writes_the_snapshot(flow: Flow) -> None:
    result = flow.first
    assert result.changed and result.written and result.snapshot_date
    assert len(result.operations_added) == 150 and not result.operations_removed
    assert result.pages_total == result.pages_downloaded == 150
    assert flow.progress == [(done, 150) for done in range(1, 151)]
    assert snapshot_date(flow.api_dir) == read_lock(flow.api_dir).snapshot_date
    assert (flow.api_dir / "config.toml").read_text() == "# not sync's\n"
    lock = read_lock(flow.api_dir)  # (of the last run)
    assert lock.index_url.endswith("/llms.txt") and len(lock.index_sha256) == 64
    assert all(record.sha256 and record.etag for record in lock.pages.values())
    pages = sorted(name for name in flow.after_first if name.startswith("baseten/pages/"))
    assert len(pages) == 150
    assert "baseten/pages/reference__management-api__models__gets-all-models.yaml" in pages
    assert {"baseten/openapi.json", "baseten/sync.lock.json", "baseten/config.toml"} <= set(
        flow.after_first
    )


def test_second_sync_with_nothing_changed_writes_nothing(flow: Flow) -> None:
    assert not flow.noop.changed and not flow.noop.written and flow.noop.index_unchanged
    assert flow.after_noop == flow.after_first  # bytes and mtimes of every file and folder
    # every page was asked about, conditionally, and every answer was 304
    assert len(flow.noop_requests) == 151 and flow.noop_statuses == {304}
    assert flow.noop.pages_not_modified == 150 and flow.noop.pages_downloaded == 0


def test_index_only_no_op_asks_for_the_index_alone(flow: Flow) -> None:
    assert flow.index_only_requests == ["/llms.txt"]  # answered 304: no page fetched
    assert flow.after_index_only == flow.after_first


def test_switch_to_the_newer_site_lists_the_changes(flow: Flow) -> None:
    result = flow.switched
    assert result.changed and result.written and not result.index_unchanged
    assert len(result.operations_added) == 25
    assert {"POST /v1/gateway/endpoints", "GET /v1/users/me"} <= set(result.operations_added)
    assert result.operations_removed == [
        "GET /v1/trainer_sessions/{session_id}/trainers/{trainer_id}/checkpoints",
        "GET /v1/trainer_sessions/{session_id}/trainers/{trainer_id}/checkpoints/{checkpoint_id}/files",
        "POST /v1/trainer_sessions",
        "POST /v1/trainer_sessions/{session_id}/samplers",
        "POST /v1/trainer_sessions/{session_id}/trainers",
        "POST /v1/trainers/checkpoints/search",
        "POST /v1/trainers/search",
    ]
    assert result.security_changed
    assert (result.security_old, result.security_new) == (["ApiKeyAuth"], ["BearerAuth"])
    assert any(
        "authentication changed: ApiKeyAuth -> BearerAuth" in line
        for line in result.summary_lines()
    )
    # the second run asked conditionally and reused the pages that had not changed
    assert flow.switch_conditional > 0 and flow.switch_not_modified == result.pages_not_modified


def test_spec_merged_from_the_newer_site_equals_the_published_spec(flow: Flow) -> None:
    merged = json.loads((flow.api_dir / "openapi.json").read_bytes())
    published = json.loads(published_spec_bytes())
    schemas = published["components"]["schemas"]
    assert set(schemas) >= UNREFERENCED_SCHEMAS
    for name in UNREFERENCED_SCHEMAS:
        del schemas[name]
    assert merged == published
    assert (
        len([op for item in merged["paths"].values() for op in item if op != "parameters"]) == 168
    )


# Faults, on a small site: each names the URL and leaves the snapshot exactly as it was.

SMALL_PAGES = [
    "/reference/management-api/models/gets-all-models.md",
    "/reference/management-api/models/gets-a-model-by-id.md",
    "/reference/management-api/secrets/gets-all-secrets.md",
    "/reference/training-api/get-training-job.md",
    "/reference/inference-api/chat-completions.md",
]
MODELS_PAGE = SMALL_PAGES[0]


SMALL_PREFIXES = (*BASETEN_PREFIXES, "/reference/inference-api/")


@dataclass
class Small:
    server: DocsServer
    specs: Path
    api_dir: Path

    def settings(self, **overrides: object) -> SyncSettings:
        return settings(self.server, self.api_dir, page_prefixes=SMALL_PREFIXES, **overrides)


@pytest.fixture(scope="session")
def small_upstream(
    sites: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DocsServer, Path, Path]]:
    """A server of the small site, and a snapshot of it (synced once, copied by each test)."""
    root = tmp_path_factory.mktemp("small")
    site = small_site(sites / NEW, root / "site", SMALL_PAGES)
    with serving(site, rewrite_origin=REAL_ORIGIN) as server:
        snapshot = root / "specs"
        config = settings(server, snapshot / "baseten", page_prefixes=SMALL_PREFIXES)
        assert run_sync(config, sleep=no_sleep).written
        yield server, site, snapshot


@pytest.fixture
def small(small_upstream: tuple[DocsServer, Path, Path], tmp_path: Path) -> Iterator[Small]:
    server, site, snapshot = small_upstream
    server.root = shutil.copytree(site, tmp_path / "site")
    specs = shutil.copytree(snapshot, tmp_path / "specs")  # (copy2: mtimes kept)
    server.faults.clear()
    server.requests.clear()
    yield Small(server, specs, specs / "baseten")
    server.faults.clear()
    server.release_stalled()


def assert_fails_and_keeps_snapshot(
    small: Small, error: type[ApigenError], *fragments: str, **overrides: object
) -> ApigenError:
    before = tree_state(small.specs)
    # revalidate: the index did not change, so make the run fetch the pages
    config = small.settings(**overrides)
    with pytest.raises(error) as failure:
        run_sync(config, sleep=no_sleep)
    for fragment in fragments:
        assert fragment in str(failure.value)
    assert tree_state(small.specs) == before
    return failure.value


def test_small_site_skips_other_apis_with_a_notice(small: Small) -> None:
    result = run_sync(small.settings(), sleep=no_sleep, check_only=True)
    assert not result.changed
    chat = small.server.url("/reference/inference-api/chat-completions.md")
    small.server.faults[MODELS_PAGE] = replace(b"Gets all models", b"Lists models")  # a rebuild
    notices = run_sync(small.settings(), sleep=no_sleep).notices
    assert any(n.startswith(f"skipped {chat}: another API") for n in notices)


def test_fault_timeout(small: Small) -> None:
    url = small.server.url(MODELS_PAGE)
    small.server.faults[MODELS_PAGE] = stall()
    assert_fails_and_keeps_snapshot(small, UpstreamError, url, "timed out", timeout=0.3, retries=0)


def test_fault_5xx_after_retries(small: Small) -> None:
    url = small.server.url(MODELS_PAGE)
    small.server.faults[MODELS_PAGE] = status(503)
    error = assert_fails_and_keeps_snapshot(small, UpstreamError, url, "HTTP 503", "3 attempts")
    assert not isinstance(error, UpstreamUnreachable)  # the index was reached


def test_fault_truncated_body(small: Small) -> None:
    url = small.server.url(MODELS_PAGE)
    small.server.faults[MODELS_PAGE] = truncated()
    assert_fails_and_keeps_snapshot(small, UpstreamError, url, "truncated")


def test_fault_html_error_page(small: Small) -> None:
    url = small.server.url(MODELS_PAGE)
    small.server.faults[MODELS_PAGE] = html_page()
    assert_fails_and_keeps_snapshot(small, UpstreamError, url, "HTML page")


def test_fault_invalid_yaml_in_one_page(small: Small) -> None:
    url = small.server.url(MODELS_PAGE)
    small.server.faults[MODELS_PAGE] = replace(b"  version: 1.0.0\n", b"  version: 1.0.0: x\n")
    error = assert_fails_and_keeps_snapshot(small, UpstreamError, url, "invalid YAML")
    assert f"{url}:16:" in str(error)  # line 16 of the page: the fence starts on line 11


def test_fault_page_vanished(small: Small) -> None:
    url = small.server.url(MODELS_PAGE)
    small.server.faults[MODELS_PAGE] = status(404)
    assert_fails_and_keeps_snapshot(small, UpstreamError, url, "vanished between index and fetch")


def test_fault_merge_conflict_names_both_pages_and_the_pointer(small: Small) -> None:
    first, second = (small.server.url(page) for page in SMALL_PAGES[:2])
    small.server.faults[SMALL_PAGES[1]] = replace(
        b"description: Unique identifier of the model", b"description: Changed upstream"
    )
    assert_fails_and_keeps_snapshot(
        small, UpstreamError, first, second, "/components/schemas/ModelV1/properties/id/description"
    )


def test_fault_lock_held_by_another_sync(small: Small) -> None:
    mutex = small.settings().work_area.lock_path
    mutex.parent.mkdir(exist_ok=True)
    with open(mutex, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        error = assert_fails_and_keeps_snapshot(small, Busy, str(mutex), "another sync")
    assert error.exit_code != 0


def test_fault_index_unreachable(small: Small) -> None:
    small.server.faults["/llms.txt"] = status(503)
    error = assert_fails_and_keeps_snapshot(small, UpstreamUnreachable, small.settings().index_url)
    assert "HTTP 503" in str(error)


def test_rate_limit_is_honoured_then_the_sync_succeeds(small: Small) -> None:
    delays: list[float] = []

    async def record(seconds: float) -> None:
        delays.append(seconds)

    body = b'{"error": "Rate limit exceeded.", "retry_after": 37}'
    small.server.faults[MODELS_PAGE] = status(429, times=1, body=body)
    small.server.faults[SMALL_PAGES[1]] = status(429, times=1, headers={"Retry-After": "3"})
    config = small.settings()
    result = run_sync(config, sleep=record)
    assert sorted(delays) == [3.0, 37.0]
    assert not result.changed and not result.written


def test_check_only_reports_a_change_and_writes_nothing(small: Small) -> None:
    before = tree_state(small.specs)
    small.server.faults[MODELS_PAGE] = replace(
        b"summary: Gets all models", b"summary: Lists models"
    )
    small.server.faults["/llms.txt"] = replace(b"# Baseten", b"# Baseten docs")
    result = run_sync(small.settings(), sleep=no_sleep, check_only=True)
    assert result.changed and result.snapshot_changed and not result.written
    assert result.operations_changed == ["GET /v1/models"]
    assert tree_state(small.specs) == before


def test_page_change_without_index_change_is_seen_unless_index_only(small: Small) -> None:
    small.server.faults[MODELS_PAGE] = replace(
        b"summary: Gets all models", b"summary: Lists models"
    )
    # the index says nothing changed: --index-only believes it
    assert not run_sync(small.settings(index_only=True), sleep=no_sleep).changed
    config = small.settings()
    result = run_sync(config, sleep=no_sleep)
    assert result.changed and result.operations_changed == ["GET /v1/models"]
    assert result.pages_downloaded == 1 and result.pages_not_modified == 4


def test_overlays_apply_and_an_edit_rebuilds_offline(small: Small) -> None:
    overlays = small.api_dir / "overlays"
    overlays.mkdir()
    (overlays / "10-title.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.info\n    update: {title: Patched}\n"
    )
    (overlays / "20-drop.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.paths['/v1/secrets']\n    remove: true\n"
        "  - target: $.paths['/nowhere']\n    remove: true\n"
    )
    result = run_sync(small.settings(), offline=True)
    spec = json.loads((small.api_dir / "openapi.json").read_bytes())
    assert result.written and spec["info"]["title"] == "Patched"
    assert "GET /v1/secrets" in result.operations_removed and "/v1/secrets" not in spec["paths"]
    assert any("selected nothing" in notice for notice in result.notices)
    before = tree_state(small.specs)
    again = run_sync(small.settings(), sleep=no_sleep)  # online, index unchanged: nothing to do
    assert not again.written and tree_state(small.specs) == before


def test_concurrency_is_bounded(small: Small) -> None:
    config = small.settings(concurrency=2)
    small.server.max_in_flight = baseline = small.server.in_flight
    run_sync(config, sleep=no_sleep)
    assert 1 <= small.server.max_in_flight - baseline <= 2


def test_pages_only_from_the_index_host(small: Small) -> None:
    index = small.server.root / "llms.txt"
    index.write_text(
        index.read_text() + "- [Evil](https://evil.example/reference/management-api/x.md)\n"
    )
    result = run_sync(small.settings(), sleep=no_sleep)
    assert any("evil.example" in notice and "not one of" in notice for notice in result.notices)
    assert all("evil" not in path for path in small.server.paths_requested())


def test_limits_on_page_count_and_size(small: Small) -> None:
    assert_fails_and_keeps_snapshot(small, UpstreamError, "more than the limit of 2", max_pages=2)
    url = small.server.url(MODELS_PAGE)
    small.server.faults[MODELS_PAGE] = replace(b"Gets all models", b"Lists models")  # not a 304
    assert_fails_and_keeps_snapshot(small, UpstreamError, url, "larger than", max_page_bytes=1000)


def test_plain_http_only_on_loopback(tmp_path: Path) -> None:
    config = SyncSettings(
        api_dir=tmp_path / "api", index_url="http://docs.example/llms.txt", page_prefixes=("/",)
    )
    with pytest.raises(InputError, match="only https"):
        run_sync(config, sleep=no_sleep)


def test_interrupted_swap_is_recovered(small: Small) -> None:
    before = tree_state(small.specs)
    scratch = small.settings().work_area.scratch
    scratch.mkdir(parents=True)
    os.rename(small.api_dir, scratch / "snapshot-old")  # as if killed mid-swap
    result = run_sync(small.settings(), sleep=no_sleep)
    assert not result.written
    assert tree_state(small.specs) == before
    assert (small.api_dir / LOCK_FILE).is_file()


def test_a_failure_while_writing_leaves_the_snapshot(
    small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    small.server.faults[MODELS_PAGE] = replace(b"Gets all models", b"Lists models")

    def disk_full(first: Path, second: Path) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_exchange", disk_full)  # fails with the new folder built
    error = assert_fails_and_keeps_snapshot(small, GenerationError, "No space left on device")
    assert str(small.api_dir) in str(error)


def test_swap_without_renameat2(small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    small.server.faults[MODELS_PAGE] = replace(b"Gets all models", b"Lists models")
    monkeypatch.setattr(store, "_exchange", lambda first, second: False)
    result = run_sync(small.settings(), sleep=no_sleep)
    assert result.written and result.operations_changed == ["GET /v1/models"]
    assert sorted(path.name for path in small.specs.iterdir()) == ["baseten"]
    assert list(small.settings().work_area.scratch.iterdir()) == []  # nothing left over
