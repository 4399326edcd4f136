"""Valid example values for OpenAPI schemas, so contract tests can send requests Prism accepts.

`example_for` builds one value that validates against a schema; `operation_arguments` builds the
path/query/header/cookie parameters and the body for one operation. Values are plain Python
(str, int, float, bool, None, list, dict) and deterministic: the same spec gives the same values.

Choices, all aimed at "valid", not "realistic":
* `const` and `enum` win (the first non-null enum value); `oneOf`/`anyOf` take the first branch that
  is not `null` and has a finite example; a `discriminator` property is set to the branch's mapping
  key (or, without a mapping, the branch's component name unless its schema fixes the value).
* Strings: a fixed value per known `format`; with a `pattern`, the spec's own `examples`/`example`/
  `default` and a small set of candidates are tried against the pattern (Python `re`, close enough
  to ECMA-262 for the patterns OpenAPI specs use); otherwise "abc123" fitted to min/maxLength.
* Objects: the required properties (all properties with `required_only=False`); `readOnly`
  properties are left out because these values are requests (Prism strips them from request
  schemas too). Arrays: `minItems` items (at least one with `required_only=False`).
* `$ref` cycles stop at the second visit: an optional property, an extra array item or a choice
  branch that would recurse is skipped; a required cycle raises `ExampleError`.
Not supported (raise `ExampleError` or give a value that may not validate): external `$ref`,
`not`, `patternProperties`, `dependentSchemas`, `if`/`then`, `uniqueItems` with several items
unless an `enum` supplies distinct values.
"""

from __future__ import annotations

import json
import math
import re
import re._parser as re_parser  # type: ignore[import-not-found]
from collections.abc import Iterator, Mapping
from typing import Any, TypedDict
from urllib.parse import quote

from generator.openapi import HTTP_METHODS, encode_token, pointer_parts

PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")
_JSON_MEDIA_TYPE = re.compile(r"^application/(?:[\w.-]+\+)?json$")

# Keywords that never constrain a value: a schema made only of these accepts anything its
# neighbours accept, so it needs no merging.
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "example",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
        "externalDocs",
        "xml",
        "discriminator",
    }
)
_FORMAT_EXAMPLES = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "duration": "P1D",
    "uuid": "8c7a3a5e-2b1f-4f5e-9a3b-0c1d2e3f4a5b",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/abc",
    "url": "https://example.com/abc",
    "iri": "https://example.com/abc",
    "uri-reference": "/abc",
    "iri-reference": "/abc",
    "uri-template": "https://example.com/{id}",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "YWJjMTIz",
    "password": "secret123",
    "regex": "^abc$",
    "json-pointer": "/abc",
    "relative-json-pointer": "0/abc",
    "int32": "1",
    "int64": "1",
    "decimal": "1.5",
}
# Tried in order when a string must match a pattern and the spec gives no matching example.
_PATTERN_CANDIDATES = (
    "abc123",
    "abc",
    "a",
    "A",
    "ABC",
    "Abc123",
    "1",
    "0",
    "1.5",
    "123",
    "abc-123",
    "abc_123",
    "a.b",
    "AB12",
    "+1",
    "2024-01-02",
    "2024-01-02T03:04:05Z",
    "8c7a3a5e-2b1f-4f5e-9a3b-0c1d2e3f4a5b",
    "user@example.com",
    "https://example.com/abc",
    "example.com",
    "",
)
# OpenAPI ignores header parameters with these names (the client sets them itself).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_DEFAULT_STRING = "abc123"
_MAX_DEPTH = 64


class ExampleError(ValueError):
    """No valid example can be built; the message names the schema's location."""


class _RefCycle(ExampleError):
    """The example would need a value of a schema that is already being built."""


class OperationArguments(TypedDict):
    """Arguments for one request: parameters by location (name -> value) and the body."""

    path: dict[str, Any]
    query: dict[str, Any]
    header: dict[str, Any]
    cookie: dict[str, Any]
    body: Any
    media_type: str | None  # of the body: JSON when declared, else the first declared one


def example_for(
    schema: Any, document: Mapping[str, Any], *, required_only: bool = True, where: str = "<schema>"
) -> Any:
    """Return a value valid against `schema`; `$ref`s resolve inside `document` (internal only).

    `where` names the schema in error messages (a JSON pointer when you have one).
    """
    return _ExampleBuilder(document, required_only=required_only).build(schema, where)


