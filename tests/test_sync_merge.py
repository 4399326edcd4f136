"""Merging page documents into one spec (generator/sync/merge.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from generator.errors import UpstreamError
from generator.sync.extract import PageDocument
from generator.sync.merge import merge_documents


def document(path: str, method: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "servers": [{"url": "https://api.example"}],
        "security": [{"BearerAuth": []}],
        "paths": {
            path: {
                "parameters": [{"$ref": "#/components/parameters/id"}],
                method: {"responses": {"200": {"description": "ok"}}},
            }
        },
        "components": {
            "schemas": {"Thing": schema or {"type": "object"}},
            "parameters": {"id": {"name": "id", "in": "path", "required": True}},
        },
    }


def page(name: str, path: str, method: str, doc: dict[str, Any]) -> PageDocument:
    return PageDocument(f"https://docs.example/{name}.md", method, path, doc, "")


PAGES = [
    page("b", "/v1/things/{id}", "get", document("/v1/things/{id}", "get")),
    page("a", "/v1/things/{id}", "delete", document("/v1/things/{id}", "delete")),
    page("c", "/v1/other", "post", document("/v1/other", "post")),
]


def test_union_of_operations_and_shared_components() -> None:
    spec = merge_documents(PAGES)
    assert list(spec) == ["openapi", "info", "servers", "security", "paths", "components"]
    assert list(spec["paths"]) == ["/v1/other", "/v1/things/{id}"]  # sorted
    assert list(spec["paths"]["/v1/things/{id}"]) == ["parameters", "get", "delete"]
    assert list(spec["components"]["schemas"]) == ["Thing"]


def test_order_does_not_depend_on_page_order() -> None:
    forward = json.dumps(merge_documents(PAGES))
    assert json.dumps(merge_documents(PAGES[::-1])) == forward


def test_component_conflict_names_both_pages_and_the_pointer() -> None:
    other = page("d", "/v1/more", "get", document("/v1/more", "get", {"type": "string"}))
    with pytest.raises(UpstreamError) as failure:
        merge_documents([*PAGES, other])
    assert str(failure.value) == (
        "merge conflict at /components/schemas/Thing/type: "
        "https://docs.example/b.md and https://docs.example/d.md disagree"
    )


def test_path_level_parameters_must_agree() -> None:
    changed = document("/v1/things/{id}", "put")
    changed["paths"]["/v1/things/{id}"]["parameters"] = []
    with pytest.raises(
        UpstreamError, match=r"at /paths/~1v1~1things~1\{id\}/parameters: .*b\.md and .*e\.md"
    ):
        merge_documents([*PAGES, page("e", "/v1/things/{id}", "put", changed)])


def test_same_operation_twice_must_be_identical() -> None:
    twin = copy.deepcopy(PAGES[0].document)
    assert merge_documents([*PAGES, page("twin", "/v1/things/{id}", "get", twin)])
    twin["paths"]["/v1/things/{id}"]["get"]["summary"] = "different"
    with pytest.raises(UpstreamError, match=r"/get/summary: .*b\.md and .*twin\.md disagree"):
        merge_documents([*PAGES, page("twin", "/v1/things/{id}", "get", twin)])


@pytest.mark.parametrize("key", ["info", "servers", "security", "openapi"])
def test_top_level_must_agree(key: str) -> None:
    odd = document("/v1/odd", "get")
    odd[key] = {"title": "Other", "version": "1"} if key == "info" else "3.0.3"
    with pytest.raises(UpstreamError, match=rf"merge conflict at /{key}"):
        merge_documents([*PAGES, page("odd", "/v1/odd", "get", odd)])


def test_no_page_of_the_api_is_an_error() -> None:
    with pytest.raises(UpstreamError, match="no page of the index"):
        merge_documents([])
