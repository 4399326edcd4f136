"""Names and docstrings from untrusted spec text."""

from __future__ import annotations

import ast

import pytest

from generator.naming import (
    argument_name,
    docstring,
    pascal_case,
    resource_members,
    snake_case,
    unique,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("model_id", "model_id"),
        ("getHTTPResponse", "get_http_response"),
        ("x-request-id", "x_request_id"),
        ("class", "class_"),
        ("match", "match_"),
        ("1st", "value_1st"),
        ("", "value"),
        ("Ünïcode näme", "unicode_name"),
        ("self", "self"),  # a fine method name; as an argument see below
    ],
)
def test_snake_case(text: str, expected: str) -> None:
    assert snake_case(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SecretV1", "SecretV1"),
        ("my-model.v1", "MyModelV1"),
        ("import os", "ImportOs"),
        ("Field", "FieldModel"),
        ("2fa", "Model2fa"),
        ("OAuthToken", "OAuthToken"),
    ],
)
def test_pascal_case(text: str, expected: str) -> None:
    assert pascal_case(text) == expected


def test_arguments_never_shadow_what_the_method_body_uses() -> None:
    taken: set[str] = set()
    names = [argument_name(text, taken) for text in ("self", "timeout", "body", "limit", "limit")]
    assert names == ["self_", "timeout_", "body_", "limit", "limit2"]


def test_reserved_members_are_what_the_runtime_defines() -> None:
    # Introspected, so they follow the runtime: no stale entries, nothing missing.
    assert {
        "request",
        "close",
        "aclose",
        "base_url",
        "timeout",
        "max_retries",
    } <= resource_members()
    assert "_post" not in resource_members() and "_get" not in resource_members()


def test_unique_appends_numbers() -> None:
    taken: set[str] = set()
    assert [unique("a", taken) for _ in range(3)] == ["a", "a2", "a3"]


@pytest.mark.parametrize(
    "text",
    ['ends with a quote "', 'has """ triple', "back\\slash \\N{x}", "ctrl \x00\x1b chars", '"""'],
)
def test_docstring_is_safe_inside_triple_quotes(text: str) -> None:
    body = docstring(text)
    tree = ast.parse(f'def f():\n    """{body}\n    """\n')
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert len(function.body) == 1  # nothing escaped the docstring


def test_docstring_drops_repeated_summary() -> None:
    assert docstring("Get a model", "Get a model") == "Get a model"
