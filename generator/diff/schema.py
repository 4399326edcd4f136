"""Direction-aware comparison of two JSON schemas (OpenAPI 3.0 and 3.1 dialects).

A schema is first unwrapped into a `View`: `$ref`, single-member `allOf`/`anyOf`/`oneOf`
and nullable wrappers (`nullable: true`, `type: [T, "null"]`, `anyOf: [T, {type: null}]`)
are peeled off, keeping site keywords (default, nullable, readOnly, ...) found on the way.
So `$ref: X`, `allOf: [{$ref: X}]` and `anyOf: [{$ref: X}, {type: "null"}]` with
`nullable: true` elsewhere all compare as X. Site keywords are compared where the schema is
used; the content is compared once per (old pointer, new pointer, direction), queued rather
than recursed into so deep or cyclic schemas cost neither stack nor repeated work.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from generator.diff.describe import variant_name
from generator.diff.document import Document, JsonDict, join
from generator.diff.graph import Graph
from generator.diff.rules import SCHEMA_KEYWORDS, keyword_rule
from generator.openapi import contains_ref

Direction = Literal["request", "response"]

# Keywords that annotate a schema where it is used rather than define its shape; they may
# sit next to a `$ref` or a single-member `allOf` without making it a different schema.
_SITE_KEYS = frozenset(
    {
        "description",
        "title",
        "summary",
        "example",
        "examples",
        "default",
        "nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "externalDocs",
        "$comment",
        "xml",
    }
)
_UPPER_BOUNDS = ("maxLength", "maxItems", "maxProperties", "maxContains")
_LOWER_BOUNDS = ("minLength", "minItems", "minProperties", "minContains")
# 2020-12 keywords whose value is one schema, a list of schemas or a map of schemas: their
# subschemas are compared like any other (`not` inverts, so it is only reported as changed).
_SUBSCHEMA = frozenset(
    {"if", "then", "else", "contains", "propertyNames", "contentSchema"}
    | {"unevaluatedProperties", "unevaluatedItems"}
)
_SCHEMA_LIST = frozenset({"prefixItems"})
_SCHEMA_MAP = frozenset({"dependentSchemas", "patternProperties"})
# Integer and float width formats change no Python type, so they are not reported.
_WIDTH_FORMATS = frozenset({"int32", "int64", "float", "double"})
_MISSING: Any = object()


def canonical(value: Any) -> str:
    """A stable text form of a JSON value, for set membership and equality."""
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def show(value: Any, limit: int = 60) -> str:
    """A short one-line rendering of a spec value for messages."""
    text = value if isinstance(value, str) else canonical(value)
    text = " ".join(text.replace("`", "'").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class View:
    site: str  # pointer of the schema where it is used
    pointer: str  # pointer of its content after unwrapping
    node: JsonDict
    via_ref: bool
    nullable: bool
    annotations: JsonDict  # site keywords, outermost first wins


@dataclass(slots=True)
class Shape:
    """The keywords that matter for compatibility, with `allOf` members merged in."""

    types: frozenset[str] | None  # None: any type
    format: str | None
    enum: dict[str, Any] | None  # canonical text -> value, null excluded
    properties: dict[str, tuple[str, Any]]  # name -> (pointer, schema)
    required: frozenset[str]
    items: tuple[str, Any] | None
    additional: tuple[str, Any] | None  # only schema-valued additionalProperties
    variants: list[tuple[str, Any]] | None  # oneOf/anyOf members other than null
    bounds: dict[str, Any]
    const: Any = _MISSING
    extensible: dict[str, Any] | None = None  # x-extensible-enum values
    discriminator: tuple[str, dict[str, str]] | None = None  # property name, value -> $ref
    keywords: dict[str, tuple[str, Any]] = field(default_factory=dict)  # 2020-12 keywords


def _is_null_schema(node: Any) -> bool:
    if not isinstance(node, Mapping):
        return False
    kind = node.get("type")
    return kind == "null" or kind == ["null"] or node.get("enum") == [None]


def _types(node: Mapping[str, Any]) -> frozenset[str] | None:
    kind = node.get("type")
    if isinstance(kind, str):
        kind = [kind]
    if not isinstance(kind, list):
        return None
    found = frozenset(str(item) for item in kind if item != "null")
    return found or None


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return all(kind in wide or (kind == "integer" and "number" in wide) for kind in narrow)


def type_text(types: frozenset[str] | None, fmt: str | None = None) -> str:
    text = "/".join(sorted(types)) if types else "any"
    return f"{text} ({fmt})" if fmt else text


def _bound(node: Mapping[str, Any], inclusive_key: str, exclusive_key: str) -> Any:
    """The effective numeric bound as (value, exclusive), from 3.0 or 3.1 spelling."""
    candidates: list[tuple[float, bool]] = []
    value = node.get(inclusive_key)
    exclusive = node.get(exclusive_key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        candidates.append((value, exclusive is True))  # 3.0: exclusiveMaximum is a flag
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        candidates.append((exclusive, True))  # 3.1: exclusiveMaximum is the bound
    if not candidates:
        return None
    # The tightest bound wins: the lowest maximum, the highest minimum.
    if inclusive_key == "maximum":
        return min(candidates, key=lambda bound: (bound[0], not bound[1]))
    return max(candidates, key=lambda bound: (bound[0], bound[1]))


def _bound_text(key: str, bound: Any) -> str:
    if bound is None:
        return f"no {key}"
    if isinstance(bound, tuple):
        value, exclusive = bound
        name = ("exclusive" + key[0].upper() + key[1:]) if exclusive else key
        return f"{name} {show(value)}"
    return f"{key} {show(bound)}"


class SchemaDiffer:
    def __init__(self, old: Document, new: Document, graph: Graph) -> None:
        self.old = old
        self.new = new
        self.graph = graph
        self._memo: dict[tuple[str, str, Direction], int] = {}
        self._queue: deque[tuple[int, View, View, Direction]] = deque()
        self._views: tuple[dict[str, View], dict[str, View]] = ({}, {})
        self._shapes: tuple[dict[str, Shape], dict[str, Shape]] = ({}, {})

    # --- entry points -------------------------------------------------------------------

    def compare(
        self,
        old_node: Any,
        old_site: str,
        new_node: Any,
        new_site: str,
        direction: Direction,
        *,
        parameter: bool = False,
    ) -> None:
        """Compare two schemas used at the given sites; findings go to the current node.
        `parameter`: the schemas are a parameter's, whose default the server applies."""
        self._compare_views(
            self.view(0, old_node, old_site),
            self.view(1, new_node, new_site),
            direction,
            parameter=parameter,
        )

    def drain(self) -> None:
        """Compare the queued `$ref` pairs (and what they reach) until none are left."""
        self.graph.context = None
        while self._queue:
            node, old, new, direction = self._queue.popleft()
            self.graph.current = node
            self._compare_content(old, new, direction)

    # --- unwrapping ---------------------------------------------------------------------

    def view(self, side: int, node: Any, site: str) -> View:
        cache = self._views[side]
        hit = cache.get(site)
        if hit is None:
            hit = cache[site] = self._unwrap((self.old, self.new)[side], node, site)
        return hit

    @staticmethod
    def _unwrap(doc: Document, node: Any, site: str) -> View:
        pointer = site
        annotations: JsonDict = {}
        nullable = via_ref = False
        for _ in range(64):  # bounded: a pure alias cycle ($ref A -> $ref A) must stop
            if not isinstance(node, Mapping):
                node = {"not": {}} if node is False else {}  # boolean schemas (3.1)
            for key in _SITE_KEYS.intersection(node):
                annotations.setdefault(key, node[key])
            if node.get("nullable") is True:
                nullable = True
            structural = [key for key in node if key not in _SITE_KEYS and key[:2] != "x-"]
            if structural == ["$ref"]:
                pointer, node = doc.ref(node["$ref"], pointer)
                via_ref = True
                continue
            if len(structural) == 1 and structural[0] in ("allOf", "anyOf", "oneOf"):
                keyword = structural[0]
                members = node[keyword]
                if isinstance(members, list):
                    kept = [
                        (index, member)
                        for index, member in enumerate(members)
                        if keyword == "allOf" or not _is_null_schema(member)
                    ]
                    nullable = nullable or len(kept) < len(members)
                    if len(kept) == 1:
                        index, node = kept[0]
                        pointer = join(pointer, keyword, index)
                        continue
            break
        kind = node.get("type")
        enum = node.get("enum")
        if (isinstance(kind, list) and "null" in kind) or (isinstance(enum, list) and None in enum):
            nullable = True
        return View(site, pointer, dict(node), via_ref, nullable, annotations)

    def shape(self, side: int, view: View, guard: frozenset[str] = frozenset()) -> Shape:
        cache = self._shapes[side]
        hit = cache.get(view.pointer)
        if hit is not None:
            return hit
        node, pointer = view.node, view.pointer
        shape = self._own_shape(node, pointer)
        members: list[View] = []
        if "$ref" in node:  # a $ref with sibling constraints acts as an allOf member
            members.append(self.view(side, {"$ref": node["$ref"]}, join(pointer, "$ref")))
        all_of = node.get("allOf")
        if isinstance(all_of, list):
            members += [
                self.view(side, member, join(pointer, "allOf", index))
                for index, member in enumerate(all_of)
            ]
        guard = guard | {pointer}
        for member in members:
            if member.pointer not in guard:
                _merge(shape, self.shape(side, member, guard))
        if shape.types is None:
            shape.types = _implied_types(shape)
        cache[view.pointer] = shape
        return shape

    @staticmethod
    def _own_shape(node: JsonDict, pointer: str) -> Shape:
        enum = node.get("enum")
        properties = node.get("properties")
        required = node.get("required")
        items = node.get("items")
        additional = node.get("additionalProperties")
        variants: list[tuple[str, Any]] | None = None
        for keyword in ("oneOf", "anyOf"):
            members = node.get(keyword)
            if isinstance(members, list) and members:
                variants = [
                    (join(pointer, keyword, index), member)
                    for index, member in enumerate(members)
                    if not _is_null_schema(member)
                ]
                break
        bounds: JsonDict = {}
        for key in (*_UPPER_BOUNDS, *_LOWER_BOUNDS, "pattern", "multipleOf"):
            if node.get(key) is not None and node[key] != "":  # an empty pattern matches all
                bounds[key] = node[key]
        if node.get("uniqueItems") is True:
            bounds["uniqueItems"] = True
        for key, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
            bound = _bound(node, key, exclusive)
            if bound is not None:
                bounds[key] = bound
        fmt = node.get("format")
        extensible = node.get("x-extensible-enum")
        discriminator = node.get("discriminator")
        if isinstance(discriminator, Mapping) and isinstance(
            discriminator.get("propertyName"), str
        ):
            mapping = discriminator.get("mapping")
            found_discriminator: tuple[str, dict[str, str]] | None = (
                discriminator["propertyName"],
                {
                    str(k): str(v)
                    for k, v in (mapping.items() if isinstance(mapping, Mapping) else [])
                },
            )
        else:
            found_discriminator = None
        return Shape(
            types=_types(node),
            format=fmt if isinstance(fmt, str) else None,
            enum=(
                {canonical(value): value for value in enum if value is not None}
                if isinstance(enum, list)
                else None
            ),
            properties=(
                {
                    str(name): (join(pointer, "properties", name), schema)
                    for name, schema in properties.items()
                }
                if isinstance(properties, Mapping)
                else {}
            ),
            required=frozenset(
                str(name) for name in (required if isinstance(required, list) else [])
            ),
            items=(join(pointer, "items"), items) if isinstance(items, Mapping) else None,
            additional=(
                (join(pointer, "additionalProperties"), additional)
                if isinstance(additional, Mapping)
                else None
            ),
            variants=variants,
            bounds=bounds,
            const=node.get("const", _MISSING),
            extensible=(
                {canonical(value): value for value in extensible}
                if isinstance(extensible, list)
                else None
            ),
            discriminator=found_discriminator,
            keywords={
                keyword: (join(pointer, keyword), node[keyword])
                for keyword in SCHEMA_KEYWORDS
                if keyword in node and node[keyword] is not True  # `true` allows anything
            },
        )

    # --- comparison ---------------------------------------------------------------------

    def _compare_views(
        self, old: View, new: View, direction: Direction, *, parameter: bool = False
    ) -> None:
        record = self.graph.record
        if old.nullable != new.nullable:
            became = "nullable" if new.nullable else "not-nullable"
            record(f"{direction}-became-{became}", new.site)
        if direction == "request":
            self._compare_default(old, new, "request-parameter" if parameter else "request")
        self._compare_schemas(old, new, direction)

    def _compare_schemas(self, old: View, new: View, direction: Direction) -> None:
        if old.via_ref or new.via_ref:
            key = (old.pointer, new.pointer, direction)
            node = self._memo.get(key)
            if node is None:
                node = self._memo[key] = self.graph.new_node()
                self._queue.append((node, old, new, direction))
            self.graph.edge(node)
        elif old.node != new.node or contains_ref(new.node):
            self._compare_content(old, new, direction)

    def _compare_default(self, old: View, new: View, prefix: str) -> None:
        before = old.annotations.get("default", _MISSING)
        after = new.annotations.get("default", _MISSING)
        if before is _MISSING and after is _MISSING:
            return
        if before is _MISSING:
            self.graph.record(f"{prefix}-default-value-added", new.site, new=show(after))
        elif after is _MISSING:
            self.graph.record(f"{prefix}-default-value-removed", new.site, old=show(before))
        elif canonical(before) != canonical(after):
            self.graph.record(
                f"{prefix}-default-value-changed", new.site, old=show(before), new=show(after)
            )

    def _compare_content(self, old: View, new: View, direction: Direction) -> None:
        before = self.shape(0, old)
        after = self.shape(1, new)
        pointer = new.pointer
        record = self.graph.record
        type_changed = False
        if before.variants is None and after.variants is None and before.types != after.types:
            type_changed = True
            if before.types is None or after.types is None:
                widened, narrowed = after.types is None, before.types is None
            else:
                widened = _covers(after.types, before.types)
                narrowed = _covers(before.types, after.types)
            if direction == "request":
                rule = "request-type-widened" if widened else "request-type-changed"
            elif narrowed:
                rule = "response-type-narrowed"
            else:
                rule = "response-type-widened" if widened else "response-type-changed"
            record(
                rule,
                pointer,
                old=type_text(before.types, before.format),
                new=type_text(after.types, after.format),
            )
        if not type_changed:
            self._compare_format(before, after, pointer, direction)
            self._compare_enum(before, after, pointer, direction)
            self._compare_const(before, after, pointer, direction)
            self._compare_extensible(before, after, pointer, direction)
        self._compare_bounds(before, after, pointer, direction)
        self._compare_discriminator(before, after, pointer, direction)
        self._compare_keywords(before, after, pointer, direction)
        if before.variants is not None or after.variants is not None:
            self._compare_variants(old, before, new, after, direction)
        # After a change such as object -> array the old fields are gone with the type.
        structural = not type_changed or after.types is None or "object" in after.types
        if structural and (before.properties or after.properties):
            self._compare_properties(before, after, direction)
        if before.items and after.items:
            self._compare_located(before.items, after.items, direction)
        if before.additional and after.additional:
            self._compare_located(before.additional, after.additional, direction)

    def _compare_located(
        self, old: tuple[str, Any], new: tuple[str, Any], direction: Direction
    ) -> None:
        self.compare(old[1], old[0], new[1], new[0], direction)

    def _compare_format(self, before: Shape, after: Shape, pointer: str, direction: str) -> None:
        if before.format == after.format:
            return
        if before.format in _WIDTH_FORMATS or after.format in _WIDTH_FORMATS:
            return
        self.graph.record(
            f"{direction}-format-changed",
            pointer,
            old=before.format or "none",
            new=after.format or "none",
        )

    def _compare_enum(self, before: Shape, after: Shape, pointer: str, direction: str) -> None:
        old, new = before.enum, after.enum
        if old is None and new is None:
            return
        record = self.graph.record
        if old is None:
            assert new is not None
            record(f"{direction}-became-enum", pointer, new=_values(new.values()))
            return
        if new is None:
            record(f"{direction}-enum-removed", pointer, old=_values(old.values()))
            return
        removed = [value for key, value in old.items() if key not in new]
        added = [value for key, value in new.items() if key not in old]
        if removed:
            record(f"{direction}-enum-value-removed", pointer, old=_values(removed))
        if added:
            record(f"{direction}-enum-value-added", pointer, new=_values(added))

    def _compare_const(self, before: Shape, after: Shape, pointer: str, direction: str) -> None:
        old, new = before.const, after.const
        if old is _MISSING and new is _MISSING:
            return
        if old is _MISSING:
            self.graph.record(f"{direction}-const-added", pointer, new=show(new))
        elif new is _MISSING:
            self.graph.record(f"{direction}-const-removed", pointer, old=show(old))
        elif canonical(old) != canonical(new):
            self.graph.record(f"{direction}-const-changed", pointer, old=show(old), new=show(new))

    def _compare_extensible(
        self, before: Shape, after: Shape, pointer: str, direction: str
    ) -> None:
        old, new = before.extensible or {}, after.extensible or {}
        removed = [value for key, value in old.items() if key not in new]
        added = [value for key, value in new.items() if key not in old]
        if removed:
            record_old = _values(removed)
            self.graph.record(f"{direction}-extensible-enum-value-removed", pointer, old=record_old)
        if added:
            self.graph.record(
                f"{direction}-extensible-enum-value-added", pointer, new=_values(added)
            )

    def _compare_discriminator(
        self, before: Shape, after: Shape, pointer: str, direction: str
    ) -> None:
        if before.discriminator is None or after.discriminator is None:
            return  # adding or dropping the hint alone changes no valid payload
        (old_name, old_map), (new_name, new_map) = before.discriminator, after.discriminator
        record = self.graph.record
        if old_name != new_name:
            record(
                f"{direction}-discriminator-property-changed", pointer, old=old_name, new=new_name
            )
            return
        removed = sorted(old_map.keys() - new_map.keys())
        added = sorted(new_map.keys() - old_map.keys())
        moved = sorted(
            f"{value} -> {_ref_name(new_map[value])}"
            for value in old_map.keys() & new_map.keys()
            if _ref_name(old_map[value]) != _ref_name(new_map[value])
        )
        if removed:
            record(f"{direction}-discriminator-mapping-removed", pointer, old=", ".join(removed))
        if added:
            record(f"{direction}-discriminator-mapping-added", pointer, new=", ".join(added))
        if moved:
            record(f"{direction}-discriminator-mapping-changed", pointer, new=", ".join(moved))

    def _compare_keywords(
        self, before: Shape, after: Shape, pointer: str, direction: Direction
    ) -> None:
        record = self.graph.record
        for keyword in SCHEMA_KEYWORDS:
            old = before.keywords.get(keyword)
            new = after.keywords.get(keyword)
            if old is None and new is None:
                continue
            if old is None:
                assert new is not None
                record(keyword_rule(direction, keyword, "added"), new[0], new=show(new[1]))
                continue
            if new is None:
                record(
                    keyword_rule(direction, keyword, "removed"),
                    old[0],
                    side="old",
                    old=show(old[1]),
                )
                continue
            (old_ptr, old_value), (new_ptr, new_value) = old, new
            if (
                keyword in _SUBSCHEMA
                and isinstance(old_value, Mapping)
                and isinstance(new_value, Mapping)
            ):
                self.compare(old_value, old_ptr, new_value, new_ptr, direction)
            elif (
                keyword in _SCHEMA_MAP
                and isinstance(old_value, Mapping)
                and isinstance(new_value, Mapping)
            ):
                self._compare_schema_map(keyword, old, new, direction)
            elif (
                keyword in _SCHEMA_LIST
                and isinstance(old_value, list)
                and isinstance(new_value, list)
            ):
                for index, (old_item, new_item) in enumerate(
                    zip(old_value, new_value, strict=False)
                ):
                    self.compare(
                        old_item, join(old_ptr, index), new_item, join(new_ptr, index), direction
                    )
                if len(old_value) != len(new_value):
                    record(
                        keyword_rule(direction, keyword, "changed"),
                        new_ptr,
                        old=f"{len(old_value)} items",
                        new=f"{len(new_value)} items",
                    )
            elif canonical(old_value) != canonical(new_value):
                record(
                    keyword_rule(direction, keyword, "changed"),
                    new_ptr,
                    old=show(old_value),
                    new=show(new_value),
                )

    def _compare_schema_map(
        self,
        keyword: str,
        old: tuple[str, Mapping[str, Any]],
        new: tuple[str, Mapping[str, Any]],
        direction: Direction,
    ) -> None:
        """patternProperties / dependentSchemas: an entry added or removed is the keyword
        added or removed for that key; a common entry is compared as a schema."""
        (old_ptr, old_map), (new_ptr, new_map) = old, new
        for key, value in old_map.items():
            if key in new_map:
                self.compare(value, join(old_ptr, key), new_map[key], join(new_ptr, key), direction)
            else:
                self.graph.record(
                    keyword_rule(direction, keyword, "removed"),
                    join(old_ptr, key),
                    side="old",
                    old=str(key),
                )
        for key in new_map:
            if key not in old_map:
                self.graph.record(
                    keyword_rule(direction, keyword, "added"), join(new_ptr, key), new=str(key)
                )

    def _compare_bounds(self, before: Shape, after: Shape, pointer: str, direction: str) -> None:
        tightened: list[tuple[str, str]] = []
        relaxed: list[tuple[str, str]] = []
        added: list[tuple[str, str]] = []
        changed_pattern = None
        for key in sorted(before.bounds.keys() | after.bounds.keys()):
            old = before.bounds.get(key)
            new = after.bounds.get(key)
            if old == new:
                continue
            if key == "pattern" and old is not None and new is not None:
                changed_pattern = (str(old), str(new))
                continue
            texts = (_bound_text(key, old), _bound_text(key, new))
            if old is None and direction == "request" and key != "pattern":
                added.append(texts)  # a first limit: the server likely had one all along
            elif key == "pattern" and direction == "response" and new is None:
                changed_pattern = (str(old), "none")  # documentation more than contract
            else:
                (tightened if _is_tighter(key, old, new) else relaxed).append(texts)
        record = self.graph.record
        for found, adjective in ((tightened, "tightened"), (relaxed, "relaxed"), (added, "added")):
            if found:
                record(
                    f"{direction}-constraint-{adjective}",
                    pointer,
                    old=", ".join(old for old, _ in found),
                    new=", ".join(new for _, new in found),
                )
        if changed_pattern:
            record(
                f"{direction}-pattern-changed",
                pointer,
                old=changed_pattern[0],
                new=changed_pattern[1],
            )

    def _compare_variants(
        self, old: View, before: Shape, new: View, after: Shape, direction: Direction
    ) -> None:
        # A plain schema on one side is treated as the single variant of a union.
        old_views = (
            [self.view(0, schema, pointer) for pointer, schema in before.variants]
            if before.variants is not None
            else [old]
        )
        new_views = (
            [self.view(1, schema, pointer) for pointer, schema in after.variants]
            if after.variants is not None
            else [new]
        )
        unmatched = list(range(len(new_views)))
        pairs: list[tuple[View, View]] = []
        for exact in (True, False):
            leftovers: list[View] = []
            for old_view in old_views:
                key = self._variant_key(0, old_view, exact)
                match = next(
                    (j for j in unmatched if self._variant_key(1, new_views[j], exact) == key), None
                )
                if match is None:
                    leftovers.append(old_view)
                else:
                    unmatched.remove(match)
                    pairs.append((old_view, new_views[match]))
            old_views = leftovers
        for old_view, new_view in pairs:
            # Only the content: a variant's site keywords are not the property's.
            if old_view is not old or new_view is not new:
                self._compare_schemas(old_view, new_view, direction)
        for old_view in old_views:
            self.graph.record(
                f"{direction}-variant-removed",
                old_view.site,
                side="old",
                old=self._variant_label(0, old_view),
            )
        for index in unmatched:
            new_view = new_views[index]
            rule = f"{direction}-variant-added"
            if (
                direction == "response"
                and new_view.site.split("/")[-2:-1] == ["anyOf"]
                and "object" in (self.shape(1, new_view).types or {"object"})
            ):
                rule = "response-any-of-variant-added"  # may overlap the old members
            self.graph.record(rule, new_view.site, new=self._variant_label(1, new_view))

    def _variant_key(self, side: int, view: View, exact: bool) -> str:
        shape = self.shape(side, view)
        if exact:
            if view.via_ref:
                return "ref:" + view.pointer
            title = view.annotations.get("title") or view.node.get("title") or ""
            return f"{type_text(shape.types, shape.format)}:{title}"
        return type_text(shape.types)

    def _variant_label(self, side: int, view: View) -> str:
        doc = (self.old, self.new)[side]
        parent = doc.get(view.site.rsplit("/", 2)[0]) if "/" in view.site else None
        raw = doc.get(view.site)
        name = variant_name(raw, parent) or variant_name(view.node, parent)
        if name is None and view.via_ref:
            name = view.pointer.rsplit("/", 1)[-1]
        return name or type_text(self.shape(side, view).types)

    def _compare_properties(self, before: Shape, after: Shape, direction: Direction) -> None:
        record = self.graph.record
        # Fields the client never sends (readOnly) or never receives (writeOnly) do not count.
        hidden = "readOnly" if direction == "request" else "writeOnly"
        flag = "read-only" if direction == "request" else "write-only"
        for name, (old_pointer, old_schema) in before.properties.items():
            old_view = self.view(0, old_schema, old_pointer)
            old_hidden = old_view.annotations.get(hidden) is True
            found = after.properties.get(name)
            if old_hidden and found is None:
                continue
            if found is None:
                optional = direction == "response" and name not in before.required
                rule = (
                    "response-optional-property-removed"
                    if optional
                    else f"{direction}-property-removed"
                )
                record(rule, old_pointer, side="old")
                continue
            new_view = self.view(1, found[1], found[0])
            new_hidden = new_view.annotations.get(hidden) is True
            if old_hidden != new_hidden:
                # Only a required field matters: the client must now send it (request) or
                # can no longer count on receiving it (response).
                if name in (after.required if old_hidden else before.required):
                    became = "became-not" if old_hidden else "became"
                    record(f"{direction}-required-property-{became}-{flag}", new_view.site)
                continue
            if old_hidden:
                continue
            was_required = name in before.required
            is_required = name in after.required
            if was_required != is_required:
                became = "required" if is_required else "optional"
                record(f"{direction}-property-became-{became}", new_view.site)
            self._compare_views(old_view, new_view, direction)
        for name, (new_pointer, new_schema) in after.properties.items():
            if name in before.properties:
                continue
            new_view = self.view(1, new_schema, new_pointer)
            if new_view.annotations.get(hidden) is True:
                continue
            if direction == "request" and name in after.required:
                record("request-property-added-required", new_pointer)
            else:
                record(f"{direction}-property-added", new_pointer)


