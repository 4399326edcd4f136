"""Prepare a validated spec for code generation, without changing what it means.

- Component schemas get valid, unique class names (`my-model.v1` -> `MyModelV1`) and every
  `$ref` and discriminator mapping follows the rename.
- Inline request and response schemas are hoisted into components, named after their
  operation (`models.create` -> `ModelsCreateRequest`), so that every body is a named model.
- `anyOf: [<inline schema>, {type: null}]` becomes `type: [<type>, null]`: the same schema in a
  form datamodel-code-generator turns into `X | None` rather than a broken root model.
- Object-valued defaults are dropped: the server applies them, and a dict literal cannot be
  the default of a model-typed field.
- Discriminator mappings that are not local refs are dropped (the generator would read files
  they name); a mapping to a bare schema name follows the rename.
- A `required` that is not a list of names (`required: true` on a property) is dropped.
- Trailing spaces are trimmed from the lines of descriptions (docstrings must not have them).
- An integer `const` beyond 64 bits becomes a plain integer: type checkers reject such
  `Literal`s.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .naming import pascal_case, unique
from .openapi import (
    SCHEMA_REF_PREFIX,
    deref,
    iter_subschemas,
    json_media,
    pointer_parts,
    ref_to,
    request_media,
)
from .operations import ResourceNode

_LITERAL_INT_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True)
class PreparedSpec:
    """The spec as the generator reads it from here on."""

    document: dict[str, Any]
    class_names: dict[str, str]  # original component schema name -> class name


def prepare_spec(document: dict[str, Any], resources: ResourceNode) -> PreparedSpec:
    """A renamed, hoisted and normalized deep copy of `document` (the input is not changed)."""
    prepared = copy.deepcopy(document)
    components = prepared.setdefault("components", {})
    schemas = components.get("schemas")
    if not isinstance(schemas, dict):
        schemas = components["schemas"] = {}

    taken: set[str] = set()
    class_names = {str(name): unique(pascal_case(str(name)), taken) for name in schemas}
    components["schemas"] = {class_names[str(name)]: schema for name, schema in schemas.items()}
    _rewrite_refs(prepared, class_names)
    _hoist_operation_schemas(prepared, resources, taken)
    _normalize_schemas(prepared)
    return PreparedSpec(prepared, class_names)


def _renamed_ref(ref: str, class_names: dict[str, str]) -> str:
    if not ref.startswith(SCHEMA_REF_PREFIX):
        return ref
    name, _, rest = ref[len(SCHEMA_REF_PREFIX) :].partition("/")
    new_name = class_names.get(pointer_parts("#/" + name)[0])
    if new_name is None:
        return ref  # dangling: the validator reports it; the type falls back to Any
    return ref_to(("components", "schemas", new_name)) + (f"/{rest}" if rest else "")


def _rewrite_refs(node: Any, class_names: dict[str, str]) -> None:
    """Point every schema `$ref` and discriminator mapping at the renamed components."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                current["$ref"] = _renamed_ref(ref, class_names)
            discriminator = current.get("discriminator")
            if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
                mapping = discriminator["mapping"]
                for key, target in list(mapping.items()):
                    if isinstance(target, str) and target in class_names:  # a bare schema name
                        target = ref_to(("components", "schemas", target))
                    if isinstance(target, str) and target.startswith("#"):
                        mapping[key] = _renamed_ref(target, class_names)
                    else:
                        del mapping[key]  # a file or URL: its schema is not in this document
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _needs_class(schema: Any) -> bool:
    """Whether an inline schema is an object-like type worth naming (not `string`, `$ref`...)."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    if any(key in schema for key in ("properties", "allOf", "oneOf", "anyOf")):
        return True
    return schema.get("type") == "object" and isinstance(schema.get("additionalProperties"), dict)


def _hoist(
    schema_holder: dict[str, Any], schemas: dict[str, Any], name: str, taken: set[str]
) -> None:
    schema = schema_holder.get("schema")
    if _needs_class(schema):
        class_name = unique(name, taken)
        schemas[class_name] = schema
        schema_holder["schema"] = {"$ref": ref_to(("components", "schemas", class_name))}
    elif (
        isinstance(schema, dict)
        and schema.get("type") == "array"
        and _needs_class(schema.get("items"))
    ):
        _hoist_items(schema, schemas, name + "Item", taken)


def _hoist_items(
    array_schema: dict[str, Any], schemas: dict[str, Any], name: str, taken: set[str]
) -> None:
    class_name = unique(name, taken)
    schemas[class_name] = array_schema["items"]
    array_schema["items"] = {"$ref": ref_to(("components", "schemas", class_name))}


def _hoist_operation_schemas(
    document: dict[str, Any], resources: ResourceNode, taken: set[str]
) -> None:
    """Give every inline JSON request/response body of an operation a named component."""
    schemas = document["components"]["schemas"]
    paths = document.get("paths") or {}
    for node in resources.walk():
        for planned in node.operations:
            operation = paths[planned.path][planned.method]
            base = pascal_case(planned.attr_path.replace(".", "_"))
            body = deref(document, operation.get("requestBody"))
            if isinstance(body, dict) and "$ref" not in operation.get("requestBody", {}):
                chosen = request_media(body)
                if chosen is not None:
                    _hoist(chosen[1], schemas, base + "Request", taken)
            responses = operation.get("responses")
            if not isinstance(responses, dict):
                continue
            for status, response in sorted(responses.items(), key=lambda item: str(item[0])):
                if not isinstance(response, dict) or "$ref" in response:
                    continue
                media = json_media(response)
                if media is not None:
                    suffix = "Response" if str(status).startswith("2") else f"Error{status}"
                    _hoist(media, schemas, base + suffix, taken)


def _collapse_nullable_union(schema: dict[str, Any]) -> None:
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if not (isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches):
            continue
        other = branches[0] if branches[1] == {"type": "null"} else branches[1]
        if not isinstance(other, dict) or not isinstance(other.get("type"), str):
            continue
        if any(key in other for key in ("$ref", "anyOf", "oneOf", "allOf", "enum", "const")):
            continue
        del schema[keyword]
        for key, value in other.items():
            schema.setdefault(key, value)
        schema["type"] = [other["type"], "null"]


def _normalize_schemas(document: dict[str, Any]) -> None:
    stack = [s for s in document["components"]["schemas"].values() if isinstance(s, dict)]
    while stack:
        schema = stack.pop()
        _collapse_nullable_union(schema)
        for key in ("description", "title"):  # they become docstrings: no trailing spaces
            if isinstance(schema.get(key), str):
                schema[key] = "\n".join(line.rstrip() for line in schema[key].splitlines())
        required = schema.get("required")
        if "required" in schema and not (
            isinstance(required, list) and all(isinstance(name, str) for name in required)
        ):
            del schema["required"]  # `required: true` on a property (Swagger 2 style)
        const = schema.get("const")
        if (
            isinstance(const, int)
            and not isinstance(const, bool)
            and const not in _LITERAL_INT_RANGE
        ):
            del schema["const"]
            schema.setdefault("type", "integer")
        default = schema.get("default")
        if isinstance(default, dict) or (
            isinstance(default, list) and any(isinstance(item, dict) for item in default)
        ):
            del schema["default"]
        stack.extend(iter_subschemas(schema))