def operation_arguments(
    document: Mapping[str, Any], method: str, path: str, *, required_only: bool = True
) -> OperationArguments:
    """Return valid arguments for the operation `method path` of `document`.

    Parameters come from the path item and the operation (the operation's win on the same name
    and location). Path parameters are always present; other parameters only when required,
    unless `required_only` is False. The body is the example for the `application/json` (or
    `+json`, `*/*`) schema, else for the first media type declared, when the request body is required, when its schema has required properties
    (a client will then always send one), or when `required_only` is False; otherwise None.
    Values are Python values: the caller serializes them (e.g. httpx `params=`, `json=`).
    """
    builder = _ExampleBuilder(document, required_only=required_only)
    path_item_where = f"#/paths/{encode_token(path)}"
    path_item = builder.resolve(
        _lookup(document, ("paths", path), path_item_where), path_item_where
    )
    operation = path_item.get(method.lower())
    if not isinstance(operation, dict):
        raise ExampleError(f"{path_item_where}: no {method.upper()} operation")
    operation_where = f"{path_item_where}/{method.lower()}"

    parameters: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for owner, owner_where in ((path_item, path_item_where), (operation, operation_where)):
        for index, raw in enumerate(owner.get("parameters", [])):
            where = f"{owner_where}/parameters/{index}"
            parameter = builder.resolve(raw, where)
            parameters[(parameter["in"], parameter["name"])] = (parameter, where)

    values: dict[str, dict[str, Any]] = {location: {} for location in PARAMETER_LOCATIONS}
    for (location, name), (parameter, where) in parameters.items():
        if location not in PARAMETER_LOCATIONS:
            raise ExampleError(f"{where}: unknown parameter location {location!r}")
        if location != "path" and required_only and not parameter.get("required", False):
            continue
        if location == "header" and name.lower() in _IGNORED_HEADERS:
            continue
        schema, schema_where = _parameter_schema(parameter, where)
        values[location][name] = builder.build(schema, schema_where)

    body: Any = None
    if "requestBody" in operation:
        body_where = f"{operation_where}/requestBody"
        request_body = builder.resolve(operation["requestBody"], body_where)
        media = _body_media_type(request_body.get("content", {}))
        if media is None:
            if request_body.get("required", False):
                raise ExampleError(f"{body_where}: required body has no media type")
        else:
            schema = request_body["content"][media].get("schema", True)
            schema_where = f"{body_where}/content/{encode_token(media)}/schema"
            wanted = (
                request_body.get("required", False)
                or not required_only
                or bool(builder.flatten(schema, schema_where).get("required"))
            )
            if wanted:
                body = builder.build(schema, schema_where)
    return OperationArguments(
        path=values["path"],
        query=values["query"],
        header=values["header"],
        cookie=values["cookie"],
        body=body,
        media_type=media if body is not None else None,
    )


def iter_operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Yield (method, path) for every operation of `document`, in document order."""
    for path, path_item in document.get("paths", {}).items():
        for method in path_item:
            if method in HTTP_METHODS:
                yield method, path


def expand_path(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{name}` placeholders of a path template, percent-encoding each value (style simple)."""

    def value_for(match: re.Match[str]) -> str:
        return quote(_scalar_text(values[match.group(1)]), safe="")

    return re.sub(r"\{([^{}]+)\}", value_for, template)


def _scalar_text(value: Any) -> str:
    # JSON spelling for booleans and null, as servers parse them ("true", not Python's "True").
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value)


