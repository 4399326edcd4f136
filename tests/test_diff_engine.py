"""Semantic matching, attribution to operations and messages of the spec diff."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from generator.diff import Level, diff_specs
from generator.errors import InputError

Spec = dict[str, Any]


def api(schemas: Spec, paths: Spec | None = None, *, version: str = "3.0.3") -> Spec:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


def returns(ref: str) -> Spec:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}
    return {"get": {"responses": {"200": {"description": "ok", "content": content}}}}


def pet_api(pet_property: Any, *, version: str = "3.0.3") -> Spec:
    return api(
        {
            "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Pet": {"type": "object", "properties": {"owner": pet_property}},
        },
        {"/pets": returns("Pet")},
        version=version,
    )


OWNER = "#/components/schemas/Owner"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # $ref, allOf: [$ref] and a $ref with sibling annotations are the same schema
        ({"$ref": OWNER}, {"allOf": [{"$ref": OWNER}]}),
        ({"$ref": OWNER, "description": "a"}, {"allOf": [{"$ref": OWNER}], "description": "b"}),
        # the k8s 1.23 -> 1.24 rewrite: `$ref` + default became `allOf: [$ref]` + default
        (
            {"$ref": OWNER, "default": {}, "description": "x"},
            {"allOf": [{"$ref": OWNER}], "default": {}, "description": "x"},
        ),
        # stripe's single-member anyOf wrapper
        ({"$ref": OWNER, "nullable": True}, {"anyOf": [{"$ref": OWNER}], "nullable": True}),
        # annotations never count
        (
            {"type": "string", "description": "old", "example": "a", "title": "T"},
            {"type": "string", "description": "new", "example": "b", "title": "U"},
        ),
        # implied types
        (
            {"properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"a": {"type": "string"}}},
        ),
        ({"enum": ["a", "b"]}, {"type": "string", "enum": ["a", "b"]}),
    ],
)
def test_equivalent_schemas_make_no_change(old: Any, new: Any) -> None:
    assert diff_specs(pet_api(old), pet_api(new)) == []


INLINE_OWNER = {"type": "object", "properties": {"name": {"type": "string"}}}


@pytest.mark.parametrize(
    ("nullable_30", "nullable_31"),
    [
        ({**INLINE_OWNER, "nullable": True}, {**INLINE_OWNER, "type": ["object", "null"]}),
        (
            {"allOf": [{"$ref": OWNER}], "nullable": True},
            {"anyOf": [{"$ref": OWNER}, {"type": "null"}]},
        ),
        ({"$ref": OWNER, "nullable": True}, {"oneOf": [{"type": "null"}, {"$ref": OWNER}]}),
    ],
)
def test_nullable_30_and_31_spellings_compare_equal(nullable_30: Spec, nullable_31: Spec) -> None:
    assert diff_specs(pet_api(nullable_30), pet_api(nullable_31, version="3.1.0")) == []


def test_key_order_and_formatting_never_make_a_change() -> None:
    old = pet_api({"$ref": OWNER})
    reordered = json.loads(json.dumps(old, sort_keys=True, indent=7))
    reversed_keys = _reverse_keys(old)
    assert diff_specs(old, reordered) == []
    assert diff_specs(old, reversed_keys) == []


def _reverse_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _reverse_keys(node[key]) for key in reversed(list(node))}
    if isinstance(node, list):
        return [_reverse_keys(item) for item in node]
    return node


def test_path_parameter_rename_is_reported_as_a_rename_only() -> None:
    def spec(name: str) -> Spec:
        parameter = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        return api(
            {},
            {
                f"/pets/{{{name}}}/toys": {
                    "get": {"parameters": [parameter], "responses": {"200": {"description": "ok"}}}
                }
            },
        )

    changes = diff_specs(spec("pet_id"), spec("id"))
    assert [(change.rule, change.level, change.operation) for change in changes] == [
        ("path-parameter-renamed", Level.COMPATIBLE, "GET /pets/{id}/toys")
    ]
    assert (changes[0].old, changes[0].new) == ("pet_id", "id")


def test_recursive_schemas_terminate_and_changes_inside_are_found() -> None:
    def tree(leaf_type: str) -> Spec:
        node = {
            "type": "object",
            "properties": {
                "value": {"type": leaf_type},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "parent": {"$ref": "#/components/schemas/Node"},
            },
        }
        return api({"Node": node}, {"/tree": returns("Node")})

    assert diff_specs(tree("string"), tree("string")) == []
    changes = diff_specs(tree("string"), tree("integer"))
    assert [change.rule for change in changes] == ["response-type-changed"]
    assert changes[0].pointer == "/components/schemas/Node/properties/value"


def test_a_shared_component_change_is_reported_once_with_every_operation() -> None:
    def spec(extra: Spec) -> Spec:
        owner = {"type": "object", "properties": {"name": {"type": "string"}, **extra}}
        pet = {"type": "object", "properties": {"owner": {"$ref": OWNER}}}
        return api(
            {"Owner": owner, "Pet": pet, "Other": {"type": "string"}},
            {"/pets": returns("Pet"), "/owners": returns("Owner"), "/other": returns("Other")},
        )

    changes = diff_specs(spec({"age": {"type": "integer"}}), spec({}))
    assert len(changes) == 1
    change = changes[0]
    assert change.rule == "response-optional-property-removed"
    assert change.operation is None
    assert change.operations == ("GET /owners", "GET /pets")
    assert change.side == "old"
    assert change.message == (
        "GET /owners (response 200, application/json) and 1 more operation: "
        "optional response property `Owner.age` removed "
        "(old spec #/components/schemas/Owner/properties/age)"
    )


def test_single_operation_changes_name_the_operation() -> None:
    old = pet_api({"$ref": OWNER})
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Owner"]["properties"]["name"]["type"] = "integer"
    [change] = diff_specs(old, new)
    assert change.operation == "GET /pets"
    # the change is in a shared component: the message says where the operation uses it
    assert change.message == (
        "GET /pets (response 200, application/json): response `Owner.name` type changed "
        "from `string` to `integer` (#/components/schemas/Owner/properties/name)"
    )


def test_allof_inheritance_is_flattened() -> None:
    base = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}

    def spec(pet: Spec, base: Spec = base) -> Spec:
        return api({"Base": base, "Pet": pet}, {"/pets": returns("Pet")})

    inherited = {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"properties": {"name": {"type": "string"}}},
        ]
    }
    flat = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        "required": ["id"],
    }
    # moving properties between a base and the child changes nothing for the client...
    assert [change.rule for change in diff_specs(spec(inherited), spec(flat))] == []
    # ...but a property removed from the base is removed from the child
    thinner = {"type": "object", "properties": {}}
    assert "response-property-removed" in [
        change.rule for change in diff_specs(spec(inherited), spec(inherited, thinner))
    ]


def test_parameters_from_components_and_path_level_are_compared() -> None:
    def spec(limit_type: str) -> Spec:
        document = api(
            {},
            {
                "/pets": {
                    "parameters": [{"$ref": "#/components/parameters/Limit"}],
                    "get": {"responses": {"200": {"description": "ok"}}},
                }
            },
        )
        document["components"]["parameters"] = {
            "Limit": {"name": "limit", "in": "query", "schema": {"type": limit_type}}
        }
        return document

    [change] = diff_specs(spec("integer"), spec("string"))
    assert change.rule == "request-type-changed"
    assert change.message.startswith("GET /pets: request query parameter `limit` type changed")


def test_external_refs_are_refused_with_one_line() -> None:
    spec = api({"Pet": {"$ref": "other.yaml#/Pet"}}, {"/pets": returns("Pet")})
    with pytest.raises(InputError, match=r"only internal references.*bundle"):
        diff_specs(spec, spec)


def test_dangling_refs_are_reported() -> None:
    spec = api({}, {"/pets": returns("Missing")})
    with pytest.raises(InputError, match=r"Missing' points nowhere"):
        diff_specs(spec, spec, new_label="openapi.json")


def test_results_are_deterministic() -> None:
    old = pet_api({"$ref": OWNER})
    new = copy.deepcopy(old)
    new["paths"]["/b"] = returns("Owner")
    new["paths"]["/a"] = returns("Owner")
    del new["components"]["schemas"]["Owner"]["properties"]["name"]
    first = diff_specs(old, new)
    assert first == diff_specs(copy.deepcopy(old), _reverse_keys(new))
    assert [change.level for change in first] == sorted(
        (change.level for change in first), key=lambda level: level.rank
    )


def breaking(old: Spec, new: Spec) -> list[str]:
    return [change.message for change in diff_specs(old, new) if change.level is Level.BREAKING]


def test_removing_an_unused_component_or_security_scheme_is_not_breaking() -> None:
    old = pet_api({"$ref": OWNER})
    old["components"]["schemas"]["Unused"] = {"type": "string"}
    old["components"]["securitySchemes"] = {"Key": {"type": "apiKey", "in": "header", "name": "k"}}
    assert breaking(old, pet_api({"$ref": OWNER})) == []


def test_declaring_a_path_parameter_the_template_had_is_not_breaking() -> None:
    declared = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    old = api({}, {"/pets/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}})
    new = copy.deepcopy(old)
    new["paths"]["/pets/{id}"]["parameters"] = [declared]
    assert diff_specs(old, new) == []
    assert diff_specs(new, old) == []


def test_allof_reshuffles_without_effect_are_not_breaking() -> None:
    name = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    age = {"type": "object", "properties": {"age": {"type": "integer"}}}
    old = api({"Name": name}, {"/pets": returns("Pet")})
    old["components"]["schemas"]["Pet"] = {"allOf": [{"$ref": "#/components/schemas/Name"}, age]}
    new = api({"Age": age}, {"/pets": returns("Pet")})
    new["components"]["schemas"]["Pet"] = {"allOf": [{"$ref": "#/components/schemas/Age"}, name]}
    assert breaking(old, new) == []
    assert breaking(new, old) == []


def test_changes_to_unstable_operations_are_compatible() -> None:
    def spec(stability: str, status: str) -> Spec:
        operation = {"x-stability-level": stability, "responses": {status: {"description": "ok"}}}
        return api({}, {"/beta": {"get": operation}, "/baseten": {"get": {**operation}}})

    old, new = spec("alpha", "200"), spec("alpha", "201")
    old["paths"]["/baseten"]["get"]["x-stability"] = "unstable"  # Baseten's own marker
    del old["paths"]["/baseten"]["get"]["x-stability-level"]
    new["paths"]["/baseten"]["get"] = copy.deepcopy(old["paths"]["/baseten"]["get"])
    new["paths"]["/baseten"]["get"]["responses"] = {"201": {"description": "ok"}}
    removed = [c for c in diff_specs(old, new) if c.rule == "response-success-status-removed"]
    assert {c.operation for c in removed} == {"GET /beta", "GET /baseten"}
    assert all(c.level is Level.COMPATIBLE for c in removed)
    assert all(c.message.endswith("[unstable operation]") for c in removed)
    # the same change on a stable operation keeps its level
    stable_old, stable_new = spec("stable", "200"), spec("stable", "201")
    levels = {c.level for c in diff_specs(stable_old, stable_new) if c.rule == removed[0].rule}
    assert levels == {Level.BREAKING}


def test_union_variants_are_named_by_title_ref_or_discriminator_value() -> None:
    cat = {"title": "Cat", "type": "object", "properties": {"kind": {"const": "cat"}}}
    dog = {"type": "object", "properties": {"kind": {"const": "dog"}, "bark": {"type": "string"}}}
    fish = {"$ref": "#/components/schemas/Fish"}

    def spec(bark: str) -> Spec:
        union = {
            "oneOf": [cat, copy.deepcopy(dog), fish],
            "discriminator": {"propertyName": "kind"},
        }
        union["oneOf"][1]["properties"]["bark"]["type"] = bark
        return api({"Pet": union, "Fish": {"type": "object"}}, {"/pets": returns("Pet")})

    [change] = diff_specs(spec("string"), spec("integer"))
    assert "`Pet.oneOf(dog).bark`" in change.message
    old, new = spec("string"), spec("string")
    new["components"]["schemas"]["Pet"]["oneOf"] = [cat]
    messages = sorted(c.message for c in diff_specs(old, new))
    assert any("no longer returns the variant `Fish`" in message for message in messages)
    assert any("no longer returns the variant `dog`" in message for message in messages)
    assert not any("oneOf[" in message for message in messages)
