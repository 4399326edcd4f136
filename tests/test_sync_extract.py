"""The OpenAPI fence extractor (generator/sync/extract.py), on real pages and edge cases.

tests/fixtures/sync/verbatim/ holds the real page versions of ../shared/baseten/docs-pages-verbatim
with a fence (format B: OpenAPI 3.1; format C: Mintlify's legacy resolved YAML), and INDEX.tsv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from generator.errors import UpstreamError
from generator.sync.extract import ApiFilter, PageDocument, Skipped, dropped_notice, extract_page

VERBATIM = Path(__file__).parent / "fixtures" / "sync" / "verbatim"
URL = "https://docs.example/reference/page.md"
ANY_API = ApiFilter()


def verbatim_pages(page_format: str) -> list[dict[str, str]]:
    with open(VERBATIM / "INDEX.tsv", newline="") as index:
        rows = list(csv.DictReader(index, delimiter="\t"))
    return [row for row in rows if row["format"] == page_format]


@pytest.mark.parametrize("row", verbatim_pages("B"), ids=lambda row: row["saved_file"])
def test_every_current_format_page_yields_its_operation(row: dict[str, str]) -> None:
    text = (VERBATIM / row["saved_file"]).read_text()
    result = extract_page(row["source_url"], text, ANY_API)
    assert isinstance(result, PageDocument)
    assert result.operation == f"{row['method']} {row['path']}"
    assert result.document["openapi"].startswith("3.1")


@pytest.mark.parametrize("row", verbatim_pages("C"), ids=lambda row: row["saved_file"])
def test_every_legacy_page_is_recognised_and_skipped(row: dict[str, str]) -> None:
    text = (VERBATIM / row["saved_file"]).read_text()
    result = extract_page(row["source_url"], text, ANY_API)
    assert isinstance(result, Skipped)
    assert result.notice == f"skipped {row['source_url']}: legacy Mintlify format (not OpenAPI)"


def test_verbatim_fixture_has_both_formats() -> None:
    assert len(verbatim_pages("B")) == 50 and len(verbatim_pages("C")) == 44


def test_other_api_is_skipped_by_title_or_server() -> None:
    chat = next(row for row in verbatim_pages("B") if "chat-completions" in row["source_url"])
    text = (VERBATIM / chat["saved_file"]).read_text()
    for api in (
        ApiFilter(title="Baseten management API"),
        ApiFilter(server_url="https://api.baseten.co"),
    ):
        result = extract_page(chat["source_url"], text, api)
        assert isinstance(result, Skipped) and result.reason.startswith("another API")
    assert isinstance(extract_page(chat["source_url"], text, ANY_API), PageDocument)


def page(fence_info: str, body: str, before: str = "") -> str:
    return f"# Title\n\n{before}\n## OpenAPI\n\n````{fence_info}\n{body}````\n"


DOCUMENT = """\
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /v1/x:
    post:
      description: |
        Example:
        ```python
        print("a three-backtick fence inside a block scalar")
        ```
      responses:
        200: {description: ok}
"""


def test_fence_after_mdx_code_blocks_with_nested_fences() -> None:
    before = (
        "<ResponseExample>\n  ```json 200\n  {}\n  ```\n</ResponseExample>\n\n"
        "````yaml\nnot: the fence we want\n````\n\n"
        "```yaml post /v1/three-backticks\na: 1\n```\n\n"
        "`````markdown\n````yaml post /v1/inside-a-longer-fence\na: 1\n````\n`````\n"
    )
    result = extract_page(URL, page("yaml post /v1/x", DOCUMENT, before), ANY_API)
    assert isinstance(result, PageDocument)
    assert result.operation == "POST /v1/x"
    assert "200" in result.document["paths"]["/v1/x"]["post"]["responses"]  # keys as strings
    assert "```python" in result.document["paths"]["/v1/x"]["post"]["description"]


def test_longer_info_string() -> None:
    result = extract_page(URL, page("yaml specs/llm.json post /v1/x", DOCUMENT), ANY_API)
    assert isinstance(result, PageDocument) and result.path == "/v1/x"


def test_dates_stay_strings() -> None:
    body = DOCUMENT.replace(
        "info: {title: T, version: '1'}", "info: {title: T, version: 2026-07-01}"
    )
    result = extract_page(URL, page("yaml post /v1/x", body), ANY_API)
    assert isinstance(result, PageDocument) and result.document["info"]["version"] == "2026-07-01"


def test_page_without_fence_is_skipped() -> None:
    result = extract_page(URL, "# Prose\n\n```yaml\na: 1\n```\n", ANY_API)
    assert isinstance(result, Skipped) and result.notice == f"skipped {URL}: no OpenAPI block"


def test_invalid_yaml_names_the_url_and_page_line() -> None:
    text = page("yaml post /v1/x", "openapi: 3.1.0\ninfo: [unclosed\n")
    with pytest.raises(UpstreamError, match=rf"^{URL}:9:\d+: invalid YAML"):
        extract_page(URL, text, ANY_API)


def test_fence_naming_a_missing_operation_is_an_error() -> None:
    with pytest.raises(UpstreamError, match="names GET /v1/x but the document has no such"):
        extract_page(URL, page("yaml get /v1/x", DOCUMENT), ANY_API)


def test_unclosed_fence_is_an_error() -> None:
    with pytest.raises(UpstreamError, match="never closed"):
        extract_page(URL, "## OpenAPI\n\n````yaml post /v1/x\nopenapi: 3.1.0\n", ANY_API)


def test_neither_openapi_nor_legacy_is_an_error() -> None:
    with pytest.raises(UpstreamError, match="neither OpenAPI nor the legacy"):
        extract_page(URL, page("yaml post /v1/x", "swagger: '2.0'\n"), ANY_API)


def test_a_fence_contributes_only_the_operation_its_info_string_names() -> None:
    page = """# Get a thing

````yaml get /v1/things/{id}
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /v1/things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {'200': {description: ok}}}
    delete: {responses: {'204': {description: gone}}}
  /v1/admin/wipe:
    post: {responses: {'200': {description: wiped}}}
webhooks:
  hook: {post: {responses: {'200': {description: ok}}}}
````
"""
    result = extract_page(URL, page, ANY_API)
    assert isinstance(result, PageDocument)
    assert result.document["paths"] == {
        "/v1/things/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {"responses": {"200": {"description": "ok"}}},
        }
    }
    assert "webhooks" not in result.document
    assert dropped_notice(result) == (
        f"{URL}: dropped /paths/~1v1~1things~1{{id}}/delete, /paths/~1v1~1admin~1wipe/post, "
        "/webhooks/hook/post: the fence names only GET /v1/things/{id}"
    )