class _ExampleBuilder:
    def __init__(self, document: Mapping[str, Any], *, required_only: bool) -> None:
        self._document = document
        self._required_only = required_only
        # OpenAPI 3.0 ignores keywords next to `$ref`; 3.1 (JSON Schema 2020-12) applies them.
        self._ref_siblings_apply = not str(document.get("openapi", "3.1")).startswith("3.0")
        self._building: list[str] = []  # references whose value is being built, outermost first
        self._depth = 0  # nesting of inline (non-reference) schemas being built

    # -- references and merging ---------------------------------------------------------------

    def resolve(self, node: Any, where: str) -> dict[str, Any]:
        """Follow `$ref` chains of a parameter, request body, path item or schema object."""
        seen: set[str] = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ExampleError(f"{where}: $ref cycle through {ref}")
            seen.add(ref)
            node, where = self._target(ref, where), ref
        if not isinstance(node, dict):
            raise ExampleError(f"{where}: expected an object, got {type(node).__name__}")
        return node

    def _target(self, ref: Any, where: str) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ExampleError(f"{where}: only internal $ref ('#/...') is supported, got {ref!r}")
        return _lookup(self._document, list(pointer_parts(ref)), where)

    def flatten(
        self, schema: Any, where: str, seen: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """Resolve `$ref` and merge `allOf` into one schema dict (choices are left in place)."""
        if schema is True:
            return {}
        if schema is False:
            raise ExampleError(f"{where}: schema `false` accepts no value")
        if not isinstance(schema, dict):
            raise ExampleError(f"{where}: a schema must be an object or boolean")
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref in seen:
                raise _RefCycle(f"{where}: $ref cycle through {ref}")
            target = self.flatten(self._target(ref, where), ref, seen | {ref})
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            if not self._ref_siblings_apply or _only_annotations(siblings):
                return target
            return _merge(target, self.flatten(siblings, where, seen))
        if "allOf" in schema:
            merged = {key: value for key, value in schema.items() if key != "allOf"}
            for index, part in enumerate(schema["allOf"]):
                merged = _merge(merged, self.flatten(part, f"{where}/allOf/{index}", seen))
            return merged
        return schema

    # -- building -----------------------------------------------------------------------------

    def build(self, schema: Any, where: str) -> Any:
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if ref is None:
            # Cycles through `allOf` members dodge the reference guard below; depth stops them.
            if len(self._building) + self._depth > _MAX_DEPTH:
                raise _RefCycle(f"{where}: nested more than {_MAX_DEPTH} levels; a cycle?")
            self._depth += 1
            try:
                return self._build_flat(self.flatten(schema, where), where)
            finally:
                self._depth -= 1
        # Every reference passes the cycle guard, so recursive schemas always terminate.
        if ref in self._building:
            raise _RefCycle(f"{where}: {ref} contains itself with no way to stop")
        self._building.append(ref)
        try:
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            if not self._ref_siblings_apply or _only_annotations(siblings):
                return self.build(self._target(ref, where), ref)
            return self._build_flat(self.flatten(schema, where), where)
        finally:
            self._building.pop()

    def _build_flat(self, schema: dict[str, Any], where: str) -> Any:
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return _first_enum_value(schema["enum"], where)
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                return self._build_choice(schema, keyword, where)
        value_type = _value_type(schema)
        if value_type == "null":
            return None
        if value_type == "boolean":
            return True
        if value_type in ("integer", "number"):
            return _number(schema, integer=value_type == "integer", where=where)
        if value_type == "array":
            return self._build_array(schema, where)
        if value_type == "object":
            return self._build_object(schema, where)
        return _string(schema, where)

    def _build_choice(self, schema: dict[str, Any], keyword: str, where: str) -> Any:
        branches = list(enumerate(schema[keyword]))
        # Non-null branches first: a null says little about the client's serialization.
        branches.sort(key=lambda item: self._is_null_schema(item[1], f"{where}/{keyword}"))
        shared = {
            key: value for key, value in schema.items() if key not in (keyword, "discriminator")
        }
        cycle: _RefCycle | None = None
        for index, branch in branches:
            branch_where = f"{where}/{keyword}/{index}"
            candidate = branch if _only_annotations(shared) else {"allOf": [shared, branch]}
            try:
                value = self.build(candidate, branch_where)
            except _RefCycle as error:
                cycle = error
                continue
            discriminator = schema.get("discriminator")
            if isinstance(discriminator, dict) and isinstance(value, dict):
                self._set_discriminator(value, discriminator, branch, branch_where)
            return value
        if cycle is not None:
            raise cycle
        raise ExampleError(f"{where}: `{keyword}` has no branches")

    def _is_null_schema(self, schema: Any, where: str) -> bool:
        try:
            flat = self.flatten(schema, where)
        except _RefCycle:
            return False
        return flat.get("type") in ("null", ["null"]) or flat.get("const", ...) is None

    def _set_discriminator(
        self, value: dict[str, Any], discriminator: dict[str, Any], branch: Any, where: str
    ) -> None:
        property_name = discriminator.get("propertyName")
        if not isinstance(property_name, str):
            return
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if not isinstance(ref, str):
            return
        component_name = ref.rsplit("/", 1)[-1]
        for key, target in discriminator.get("mapping", {}).items():
            # Mapping values are references or bare component names.
            if target in (ref, component_name):
                value[property_name] = key
                return
        property_schema = self.flatten(branch, where).get("properties", {})
        fixed = self.flatten(property_schema.get(property_name, True), where)
        if "const" not in fixed and "enum" not in fixed:
            value[property_name] = component_name

    def _build_array(self, schema: dict[str, Any], where: str) -> list[Any]:
        min_items = int(schema.get("minItems", 0))
        count = min_items if self._required_only else max(min_items, 1)
        if "maxItems" in schema:
            count = min(count, int(schema["maxItems"]))
        prefix_items = schema.get("prefixItems", [])
        items: list[Any] = []
        for index in range(count):
            item_schema = (
                prefix_items[index] if index < len(prefix_items) else schema.get("items", True)
            )
            if item_schema is False:
                break
            try:
                items.append(self.build(item_schema, f"{where}/items"))
            except _RefCycle:
                if index < min_items:
                    raise
                break
        if schema.get("uniqueItems") and len(items) > 1:
            items = self._distinct_items(schema, items, where)
        return items

    def _distinct_items(self, schema: dict[str, Any], items: list[Any], where: str) -> list[Any]:
        if len({json.dumps(item, sort_keys=True) for item in items}) == len(items):
            return items
        choices = self.flatten(schema.get("items", True), f"{where}/items").get("enum", [])
        if len(choices) >= len(items):
            return list(choices[: len(items)])
        raise ExampleError(f"{where}: cannot build {len(items)} distinct items (uniqueItems)")

    def _build_object(self, schema: dict[str, Any], where: str) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties", {})
        required: list[str] = list(schema.get("required", []))
        extra_schema = schema.get("additionalProperties", True)
        names = required if self._required_only else list(dict.fromkeys([*required, *properties]))
        value: dict[str, Any] = {}
        for name in names:
            is_required = name in required
            if name in properties:
                property_schema = properties[name]
                property_where = f"{where}/properties/{encode_token(name)}"
            else:
                property_schema = extra_schema
                property_where = f"{where}/additionalProperties"
            if self._is_read_only(property_schema, property_where):
                continue
            try:
                value[name] = self.build(property_schema, property_where)
            except _RefCycle:
                if is_required:
                    raise
        wanted_extra = int(schema.get("minProperties", 0)) - len(value)
        if not self._required_only and not properties and isinstance(extra_schema, dict):
            wanted_extra = max(wanted_extra, 1)  # show one entry of a map
        for number in range(1, wanted_extra + 1):
            if extra_schema is False:
                raise ExampleError(f"{where}: minProperties needs properties beyond `properties`")
            value[f"key{number}"] = self.build(extra_schema, f"{where}/additionalProperties")
        return value

    def _is_read_only(self, schema: Any, where: str) -> bool:
        if isinstance(schema, dict) and schema.get("readOnly") is True:
            return True
        try:
            return self.flatten(schema, where).get("readOnly") is True
        except _RefCycle:
            return False


# -- leaf values ------------------------------------------------------------------------------


def _value_type(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    non_null = [name for name in types if name != "null"]
    if non_null:
        return str(non_null[0])
    if types:
        return "null"
    # No `type`: infer from the keywords that only make sense for one type.
    if {"properties", "additionalProperties", "required", "minProperties"} & schema.keys():
        return "object"
    if {"items", "prefixItems", "minItems", "maxItems"} & schema.keys():
        return "array"
    if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & schema.keys():
        return "number"
    return "string"


def _first_enum_value(values: Any, where: str) -> Any:
    if not isinstance(values, list) or not values:
        raise ExampleError(f"{where}: `enum` must be a non-empty list")
    return next((value for value in values if value is not None), values[0])


def _number(schema: dict[str, Any], *, integer: bool, where: str) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    low_open = high_open = False
    exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    # 3.0: booleans that make minimum/maximum exclusive; 3.1: exclusive bounds of their own.
    if isinstance(exclusive_low, bool):
        low_open = exclusive_low
    elif exclusive_low is not None and (low is None or exclusive_low >= low):
        low, low_open = exclusive_low, True
    if isinstance(exclusive_high, bool):
        high_open = exclusive_high
    elif exclusive_high is not None and (high is None or exclusive_high <= high):
        high, high_open = exclusive_high, True
    step = schema.get("multipleOf")

    candidates: list[float] = [1 if integer else 1.5]
    if low is not None:
        candidates += [low, low + 1, math.floor(low) + 1]
    if high is not None:
        candidates += [high, high - 1, math.ceil(high) - 1]
    if low is not None and high is not None:
        candidates.append((low + high) / 2)
    if step:
        candidates += [
            step,
            math.ceil((low or 0) / step) * step,
            (math.ceil((low or 0) / step) + 1) * step,
        ]
    candidates += [0, -1]

    def fits(value: float) -> bool:
        if low is not None and (value < low or (low_open and value == low)):
            return False
        if high is not None and (value > high or (high_open and value == high)):
            return False
        return not step or math.isclose(value / step, round(value / step), abs_tol=1e-9)

    for candidate in candidates:
        if integer and candidate != int(candidate):
            continue
        if fits(candidate):
            return int(candidate) if integer else candidate
    raise ExampleError(f"{where}: no {'integer' if integer else 'number'} fits the bounds")


def _string(schema: dict[str, Any], where: str) -> str:
    min_length = int(schema.get("minLength", 0))
    max_length = schema.get("maxLength")
    pattern = schema.get("pattern")

    def fits_length(text: str) -> bool:
        return len(text) >= min_length and (max_length is None or len(text) <= max_length)

    if pattern is None:
        formatted = _FORMAT_EXAMPLES.get(str(schema.get("format")))
        if formatted is not None:
            return formatted
        text = _DEFAULT_STRING + "x" * max(0, min_length - len(_DEFAULT_STRING))
        return text if max_length is None else text[: int(max_length)]

    declared = [value for value in _declared_examples(schema) if isinstance(value, str)]
    formatted = _FORMAT_EXAMPLES.get(str(schema.get("format")))
    candidates = [*declared, *([formatted] if formatted else []), *_PATTERN_CANDIDATES]
    matcher = _compile_pattern(pattern)
    if matcher is None:
        # Python cannot read this pattern; trust the spec's own examples if it has any.
        if declared:
            return declared[0]
        raise ExampleError(f"{where}: pattern {pattern!r} is not supported; add an `example`")
    for candidate in [*candidates, _shortest_match(pattern)]:
        if candidate is not None and fits_length(candidate) and matcher.search(candidate):
            return candidate
    raise ExampleError(f"{where}: no candidate matches pattern {pattern!r}; add an `example`")


def _shortest_match(pattern: str) -> str | None:
    """A string built from the pattern's own parse tree (first choices, fewest repeats)."""
    try:
        tree = re_parser.parse(re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern))
        return "".join(_parse_tree_text(tree))
    except (re.error, ValueError, RecursionError):
        return None


_CATEGORY_TEXT = {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " ", "CATEGORY_WORD": "a"}


def _parse_tree_text(items: Any) -> list[str]:
    text: list[str] = []
    for opcode, argument in items:
        name = str(opcode)
        if name == "LITERAL":
            text.append(chr(argument))
        elif name == "NOT_LITERAL":
            text.append("b" if chr(argument) == "a" else "a")
        elif name == "ANY":
            text.append("a")
        elif name == "IN":
            text.extend(_class_text(argument))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, item = argument
            text.extend(_parse_tree_text(item) * low)
        elif name == "SUBPATTERN":
            text.extend(_parse_tree_text(argument[-1]))
        elif name == "BRANCH":
            text.extend(_parse_tree_text(argument[1][0]))
        elif name == "ATOMIC_GROUP":
            text.extend(_parse_tree_text(argument))
        elif name not in ("AT", "ASSERT", "ASSERT_NOT"):
            raise ValueError(f"unsupported pattern element {name}")
    return text


def _class_text(members: Any) -> list[str]:
    first_opcode, first_argument = members[0]
    name = str(first_opcode)
    if name == "NEGATE":
        excluded = {chr(a) for op, a in members[1:] if str(op) == "LITERAL"}
        return [next(c for c in "aZ0_" if c not in excluded)]
    if name == "LITERAL":
        return [chr(first_argument)]
    if name == "RANGE":
        return [chr(first_argument[0])]
    if name == "CATEGORY":
        return [_CATEGORY_TEXT.get(str(first_argument), "a")]
    raise ValueError(f"unsupported character class {name}")


def _declared_examples(schema: dict[str, Any]) -> list[Any]:
    values = list(schema.get("examples", [])) if isinstance(schema.get("examples"), list) else []
    for keyword in ("example", "default"):
        if keyword in schema:
            values.append(schema[keyword])
    return values


def _compile_pattern(pattern: str) -> re.Pattern[str] | None:
    # ECMA-262 spells named groups `(?<name>`, Python `(?P<name>`.
    translated = re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern)
    try:
        return re.compile(translated)
    except re.error:
        return None


