"""llms.txt parsing and page selection (generator/sync/index.py)."""

from __future__ import annotations

from generator.sync.index import parse_index, select_pages

INDEX = """\
# Baseten

> Inference platform.

Some text that is not a link.

## Docs

- [How Baseten works](https://docs.baseten.co/concepts/howbasetenworks.md)
- [Create an API key](https://docs.baseten.co/reference/gateway/api-keys/create.md): Creates a key: with a colon
* [Relative](/reference/management-api/models/list.md)
- [Title with \\] bracket](https://docs.baseten.co/reference/training-api/get.md#section)

## OpenAPI Specs

- [openapi](https://docs.baseten.co/openapi.json)
- not a link at all
"""


def test_parse_index_reads_links_under_sections() -> None:
    entries = parse_index(INDEX, "https://docs.baseten.co/llms.txt")
    assert [entry.section for entry in entries] == ["Docs"] * 4 + ["OpenAPI Specs"]
    assert entries[1].title == "Create an API key"
    assert entries[1].description == "Creates a key: with a colon"
    assert entries[2].url == "https://docs.baseten.co/reference/management-api/models/list.md"
    assert entries[3].title == "Title with ] bracket"
    assert entries[3].url == "https://docs.baseten.co/reference/training-api/get.md"  # no fragment


def test_select_pages_by_prefix_sorted_without_duplicates() -> None:
    entries = parse_index(INDEX + INDEX, "https://docs.baseten.co/llms.txt")
    selected = select_pages(entries, ("/reference/management-api/", "/reference/gateway/"))
    assert selected.refused == []
    assert selected.urls == [
        "https://docs.baseten.co/reference/gateway/api-keys/create.md",
        "https://docs.baseten.co/reference/management-api/models/list.md",
    ]


def test_urls_are_normalised_before_the_prefix_filter() -> None:
    index = """## Docs
- [Up and out](https://docs.baseten.co/reference/management-api/../../secret.md)
- [Encoded dots](https://docs.baseten.co/reference/management-api/%2e%2E/%2E%2e/secret.md)
- [Encoded slash](https://docs.baseten.co/reference/management-api/..%2F..%2Fsecret.md)
- [Same page, spelled oddly](https://DOCS.baseten.co/reference/./management-api/models/%6C%69st.md)
- [Inside](https://docs.baseten.co/reference/management-api/models/x/../list.md)
"""
    selected = select_pages(
        parse_index(index, "https://docs.baseten.co/llms.txt"), ("/reference/management-api/",)
    )
    assert selected.urls == ["https://docs.baseten.co/reference/management-api/models/list.md"]
    assert len(selected.refused) == 1
    assert "refusing an encoded slash" in selected.refused[0]
