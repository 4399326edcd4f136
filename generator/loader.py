"""Load an OpenAPI document (JSON or YAML) safely and fast, bundling local file refs.

Safety: YAML goes through a restricted safe loader (no timestamps, string keys, no duplicate
keys, alias bombs refused), inputs are size-limited, and `$ref`s are only followed to files
inside the root spec's folder; remote refs are refused, never fetched.

Bundling: a ref to another local file is replaced by a ref to a copy of its target under
`components/<section>/<Name>` of the root document, so the result only holds internal
`#/...` refs. Internal refs are left alone (cycles are fine, nothing is inlined).

Reference policy (`check_references`, one place for the whole generator): after bundling,
every reference-like keyword (`$ref`, `$dynamicRef`, `$recursiveRef`, discriminator
mappings) must be a JSON pointer into the document, not into example or extension data, and
no `$id` may rebase them; anything else is refused with the JSON pointer that holds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NoReturn
from urllib.parse import unquote

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import InputError
from generator.openapi import (
    PointerNotFound,
    contains_ref,
    json_pointer,
    pointer_parts,
    resolve_pointer,
)

__all__ = [
    "KEYWORD_KINDS",
    "REFERENCE_KEYWORDS",
    "LoadedSpec",
    "check_references",
    "iter_nodes",
    "iter_refs",
    "load_spec",
    "parse_document",
    "reference_problem",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# An alias bomb builds a few small nodes that expand to billions: cap the alias uses and the
# number of nodes they expand to (legit specs use a handful of anchors, if any).
MAX_ALIAS_USES = 10_000
MAX_ALIAS_EXPANDED_NODES = 1_000_000
# Bundling reads at most this many files besides the root (a runaway chain is a bug, not a spec).
MAX_REFERENCED_FILES = 1_000
# Objects and arrays nested deeper than this are refused: real specs stay far below it, and
# the stages after loading are sized for it (deepstack.py). 80 levels of nested schemas with
# "properties" are about 160.
MAX_NESTING = 300

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# "http:", "file:", "c:" ...: anything with a URI scheme is not a local relative file.
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# A "$ref" key (literal or \u-escaped) whose value is a string not starting with "#": only
# such JSON documents need the bundling walk. Possessive `\s*+`: no backtracking into spaces.
_JSON_NONLOCAL_REF = re.compile(
    r'"(?:\$|\\u0024)(?:r|\\u0072)(?:e|\\u0065)(?:f|\\u0066)"\s*+:\s*+"(?!#)', re.IGNORECASE
)


# --------------------------------------------------------------------------------------------
# YAML


class _AliasBomb(Exception):
    """Raised inside the YAML constructor; turned into an InputError naming the file."""


class _RecursiveAlias(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__("recursive YAML alias")
        self.node = node


class _AliasCountingObjects(dict[Node, Any]):
    """The constructor's node -> object cache; a lookup hit is an alias use, so we count it.

    Only `__getitem__` is overridden: plain `in` checks and stores keep dict speed, and the
    constructor calls `__getitem__` only when the node was constructed before.
    """

    def __init__(self) -> None:
        super().__init__()
        self.alias_uses = 0
        self.expanded_nodes = 0
        self._sizes: dict[int, int] = {}

    def __getitem__(self, node: Node) -> Any:
        self.alias_uses += 1
        self.expanded_nodes += self._expanded_size(node)
        if self.alias_uses > MAX_ALIAS_USES or self.expanded_nodes > MAX_ALIAS_EXPANDED_NODES:
            raise _AliasBomb
        return super().__getitem__(node)

    def _expanded_size(self, root: Node) -> int:
        """Node count of `root` with every alias expanded (memoised; refuses cycles)."""
        sizes = self._sizes
        in_progress: set[int] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if id(node) in sizes:
                continue
            children = _child_nodes(node)
            if children_done:
                in_progress.discard(id(node))
                sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
                if sizes[id(node)] > MAX_ALIAS_EXPANDED_NODES:
                    raise _AliasBomb
                continue
            if id(node) in in_progress:
                raise _RecursiveAlias(node)
            in_progress.add(id(node))
            stack.append((node, True))
            for child in children:
                if id(child) in in_progress:
                    raise _RecursiveAlias(child)
                if id(child) not in sizes:
                    stack.append((child, False))
        return sizes[id(root)]


def _child_nodes(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


_BaseYamlLoader: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


class _SpecYamlLoader(_BaseYamlLoader):  # type: ignore[valid-type,misc]
    """Safe loader for specs: JSON-shaped output, string keys, no duplicates, no bombs."""

    # Dates stay strings: "2026-07-01" is a version or an example, not a datetime.
    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
        for first, resolvers in _BaseYamlLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.has_nonlocal_ref = False
        self.alias_uses = 0

    def construct_document(self, node: Node) -> Any:
        objects = _AliasCountingObjects()
        self.constructed_objects = objects
        try:
            return super().construct_document(node)
        finally:
            self.alias_uses += objects.alias_uses

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[str, Any]:
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found a {type(node).__name__}", node.start_mark
            )
        own_pairs = node.value
        merges = any(key_node.tag == _MERGE_TAG for key_node, _ in own_pairs)
        if merges:
            # Merged keys may be overridden by the mapping's own keys; only its own may clash.
            self._check_duplicates([pair for pair in own_pairs if pair[0].tag != _MERGE_TAG])
            self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            # (inlined for speed: this runs for every key of the document)
            key = key_node.value if key_node.__class__ is ScalarNode else self._key_text(key_node)
            if not merges and key in mapping:
                self._check_duplicates(node.value)
            if key == "$ref" and not (
                isinstance(value_node, ScalarNode) and value_node.value.startswith("#")
            ):
                self.has_nonlocal_ref = True
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    @staticmethod
    def _key_text(key_node: Node) -> str:
        # Keys are the scalar's text: `200:` -> "200", `on:` -> "on" (not True), `~:` -> "~".
        if isinstance(key_node, ScalarNode):
            return str(key_node.value)
        raise yaml.constructor.ConstructorError(
            None, None, "mapping keys must be plain scalars", key_node.start_mark
        )

    def _check_duplicates(self, pairs: Sequence[tuple[Node, Node]]) -> None:
        first_seen: dict[str, Node] = {}
        for key_node, _ in pairs:
            key = self._key_text(key_node)
            if key in first_seen:
                first_line = first_seen[key].start_mark.line + 1
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first defined on line {first_line})",
                    key_node.start_mark,
                )
            first_seen[key] = key_node

    def construct_not_json(self, node: Node) -> Any:
        raise yaml.constructor.ConstructorError(
            None, None, f"the YAML type {node.tag} has no JSON equivalent", node.start_mark
        )


_SpecYamlLoader.add_constructor(_TIMESTAMP_TAG, _SpecYamlLoader.construct_yaml_str)
for _tag in ("binary", "set", "omap", "pairs"):
    _SpecYamlLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _SpecYamlLoader.construct_not_json)


@dataclass
class _Parsed:
    value: Any
    has_nonlocal_ref: bool  # False guarantees every "$ref" is internal ("#...")
    shares_objects: bool  # YAML aliases / merge keys made some objects appear twice


def _parse_yaml(text: str, source: str) -> _Parsed:
    loader = _SpecYamlLoader(text)
    try:
        value = loader.get_single_data()
    except _AliasBomb:
        raise InputError(f"{source}: too many YAML aliases (possible alias bomb)") from None
    except _RecursiveAlias as exc:
        line = exc.node.start_mark.line + 1
        raise InputError(f"{source}:{line}: recursive YAML alias is not supported") from None
    except yaml.YAMLError as exc:
        raise InputError(_describe_yaml_error(exc, text, source)) from None
    except RecursionError:
        raise InputError(f"{source}: the document is nested too deeply") from None
    finally:
        loader.dispose()
    return _Parsed(value, loader.has_nonlocal_ref, loader.alias_uses > 0)


def _describe_yaml_error(exc: yaml.YAMLError, text: str, source: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if context and (not problem or not context.startswith("while ")):
        # "expected a single document in the stream" + "but found another document"
        problem = f"{context}, {problem}" if problem else context
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        reason = f"{_one_line(exc.reason)} (#x{exc.character:04x})"
        return f"{source}:{line}:{column}: invalid YAML: {reason}"
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    return f"{where}: invalid YAML: {_one_line(str(problem or exc))}"


def _one_line(message: str, limit: int = 300) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# JSON


class _DuplicateJsonKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateJsonKey(key)
            seen.add(key)
    return mapping


def _parse_json(text: str, source: str) -> _Parsed:
    try:
        value = json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except _DuplicateJsonKey as exc:
        raise InputError(_describe_json_duplicate(text, source, exc.key)) from None
    except RecursionError:
        raise InputError(f"{source}: the document is nested too deeply") from None
    return _Parsed(value, _JSON_NONLOCAL_REF.search(text) is not None, False)


def _describe_json_duplicate(text: str, source: str, key: str) -> str:
    # json does not tell where; JSON is (nearly) YAML, so let the YAML loader find the line.
    try:
        _parse_yaml(text.replace("\t", " "), source)
    except InputError as exc:
        if "duplicate key" in str(exc):
            return str(exc).replace("invalid YAML", "invalid JSON")
    return f"{source}: invalid JSON: duplicate key {key!r}"


# --------------------------------------------------------------------------------------------
# Documents


def _decode(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(
                f"{source}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} "
                f"at offset {exc.start})"
            ) from None
    return text.removeprefix("\ufeff")


def _parse_any(data: bytes | str, source: str) -> tuple[str, _Parsed]:
    text = _decode(data, source)
    parsed = _parse_text(text, source)
    _check_nesting(parsed.value, text, source)
    return text, parsed


def _parse_text(text: str, source: str) -> _Parsed:
    if source.lower().endswith(".json"):
        return _parse_json(text, source)
    if _starts_like_json(text):
        # Most likely JSON (fast path); a YAML flow mapping also starts with "{".
        try:
            return _parse_json(text, source)
        except InputError as json_error:
            try:
                return _parse_yaml(text, source)
            except InputError:
                raise json_error from None
    return _parse_yaml(text, source)


def _check_nesting(value: Any, text: str, source: str) -> None:
    """Refuse a document nested deeper than MAX_NESTING, naming the first place that is."""
    if not isinstance(value, (dict, list)):
        return
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        node, parts = stack.pop()
        if len(parts) >= MAX_NESTING:
            line = _LineIndex(text, _starts_like_json(text)).line_of(parts)
            raise InputError(
                f"{source}:{line}: {json_pointer(parts)}: nested more than {MAX_NESTING} "
                "levels deep (apigen's limit)"
            )
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend(
            (child, (*parts, str(key))) for key, child in items if isinstance(child, (dict, list))
        )


def _starts_like_json(text: str) -> bool:
    return re.match(r"\s*\{", text) is not None


def _require_mapping(value: Any, source: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    found = "an empty document" if value is None else f"a {_json_type(value)}"
    raise InputError(f"{source}: the document root must be a mapping (object), found {found}")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list (array)"
    return type(value).__name__


def parse_document(data: bytes | str, source: str) -> dict[str, Any]:
    """Parse one JSON or YAML document (no ref resolution); the root must be a mapping.

    JSON when `source` ends in ".json" or the text starts with "{", else YAML.
    """
    _, parsed = _parse_any(data, source)
    document = _require_mapping(parsed.value, source)
    return _unshare(document) if parsed.shares_objects else document


def _unshare(value: Any) -> Any:
    """Copy so that no dict/list appears twice (YAML aliases share them; JSON never does)."""
    if isinstance(value, dict):
        return {key: _unshare(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshare(item) for item in value]
    return value


def _read_limited(path: Path, display: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(_too_large(display, max_bytes, size))
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)  # the file may grow (or be a pipe)
    except OSError as exc:
        raise InputError(f"{display}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(_too_large(display, max_bytes))
    return data


def _too_large(display: str, max_bytes: int, size: int | None = None) -> str:
    actual = f" ({size:,} bytes)" if size is not None else ""
    return f"{display}: file too large{actual}: the limit is {max_bytes:,} bytes"


# --------------------------------------------------------------------------------------------
# Line numbers (only computed when an error is reported)


class _LineIndex:
    """Finds the line of a JSON pointer in one file's text; composes the YAML tree once."""

    def __init__(self, text: str | None, is_json: bool) -> None:
        self._text = text
        self._is_json = is_json
        self._tree: Node | None = None
        self._composed = False

    def line_of(self, parts: Sequence[str]) -> int | None:
        if self._text is None:
            return None
        if not self._composed:
            self._composed = True
            self._tree = self._compose(self._text)
        if self._tree is None:
            return _scan_json_line(self._text, parts)
        return _node_line(self._tree, parts)

    def _compose(self, text: str) -> Node | None:
        # Tabs are only whitespace in JSON (never raw inside strings), but YAML rejects them.
        if self._is_json:
            text = text.replace("\t", " ")
        loader_class = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
        try:
            return yaml.compose(text, Loader=loader_class)
        except yaml.YAMLError:
            return None