# -- documents --------------------------------------------------------------------------------


def _merge(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Combine two schemas that must both hold (the `allOf` of flat schemas), simply."""
    merged = dict(first)
    for key, value in second.items():
        if key not in merged:
            merged[key] = value
        elif key == "properties":
            properties = dict(merged[key])
            for name, property_schema in value.items():
                properties[name] = (
                    {"allOf": [properties[name], property_schema]}
                    if name in properties
                    else property_schema
                )
            merged[key] = properties
        elif key == "required":
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        elif key == "type":
            merged[key] = _common_types(merged[key], value)
        elif key in ("minimum", "minLength", "minItems", "minProperties"):
            merged[key] = max(merged[key], value)
        elif key in ("maximum", "maxLength", "maxItems", "maxProperties"):
            merged[key] = min(merged[key], value)
        # Anything else: the first schema's value stands (good enough for examples).
    return merged


def _common_types(first: Any, second: Any) -> Any:
    first_list = [first] if isinstance(first, str) else list(first)
    second_list = [second] if isinstance(second, str) else list(second)
    # An integer is also a number.
    common = [
        name
        for name in first_list
        if name in second_list or (name == "integer" and "number" in second_list)
    ]
    common += [name for name in second_list if name == "integer" and "number" in first_list]
    return list(dict.fromkeys(common)) or first_list


def _only_annotations(schema: Mapping[str, Any]) -> bool:
    return all(key in _ANNOTATIONS or key.startswith("x-") for key in schema)


def _parameter_schema(parameter: dict[str, Any], where: str) -> tuple[Any, str]:
    if "schema" in parameter:
        return parameter["schema"], f"{where}/schema"
    media = next(iter(parameter.get("content", {})), None)
    if media is None:
        raise ExampleError(f"{where}: parameter has neither `schema` nor `content`")
    return parameter["content"][media].get(
        "schema", True
    ), f"{where}/content/{encode_token(media)}/schema"


def _body_media_type(content: Mapping[str, Any]) -> str | None:
    """JSON (or `*/*`, which takes JSON) when declared, else the first media type declared."""
    if not isinstance(content, Mapping) or not content:
        return None
    for media in content:
        essence = media.split(";")[0].strip()
        if _JSON_MEDIA_TYPE.match(essence) or essence in ("*/*", "application/*"):
            return str(media)
    return str(next(iter(content)))


def _lookup(document: Mapping[str, Any], parts: tuple[str, ...] | list[str], where: str) -> Any:
    node: Any = document
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            pointer = "#/" + "/".join(encode_token(step) for step in parts)
            raise ExampleError(f"{where}: {pointer} does not exist in the document")
    return node


def request_options(method: str, path: str, arguments: OperationArguments) -> dict[str, Any]:
    """Keyword arguments for `httpx.Client.request(**options)` sending `arguments` to `path`.

    Query lists repeat the name (style form, explode); header and cookie values are sent as
    text. None leaves a parameter out; a None body sends no body at all.
    """
    query, header, cookie = (
        {name: value for name, value in values.items() if value is not None}
        for values in (arguments["query"], arguments["header"], arguments["cookie"])
    )
    headers = {name: _scalar_text(value) for name, value in header.items()}
    if cookie:
        headers["Cookie"] = "; ".join(
            f"{name}={quote(_scalar_text(value), safe='')}" for name, value in cookie.items()
        )
    options: dict[str, Any] = {
        "method": method.upper(),
        "url": expand_path(path, arguments["path"]),
        "params": {
            name: [_scalar_text(item) for item in value]
            if isinstance(value, list)
            else _scalar_text(value)
            for name, value in query.items()
        },
        "headers": headers,
    }
    if arguments["body"] is not None:
        options["json"] = arguments["body"]
    return options
