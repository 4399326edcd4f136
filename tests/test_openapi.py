"""The navigation rules every stage shares: pointers, refs, media types, parameters, retries."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from generator.openapi import (
    RefError,
    deref,
    json_pointer,
    media_kind,
    merge_parameters,
    pointer_parts,
    ref_to,
    resolve_pointer,
    resolve_ref,
)
from generator.runtime._retry import backoff, retry_after_seconds


def test_pointer_round_trip_and_uri_fragments() -> None:
    parts = ("paths", "/a/{id}", "m~n", "a b%")
    assert json_pointer(parts) == "/paths/~1a~1{id}/m~0n/a b%"
    assert ref_to(parts) == "#/paths/~1a~1%7Bid%7D/m~0n/a%20b%25"
    assert pointer_parts(ref_to(parts)) == parts
    assert pointer_parts(json_pointer(parts)) == parts
    document = {"paths": {"/a/{id}": {"m~n": {"a b%": 1}}}}
    assert resolve_pointer(document, ref_to(parts)) == 1


def test_one_cycle_policy_for_ref_chains() -> None:
    document = {
        "components": {
            "parameters": {
                "a": {"$ref": "#/components/parameters/b"},
                "b": {"$ref": "#/components/parameters/a"},
                "c": {"$ref": "#/components/parameters/d"},
                "d": {"name": "x", "in": "query"},
            }
        }
    }
    last, node = resolve_ref(document, {"$ref": "#/components/parameters/c"})
    assert (last, node) == ("#/components/parameters/d", {"name": "x", "in": "query"})
    with pytest.raises(RefError, match="cycle"):
        resolve_ref(document, {"$ref": "#/components/parameters/a"})
    with pytest.raises(RefError, match="unresolvable"):
        resolve_ref(document, {"$ref": "#/components/parameters/zz"})
    with pytest.raises(RefError, match="not internal"):
        resolve_ref(document, {"$ref": "other.yaml#/x"})
    assert deref(document, {"$ref": "#/components/parameters/a"}) is None


@pytest.mark.parametrize(
    ("media_type", "kind"),
    [
        ("application/json", "json"),
        ("Application/JSON; charset=utf-8", "json"),
        ("application/vnd.api+json", "json"),
        ("*/*", "json"),
        ("application/x-www-form-urlencoded", "form"),
        ("multipart/form-data", "multipart"),
        ("text/plain", "text"),
        ("application/octet-stream", "binary"),
    ],
)
def test_media_kinds(media_type: str, kind: str) -> None:
    assert media_kind(media_type) == kind


def test_operation_parameters_override_path_parameters_header_names_ignore_case() -> None:
    document = {"components": {"parameters": {"p": {"name": "q", "in": "query"}}}}
    item = {
        "parameters": [
            {"name": "X-Trace", "in": "header", "description": "path level"},
            {"$ref": "#/components/parameters/p"},
        ]
    }
    operation = {"parameters": [{"name": "x-trace", "in": "header", "description": "op level"}]}
    merged = merge_parameters(document, item, operation)
    assert [(where, p["name"], p.get("description")) for where, p in merged] == [
        ("operation/parameters/0", "x-trace", "op level"),
        ("path-item/parameters/1", "q", None),
    ]


def test_retry_after_in_every_form() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after_seconds(httpx.Headers({"Retry-After": "7"})) == 7.0
    dated = httpx.Headers({"Retry-After": "Thu, 01 Jan 2026 12:00:30 GMT"})
    assert retry_after_seconds(dated, now=now) == 30.0
    # A date without a zone is an HTTP date all the same: UTC, not the machine's local time.
    zoneless = httpx.Headers({"Retry-After": "Thu, 01 Jan 2026 12:00:30"})
    assert retry_after_seconds(zoneless, now=now) == 30.0
    assert retry_after_seconds(httpx.Headers(), {"retry_after": 4}) == 4.0
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None


def test_backoff_doubles_with_jitter_up_to_the_ceiling() -> None:
    for retries, ceiling in ((0, 0.5), (1, 1.0), (2, 2.0), (10, 8.0)):
        for _ in range(20):
            assert ceiling * 0.75 <= backoff(retries) <= ceiling
    assert 22.5 <= backoff(10, cap=30.0) <= 30.0