def _node_line(root: Node, parts: Sequence[str]) -> int:
    """Line of the node at `parts` (a member's key line), else of its deepest existing parent."""
    node = root
    line = root.start_mark.line + 1
    for part in parts:
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == part:
                    node, line = value_node, key_node.start_mark.line + 1
                    break
            else:
                return line
        elif (
            isinstance(node, SequenceNode)
            and part.isascii()
            and part.isdigit()
            and int(part) < len(node.value)
        ):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _scan_json_line(text: str, parts: Sequence[str]) -> int | None:
    """Rough fallback: find each key in turn as `"key":` after the previous one."""
    position = 0
    for part in parts:
        match = re.compile(re.escape(json.dumps(part)) + r"\s*:").search(text, position)
        if match is None:
            break
        position = match.start()
    return text.count("\n", 0, position) + 1


# --------------------------------------------------------------------------------------------
# Public result


@dataclass(frozen=True)
class LoadedSpec:
    """A parsed, bundled spec: `document` only holds internal "#/..." refs."""

    document: dict[str, Any]
    source: str  # display name: the path as given
    sha256: str  # of the raw bytes of the root file
    root_text: str | None = field(default=None, repr=False, compare=False)
    _lines: _LineIndex | None = field(default=None, init=False, repr=False, compare=False)

    def line_of(self, pointer: str) -> int | None:
        """1-based line of `pointer` in the root file (of its deepest existing parent when
        the pointer does not exist there, e.g. a bundled component); None without text."""
        if self._lines is None:
            is_json = self.source.lower().endswith(".json") or (
                self.root_text is not None and _starts_like_json(self.root_text)
            )
            object.__setattr__(self, "_lines", _LineIndex(self.root_text, is_json))
        assert self._lines is not None
        try:
            parts = pointer_parts(pointer)
        except PointerNotFound:
            return None
        return self._lines.line_of(parts)


