"""OpenAPI navigation, the one home of each rule about reading a spec (no I/O).

- JSON pointers: RFC 6901 `~0`/`~1` escaping; as URI fragments (`#/...`) they are also
  percent-encoded, and a fragment is percent-decoded before it is split.
- `$ref` chains: followed to the end; a chain that dangles or loops raises `RefError`
  (one cycle policy for the loader, the validator, the generator and the differ).
- The HTTP methods an OpenAPI path item can hold, in the order the spec lists them.
- Media types: JSON (`application/json`, any `+json` suffix, and `*/*`: an API that
  declares "anything" is answered in JSON by every server we met), form, multipart,
  text, binary.
- Parameters: path-level ones overridden by operation-level ones with the same
  `(name, in)`; header names compare case-insensitively (HTTP headers do).
- Schemas: the JSON Schema keywords that hold subschemas, and a walk over them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal
from urllib.parse import quote, unquote

__all__ = [
    "HTTP_METHODS",
    "SCHEMA_REF_PREFIX",
    "MediaKind",
    "PointerNotFound",
    "RefError",
    "contains_ref",
    "deref",
    "encode_token",
    "iter_operations",
    "iter_subschemas",
    "json_media",
    "json_pointer",
    "media_base",
    "media_kind",
    "merge_parameters",
    "parameter_key",
    "pointer_parts",
    "ref_to",
    "request_media",
    "resolve_pointer",
    "resolve_ref",
    "walk_schemas",
]

# The operations of a path item (OpenAPI 3.0/3.1), in the order the specification lists them.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SCHEMA_REF_PREFIX = "#/components/schemas/"

MediaKind = Literal["json", "form", "multipart", "text", "binary"]


# --------------------------------------------------------------------------------------------
# JSON pointers


class PointerNotFound(LookupError):
    """A JSON pointer is malformed or names something the document does not have."""


class RefError(PointerNotFound):
    """A `$ref` chain dangles, leaves the document or loops."""


def encode_token(token: str | int) -> str:
    """One RFC 6901 reference token: `~` -> `~0`, `/` -> `~1`."""
    return str(token).replace("~", "~0").replace("/", "~1")


def json_pointer(parts: Iterable[str | int]) -> str:
    """Join keys into an RFC 6901 pointer, escaping "~" and "/" ("" for the root)."""
    return "".join("/" + encode_token(part) for part in parts)


def ref_to(parts: Iterable[str | int]) -> str:
    """A `$ref` URI fragment for `parts`: escaped as a pointer, then percent-encoded."""
    return "#" + "".join("/" + quote(encode_token(part), safe="") for part in parts)


def pointer_parts(pointer: str) -> tuple[str, ...]:
    """Split an RFC 6901 pointer ("/a/b~1c") or URI fragment ("#/a/b%20c") into its keys."""
    if pointer.startswith("#"):
        pointer = unquote(pointer[1:])
    if not pointer:
        return ()
    if not pointer.startswith("/"):
        raise PointerNotFound(f"invalid JSON pointer {pointer!r} (must start with '/')")
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))


def _is_index(part: str) -> bool:
    return part.isascii() and part.isdigit()


def _child(node: Any, part: str) -> Any:
    """`node[part]`, where YAML may have loaded a key such as `200` as an int."""
    if part in node:
        return node[part]
    for key, value in node.items():
        if not isinstance(key, str) and str(key) == part:
            return value
    raise KeyError(part)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """Return the value `pointer` (RFC 6901, or a "#..." URI fragment) names in `document`."""
    node = document
    for depth, part in enumerate(pointer_parts(pointer)):
        if isinstance(node, Mapping):
            try:
                node = _child(node, part)
            except KeyError:
                raise PointerNotFound(
                    f"{pointer}: no key {part!r} at position {depth + 1}"
                ) from None
        elif isinstance(node, list):
            if not _is_index(part) or (part != "0" and part.startswith("0")):
                raise PointerNotFound(f"{pointer}: {part!r} is not an array index")
            index = int(part)
            if index >= len(node):
                raise PointerNotFound(f"{pointer}: index {index} is out of range")
            node = node[index]
        else:
            raise PointerNotFound(f"{pointer}: cannot descend into a {type(node).__name__}")
    return node


# --------------------------------------------------------------------------------------------
# References


def resolve_ref(document: Any, value: Any) -> tuple[str | None, Any]:
    """Follow `value`'s `$ref` chain: (the last ref followed or None, the node it reaches).

    Raises `RefError` when a ref is not internal, dangles, or the chain comes back to a
    ref it already followed.
    """
    seen: list[str] = []
    while isinstance(value, Mapping) and "$ref" in value:
        ref = value["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise RefError(f"$ref {ref!r} is not internal (only '#/...' refs are followed)")
        if ref in seen:
            raise RefError(f"$ref cycle: {' -> '.join([*seen, ref])}")
        seen.append(ref)
        try:
            value = resolve_pointer(document, ref)
        except PointerNotFound as exc:
            raise RefError(f"unresolvable $ref {ref!r}: {exc}") from None
    return (seen[-1] if seen else None), value


def deref(document: Any, value: Any) -> Any:
    """`value` with its `$ref` chain followed; None when the chain dangles or loops."""
    try:
        return resolve_ref(document, value)[1]
    except RefError:
        return None


def contains_ref(value: Any) -> bool:
    """Whether `value` holds a `$ref` anywhere (equal text may hide changed targets)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if "$ref" in node:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


