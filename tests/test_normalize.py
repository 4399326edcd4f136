"""Preparing a spec for code generation: renames, hoisting, nullable unions, defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.config import config_for_spec
from generator.normalize import prepare_spec
from generator.operations import plan_operations


def _prepare(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    config = config_for_spec(Path("spec.json"), Path("out"), "demo_client")
    prepared = prepare_spec(document, plan_operations(document, config))
    return prepared.document, prepared.class_names


def test_component_names_become_class_names_and_refs_follow() -> None:
    document = {
        "paths": {},
        "components": {
            "schemas": {
                "my-pet.v1": {"type": "object", "properties": {"friend": {"$ref": "#/components/schemas/my-pet.v1"}}},
                "Pet~1Kind": {"oneOf": [{"$ref": "#/components/schemas/my-pet.v1"}],
                              "discriminator": {"propertyName": "k", "mapping": {"a": "#/components/schemas/my-pet.v1"}}},
            }
        },
    }  # fmt: skip
    prepared, names = _prepare(document)
    assert names == {"my-pet.v1": "MyPetV1", "Pet~1Kind": "Pet1Kind"}
    schemas = prepared["components"]["schemas"]
    assert schemas["MyPetV1"]["properties"]["friend"] == {"$ref": "#/components/schemas/MyPetV1"}
    assert schemas["Pet1Kind"]["discriminator"]["mapping"] == {"a": "#/components/schemas/MyPetV1"}
    assert "my-pet.v1" in document["components"]["schemas"]  # the input is untouched


def test_inline_bodies_are_hoisted_under_operation_names() -> None:
    inline = {"type": "object", "properties": {"name": {"type": "string"}}}
    document = {
        "paths": {
            "/pets": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": inline}}},
                    "responses": {
                        "201": {"description": "", "content": {"application/json": {"schema": {"type": "array", "items": inline}}}}
                    },
                }
            }
        }
    }  # fmt: skip
    prepared, _ = _prepare(document)
    operation = prepared["paths"]["/pets"]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/PetsCreateRequest"}
    response_schema = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert response_schema == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/PetsCreateResponseItem"},
    }
    assert set(prepared["components"]["schemas"]) == {"PetsCreateRequest", "PetsCreateResponseItem"}


def test_nullable_inline_union_is_collapsed_and_object_defaults_dropped() -> None:
    document = {
        "components": {
            "schemas": {
                "Query": {
                    "type": "object",
                    "properties": {
                        "replica": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}], "default": None},
                        "default": {"type": "object", "properties": {"anyOf": {"type": "string"}}},
                        "order": {"type": "array", "items": {"type": "object"}, "default": [{"f": "x"}]},
                    },
                }
            }
        }
    }  # fmt: skip
    prepared, _ = _prepare(document)
    properties = prepared["components"]["schemas"]["Query"]["properties"]
    assert properties["replica"] == {"type": ["string", "null"], "maxLength": 5, "default": None}
    assert "default" in properties  # a property called "default" is not a default value
    assert "default" not in properties["order"]