def load_spec(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedSpec:
    """Read, parse and bundle the spec at `path` (see the module docstring)."""
    source = str(path)
    data = _read_limited(path, source, max_bytes)
    text, parsed = _parse_any(data, source)
    document = _require_mapping(parsed.value, source)
    if parsed.shares_objects:
        document = _unshare(document)
    if parsed.has_nonlocal_ref:
        root = _SourceFile(path.resolve(), source, text, document)
        document = _Bundler(root, max_bytes, len(data)).bundle()
    spec = LoadedSpec(document, source, hashlib.sha256(data).hexdigest(), text)
    check_references(spec)
    return spec


# --------------------------------------------------------------------------------------------
# Bundling of local file refs

# What a position in an OpenAPI document holds, derived from the keys leading to it: a table
# from (kind, key) to the child's kind. "*" matches any key (map entries, list items).
# "literal" is example/default data, where a "$ref" key is just data and is not followed.
_SCHEMA_SUBSCHEMA = (
    "items additionalProperties not if then else contains propertyNames unevaluatedItems "
    "unevaluatedProperties additionalItems contentSchema"
)
_SCHEMA_MAPS = "properties patternProperties definitions $defs dependentSchemas"
_SCHEMA_LISTS = "allOf anyOf oneOf prefixItems"
_SCHEMA_LITERALS = "example examples default enum const"
_OPERATIONS = "get put post delete options head patch trace query"
_PARAMETER_LIKE = {
    "schema": "schema",
    "content": "contentMap",
    "examples": "exampleMap",
    "example": "literal",
}
_CHILD_KIND: dict[str, dict[str, str]] = {
    "document": {"paths": "pathMap", "webhooks": "pathMap", "components": "components"},
    "components": {
        "schemas": "schemaMap",
        "parameters": "parameterMap",
        "responses": "responseMap",
        "requestBodies": "requestBodyMap",
        "headers": "headerMap",
        "examples": "exampleMap",
        "links": "linkMap",
        "callbacks": "callbackMap",
        "securitySchemes": "securitySchemeMap",
        "pathItems": "pathMap",
    },
    "pathItem": {
        "parameters": "parameterMap",
        **dict.fromkeys(_OPERATIONS.split(), "operation"),
    },
    "operation": {
        "parameters": "parameterMap",
        "requestBody": "requestBody",
        "responses": "responseMap",
        "callbacks": "callbackMap",
    },
    "parameter": _PARAMETER_LIKE,
    "header": _PARAMETER_LIKE,
    "requestBody": {"content": "contentMap"},
    "response": {"content": "contentMap", "headers": "headerMap", "links": "linkMap"},
    "mediaType": {
        "schema": "schema",
        "examples": "exampleMap",
        "example": "literal",
        "encoding": "encodingMap",
    },
    "encoding": {"headers": "headerMap"},
    "example": {"value": "literal"},
    "link": {"parameters": "literal", "requestBody": "literal"},
    "schema": {
        **dict.fromkeys(_SCHEMA_SUBSCHEMA.split(), "schema"),
        **dict.fromkeys(_SCHEMA_MAPS.split(), "schemaMap"),
        **dict.fromkeys(_SCHEMA_LISTS.split(), "schemaMap"),
        **dict.fromkeys(_SCHEMA_LITERALS.split(), "literal"),
    },
    # Maps and lists: every entry has the same kind.
    "pathMap": {"*": "pathItem"},
    "schemaMap": {"*": "schema"},
    "parameterMap": {"*": "parameter"},
    "responseMap": {"*": "response"},
    "requestBodyMap": {"*": "requestBody"},
    "headerMap": {"*": "header"},
    "exampleMap": {"*": "example"},
    "linkMap": {"*": "link"},
    "callbackMap": {"*": "callback"},
    "callback": {"*": "pathItem"},
    "securitySchemeMap": {"*": "securityScheme"},
    "contentMap": {"*": "mediaType"},
    "encodingMap": {"*": "encoding"},
}
# The components section a ref at a position of this kind is bundled into (default: schemas).
# Path items are inlined instead: OpenAPI 3.0 has no components section for them.
_SECTION_OF_KIND = {
    "schema": "schemas",
    "parameter": "parameters",
    "response": "responses",
    "requestBody": "requestBodies",
    "header": "headers",
    "example": "examples",
    "link": "links",
    "callback": "callbacks",
    "securityScheme": "securitySchemes",
}


def _child_kind(kind: str, key: str) -> str:
    if kind == "literal":
        return "literal"
    children = _CHILD_KIND.get(kind)
    if children is not None:
        child = children.get(key) or children.get("*")
        if child is not None:
            return child
    return "literal" if key.startswith("x-") else "other"


def iter_nodes(document: Any) -> Iterator[tuple[dict[str, Any], str, tuple[str, ...]]]:
    """Yield (mapping, its kind, keys leading to it) for every mapping of an OpenAPI document
    that is not example/default data or an x- extension, in document order. The kind is
    "schema", "operation", "schemaMap"... (see `_CHILD_KIND`), "other" where unknown."""
    stack: list[tuple[Any, str, tuple[str, ...]]] = [(document, "document", ())]
    while stack:
        value, kind, parts = stack.pop()
        if kind == "literal":
            continue
        if isinstance(value, dict):
            yield value, kind, parts
            children = [
                (item, _child_kind(kind, key), (*parts, key))
                for key, item in value.items()
                if isinstance(item, (dict, list))
            ]
        elif isinstance(value, list):
            child = _child_kind(kind, "*")
            children = [
                (item, child, (*parts, str(index)))
                for index, item in enumerate(value)
                if isinstance(item, (dict, list))
            ]
        else:
            continue
        stack.extend(reversed(children))


def iter_refs(document: Any) -> Iterator[tuple[tuple[str, ...], str]]:
    """Yield (keys leading to the "$ref" member, its value) for every string "$ref" in an
    OpenAPI document, in document order, skipping example/default data and x- extensions."""
    for node, _, parts in iter_nodes(document):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield (*parts, "$ref"), ref


# --------------------------------------------------------------------------------------------
# Reference policy: what may name another part of the document, and what it may name

# Every keyword with which a schema names another schema (OpenAPI, JSON Schema 2019-09 and
# 2020-12). Tools downstream (datamodel-code-generator, jsonschema) would follow them to files
# and URLs; apigen lets each only be a JSON pointer into the (bundled) document itself.
REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
# `$id` rebases the references below it (onto a file or URL of the spec's choice) and makes
# "#/..." mean something else than the document: refused rather than reinterpreted.
_REBASING_KEYWORDS = ("$id",)
KEYWORD_KINDS = frozenset({"schema", "other"})  # kinds whose keys are keywords, not names


def reference_problem(document: Any, reference: str) -> str | None:
    """Why `reference` may not be followed, or None when it is a JSON pointer into
    `document` (existing or not: a dangling pointer is a validation issue) naming a part
    that is not example/default data or an x- extension."""
    if not reference.startswith("#"):
        return "names something outside the spec"
    try:
        parts = pointer_parts(reference)
    except PointerNotFound:
        return "is not a JSON pointer ('#/...'); anchors and ids are not supported"
    kind = "document"
    for part in parts:
        kind = _child_kind(kind, part)
        if kind == "literal":
            return "points into example, default or extension data, which is not a schema"
    return None


def _references(node: dict[str, Any], kind: str) -> Iterator[tuple[tuple[str, ...], str]]:
    """(keys from `node`, value) of each reference-like member of one mapping."""
    for keyword in REFERENCE_KEYWORDS:
        if isinstance(node.get(keyword), str):
            yield (keyword,), node[keyword]
    discriminator = node.get("discriminator") if kind == "schema" else None
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    if isinstance(mapping, dict):
        # A value without "#" is a schema name, or a file or URL that normalize drops.
        for key, target in mapping.items():
            if isinstance(target, str) and target.startswith("#"):
                yield ("discriminator", "mapping", key), target


def check_references(spec: LoadedSpec) -> None:
    """Refuse (InputError naming the JSON pointer) the first reference of a bundled spec that
    `reference_problem` refuses, and any `$id`: after this, nothing in the document can make
    a tool read a file or the network to resolve a reference."""
    document = spec.document
    for node, kind, parts in iter_nodes(document):
        for keys, reference in _references(node, kind):
            reason = reference_problem(document, reference)
            if reason is not None:
                _refuse(spec, (*parts, *keys), reference, reason)
        if kind in KEYWORD_KINDS:
            for keyword in _REBASING_KEYWORDS:
                if isinstance(node.get(keyword), str):
                    _refuse(spec, (*parts, keyword), node[keyword], "would rebase references")


def _refuse(spec: LoadedSpec, parts: tuple[str, ...], value: str, reason: str) -> NoReturn:
    pointer = json_pointer(parts)
    line = spec.line_of(pointer)
    where = spec.source if line is None else f"{spec.source}:{line}"
    raise InputError(
        f"{where}: {pointer}: {parts[-1] if parts[-1].startswith('$') else 'mapping'} "
        f"{_one_line(repr(value), 120)} {reason} "
        "(apigen follows references only as JSON pointers inside the spec)"
    )


@dataclass
class _SourceFile:
    path: Path  # resolved
    display: str
    text: str
    document: Any
    lines: _LineIndex | None = None

    def where(self, parts: Sequence[str]) -> str:
        """Where `parts` is, as "file:line" (the line is best effort), for error messages."""
        if self.lines is None:
            is_json = self.display.lower().endswith(".json") or _starts_like_json(self.text)
            self.lines = _LineIndex(self.text, is_json)
        line = self.lines.line_of(parts)
        return f"{self.display}:{line}" if line is not None else self.display


class _Bundler:
    """Rewrites refs to local files into refs to copies under the root's components."""

    def __init__(self, root: _SourceFile, max_bytes: int, bytes_read: int) -> None:
        self.root = root
        self.root_dir = root.path.parent
        self.max_bytes = max_bytes
        self.bytes_read = bytes_read
        self.files: dict[Path, _SourceFile] = {root.path: root}
        self.targets: dict[tuple[Path, tuple[str, ...]], str] = {}  # -> new internal ref
        self.inlining: set[tuple[Path, tuple[str, ...]]] = set()
        self.added: dict[str, dict[str, Any]] = {}  # section -> name -> bundled value
        # Names already taken per section, with the raw value (to reuse an identical one).
        self.taken: dict[str, dict[str, Any]] = {}
        components = root.document.get("components")
        if isinstance(components, dict):
            for section, entries in components.items():
                if isinstance(entries, dict):
                    self.taken[section] = dict(entries)

    def bundle(self) -> dict[str, Any]:
        document: dict[str, Any] = self._rewrite(self.root.document, self.root, "document", ())
        if self.added:
            components = document.setdefault("components", {})
            if not isinstance(components, dict):
                raise InputError(f"{self.root.display}: 'components' must be a mapping")
            for section, entries in self.added.items():
                existing = components.setdefault(section, {})
                if not isinstance(existing, dict):
                    raise InputError(
                        f"{self.root.display}: 'components/{section}' must be a mapping"
                    )
                existing.update(entries)
        return document

    def _rewrite(self, value: Any, source: _SourceFile, kind: str, parts: tuple[str, ...]) -> Any:
        """Copy of `value` (found at `parts` in `source`) with every ref made internal."""
        if kind == "literal":
            return value if source is self.root else _unshare(value)
        if isinstance(value, list):
            child = _child_kind(kind, "*")
            return [
                self._rewrite(item, source, child, (*parts, str(index)))
                for index, item in enumerate(value)
            ]
        if not isinstance(value, dict):
            return value
        rewritten = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                target = self._follow(item, source, kind, (*parts, "$ref"))
                if isinstance(target, dict):  # an inlined path item; its own fields win
                    siblings = {key: item for key, item in value.items() if key != "$ref"}
                    return {**target, **self._rewrite(siblings, source, kind, parts)}
                rewritten[key] = target
            elif isinstance(item, (dict, list)):  # scalars are kept as they are (fast path)
                rewritten[key] = self._rewrite(item, source, _child_kind(kind, key), (*parts, key))
            else:
                rewritten[key] = item
        return rewritten

    def _follow(
        self, ref: str, source: _SourceFile, kind: str, ref_parts: tuple[str, ...]
    ) -> str | dict[str, Any]:
        """The internal ref replacing `ref`, or for a path item its inlined content."""
        if ref.startswith("#") and source is self.root:
            return ref
        if _URI_SCHEME.match(ref) or ref.startswith("//"):
            remote = ref.startswith("//") or ref.split(":", 1)[0].lower() in ("http", "https")
            what = "remote $ref" if remote else "$ref with a URI scheme"
            raise InputError(
                f"{source.where(ref_parts)}: {what} not allowed: {ref} at "
                f"{json_pointer(ref_parts)} (apigen only follows local refs)"
            )
        file_part, _, fragment = ref.partition("#")
        target_file = self._open(file_part, ref, source, ref_parts) if file_part else source
        try:
            target_parts = pointer_parts("#" + fragment)
            target_value = resolve_pointer(target_file.document, "#" + fragment)
        except PointerNotFound:
            raise InputError(
                f"{source.where(ref_parts)}: $ref target not found: {ref} at "
                f"{json_pointer(ref_parts)} (no #{fragment} in {target_file.display})"
            ) from None
        if target_file is self.root:
            return "#" + json_pointer(target_parts)
        key = (target_file.path, target_parts)
        section = _SECTION_OF_KIND.get(kind, "schemas")
        if kind == "pathItem":
            if key in self.inlining:
                raise InputError(
                    f"{source.where(ref_parts)}: circular path item $ref: {ref} at "
                    f"{json_pointer(ref_parts)}"
                )
            self.inlining.add(key)
            inlined = self._rewrite(target_value, target_file, kind, target_parts)
            self.inlining.discard(key)
            if not isinstance(inlined, dict):
                raise InputError(
                    f"{source.where(ref_parts)}: $ref to a path item must name a mapping: "
                    f"{ref} at {json_pointer(ref_parts)}"
                )
            return inlined
        if key in self.targets:
            return self.targets[key]
        hint = target_parts[-1] if target_parts and target_parts[-1] else target_file.path.stem
        name, is_new = self._name_for(section, hint, target_value)
        new_ref = "#" + json_pointer(("components", section, name))
        self.targets[key] = new_ref  # before recursing: cycles between files end here
        if is_new:
            self.added.setdefault(section, {})[name] = self._rewrite(
                target_value, target_file, kind, target_parts
            )
        return new_ref

    def _name_for(self, section: str, hint: str, value: Any) -> tuple[str, bool]:
        """A free component name from `hint` (or an identical existing one, reused)."""
        base = re.sub(r"[^A-Za-z0-9._-]", "_", hint) or "Component"
        taken = self.taken.setdefault(section, {})
        name, counter = base, 1
        while name in taken:
            if taken[name] == value and not contains_ref(value):
                return name, False
            counter += 1
            name = f"{base}_{counter}"
        taken[name] = value
        return name, True

    def _open(
        self, file_part: str, ref: str, source: _SourceFile, ref_parts: tuple[str, ...]
    ) -> _SourceFile:
        relative = unquote(file_part)
        path = (source.path.parent / relative).resolve()
        if not path.is_relative_to(self.root_dir):
            raise InputError(
                f"{source.where(ref_parts)}: $ref leaves the spec's folder: {ref} at "
                f"{json_pointer(ref_parts)} (only files in the folder of {self.root.display} "
                "or below it are read)"
            )
        if path in self.files:
            return self.files[path]
        display = os.path.normpath(os.path.join(os.path.dirname(source.display), relative))
        if not path.is_file():
            raise InputError(
                f"{source.where(ref_parts)}: $ref to a missing file: {ref} at "
                f"{json_pointer(ref_parts)} ({display} does not exist)"
            )
        if len(self.files) > MAX_REFERENCED_FILES:
            raise InputError(f"{display}: more than {MAX_REFERENCED_FILES} files referenced")
        data = _read_limited(path, display, self.max_bytes)
        self.bytes_read += len(data)
        if self.bytes_read > self.max_bytes:
            raise InputError(
                f"{display}: the spec and the files it references exceed the "
                f"{self.max_bytes:,}-byte limit together"
            )
        text, parsed = _parse_any(data, display)
        document = _unshare(parsed.value) if parsed.shares_objects else parsed.value
        opened = _SourceFile(path, display, text, document)
        self.files[path] = opened
        return opened
