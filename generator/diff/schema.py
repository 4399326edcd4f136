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
from dataclasses import dataclass
from typing import Any, Literal

from generator.diff.document import Document, JsonDict, join
from generator.diff.graph import Graph
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
_UPPER_BOUNDS = ("maxLength", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minLength", "minItems", "minProperties")
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
        self, old_node: Any, old_site: str, new_node: Any, new_site: str, direction: Direction
    ) -> None:
        """Compare two schemas used at the given sites; findings go to the current node."""
        self._compare_views(
            self.view(0, old_node, old_site), self.view(1, new_node, new_site), direction
        )

    def drain(self) -> None:
        """Compare the queued `$ref` pairs (and what they reach) until none are left."""
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
            if node.get(key) is not None:
                bounds[key] = node[key]
        if node.get("uniqueItems") is True:
            bounds["uniqueItems"] = True
        for key, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
            bound = _bound(node, key, exclusive)
            if bound is not None:
                bounds[key] = bound
        fmt = node.get("format")
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
        )

    # --- comparison ---------------------------------------------------------------------

    def _compare_views(self, old: View, new: View, direction: Direction) -> None:
        record = self.graph.record
        if old.nullable != new.nullable:
            became = "nullable" if new.nullable else "not-nullable"
            record(f"{direction}-became-{became}", new.site)
        if direction == "request":
            self._compare_default(old, new)
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

    def _compare_default(self, old: View, new: View) -> None:
        before = old.annotations.get("default", _MISSING)
        after = new.annotations.get("default", _MISSING)
        if before is _MISSING and after is _MISSING:
            return
        if before is _MISSING:
            self.graph.record("request-default-value-added", new.site, new=show(after))
        elif after is _MISSING:
            self.graph.record("request-default-value-removed", new.site, old=show(before))
        elif canonical(before) != canonical(after):
            self.graph.record(
                "request-default-value-changed", new.site, old=show(before), new=show(after)
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
            else:
                rule = "response-type-narrowed" if narrowed else "response-type-changed"
            record(
                rule,
                pointer,
                old=type_text(before.types, before.format),
                new=type_text(after.types, after.format),
            )
        if not type_changed:
            self._compare_format(before, after, pointer, direction)
            self._compare_enum(before, after, pointer, direction)
        self._compare_bounds(before, after, pointer, direction)
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

    def _compare_bounds(self, before: Shape, after: Shape, pointer: str, direction: str) -> None:
        tightened: list[tuple[str, str]] = []
        relaxed: list[tuple[str, str]] = []
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
            (tightened if _is_tighter(key, old, new) else relaxed).append(texts)
        record = self.graph.record
        for found, adjective in ((tightened, "tightened"), (relaxed, "relaxed")):
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
            self.graph.record(
                f"{direction}-variant-added", new_view.site, new=self._variant_label(1, new_view)
            )

    def _variant_key(self, side: int, view: View, exact: bool) -> str:
        shape = self.shape(side, view)
        if exact:
            if view.via_ref:
                return "ref:" + view.pointer
            title = view.annotations.get("title") or view.node.get("title") or ""
            return f"{type_text(shape.types, shape.format)}:{title}"
        return type_text(shape.types)

    def _variant_label(self, side: int, view: View) -> str:
        if view.via_ref:
            return view.pointer.rsplit("/", 1)[-1]
        return type_text(self.shape(side, view).types)

    def _compare_properties(self, before: Shape, after: Shape, direction: Direction) -> None:
        record = self.graph.record
        # Fields the client never sends (readOnly) or never receives (writeOnly) do not count.
        hidden = "readOnly" if direction == "request" else "writeOnly"
        for name, (old_pointer, old_schema) in before.properties.items():
            old_view = self.view(0, old_schema, old_pointer)
            if old_view.annotations.get(hidden) is True:
                continue
            found = after.properties.get(name)
            if found is None:
                record(f"{direction}-property-removed", old_pointer, side="old")
                continue
            new_view = self.view(1, found[1], found[0])
            if new_view.annotations.get(hidden) is True:
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


def _values(values: Any) -> str:
    return ", ".join(show(value, 40) for value in values)