# --------------------------------------------------------------------------------------------
# Operations, parameters and media types


def iter_operations(
    document: Mapping[str, Any],
) -> Iterator[tuple[str, str, Mapping[str, Any], Mapping[str, Any]]]:
    """(method, path, operation, path item) for every operation, in spec order."""
    paths = document.get("paths")
    for path, item in (paths if isinstance(paths, Mapping) else {}).items():
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping):
                yield method, str(path), operation, item


def parameter_key(parameter: Mapping[str, Any]) -> tuple[str, str]:
    """What makes a parameter unique: (location, name), header names case-insensitively."""
    location, name = str(parameter.get("in", "")), str(parameter.get("name", ""))
    return location, name.lower() if location == "header" else name


def merge_parameters(
    document: Any, path_item: Mapping[str, Any], operation: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The effective parameters of an operation, as (JSON pointer suffix, parameter).

    Path-level parameters come first; an operation-level one with the same `parameter_key`
    replaces it in place. Refs are followed; unresolvable entries are skipped. The pointer
    suffix is `path-item/parameters/<i>` or `operation/parameters/<i>` for error messages.
    """
    merged: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for owner, source in (("path-item", path_item), ("operation", operation)):
        raw_list = source.get("parameters")
        for index, raw in enumerate(raw_list if isinstance(raw_list, list) else []):
            parameter = deref(document, raw)
            if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
                merged[parameter_key(parameter)] = (f"{owner}/parameters/{index}", parameter)
    return list(merged.values())


def media_base(media_type: str) -> str:
    """`Application/JSON; charset=utf-8` -> `application/json`."""
    return str(media_type).split(";", 1)[0].strip().lower()


def media_kind(media_type: str) -> MediaKind:
    """How a body of this media type is encoded."""
    base = media_base(media_type)
    if base == "*/*" or base.endswith(("/json", "+json")):
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/") or base.endswith(("/xml", "+xml")):
        return "text"
    return "binary"


_REQUEST_PREFERENCE: tuple[MediaKind, ...] = ("json", "form", "multipart", "text", "binary")


def request_media(container: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(media type, media object) a client sends a request body as: JSON when declared, then
    form, multipart, text, binary."""
    content = container.get("content")
    if not isinstance(content, Mapping):
        return None
    declared = [(str(t), m) for t, m in content.items() if isinstance(m, dict)]
    for kind in _REQUEST_PREFERENCE:
        for media_type, media in declared:
            if media_kind(media_type) == kind:
                return media_type, media
    return None


def json_media(container: Mapping[str, Any]) -> dict[str, Any] | None:
    """The first JSON media type object of a request body or response, if any."""
    content = container.get("content")
    for media_type, media in (content if isinstance(content, Mapping) else {}).items():
        if media_kind(str(media_type)) == "json" and isinstance(media, dict):
            return media
    return None


# --------------------------------------------------------------------------------------------
# Schemas

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_VALUES = (
    "items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames",
    "additionalItems", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
)  # fmt: skip


def iter_subschemas(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The schemas directly nested in `schema` (JSON Schema keywords only, not data)."""
    found: list[dict[str, Any]] = []
    for keyword in _SCHEMA_MAPS:
        nested = schema.get(keyword)
        if isinstance(nested, dict):
            found.extend(value for value in nested.values() if isinstance(value, dict))
    for keyword in _SCHEMA_LISTS:
        nested = schema.get(keyword)
        if isinstance(nested, list):
            found.extend(value for value in nested if isinstance(value, dict))
    for keyword in _SCHEMA_VALUES:
        nested = schema.get(keyword)
        if isinstance(nested, dict):
            found.append(nested)
        elif isinstance(nested, list):  # 3.0-era tuple `items`
            found.extend(value for value in nested if isinstance(value, dict))
    return found


def walk_schemas(roots: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every schema reachable from `roots` through subschema keywords (refs not followed)."""
    stack = list(roots)
    seen: set[int] = set()
    while stack:
        schema = stack.pop()
        if id(schema) in seen:
            continue
        seen.add(id(schema))
        yield schema
        stack.extend(iter_subschemas(schema))
