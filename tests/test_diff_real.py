"""The spec diff on real version pairs (tests/fixtures/diff, see SOURCES.tsv there)."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path
from typing import Any

import pytest

from generator.diff import Change, Level, diff_specs, render
from generator.loader import parse_document
from generator.openapi import HTTP_METHODS

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
BASETEN = sorted(FIXTURES.glob("baseten-*.json.gz"))


@functools.cache
def load(name: str) -> dict[str, Any]:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"fixture {name} is not present")
    return parse_document(gzip.decompress(path.read_bytes()), name.removesuffix(".gz"))


@functools.cache
def diff(old: str, new: str) -> list[Change]:
    return diff_specs(load(old), load(new), old_label=old, new_label=new)


def operations(document: dict[str, Any]) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def found(changes: list[Change], rule: str) -> list[Change]:
    return [change for change in changes if change.rule == rule]


@pytest.mark.parametrize(
    ("old", "new"),
    list(zip([path.name for path in BASETEN], [path.name for path in BASETEN[1:]], strict=False)),
)
def test_baseten_versions_list_every_operation_added_and_removed(old: str, new: str) -> None:
    changes = diff(old, new)
    before, after = operations(load(old)), operations(load(new))
    assert {change.operation for change in found(changes, "operation-added")} == after - before
    assert {change.operation for change in found(changes, "operation-removed")} == before - after
    for change in found(changes, "operation-removed"):
        assert change.level is Level.BREAKING
    text = render(changes)
    for operation in after ^ before:
        assert operation in text


def test_baseten_api_key_to_bearer_auth_is_breaking() -> None:
    old, new = "baseten-2026-06-08-78b4ccc.json.gz", "baseten-2026-06-15-5c2cf43.json.gz"
    changes = diff(old, new)
    [requirement] = found(changes, "security-requirement-changed")
    assert requirement.level is Level.BREAKING
    assert (requirement.old, requirement.new) == ("ApiKeyAuth", "BearerAuth")
    assert requirement.pointer == "/security"
    # every operation that inherits the top-level security is affected
    assert set(requirement.operations) == operations(load(old)) & operations(load(new))
    [removed] = found(changes, "security-scheme-removed")
    assert removed.pointer == "/components/securitySchemes/ApiKeyAuth"
    assert removed.level is Level.COMPATIBLE  # the requirement change above carries the break
    [added] = found(changes, "security-scheme-added")
    assert added.pointer == "/components/securitySchemes/BearerAuth"
    assert "security changed from `ApiKeyAuth` to `BearerAuth`" in render(changes)


def test_openai_endpoint_removals() -> None:
    changes = diff("openai.eab237b.yaml.gz", "openai.d9c3021.yaml.gz")
    # all were deprecated, with no sunset date: callers were warned
    removed = found(changes, "operation-removed-after-deprecation")
    assert not found(changes, "operation-removed")
    assert {change.operation for change in removed} == {
        "POST /answers",
        "POST /classifications",
        "GET /engines",
        "GET /engines/{engine_id}",
        "POST /engines/{engine_id}/search",
    }
    assert not found(changes, "operation-added")


def test_openai_path_parameter_rename_is_not_a_removal() -> None:
    changes = diff("openai.1ff8b64.json.gz", "openai.bf2a340.json.gz")
    assert not found(changes, "operation-removed")
    assert not found(changes, "operation-added")
    renamed = found(changes, "path-parameter-renamed")
    assert {change.operation for change in renamed} == {
        f"{method} /fine_tuning/checkpoints/{{permission_id}}/permissions"
        for method in ("GET", "POST", "DELETE")
    }
    assert {(change.old, change.new) for change in renamed} == {
        ("fine_tuned_model_checkpoint", "permission_id")
    }


def test_k8s_allof_rewrite_reports_only_the_two_widened_types() -> None:
    changes = diff("k8s_core_v1.1.23.json.gz", "k8s_core_v1.1.24.json.gz")
    # Quantity (string -> string or number) and IntOrString (string -> integer or string)
    # may now come back as numbers; the allOf rewrite itself breaks nothing.
    breaking = {(change.rule, change.new) for change in changes if change.level is Level.BREAKING}
    assert breaking == {("response-variant-added", "number"), ("response-variant-added", "integer")}
    # `$ref` -> `allOf: [{$ref}]` (with `default: {}` next to it) is not even a change
    assert not [change for change in changes if change.rule.startswith("request-default")]


def test_k8s_object_meta_cluster_name_removal_is_found() -> None:
    changes = diff("k8s_core_v1.1.24.json.gz", "k8s_core_v1.1.25.json.gz")
    pointer = (
        "/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta/properties/clusterName"
    )
    [response] = [
        change
        for change in found(changes, "response-optional-property-removed")
        if change.pointer == pointer
    ]
    assert response.level is Level.POSSIBLY_BREAKING  # optional: callers handle its absence
    assert response.side == "old"
    assert "GET /api/v1/namespaces/{namespace}/pods/{name}" in response.operations
    [request] = [
        change for change in found(changes, "request-property-removed") if change.pointer == pointer
    ]
    assert request.level is Level.POSSIBLY_BREAKING
    assert "POST /api/v1/namespaces/{namespace}/pods" in request.operations
