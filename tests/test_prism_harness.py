"""The contract-test harness: Prism as a validating mock, and request examples it accepts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]  # no type information shipped
import pytest
from support.examples import (
    ExampleError,
    example_for,
    expand_path,
    iter_operations,
    operation_arguments,
    request_options,
)
from support.prism import (
    PrismNotInstalled,
    prism_binary,
    prism_problem_type,
    request_violations,
    response_violations,
    start_prism,
)

FIXTURE = Path(__file__).parent / "fixtures" / "prism" / "petstore-3.1.json"
AUTH = {"Authorization": "Bearer test-key"}
VALID_PET = {"name": "Tom", "tag": None, "price": "1.5", "animal": {"kind": "cat", "lives": 9}}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_text())
    return loaded


@pytest.fixture(scope="module")
def prism() -> Iterator[httpx.Client]:
    # errors=True: a mock response that breaks the spec would come back as a 500 problem.
    with (
        start_prism(FIXTURE, errors=True) as base_url,
        httpx.Client(base_url=base_url, headers=AUTH, timeout=30) as client,
    ):
        yield client


# -- against Prism ----------------------------------------------------------------------------


@pytest.mark.prism
def test_valid_request_gets_the_mock_response(prism: httpx.Client) -> None:
    response = prism.post("/pets", json=VALID_PET)

    assert request_violations(response) == []
    assert response_violations(response) == []
    assert prism_problem_type(response) is None
    assert response.status_code == 200
    assert response.json()["name"] == "Tom"  # the spec's example


@pytest.mark.prism
def test_mock_is_generated_from_the_schema_without_an_example(prism: httpx.Client) -> None:
    response = prism.get("/pets", params={"limit": 5})

    assert request_violations(response) == []
    assert response.status_code == 200
    assert set(response.json()) == {"pets", "next_page"}


@pytest.mark.prism
@pytest.mark.parametrize(
    ("method", "url", "options", "expected"),
    [
        ("POST", "/pets", {"json": {**VALID_PET, "name": 7}}, "body.name: "),
        ("POST", "/pets", {"json": {**VALID_PET, "animal": {"kind": "cow"}}}, "body.animal"),
        ("POST", "/pets", {"json": {**VALID_PET, "extra": 1}}, "additional properties"),
        (
            "POST",
            "/pets",
            {"content": b"{", "headers": {"Content-Type": "application/json"}},
            "JSON",
        ),
        (
            "POST",
            "/pets",
            {"json": VALID_PET, "headers": {"Authorization": "Basic eDp5"}},
            "UNAUTHORIZED",
        ),
        ("GET", "/pets", {}, "query: Request query must have required property 'limit'"),
        ("GET", "/pets", {"params": {"limit": 0}}, "query.limit: "),
        (
            "GET",
            "/pets/NOT-LOWER",
            {"headers": {"X-Request-Id": "8c7a3a5e-2b1f-4f5e-9a3b-0c1d2e3f4a5b"}},
            "path.pet_id",
        ),
        ("GET", "/pets/abc", {}, "x-request-id"),
        ("GET", "/nowhere", {}, "NO_PATH_MATCHED_ERROR"),
        ("PUT", "/pets/abc", {}, "NO_METHOD_MATCHED_ERROR"),
    ],
)
def test_invalid_request_is_reported_as_a_violation(
    prism: httpx.Client, method: str, url: str, options: dict[str, Any], expected: str
) -> None:
    response = prism.request(method, url, **options)

    violations = request_violations(response)
    assert any(expected in violation for violation in violations), violations
    assert response.status_code >= 400


@pytest.mark.prism
@pytest.mark.parametrize("required_only", [True, False], ids=["required", "all-fields"])
def test_examples_are_accepted_for_every_operation(
    prism: httpx.Client, document: dict[str, Any], required_only: bool
) -> None:
    failures = []
    for method, path in iter_operations(document):
        arguments = operation_arguments(document, method, path, required_only=required_only)
        response = prism.request(**request_options(method, path, arguments))
        problems = request_violations(response) + response_violations(response)
        if problems or response.status_code != 200:
            failures.append(f"{method.upper()} {path} -> {response.status_code} {problems}")

    assert failures == []


# -- reading Prism's replies (recorded shapes, no Prism needed) --------------------------------


def _reply(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    content_type = "application/problem+json" if status >= 400 else "application/json"
    return httpx.Response(
        status, json=body, headers={"content-type": content_type, **(headers or {})}
    )


def test_violations_are_read_from_every_reply_shape() -> None:
    rejected = _reply(
        422,
        {
            "type": "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
            "status": 422,
            "validation": [
                {"location": ["body", "name"], "severity": "Error", "message": "must be string"}
            ],
        },
    )
    mocked_422 = httpx.Response(
        422,
        json={"detail": "string"},
        headers={
            "sl-violations": '[{"location":["request","query","limit"],"severity":"Error",'
            '"message":"must be >= 1"}]'
        },
    )
    bad_mock = _reply(
        200,
        {"tag": 5},
        {
            "sl-violations": '[{"location":["response","body","tag"],"severity":"Error",'
            '"message":"must be string,null"}]'
        },
    )
    bad_mock_with_errors = _reply(
        500,
        {
            "type": "https://stoplight.io/prism/errors#VIOLATIONS",
            "validation": [
                {"location": ["response", "body"], "severity": "Error", "message": "bad"}
            ],
        },
    )
    spec_problem = _reply(500, {"type": "https://example.com/problems/server", "title": "x"})

    assert request_violations(rejected) == ["body.name: must be string"]
    assert request_violations(mocked_422) == ["request.query.limit: must be >= 1"]
    assert request_violations(bad_mock) == []
    assert response_violations(bad_mock) == ["response.body.tag: must be string,null"]
    assert request_violations(bad_mock_with_errors) == []
    assert response_violations(bad_mock_with_errors) == ["response.body: bad"]
    assert prism_problem_type(spec_problem) is None
    assert request_violations(_reply(200, {"ok": True})) == []


def test_missing_prism_says_to_run_make_tools(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PRISM", str(tmp_path / "missing" / "prism"))

    with pytest.raises(PrismNotInstalled, match="make tools"):
        prism_binary()


# -- examples ---------------------------------------------------------------------------------

COMPONENTS: dict[str, Any] = {
    "Base": {
        "type": "object",
        "properties": {"id": {"type": "string", "format": "uuid"}},
        "required": ["id"],
    },
    "Cat": {
        "type": "object",
        "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer", "minimum": 1}},
        "required": ["kind", "lives"],
    },
    "Dog": {"type": "object", "properties": {"kind": {"type": "string"}}, "required": ["kind"]},
    "Bird": {"type": "object", "properties": {"kind": {"type": "string"}}},
    "Node": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "parent": {"$ref": "#/components/schemas/Node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
        "required": ["name"],
    },
    "Chain": {
        "type": "object",
        "properties": {
            "next": {"anyOf": [{"$ref": "#/components/schemas/Chain"}, {"type": "null"}]}
        },
        "required": ["next"],
    },
    "Loop": {
        "type": "object",
        "properties": {"next": {"$ref": "#/components/schemas/Loop"}},
        "required": ["next"],
    },
}
DOCUMENT: dict[str, Any] = {"openapi": "3.1.0", "components": {"schemas": COMPONENTS}}
TRICKY_SCHEMAS: dict[str, Any] = {
    "type-list-with-null": {"type": ["null", "string"], "minLength": 3},
    "anyof-null-first": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Base"}]},
    "enum-null-first": {"enum": [None, "b"]},
    "const": {"const": 42},
    "decimal-pattern": {
        "anyOf": [
            {"type": "string", "pattern": r"^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$"},
            {"type": "number"},
        ]
    },
    "pattern-from-examples": {
        "type": "string",
        "pattern": r"^[A-Z]{3}-\d+$",
        "examples": ["ABC-7"],
    },
    "exclusive-minimum": {"type": "integer", "exclusiveMinimum": 5},
    "pinned-integer": {"type": "integer", "minimum": 10, "maximum": 10},
    "multiple-of": {"type": "integer", "minimum": 10, "multipleOf": 7},
    "negative-number": {"type": "number", "exclusiveMaximum": 0},
    "long-string": {"type": "string", "minLength": 10},
    "short-string": {"type": "string", "maxLength": 2},
    "formats": {
        "type": "object",
        "properties": {
            name: {"type": "string", "format": name}
            for name in ("date-time", "date", "uuid", "email", "uri", "ipv4")
        },
        "required": ["date-time", "date", "uuid", "email", "uri", "ipv4"],
    },
    "array-min-items": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
    "unique-enum-items": {
        "type": "array",
        "items": {"enum": ["a", "b", "c"]},
        "minItems": 2,
        "uniqueItems": True,
    },
    "all-of": {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"properties": {"extra": {"type": "boolean"}}, "required": ["extra"]},
        ],
        "unevaluatedProperties": False,
    },
    "ref-with-siblings": {"$ref": "#/components/schemas/Base", "required": ["name"]},
    "map": {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 1},
    "recursive": {"$ref": "#/components/schemas/Node"},
    "recursive-through-null": {"$ref": "#/components/schemas/Chain"},
}


def _assert_valid(value: Any, schema: Any) -> None:
    # Validate inside the document so internal references resolve.
    root = {**DOCUMENT, "$defs": {"target": schema}, "$ref": "#/$defs/target"}
    validator = jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [error.message for error in validator.iter_errors(value)]
    assert errors == [], (value, errors)


@pytest.mark.parametrize("required_only", [True, False], ids=["required", "all-fields"])
@pytest.mark.parametrize("name", TRICKY_SCHEMAS)
def test_example_is_valid_for_tricky_schema(name: str, required_only: bool) -> None:
    schema = TRICKY_SCHEMAS[name]

    value = example_for(schema, DOCUMENT, required_only=required_only)

    _assert_valid(value, schema)


def test_example_choices_prefer_values_over_null() -> None:
    assert example_for(TRICKY_SCHEMAS["type-list-with-null"], DOCUMENT) == "abc123"
    assert example_for(TRICKY_SCHEMAS["enum-null-first"], DOCUMENT) == "b"
    assert example_for(TRICKY_SCHEMAS["recursive-through-null"], DOCUMENT) == {"next": None}


def test_example_reads_ecma_named_groups() -> None:
    # Python's `re` (and so jsonschema) cannot compile `(?<name>...)`; examples.py translates it.
    schema = {"type": "string", "pattern": r"^(?<word>[a-z]+)\d+$"}

    assert example_for(schema, DOCUMENT) == "abc123"


def test_example_sets_the_discriminator_of_the_chosen_branch() -> None:
    def animal(mapping: dict[str, str] | None, *branches: str) -> dict[str, Any]:
        refs = [{"$ref": f"#/components/schemas/{branch}"} for branch in branches]
        discriminator: dict[str, Any] = {"propertyName": "kind"}
        if mapping is not None:
            discriminator["mapping"] = mapping
        return {"oneOf": refs, "discriminator": discriminator}

    mapped = animal({"doggo": "#/components/schemas/Dog"}, "Dog", "Cat")
    assert example_for(mapped, DOCUMENT) == {"kind": "doggo"}
    assert example_for(animal(None, "Bird"), DOCUMENT) == {"kind": "Bird"}
    assert example_for(animal(None, "Cat"), DOCUMENT) == {"kind": "cat", "lives": 1}


def test_example_optional_fields_and_recursion() -> None:
    node = {"$ref": "#/components/schemas/Node"}

    assert example_for(node, DOCUMENT) == {"name": "abc123"}
    # The optional `parent` would recurse forever: it is left out, `children` stays empty.
    assert example_for(node, DOCUMENT, required_only=False) == {"name": "abc123", "children": []}


def test_example_leaves_out_read_only_properties() -> None:
    schema = {
        "type": "object",
        "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}},
        "required": ["id", "name"],
    }

    assert example_for(schema, DOCUMENT) == {"name": "abc123"}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"$ref": "#/components/schemas/Loop"}, "Loop contains itself"),
        ({"type": "string", "pattern": "^(?=x)y$"}, "no candidate matches pattern"),
        ({"$ref": "other.json#/Thing"}, r"only internal \$ref"),
        ({"$ref": "#/components/schemas/Missing"}, "does not exist"),
        ({"type": "integer", "minimum": 2, "maximum": 1}, "no integer fits"),
    ],
)
def test_example_errors_name_the_problem(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(ExampleError, match=message):
        example_for(schema, DOCUMENT)


def test_operation_arguments_merge_parameters_and_choose_the_body(document: dict[str, Any]) -> None:
    get_pet = operation_arguments(document, "get", "/pets/{pet_id}")
    update_pet = operation_arguments(document, "patch", "/pets/{pet_id}")
    update_pet_fully = operation_arguments(document, "patch", "/pets/{pet_id}", required_only=False)
    list_pets = operation_arguments(document, "GET", "/pets", required_only=False)

    assert get_pet["path"] == {"pet_id": "abc123"}  # from the path item's $ref parameter
    assert get_pet["header"] == {"X-Request-Id": "8c7a3a5e-2b1f-4f5e-9a3b-0c1d2e3f4a5b"}
    assert update_pet["body"] is None  # optional body with no required fields
    assert update_pet_fully["body"] == {"name": "abc123", "price": 1.5}
    assert list_pets["query"] == {"limit": 1, "kind": "cat"}
    assert expand_path("/pets/{pet_id}", {"pet_id": "a b/c"}) == "/pets/a%20b%2Fc"


def test_operation_level_parameter_overrides_the_path_level_one() -> None:
    document = {
        "openapi": "3.0.3",
        "paths": {
            "/things/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "get": {
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                        {"name": "q", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "responses": {},
                },
            }
        },
    }

    arguments = operation_arguments(document, "get", "/things/{id}", required_only=False)

    assert arguments["path"] == {"id": 1}
    assert request_options("get", "/things/{id}", arguments)["params"] == {"q": "true"}


def test_example_follows_a_pattern_no_candidate_matches() -> None:
    # Twilio SIDs: two letters then 32 hex digits.
    assert example_for({"type": "string", "pattern": "^DN[0-9a-fA-F]{32}$"}, DOCUMENT) == (
        "DN" + "0" * 32
    )
