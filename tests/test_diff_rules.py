"""One small synthetic case per spec-diff rule: a change that fires it, and a near miss
that must not (an equivalent rewrite, or the same edit in the harmless direction)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.diff import RULES, Change, Level, diff_specs
from generator.diff.rules import keyword_rule

Spec = dict[str, Any]

OK = {"200": {"description": "ok"}}


def spec(
    paths: dict[str, Any] | None = None,
    schemas: dict[str, Any] | None = None,
    *,
    security: list[Any] | None = None,
    schemes: dict[str, Any] | None = None,
    version: str = "3.0.3",
) -> Spec:
    document: Spec = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {}}
    document["paths"] = paths or {}
    components: Spec = {}
    if schemas:
        components["schemas"] = schemas
    if schemes:
        components["securitySchemes"] = schemes
    if components:
        document["components"] = components
    if security is not None:
        document["security"] = security
    return document


def operation(**fields: Any) -> Spec:
    return {"responses": OK, **fields}


def with_parameters(*parameters: Spec, path: str = "/things/{id}") -> Spec:
    path_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return spec({path: {"get": operation(parameters=[path_parameter, *parameters])}})


def query(name: str = "limit", required: bool = False, **schema: Any) -> Spec:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema or {"type": "integer"},
    }


def request(
    schema: Any, *, media: str = "application/json", required: bool = True, version: str = "3.0.3"
) -> Spec:
    """POST /things sending `schema`, also published as components/schemas/Thing."""
    body = {
        "required": required,
        "content": {media: {"schema": {"$ref": "#/components/schemas/Thing"}}},
    }
    return spec(
        {"/things": {"post": operation(requestBody=body)}}, {"Thing": schema}, version=version
    )


def response(
    schema: Any, *, media: str = "application/json", status: str = "200", version: str = "3.0.3"
) -> Spec:
    """GET /things returning `schema`, also published as components/schemas/Thing."""
    content = {media: {"schema": {"$ref": "#/components/schemas/Thing"}}}
    responses = {status: {"description": "ok", "content": content}}
    return spec({"/things": {"get": {"responses": responses}}}, {"Thing": schema}, version=version)


def obj(required: list[str] | None = None, **properties: Any) -> Spec:
    schema: Spec = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def keyed(
    schemes: dict[str, Any], security: list[Any], op_security: list[Any] | None = None
) -> Spec:
    op = operation() if op_security is None else operation(security=op_security)
    return spec({"/things": {"get": op}}, security=security, schemes=schemes)


API_KEY = {"type": "apiKey", "in": "header", "name": "Authorization"}
BEARER = {"type": "http", "scheme": "bearer"}
OAUTH = {
    "type": "oauth2",
    "flows": {
        "clientCredentials": {"tokenUrl": "https://auth/token", "scopes": {"a": "", "b": ""}}
    },
}
SCHEMES = {"ApiKeyAuth": API_KEY, "BearerAuth": BEARER, "OAuth": OAUTH}

# (rule, old spec, new spec, whether the rule must fire)
CASES: list[tuple[str, Spec, Spec, bool]] = [
    # operations
    ("operation-added", spec(), spec({"/a": {"get": operation()}}), True),
    (
        "operation-added",
        spec({"/a": {"get": operation()}}),
        spec({"/a": {"get": operation()}}),
        False,
    ),
    (
        "operation-removed",
        spec({"/a": {"get": operation()}}),
        spec({"/a": {"post": operation()}}),
        True,
    ),
    # a path-parameter rename is not a removal
    (
        "operation-removed",
        with_parameters(path="/things/{id}"),
        spec(
            {
                "/things/{thing_id}": {
                    "get": operation(
                        parameters=[
                            {"name": "thing_id", "in": "path", "required": True, "schema": STRING}
                        ]
                    )
                }
            }
        ),
        False,
    ),
    (
        "operation-deprecated",
        spec({"/a": {"get": operation()}}),
        spec({"/a": {"get": operation(deprecated=True)}}),
        True,
    ),
    (
        "operation-deprecated",
        spec({"/a": {"get": operation(deprecated=True)}}),
        spec({"/a": {"get": operation(deprecated=True)}}),
        False,
    ),
    (
        "operation-undeprecated",
        spec({"/a": {"get": operation(deprecated=True)}}),
        spec({"/a": {"get": operation()}}),
        True,
    ),
    (
        "operation-undeprecated",
        spec({"/a": {"get": operation()}}),
        spec({"/a": {"get": operation(deprecated=False)}}),
        False,
    ),
    (
        "operation-id-changed",
        spec({"/a": {"get": operation(operationId="listA")}}),
        spec({"/a": {"get": operation(operationId="getAll")}}),
        True,
    ),
    (
        "operation-id-changed",
        spec({"/a": {"get": operation(operationId="listA")}}),
        spec({"/a": {"get": operation(operationId="listA", summary="new words")}}),
        False,
    ),
    (
        "path-parameter-renamed",
        with_parameters(path="/things/{id}"),
        spec(
            {
                "/things/{thing_id}": {
                    "get": operation(
                        parameters=[
                            {"name": "thing_id", "in": "path", "required": True, "schema": STRING}
                        ]
                    )
                }
            }
        ),
        True,
    ),
    ("path-parameter-renamed", with_parameters(), with_parameters(), False),
    # parameters
    (
        "request-parameter-added-required",
        with_parameters(),
        with_parameters(query(required=True)),
        True,
    ),
    # a new required request header
    (
        "request-parameter-added-required",
        with_parameters(),
        with_parameters({**query("X-Request-Id", required=True), "in": "header"}),
        True,
    ),
    ("request-parameter-added-required", with_parameters(), with_parameters(query()), False),
    ("request-parameter-added", with_parameters(), with_parameters(query()), True),
    ("request-parameter-added", with_parameters(), with_parameters(query(required=True)), False),
    ("request-parameter-removed", with_parameters(query()), with_parameters(), True),
    # header names are case-insensitive
    (
        "request-parameter-removed",
        with_parameters({"name": "X-Trace", "in": "header", "schema": STRING}),
        with_parameters({"name": "x-trace", "in": "header", "schema": STRING}),
        False,
    ),
    (
        "request-parameter-became-required",
        with_parameters(query()),
        with_parameters(query(required=True)),
        True,
    ),
    (
        "request-parameter-became-required",
        with_parameters(query(required=True)),
        with_parameters(query()),
        False,
    ),
    (
        "request-parameter-became-optional",
        with_parameters(query(required=True)),
        with_parameters(query()),
        True,
    ),
    (
        "request-parameter-became-optional",
        with_parameters(query()),
        with_parameters(query(required=True)),
        False,
    ),
    # request bodies
    (
        "request-body-added-required",
        spec({"/a": {"post": operation()}}),
        spec(
            {
                "/a": {
                    "post": operation(
                        requestBody={
                            "required": True,
                            "content": {"application/json": {"schema": STRING}},
                        }
                    )
                }
            }
        ),
        True,
    ),
    (
        "request-body-added-required",
        spec({"/a": {"post": operation()}}),
        spec(
            {
                "/a": {
                    "post": operation(
                        requestBody={"content": {"application/json": {"schema": STRING}}}
                    )
                }
            }
        ),
        False,
    ),
    (
        "request-body-added",
        spec({"/a": {"post": operation()}}),
        spec(
            {
                "/a": {
                    "post": operation(
                        requestBody={"content": {"application/json": {"schema": STRING}}}
                    )
                }
            }
        ),
        True,
    ),
    ("request-body-added", request(STRING), request(STRING), False),
    ("request-body-removed", request(STRING), spec({"/things": {"post": operation()}}), True),
    ("request-body-removed", request(STRING), request(STRING, required=False), False),
    ("request-body-became-required", request(STRING, required=False), request(STRING), True),
    ("request-body-became-required", request(STRING), request(STRING), False),
    ("request-body-became-optional", request(STRING), request(STRING, required=False), True),
    ("request-body-became-optional", request(STRING, required=False), request(STRING), False),
    ("request-media-type-removed", request(STRING), request(STRING, media="text/plain"), True),
    # media type parameters do not make another media type
    (
        "request-media-type-removed",
        request(STRING),
        request(STRING, media="application/json; charset=utf-8"),
        False,
    ),
    ("request-media-type-added", request(STRING, media="text/plain"), request(STRING), True),
    ("request-media-type-added", request(STRING), request(STRING, media="*/*"), False),
    ("request-media-type-generalized", request(STRING), request(STRING, media="*/*"), True),
    ("request-media-type-generalized", request(STRING), request(STRING, media="text/plain"), False),
    (
        "request-media-type-changed",
        request(STRING),
        request(STRING, media="application/merge-patch+json"),
        True,
    ),
    ("request-media-type-changed", request(STRING), request(STRING, media="text/plain"), False),
    # request schemas
    (
        "request-property-added-required",
        request(obj(a=STRING)),
        request(obj(["b"], a=STRING, b=STRING)),
        True,
    ),
    # the client never sends a readOnly property
    (
        "request-property-added-required",
        request(obj(a=STRING)),
        request(obj(["b"], a=STRING, b={"type": "string", "readOnly": True})),
        False,
    ),
    ("request-property-added", request(obj(a=STRING)), request(obj(a=STRING, b=STRING)), True),
    (
        "request-property-added",
        request(obj(a=STRING)),
        request(obj(["b"], a=STRING, b=STRING)),
        False,
    ),
    ("request-property-removed", request(obj(a=STRING, b=STRING)), request(obj(a=STRING)), True),
    (
        "request-property-removed",
        request(obj(a=STRING, b={"type": "string", "readOnly": True})),
        request(obj(a=STRING)),
        False,
    ),
    (
        "request-property-became-required",
        request(obj(a=STRING)),
        request(obj(["a"], a=STRING)),
        True,
    ),
    (
        "request-property-became-required",
        request(obj(["a"], a=STRING)),
        request(obj(a=STRING)),
        False,
    ),
    (
        "request-property-became-optional",
        request(obj(["a"], a=STRING)),
        request(obj(a=STRING)),
        True,
    ),
    (
        "request-property-became-optional",
        request(obj(a=STRING)),
        request(obj(["a"], a=STRING)),
        False,
    ),
    ("request-type-changed", request(obj(a=STRING)), request(obj(a=INTEGER)), True),
    ("request-type-changed", request(obj(a=INTEGER)), request(obj(a={"type": "number"})), False),
    # narrowing what the client may send is a break
    ("request-type-changed", request(obj(a={"type": "number"})), request(obj(a=INTEGER)), True),
    ("request-type-widened", request(obj(a=INTEGER)), request(obj(a={"type": "number"})), True),
    ("request-type-widened", request(obj(a={"type": "number"})), request(obj(a=INTEGER)), False),
    (
        "request-format-changed",
        request(obj(a={"type": "string", "format": "date"})),
        request(obj(a={"type": "string", "format": "date-time"})),
        True,
    ),
    (
        "request-format-changed",
        request(obj(a={"type": "integer", "format": "int32"})),
        request(obj(a={"type": "integer", "format": "int64"})),
        False,
    ),
    (
        "request-became-nullable",
        request(obj(a=STRING)),
        request(obj(a={"type": "string", "nullable": True})),
        True,
    ),
    # 3.0 `nullable: true` and 3.1 `type: [T, "null"]` say the same
    (
        "request-became-nullable",
        request(obj(a={"type": "string", "nullable": True})),
        {**request(obj(a={"type": ["string", "null"]})), "openapi": "3.1.0"},
        False,
    ),
    (
        "request-became-not-nullable",
        request(obj(a={"anyOf": [STRING, {"type": "null"}]})),
        request(obj(a=STRING)),
        True,
    ),
    (
        "request-became-not-nullable",
        request(obj(a=STRING)),
        request(obj(a={"anyOf": [STRING, {"type": "null"}]})),
        False,
    ),
    (
        "request-enum-value-removed",
        request({"type": "string", "enum": ["a", "b"]}),
        request({"type": "string", "enum": ["a"]}),
        True,
    ),
    (
        "request-enum-value-removed",
        request({"type": "string", "enum": ["a", "b"]}),
        request({"type": "string", "enum": ["b", "a"]}),
        False,
    ),
    (
        "request-enum-value-added",
        request({"type": "string", "enum": ["a"]}),
        request({"type": "string", "enum": ["a", "b"]}),
        True,
    ),
    (
        "request-enum-value-added",
        request({"type": "string", "enum": ["a", "b"]}),
        request({"type": "string", "enum": ["a"]}),
        False,
    ),
    ("request-became-enum", request(STRING), request({"type": "string", "enum": ["a"]}), True),
    ("request-became-enum", request({"type": "string", "enum": ["a"]}), request(STRING), False),
    ("request-enum-removed", request({"type": "string", "enum": ["a"]}), request(STRING), True),
    ("request-enum-removed", request(STRING), request({"type": "string", "enum": ["a"]}), False),
    (
        "request-constraint-tightened",
        request({"type": "string", "maxLength": 10}),
        request({"type": "string", "maxLength": 5}),
        True,
    ),
    (
        "request-constraint-tightened",
        request({"type": "string", "maxLength": 10}),
        request({"type": "string", "maxLength": 20}),
        False,
    ),
    # 3.0 boolean exclusiveMinimum and 3.1 numeric exclusiveMinimum: the same bound
    (
        "request-constraint-tightened",
        request({"type": "integer", "minimum": 1, "exclusiveMinimum": True}),
        {**request({"type": "integer", "exclusiveMinimum": 1}), "openapi": "3.1.0"},
        False,
    ),
    (
        "request-constraint-relaxed",
        request({"type": "integer", "minimum": 1}),
        request({"type": "integer", "minimum": 0}),
        True,
    ),
    (
        "request-constraint-relaxed",
        request({"type": "integer", "minimum": 0}),
        request({"type": "integer", "minimum": 1}),
        False,
    ),
    (
        "request-pattern-changed",
        request({"type": "string", "pattern": "^[a-z]+$"}),
        request({"type": "string", "pattern": "^[a-z0-9]+$"}),
        True,
    ),
    (
        "request-pattern-changed",
        request({"type": "string", "pattern": "^[a-z]+$"}),
        request({"type": "string", "pattern": "^[a-z]+$", "description": "x"}),
        False,
    ),
    (
        "request-default-value-changed",
        request(obj(a={"type": "integer", "default": 1})),
        request(obj(a={"type": "integer", "default": 2})),
        True,
    ),
    (
        "request-default-value-changed",
        request(obj(a={"type": "integer", "default": 1})),
        request(obj(a={"allOf": [{"type": "integer"}], "default": 1})),
        False,
    ),
    (
        "request-default-value-removed",
        request(obj(a={"type": "integer", "default": 1})),
        request(obj(a=INTEGER)),
        True,
    ),
    (
        "request-default-value-removed",
        request(obj(a=INTEGER)),
        request(obj(a={"type": "integer", "default": 1})),
        False,
    ),
    (
        "request-default-value-added",
        request(obj(a=INTEGER)),
        request(obj(a={"type": "integer", "default": 1})),
        True,
    ),
    # defaults in responses describe nothing the client sends
    (
        "request-default-value-added",
        response(obj(a=INTEGER)),
        response(obj(a={"type": "integer", "default": 1})),
        False,
    ),
    (
        "request-variant-removed",
        request({"oneOf": [STRING, INTEGER]}),
        request(STRING),
        True,
    ),
    (
        "request-variant-removed",
        request(STRING),
        request({"oneOf": [STRING, INTEGER]}),
        False,
    ),
    ("request-variant-added", request(STRING), request({"oneOf": [STRING, INTEGER]}), True),
    ("request-variant-added", request({"oneOf": [STRING, INTEGER]}), request(STRING), False),
    # responses
    (
        "response-success-status-removed",
        response(STRING),
        response(STRING, status="201"),
        True,
    ),
    (
        "response-success-status-removed",
        response(STRING, status="404"),
        response(STRING, status="400"),
        False,
    ),
    (
        "response-non-success-status-removed",
        response(STRING, status="404"),
        response(STRING, status="400"),
        True,
    ),
    (
        "response-non-success-status-removed",
        response(STRING),
        response(STRING, status="201"),
        False,
    ),
    ("response-status-added", response(STRING), response(STRING, status="201"), True),
    ("response-status-added", response(STRING), response(STRING), False),
    ("response-media-type-removed", response(STRING), response(STRING, media="text/plain"), True),
    ("response-media-type-removed", response(STRING), response(STRING, media="*/*"), False),
    ("response-media-type-added", response(STRING, media="text/plain"), response(STRING), True),
    ("response-media-type-added", response(STRING), response(STRING), False),
    ("response-media-type-generalized", response(STRING), response(STRING, media="*/*"), True),
    ("response-media-type-generalized", response(STRING), response(STRING), False),
    (
        "response-media-type-changed",
        response(STRING),
        response(STRING, media="application/problem+json"),
        True,
    ),
    ("response-media-type-changed", response(STRING), response(STRING, media="text/csv"), False),
    # response schemas
    (
        "response-property-removed",
        response(obj(["b"], a=STRING, b=STRING)),
        response(obj(a=STRING)),
        True,
    ),
    # the client never receives a writeOnly property
    (
        "response-property-removed",
        response(obj(a=STRING, b={"type": "string", "writeOnly": True})),
        response(obj(a=STRING)),
        False,
    ),
    ("response-property-added", response(obj(a=STRING)), response(obj(a=STRING, b=STRING)), True),
    ("response-property-added", response(obj(a=STRING, b=STRING)), response(obj(a=STRING)), False),
    (
        "response-property-became-optional",
        response(obj(["a"], a=STRING)),
        response(obj(a=STRING)),
        True,
    ),
    (
        "response-property-became-optional",
        response(obj(a=STRING)),
        response(obj(["a"], a=STRING)),
        False,
    ),
    (
        "response-property-became-required",
        response(obj(a=STRING)),
        response(obj(["a"], a=STRING)),
        True,
    ),
    (
        "response-property-became-required",
        response(obj(["a"], a=STRING)),
        response(obj(a=STRING)),
        False,
    ),
    ("response-type-changed", response(obj(a=STRING)), response(obj(a=INTEGER)), True),
    # widening what the client may receive is a break...
    ("response-type-widened", response(obj(a=INTEGER)), response(obj(a={"type": "number"})), True),
    ("response-type-widened", response(obj(a=STRING)), response(obj(a=INTEGER)), False),
    (
        "response-type-widened",
        response(obj(a=STRING)),
        response(obj(a={"type": ["string", "integer"]}), version="3.1.0"),
        True,
    ),
    # ...narrowing it is not
    ("response-type-changed", response(obj(a={"type": "number"})), response(obj(a=INTEGER)), False),
    ("response-type-narrowed", response(obj(a={"type": "number"})), response(obj(a=INTEGER)), True),
    (
        "response-type-narrowed",
        response(obj(a=INTEGER)),
        response(obj(a={"type": "number"})),
        False,
    ),
    (
        "response-format-changed",
        response({"type": "string", "format": "date"}),
        response({"type": "string", "format": "uuid"}),
        True,
    ),
    (
        "response-format-changed",
        response({"type": "number", "format": "float"}),
        response({"type": "number", "format": "double"}),
        False,
    ),
    (
        "response-became-nullable",
        response(obj(a=STRING)),
        response(obj(a={"anyOf": [STRING, {"type": "null"}]})),
        True,
    ),
    (
        "response-became-nullable",
        response(obj(a={"type": "string", "nullable": True})),
        response(obj(a={"anyOf": [STRING, {"type": "null"}]})),
        False,
    ),
    (
        "response-became-not-nullable",
        response(obj(a={"type": "string", "nullable": True})),
        response(obj(a=STRING)),
        True,
    ),
    (
        "response-became-not-nullable",
        response(obj(a=STRING)),
        response(obj(a={"type": "string", "nullable": True})),
        False,
    ),
    (
        "response-enum-value-added",
        response({"type": "string", "enum": ["a"]}),
        response({"type": "string", "enum": ["a", "b"]}),
        True,
    ),
    # a new value the client may send is harmless
    (
        "response-enum-value-added",
        request({"type": "string", "enum": ["a"]}),
        request({"type": "string", "enum": ["a", "b"]}),
        False,
    ),
    (
        "response-enum-value-removed",
        response({"type": "string", "enum": ["a", "b"]}),
        response({"type": "string", "enum": ["a"]}),
        True,
    ),
    (
        "response-enum-value-removed",
        response({"type": "string", "enum": ["a"]}),
        response({"type": "string", "enum": ["a", "b"]}),
        False,
    ),
    ("response-enum-removed", response({"type": "string", "enum": ["a"]}), response(STRING), True),
    ("response-enum-removed", response(STRING), response({"type": "string", "enum": ["a"]}), False),
    ("response-became-enum", response(STRING), response({"type": "string", "enum": ["a"]}), True),
    ("response-became-enum", response({"type": "string", "enum": ["a"]}), response(STRING), False),
    (
        "response-constraint-relaxed",
        response({"type": "array", "items": STRING, "maxItems": 5}),
        response({"type": "array", "items": STRING}),
        True,
    ),
    (
        "response-constraint-relaxed",
        response({"type": "array", "items": STRING}),
        response({"type": "array", "items": STRING, "maxItems": 5}),
        False,
    ),
    (
        "response-constraint-tightened",
        response({"type": "array", "items": STRING}),
        response({"type": "array", "items": STRING, "maxItems": 5}),
        True,
    ),
    (
        "response-constraint-tightened",
        response({"type": "array", "items": STRING, "maxItems": 5}),
        response({"type": "array", "items": STRING, "maxItems": 9}),
        False,
    ),
    (
        "response-pattern-changed",
        response({"type": "string", "pattern": "a"}),
        response({"type": "string", "pattern": "b"}),
        True,
    ),
    (
        "response-pattern-changed",
        response({"type": "string", "pattern": "a"}),
        response({"type": "string", "pattern": "a"}),
        False,
    ),
    (
        "response-variant-added",
        response({"oneOf": [STRING, INTEGER]}),
        response({"oneOf": [STRING, INTEGER, {"type": "boolean"}]}),
        True,
    ),
    (
        "response-variant-added",
        response({"oneOf": [STRING, INTEGER]}),
        response({"oneOf": [INTEGER, STRING]}),
        False,
    ),
    (
        "response-variant-removed",
        response({"oneOf": [STRING, INTEGER]}),
        response(STRING),
        True,
    ),
    ("response-variant-removed", response(STRING), response({"anyOf": [STRING]}), False),
    # security
    (
        "security-requirement-changed",
        keyed(SCHEMES, [{"ApiKeyAuth": []}]),
        keyed(SCHEMES, [{"BearerAuth": []}]),
        True,
    ),
    (
        "security-requirement-changed",
        keyed(SCHEMES, [{"ApiKeyAuth": []}, {"BearerAuth": []}]),
        keyed(SCHEMES, [{"BearerAuth": []}, {"ApiKeyAuth": []}]),
        False,
    ),
    # adding authentication to a public operation
    (
        "security-requirement-changed",
        keyed(SCHEMES, []),
        keyed(SCHEMES, [{"BearerAuth": []}]),
        False,
    ),
    ("security-now-required", keyed(SCHEMES, []), keyed(SCHEMES, [{"BearerAuth": []}]), True),
    (
        "security-now-required",
        keyed(SCHEMES, [{"ApiKeyAuth": []}]),
        keyed(SCHEMES, [{"BearerAuth": []}]),
        False,
    ),
    (
        "security-requirement-removed",
        keyed(SCHEMES, [{"ApiKeyAuth": []}, {"BearerAuth": []}]),
        keyed(SCHEMES, [{"BearerAuth": []}]),
        True,
    ),
    (
        "security-requirement-removed",
        keyed(SCHEMES, [{"BearerAuth": []}]),
        keyed(SCHEMES, [{"ApiKeyAuth": []}, {"BearerAuth": []}]),
        False,
    ),
    (
        "security-requirement-added",
        keyed(SCHEMES, [{"BearerAuth": []}]),
        keyed(SCHEMES, [{"ApiKeyAuth": []}, {"BearerAuth": []}]),
        True,
    ),
    # an operation that overrides the top-level security is compared on its own
    (
        "security-requirement-added",
        keyed(SCHEMES, [{"BearerAuth": []}], [{"BearerAuth": []}]),
        keyed(SCHEMES, [{"ApiKeyAuth": []}], [{"BearerAuth": []}]),
        False,
    ),
    (
        "security-no-longer-required",
        keyed(SCHEMES, [{"BearerAuth": []}]),
        keyed(SCHEMES, [{"BearerAuth": []}], []),
        True,
    ),
    (
        "security-no-longer-required",
        keyed(SCHEMES, [{"BearerAuth": []}]),
        keyed(SCHEMES, [{"BearerAuth": []}], [{"BearerAuth": []}]),
        False,
    ),
    (
        "security-scope-added",
        keyed(SCHEMES, [{"OAuth": ["a"]}]),
        keyed(SCHEMES, [{"OAuth": ["a", "b"]}]),
        True,
    ),
    (
        "security-scope-added",
        keyed(SCHEMES, [{"OAuth": ["a", "b"]}]),
        keyed(SCHEMES, [{"OAuth": ["a"]}]),
        False,
    ),
    (
        "security-scope-removed",
        keyed(SCHEMES, [{"OAuth": ["a", "b"]}]),
        keyed(SCHEMES, [{"OAuth": ["a"]}]),
        True,
    ),
    (
        "security-scope-removed",
        keyed(SCHEMES, [{"OAuth": ["a", "b"]}]),
        keyed(SCHEMES, [{"OAuth": ["b", "a"]}]),
        False,
    ),
    (
        "security-scheme-removed",
        keyed(SCHEMES, []),
        keyed({"BearerAuth": BEARER}, []),
        True,
    ),
    (
        "security-scheme-removed",
        keyed({"BearerAuth": BEARER}, []),
        keyed(SCHEMES, []),
        False,
    ),
    ("security-scheme-added", keyed({"BearerAuth": BEARER}, []), keyed(SCHEMES, []), True),
    ("security-scheme-added", keyed(SCHEMES, []), keyed({"BearerAuth": BEARER}, []), False),
    (
        "security-scheme-changed",
        keyed({"Auth": API_KEY}, [{"Auth": []}]),
        keyed({"Auth": {**API_KEY, "name": "X-Api-Key"}}, [{"Auth": []}]),
        True,
    ),
    (
        "security-scheme-changed",
        keyed({"Auth": API_KEY}, [{"Auth": []}]),
        keyed(
            {"Auth": {**API_KEY, "description": "Send your key", "name": "authorization"}},
            [{"Auth": []}],
        ),
        False,
    ),
]


PAST, FUTURE = "2000-01-01", "2999-01-01"


def lifecycle(**fields: Any) -> Spec:
    """GET /a with extra operation fields (deprecated, x-sunset, x-stability-level...)."""
    return spec({"/a": {"get": operation(**fields)}})


def hooks(*names: str, schema: Any = None) -> Spec:
    """An OpenAPI 3.1 document with one POST webhook per name, sending `schema`."""
    body = {"content": {"application/json": {"schema": schema or obj(a=STRING)}}}
    document = spec(version="3.1.0")
    document["webhooks"] = {name: {"post": operation(requestBody=body)} for name in names}
    return document


def with_callback(*expressions: str) -> Spec:
    item = {"post": operation(requestBody={"content": {"application/json": {"schema": STRING}}})}
    callbacks = {"onEvent": {expression: item for expression in expressions}}
    return spec({"/subscribe": {"post": operation(callbacks=callbacks)}})


def headers(**found: Any) -> Spec:
    """GET /things whose 200 response has the given headers."""
    response_200 = {"description": "ok", "headers": found}
    return spec({"/things": {"get": {"responses": {"200": response_200}}}})


def header(required: bool = False, **schema: Any) -> Spec:
    return {"required": required, "schema": schema or STRING}


def media(direction: str, entry: Spec) -> Spec:
    """POST /things whose request body or response has one `application/json` entry."""
    content = {"application/json": entry}
    if direction == "request":
        op = operation(requestBody={"content": content})
    else:
        op = {"responses": {"200": {"description": "ok", "content": content}}}
    return spec({"/things": {"post": op}})


def union(direction: str, mapping: dict[str, str], name: str = "kind") -> Spec:
    """A Pet = Cat | Dog union with a discriminator, sent or returned by /pets."""
    refs = {key: f"#/components/schemas/{value}" for key, value in mapping.items()}
    pet = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": name, "mapping": refs},
    }
    animal = obj([name], **{name: STRING})
    schemas = {"Pet": pet, "Cat": animal, "Dog": animal}
    build = request if direction == "request" else response
    document = build({"$ref": "#/components/schemas/Pet"})
    document["components"]["schemas"].update(schemas)
    return document


def prop(direction: str, schema: Spec, *, required: bool = False, version: str = "3.0.3") -> Spec:
    """The object property `a` with `schema`, sent (request) or returned (response)."""
    build = request if direction == "request" else response
    return build(obj(["a"] if required else None, a=schema), version=version)


CATS = {"cat": "Cat", "dog": "Dog"}
STRING_X = {"type": "string", "const": "x"}

FAMILY_CASES: list[tuple[str, Spec, Spec, bool]] = [
    # deprecation, sunset and stability
    (
        "operation-removed-before-sunset",
        lifecycle(deprecated=True, **{"x-sunset": FUTURE}),
        spec(),
        True,
    ),
    (
        "operation-removed-before-sunset",
        lifecycle(deprecated=True, **{"x-sunset": PAST}),
        spec(),
        False,
    ),
    (
        "operation-removed-after-sunset",
        lifecycle(deprecated=True, **{"x-sunset": PAST}),
        spec(),
        True,
    ),
    # the date may come from a `Sunset` response header (an HTTP date, RFC 8594)
    (
        "operation-removed-after-sunset",
        spec(
            {
                "/a": {
                    "get": {
                        "deprecated": True,
                        "responses": {
                            "200": {
                                "description": "ok",
                                "headers": {
                                    "Sunset": {
                                        "schema": STRING,
                                        "example": "Sat, 01 Jan 2000 00:00:00 GMT",
                                    }
                                },
                            }
                        },
                    }
                }
            }
        ),
        spec(),
        True,
    ),
    (
        "operation-removed-after-sunset",
        lifecycle(deprecated=True, **{"x-sunset": FUTURE}),
        spec(),
        False,
    ),
    ("operation-removed-after-deprecation", lifecycle(deprecated=True), spec(), True),
    ("operation-removed-after-deprecation", lifecycle(), spec(), False),
    (
        "operation-sunset-moved-earlier",
        lifecycle(deprecated=True, **{"x-sunset": "2999-06-01"}),
        lifecycle(deprecated=True, **{"x-sunset": FUTURE}),
        True,
    ),
    (
        "operation-sunset-moved-earlier",
        lifecycle(deprecated=True, **{"x-sunset": FUTURE}),
        lifecycle(deprecated=True, **{"x-sunset": "2999-06-01"}),
        False,
    ),
    (
        "operation-stability-decreased",
        lifecycle(**{"x-stability-level": "stable"}),
        lifecycle(**{"x-stability-level": "beta"}),
        True,
    ),
    (
        "operation-stability-decreased",
        lifecycle(**{"x-stability-level": "beta"}),
        lifecycle(),
        False,
    ),
    ("operation-stability-increased", lifecycle(**{"x-stability": "unstable"}), lifecycle(), True),
    (
        "operation-stability-increased",
        lifecycle(),
        lifecycle(**{"x-stability-level": "stable"}),
        False,
    ),
    # webhooks and callbacks: requests the API sends to the client
    ("webhook-added", hooks("a"), hooks("a", "b"), True),
    ("webhook-added", hooks("a", "b"), hooks("a"), False),
    ("webhook-removed", hooks("a", "b"), hooks("a"), True),
    ("webhook-removed", hooks("a"), hooks("a", "b"), False),
    # a webhook's body is received by the client: a new required field is harmless...
    (
        "response-property-became-required",
        hooks("a"),
        hooks("a", schema=obj(["a"], a=STRING)),
        True,
    ),
    # ...a removed field is not
    (
        "response-property-removed",
        hooks("a", schema=obj(["a", "b"], a=STRING, b=STRING)),
        hooks("a", schema=obj(["a"], a=STRING)),
        True,
    ),
    (
        "callback-added",
        with_callback("{$request.body#/url}"),
        with_callback("{$request.body#/url}", "{$request.body#/other}"),
        True,
    ),
    (
        "callback-added",
        with_callback("{$request.body#/url}"),
        with_callback("{$request.body#/url}"),
        False,
    ),
    (
        "callback-removed",
        with_callback("{$request.body#/url}", "{$request.body#/other}"),
        with_callback("{$request.body#/url}"),
        True,
    ),
    (
        "callback-removed",
        with_callback("{$request.body#/url}"),
        with_callback("{$request.body#/url}", "{$request.body#/other}"),
        False,
    ),
    # response headers
    ("response-header-removed", headers(**{"X-Rate": header(True)}), headers(), True),
    ("response-header-removed", headers(**{"X-Rate": header()}), headers(), False),
    ("response-optional-header-removed", headers(**{"X-Rate": header()}), headers(), True),
    ("response-optional-header-removed", headers(**{"X-Rate": header(True)}), headers(), False),
    # header names ignore case
    (
        "response-optional-header-removed",
        headers(**{"X-Rate": header()}),
        headers(**{"x-rate": header()}),
        False,
    ),
    (
        "response-header-became-optional",
        headers(**{"X-Rate": header(True)}),
        headers(**{"X-Rate": header()}),
        True,
    ),
    (
        "response-header-became-optional",
        headers(**{"X-Rate": header()}),
        headers(**{"X-Rate": header(True)}),
        False,
    ),
    ("response-header-added", headers(), headers(**{"X-Rate": header()}), True),
    ("response-header-added", headers(**{"X-Rate": header()}), headers(), False),
    (
        "response-type-changed",
        headers(**{"X-Rate": header()}),
        headers(**{"X-Rate": header(type="integer")}),
        True,
    ),
    # a schema added to or removed from a media type (`{}` is no schema at all)
    (
        "request-media-type-schema-added",
        media("request", {}),
        media("request", {"schema": obj(a=STRING)}),
        True,
    ),
    (
        "request-media-type-schema-added",
        media("request", {"schema": {}}),
        media("request", {}),
        False,
    ),
    (
        "request-media-type-schema-removed",
        media("request", {"schema": obj(a=STRING)}),
        media("request", {}),
        True,
    ),
    (
        "request-media-type-schema-removed",
        media("request", {}),
        media("request", {"schema": obj(a=STRING)}),
        False,
    ),
    (
        "response-media-type-schema-added",
        media("response", {}),
        media("response", {"schema": obj(a=STRING)}),
        True,
    ),
    (
        "response-media-type-schema-added",
        media("response", {"schema": obj(a=STRING)}),
        media("response", {}),
        False,
    ),
    (
        "response-media-type-schema-removed",
        media("response", {"schema": obj(a=STRING)}),
        media("response", {}),
        True,
    ),
    (
        "response-media-type-schema-removed",
        media("response", {}),
        media("response", {"schema": {}}),
        False,
    ),
    # const
    ("request-const-added", prop("request", STRING), prop("request", STRING_X), True),
    ("request-const-added", prop("request", STRING_X), prop("request", STRING), False),
    ("request-const-removed", prop("request", STRING_X), prop("request", STRING), True),
    ("request-const-removed", prop("request", STRING), prop("request", STRING_X), False),
    (
        "request-const-changed",
        prop("request", STRING_X),
        prop("request", {**STRING_X, "const": "y"}),
        True,
    ),
    (
        "request-const-changed",
        prop("request", STRING_X),
        prop("request", {**STRING_X, "description": "d"}),
        False,
    ),
    ("response-const-added", prop("response", STRING), prop("response", STRING_X), True),
    ("response-const-added", prop("response", STRING_X), prop("response", STRING), False),
    ("response-const-removed", prop("response", STRING_X), prop("response", STRING), True),
    ("response-const-removed", prop("response", STRING), prop("response", STRING_X), False),
    (
        "response-const-changed",
        prop("response", STRING_X),
        prop("response", {**STRING_X, "const": "y"}),
        True,
    ),
    ("response-const-changed", prop("response", STRING_X), prop("response", STRING_X), False),
    # a first limit where there was none is possibly breaking; a lower one is breaking
    (
        "request-constraint-added",
        prop("request", STRING),
        prop("request", {**STRING, "maxLength": 9}),
        True,
    ),
    (
        "request-constraint-added",
        prop("request", {**STRING, "maxLength": 20}),
        prop("request", {**STRING, "maxLength": 9}),
        False,
    ),
    # x-extensible-enum
    (
        "request-extensible-enum-value-removed",
        prop("request", {**STRING, "x-extensible-enum": ["a", "b"]}),
        prop("request", {**STRING, "x-extensible-enum": ["a"]}),
        True,
    ),
    (
        "request-extensible-enum-value-removed",
        prop("request", {**STRING, "x-extensible-enum": ["a"]}),
        prop("request", {**STRING, "x-extensible-enum": ["a", "b"]}),
        False,
    ),
    (
        "request-extensible-enum-value-added",
        prop("request", {**STRING, "x-extensible-enum": ["a"]}),
        prop("request", {**STRING, "x-extensible-enum": ["a", "b"]}),
        True,
    ),
    (
        "request-extensible-enum-value-added",
        prop("request", {**STRING, "x-extensible-enum": ["a", "b"]}),
        prop("request", {**STRING, "x-extensible-enum": ["b", "a"]}),
        False,
    ),
    (
        "response-extensible-enum-value-added",
        prop("response", {**STRING, "x-extensible-enum": ["a"]}),
        prop("response", {**STRING, "x-extensible-enum": ["a", "b"]}),
        True,
    ),
    (
        "response-extensible-enum-value-added",
        prop("response", {**STRING, "x-extensible-enum": ["a", "b"]}),
        prop("response", {**STRING, "x-extensible-enum": ["a"]}),
        False,
    ),
    (
        "response-extensible-enum-value-removed",
        prop("response", {**STRING, "x-extensible-enum": ["a", "b"]}),
        prop("response", {**STRING, "x-extensible-enum": ["a"]}),
        True,
    ),
    (
        "response-extensible-enum-value-removed",
        prop("response", {**STRING, "x-extensible-enum": ["a"]}),
        prop("response", {**STRING, "x-extensible-enum": ["a", "b"]}),
        False,
    ),
    # discriminator mappings
    (
        "request-discriminator-mapping-removed",
        union("request", CATS),
        union("request", {"cat": "Cat"}),
        True,
    ),
    (
        "request-discriminator-mapping-removed",
        union("request", {"cat": "Cat"}),
        union("request", CATS),
        False,
    ),
    (
        "request-discriminator-mapping-added",
        union("request", {"cat": "Cat"}),
        union("request", CATS),
        True,
    ),
    ("request-discriminator-mapping-added", union("request", CATS), union("request", CATS), False),
    (
        "request-discriminator-mapping-changed",
        union("request", CATS),
        union("request", {"cat": "Dog", "dog": "Cat"}),
        True,
    ),
    (
        "request-discriminator-mapping-changed",
        union("request", CATS),
        union("request", {"cat": "Cat"}),
        False,
    ),
    (
        "request-discriminator-property-changed",
        union("request", CATS),
        union("request", CATS, "type"),
        True,
    ),
    (
        "request-discriminator-property-changed",
        union("request", CATS),
        union("request", {"dog": "Dog"}),
        False,
    ),
    (
        "response-discriminator-mapping-added",
        union("response", {"cat": "Cat"}),
        union("response", CATS),
        True,
    ),
    (
        "response-discriminator-mapping-added",
        union("response", CATS),
        union("response", {"cat": "Cat"}),
        False,
    ),
    (
        "response-discriminator-mapping-removed",
        union("response", CATS),
        union("response", {"cat": "Cat"}),
        True,
    ),
    (
        "response-discriminator-mapping-removed",
        union("response", {"cat": "Cat"}),
        union("response", CATS),
        False,
    ),
    (
        "response-discriminator-mapping-changed",
        union("response", CATS),
        union("response", {"cat": "Dog", "dog": "Cat"}),
        True,
    ),
    (
        "response-discriminator-mapping-changed",
        union("response", CATS),
        union("response", CATS),
        False,
    ),
    (
        "response-discriminator-property-changed",
        union("response", CATS),
        union("response", CATS, "type"),
        True,
    ),
    (
        "response-discriminator-property-changed",
        union("response", CATS),
        union("response", {"cat": "Cat"}),
        False,
    ),
    # readOnly / writeOnly flips of required properties
    (
        "request-required-property-became-not-read-only",
        prop("request", {**STRING, "readOnly": True}, required=True),
        prop("request", STRING, required=True),
        True,
    ),
    (
        "request-required-property-became-not-read-only",
        prop("request", {**STRING, "readOnly": True}),
        prop("request", STRING),
        False,
    ),
    (
        "request-required-property-became-read-only",
        prop("request", STRING, required=True),
        prop("request", {**STRING, "readOnly": True}, required=True),
        True,
    ),
    (
        "request-required-property-became-read-only",
        prop("request", STRING),
        prop("request", {**STRING, "readOnly": True}),
        False,
    ),
    (
        "response-required-property-became-write-only",
        prop("response", STRING, required=True),
        prop("response", {**STRING, "writeOnly": True}, required=True),
        True,
    ),
    (
        "response-required-property-became-write-only",
        prop("response", STRING),
        prop("response", {**STRING, "writeOnly": True}),
        False,
    ),
    (
        "response-required-property-became-not-write-only",
        prop("response", {**STRING, "writeOnly": True}, required=True),
        prop("response", STRING, required=True),
        True,
    ),
    (
        "response-required-property-became-not-write-only",
        prop("response", {**STRING, "writeOnly": True}, required=True),
        prop("response", {**STRING, "writeOnly": True}, required=True),
        False,
    ),
    # parameter defaults: the server fills in what the caller leaves out
    (
        "request-parameter-default-value-changed",
        with_parameters(query(default=10, type="integer")),
        with_parameters(query(default=20, type="integer")),
        True,
    ),
    (
        "request-parameter-default-value-changed",
        with_parameters(query(default=10, type="integer")),
        with_parameters(query(default=10, type="integer", description="d")),
        False,
    ),
    (
        "request-parameter-default-value-added",
        with_parameters(query()),
        with_parameters(query(default=10, type="integer")),
        True,
    ),
    (
        "request-parameter-default-value-added",
        with_parameters(query(default=10, type="integer")),
        with_parameters(query()),
        False,
    ),
    (
        "request-parameter-default-value-removed",
        with_parameters(query(default=10, type="integer")),
        with_parameters(query()),
        True,
    ),
    (
        "request-parameter-default-value-removed",
        with_parameters(query()),
        with_parameters(query(default=10, type="integer")),
        False,
    ),
    (
        "response-any-of-variant-added",
        response({"anyOf": [STRING, obj(a=STRING)]}),
        response({"anyOf": [STRING, obj(a=STRING), obj(b=STRING)]}),
        True,
    ),
    # a new scalar type cannot overlap the old ones: that is a plain widening
    (
        "response-any-of-variant-added",
        response({"anyOf": [STRING, obj(a=STRING)]}),
        response({"anyOf": [STRING, obj(a=STRING), INTEGER]}),
        False,
    ),
    (
        "response-any-of-variant-added",
        response({"oneOf": [STRING, obj(a=STRING)]}),
        response({"oneOf": [STRING, obj(a=STRING), obj(b=STRING)]}),
        False,
    ),
    # optional response property removed: possibly breaking, required: breaking
    (
        "response-optional-property-removed",
        response(obj(a=STRING, b=STRING)),
        response(obj(a=STRING)),
        True,
    ),
    (
        "response-optional-property-removed",
        response(obj(["b"], a=STRING, b=STRING)),
        response(obj(a=STRING)),
        False,
    ),
    # a change inside a 2020-12 subschema is compared like any schema
    (
        "request-constraint-tightened",
        prop(
            "request",
            {"type": "object", "then": {"properties": {"n": {"type": "integer", "maximum": 9}}}},
            version="3.1.0",
        ),
        prop(
            "request",
            {"type": "object", "then": {"properties": {"n": {"type": "integer", "maximum": 5}}}},
            version="3.1.0",
        ),
        True,
    ),
]

# JSON Schema 2020-12 keywords: (value, another value that "changed" reports, or None).
KEYWORD_VALUES: dict[str, tuple[Any, Any]] = {
    "if": ({"properties": {"kind": {"const": "a"}}}, False),
    "then": ({"required": ["a"]}, False),
    "else": ({"required": ["b"]}, False),
    "prefixItems": ([STRING], [STRING, INTEGER]),
    "contains": (STRING, False),
    "dependentRequired": ({"a": ["b"]}, {"a": ["b", "c"]}),
    "dependentSchemas": ({"a": {"required": ["b"]}}, None),
    "unevaluatedProperties": (False, STRING),
    "unevaluatedItems": (False, STRING),
    "patternProperties": ({"^x-": STRING}, None),
    "propertyNames": ({"maxLength": 3}, False),
    "not": ({"type": "integer"}, {"type": "boolean"}),
    "contentMediaType": ("application/json", "image/png"),
    "contentEncoding": ("base64", "base32"),
    "contentSchema": (obj(a=STRING), False),
}


def keyword_cases() -> list[tuple[str, Spec, Spec, bool]]:
    found = []
    for keyword, (value, other) in KEYWORD_VALUES.items():
        for direction in ("request", "response"):
            rule = keyword_rule(direction, keyword, "{}")
            plain = prop(direction, {"type": "string"}, version="3.1.0")
            with_value = prop(direction, {"type": "string", keyword: value}, version="3.1.0")
            found += [
                (rule.format("added"), plain, with_value, True),
                (rule.format("added"), with_value, copy.deepcopy(with_value), False),
                (rule.format("removed"), with_value, plain, True),
                (rule.format("removed"), plain, with_value, False),
            ]
            if other is not None:
                changed = prop(direction, {"type": "string", keyword: other}, version="3.1.0")
                found += [
                    (rule.format("changed"), with_value, changed, True),
                    (rule.format("changed"), plain, with_value, False),
                ]
    return found


CASES += FAMILY_CASES + keyword_cases()


def rules(changes: list[Change]) -> list[str]:
    return [change.rule for change in changes]


@pytest.mark.parametrize(
    ("rule", "old", "new", "fires"),
    CASES,
    ids=[
        f"{rule}-{'fires' if fires else 'quiet'}-{index}"
        for index, (rule, _, _, fires) in enumerate(CASES)
    ],
)
def test_rule(rule: str, old: Spec, new: Spec, fires: bool) -> None:
    changes = diff_specs(old, new)
    assert (rule in rules(changes)) is fires, [change.message for change in changes]
    for change in changes:
        assert change.level is RULES[change.rule].level


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    spec_rules = {rule for rule in RULES if not rule.startswith("client-")}  # test_diff_client_api
    firing = {rule for rule, _, _, fires in CASES if fires}
    quiet = {rule for rule, _, _, fires in CASES if not fires}
    assert spec_rules == firing
    assert spec_rules == quiet


def test_rule_ids_are_kebab_case_and_levels_known() -> None:
    for rule_id, rule in RULES.items():
        assert rule_id == rule.id
        assert rule_id.replace("-", "").isalpha() and rule_id == rule_id.lower()
        assert rule.level in Level


def test_identical_specs_have_no_changes() -> None:
    for _, old, _, _ in CASES:
        assert diff_specs(old, copy.deepcopy(old)) == []
