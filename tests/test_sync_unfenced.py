"""Listed reference pages without an OpenAPI block never make an operation vanish silently.

tests/fixtures/sync/format-d/ holds the real Frontier Gateway page of that format
(get-a-group.md: the excerpt of ../shared/baseten/docs-pages-verbatim/format-d), a page in
the same format for `GET /v1/gateway/groups/{group_id}/usage` (an operation in no fence), and
an error page as a CDN serves it with status 200.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.docs_server import DocsServer, serving
from support.sync_site import (
    API_TITLE,
    NEW,
    REAL_ORIGIN,
    SERVER_URL,
    extract_sites,
    published_spec_bytes,
)

from generator.errors import InputError
from generator.openapi import HTTP_METHODS
from generator.sync import SyncResult, SyncSettings, read_lock, run_sync
from generator.sync.unfenced import identify_operation

FORMAT_D = Path(__file__).parent / "fixtures" / "sync" / "format-d"
GROUPS = "/reference/gateway/groups/"
GET_GROUP, CREATE_GROUP, LIST_GROUPS = (
    f"{GROUPS}get-a-group.md",
    f"{GROUPS}create-a-group.md",
    f"{GROUPS}list-groups.md",
)
USAGE_PAGE = f"{GROUPS}get-group-usage.md"
USAGE = "GET /v1/gateway/groups/{group_id}/usage"


async def no_sleep(seconds: float) -> None:
    pass


def whole_spec_with_usage() -> dict[str, Any]:
    """The published whole spec, plus the usage operation that no fence shows."""
    spec = json.loads(published_spec_bytes())
    usage = copy.deepcopy(spec["paths"]["/v1/gateway/groups/{group_id}"]["get"])
    usage["summary"] = "Get group usage"
    usage["operationId"] = "get_group_usage"
    spec["paths"]["/v1/gateway/groups/{group_id}/usage"] = {
        "parameters": spec["paths"]["/v1/gateway/groups/{group_id}"].get("parameters", []),
        "get": usage,
    }
    return spec


def operations(spec: dict[str, Any]) -> set[str]:
    return {
        f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item if m in HTTP_METHODS
    }


@dataclass
class Site:
    root: Path
    server: DocsServer
    api_dir: Path

    def list_pages(self, *pages: str) -> None:
        lines = ["# Baseten", "", "## API reference", ""]
        lines += [f"- [{Path(page).stem}]({REAL_ORIGIN}{page})" for page in pages]
        (self.root / "llms.txt").write_text("\n".join(lines) + "\n")

    def serve(self, page: str, fixture: str) -> None:
        shutil.copyfile(FORMAT_D / fixture, self.root / page.lstrip("/"))

    def settings(self, **overrides: object) -> SyncSettings:
        values: dict[str, object] = {
            "api_dir": self.api_dir,
            "index_url": self.server.url("/llms.txt"),
            "page_prefixes": ("/reference/gateway/",),
            "api_title": API_TITLE,
            "server_url": SERVER_URL,
            "timeout": 5.0,
            "retries": 0,
            **overrides,
        }
        return SyncSettings(**values)  # type: ignore[arg-type]

    def sync(self, **overrides: object) -> SyncResult:
        return run_sync(self.settings(**overrides), sleep=no_sleep)

    def operations(self) -> set[str]:
        return operations(json.loads((self.api_dir / "openapi.json").read_text()))


@pytest.fixture(scope="module")
def published_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract_sites(tmp_path_factory.mktemp("sites")) / NEW


@pytest.fixture
def site(published_site: Path, tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "site"
    (root / "reference" / "gateway").mkdir(parents=True)
    shutil.copytree(published_site / "reference" / "gateway" / "groups", root / GROUPS.strip("/"))
    with serving(root, rewrite_origin=REAL_ORIGIN) as server:
        yield Site(root, server, tmp_path / "project" / "specs" / "baseten")


def test_the_real_format_d_page_names_its_operation() -> None:
    known = json.loads(published_spec_bytes())["paths"]
    text = (FORMAT_D / "get-a-group.md").read_text()
    assert identify_operation(text, known) == ("get", "/v1/gateway/groups/{group_id}")
    usage = (FORMAT_D / "get-group-usage.md").read_text()
    assert identify_operation(usage, whole_spec_with_usage()["paths"]) == (
        "get",
        "/v1/gateway/groups/{group_id}/usage",
    )
    assert identify_operation((FORMAT_D / "not-found.md").read_text(), known) is None
    frontmatter = "---\ntitle: Get a group\nopenapi: 'GET /v1/gateway/groups/{group_id}'\n---\n"
    assert identify_operation(frontmatter, {}) == ("get", "/v1/gateway/groups/{group_id}")


def test_without_a_whole_spec_operations_are_kept_from_the_last_snapshot(site: Site) -> None:
    site.list_pages(GET_GROUP, CREATE_GROUP, LIST_GROUPS)
    first = site.sync()
    assert first.written and not first.pages_without_openapi
    before = site.operations()
    assert {"GET /v1/gateway/groups/{group_id}", "POST /v1/gateway/groups"} <= before

    # upstream turns one page into hand-written MDX and serves an error page for another,
    # and lists a new MDX page whose operation no source has
    site.serve(GET_GROUP, "get-a-group.md")
    site.serve(CREATE_GROUP, "not-found.md")
    site.serve(USAGE_PAGE, "get-group-usage.md")
    site.list_pages(GET_GROUP, CREATE_GROUP, LIST_GROUPS, USAGE_PAGE)
    result = site.sync()
    assert site.operations() == before  # nothing vanished
    assert not result.operations_removed and not result.operations_changed
    get_url, create_url, usage_url = (
        site.server.url(p) for p in (GET_GROUP, CREATE_GROUP, USAGE_PAGE)
    )
    assert sorted(result.pages_without_openapi) == sorted(
        [
            f"{get_url}: GET /v1/gateway/groups/{{group_id}} from the last snapshot",
            f"{create_url}: POST /v1/gateway/groups from the last snapshot",
            f"{usage_url}: no OpenAPI block: no operation identified, none to keep",
        ]
    )
    assert (
        f"{get_url}: no OpenAPI block: GET /v1/gateway/groups/{{group_id}} taken from the last snapshot"
        in result.notices
    )

    again = site.sync()  # every page answers 304: same outcome, nothing written
    assert not again.written and again.pages_not_modified == 4
    assert sorted(again.pages_without_openapi) == sorted(result.pages_without_openapi)
    assert site.operations() == before

    site.list_pages(CREATE_GROUP, LIST_GROUPS, USAGE_PAGE)  # the MDX page leaves llms.txt
    removed = site.sync()
    assert removed.operations_removed == ["GET /v1/gateway/groups/{group_id}"]


def test_with_a_whole_spec_operations_come_from_it_and_extra_ones_are_reported(
    site: Site,
) -> None:
    whole = whole_spec_with_usage()
    (site.root / "v1").mkdir()
    (site.root / "v1" / "spec").write_text(json.dumps(whole))
    spec_url = site.server.url("/v1/spec")
    site.serve(GET_GROUP, "get-a-group.md")
    site.serve(CREATE_GROUP, "not-found.md")
    site.serve(USAGE_PAGE, "get-group-usage.md")
    site.list_pages(GET_GROUP, CREATE_GROUP, LIST_GROUPS, USAGE_PAGE)

    result = site.sync(spec_url=spec_url)
    get_url, usage_url = site.server.url(GET_GROUP), site.server.url(USAGE_PAGE)
    assert (
        f"{get_url}: GET /v1/gateway/groups/{{group_id}} from the whole spec"
        in result.pages_without_openapi
    )
    assert f"{usage_url}: {USAGE} from the whole spec" in result.pages_without_openapi
    assert (
        f"{usage_url}: no OpenAPI block: {USAGE} taken from the whole spec {spec_url}"
        in result.notices
    )
    all_operations = operations(whole)
    assert site.operations() == all_operations
    # list-groups has its fence; get-a-group and the usage page are filled in; the rest,
    # POST /v1/gateway/groups of the error page included, is only in the whole spec
    assert "POST /v1/gateway/groups" in result.operations_only_in_whole_spec
    assert len(result.operations_only_in_whole_spec) == len(all_operations) - 3
    assert any(
        n.startswith(f"{len(all_operations) - 3} operation(s) only in the whole spec")
        for n in result.notices
    )
    spec = json.loads((site.api_dir / "openapi.json").read_text())
    assert (
        spec["paths"]["/v1/gateway/groups/{group_id}/usage"]["get"]["summary"] == "Get group usage"
    )
    record = read_lock(site.api_dir).pages[f"{spec_url}#POST /v1/gateway/groups"]
    assert record.origin == "the whole spec" and record.file == (
        "pages/whole-spec__post__v1__gateway__groups.yaml"
    )

    offline = run_sync(site.settings(spec_url=spec_url), offline=True)  # from the stored pages
    assert not offline.written and site.operations() == all_operations
    site.server.requests.clear()
    again = site.sync(spec_url=spec_url)  # unchanged upstream: a no-op, all 304
    assert not again.written and again.pages_downloaded == 0
    assert {r.path: r.status for r in site.server.requests}["/v1/spec"] == 304
    assert len(again.operations_only_in_whole_spec) == len(all_operations) - 3

    whole["paths"]["/v1/gateway/groups/{group_id}/usage"]["get"]["summary"] = "Usage of a group"
    (site.root / "v1" / "spec").write_text(json.dumps(whole))  # the whole spec alone changes
    edited = site.sync(spec_url=spec_url)
    assert edited.operations_changed == [USAGE]


def test_the_whole_spec_host_must_be_allowed_explicitly(site: Site) -> None:
    site.list_pages(LIST_GROUPS)
    with pytest.raises(InputError, match=r"spec_url: .*host 'api\.baseten\.co' is not one of"):
        site.sync(spec_url="https://api.baseten.co/v1/spec")