def _implied_types(shape: Shape) -> frozenset[str] | None:
    # Many specs leave out `type` where the other keywords make it plain; inferring it keeps
    # an added `type: object` or `type: string` from reading as a type change.
    if shape.properties or shape.additional:
        return frozenset({"object"})
    if shape.items:
        return frozenset({"array"})
    if shape.enum:
        return frozenset(_json_type(value) for value in shape.enum.values())
    if shape.const is not _MISSING and shape.const is not None:
        return frozenset({_json_type(shape.const)})
    return None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return "string"


def _merge(shape: Shape, member: Shape) -> None:
    if shape.types is None:
        shape.types = member.types
    elif member.types is not None and shape.types & member.types:
        shape.types = shape.types & member.types
    shape.format = shape.format or member.format
    if shape.enum is None:
        shape.enum = member.enum
    for name, found in member.properties.items():
        shape.properties.setdefault(name, found)
    shape.required = shape.required | member.required
    shape.items = shape.items or member.items
    shape.additional = shape.additional or member.additional
    if shape.variants is None:
        shape.variants = member.variants
    for key, value in member.bounds.items():
        shape.bounds.setdefault(key, value)
    if shape.const is _MISSING:
        shape.const = member.const
    shape.extensible = shape.extensible or member.extensible
    shape.discriminator = shape.discriminator or member.discriminator
    for key, value in member.keywords.items():
        shape.keywords.setdefault(key, value)


def _is_tighter(key: str, old: Any, new: Any) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    if key in _UPPER_BOUNDS or key == "maximum":
        return bool(new < old)
    if key in _LOWER_BOUNDS or key == "minimum":
        return bool(new > old)
    if key == "multipleOf":
        try:
            return bool(old % new != 0)  # a divisor of the old step accepts more values
        except (TypeError, ZeroDivisionError):
            return True
    return True


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _values(values: Any) -> str:
    return ", ".join(show(value, 40) for value in values)
