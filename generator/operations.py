"""Plan the client surface: which resource and method name each operation gets.

Names come from the config's overrides first, then operationId/tags when the spec has them,
then from the path: `/v1/models/{model_id}/deployments/{deployment_id}/activate` (POST)
becomes `models.deployments.activate(model_id, deployment_id)`. Every name is sanitized
and made unique, and the result only depends on the spec and the config (deterministic).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .config import ApiConfig
from .naming import resource_members, snake_case, unique
from .openapi import HTTP_METHODS, iter_operations

_VERSION_SEGMENT = re.compile(r"^(v\d+[a-z0-9]*|api)$", re.IGNORECASE)
_PARAM_SEGMENT = re.compile(r"^\{[^{}]+\}$")


@dataclass
class PlannedOperation:
    """One operation of the spec with the place it takes in the client."""

    method: str  # lower-case HTTP method
    path: str
    operation: Mapping[str, Any]
    path_item: Mapping[str, Any]
    resource: tuple[str, ...]  # e.g. ("models", "deployments"); () is the client itself
    name: str  # method name on that resource

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def attr_path(self) -> str:
        return ".".join((*self.resource, self.name))


@dataclass
class ResourceNode:
    """A namespace of the client (`client.models.deployments`) and what it holds."""

    path: tuple[str, ...]
    operations: list[PlannedOperation] = field(default_factory=list)
    children: dict[str, ResourceNode] = field(default_factory=dict)

    def walk(self) -> list[ResourceNode]:
        """This node and all below it, parents first, in a stable order."""
        nodes = [self]
        for name in sorted(self.children):
            nodes.extend(self.children[name].walk())
        return nodes


def _is_param(segment: str) -> bool:
    return bool(_PARAM_SEGMENT.match(segment))


def _shared_prefix_length(all_segments: list[list[str]]) -> int:
    """How many leading version-like segments (`v1`, `api`) all paths share."""
    if not all_segments:
        return 0
    count = 0
    for position, segment in enumerate(all_segments[0]):
        if not _VERSION_SEGMENT.match(segment):
            break
        if any(len(s) <= position or s[position] != segment for s in all_segments):
            break
        count += 1
    return count


def _looks_plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith("ss")


class _PathNamer:
    """Derive `(resource, method name)` from the shape of the path alone."""

    def __init__(self, paths: list[str]) -> None:
        split = [[s for s in p.split("/") if s] for p in paths]
        self._skip = _shared_prefix_length(split)
        shapes = [tuple("{}" if _is_param(s) else s for s in segs) for segs in split]
        self._prefixes = {shape[:n] for shape in shapes for n in range(1, len(shape))}
        self._shapes = set(shapes)

    def name(self, path: str, method: str, methods_on_path: set[str]) -> tuple[list[str], str]:
        segments = [s for s in path.split("/") if s][self._skip :]
        shape = tuple("{}" if _is_param(s) else s for s in [s for s in path.split("/") if s])
        statics = [snake_case(s) for s in segments if not _is_param(s)]
        if not segments:
            return [], method
        if _is_param(segments[-1]):
            return statics, _ITEM_VERBS.get(method, method)
        last = statics[-1]
        is_leaf = shape not in self._prefixes
        has_item_child = (*shape, "{}") in self._shapes
        if is_leaf and not has_item_child and len(methods_on_path) == 1 and not _looks_plural(last):
            return statics[:-1], last  # an action such as `.../activate`
        if method == "get":
            listing = has_item_child or _looks_plural(last)
            return statics, "list" if listing else "retrieve"
        if method == "put" and "patch" in methods_on_path:
            return statics, "replace"
        return statics, _COLLECTION_VERBS.get(method, method)


_ITEM_VERBS = {
    "get": "retrieve",
    "delete": "delete",
    "patch": "update",
    "put": "update",
    "post": "update",  # `POST /charges/{charge}` updates it (stripe's convention)
}
_COLLECTION_VERBS = {"post": "create", "put": "update", "patch": "update", "delete": "delete"}


_HTTP_VERBS = frozenset(HTTP_METHODS)
_ARTICLES = frozenset({"a", "an", "the"})  # `get-an-albums-tracks` is `get_albums_tracks`
_REST_VERBS = {**{method: method for method in HTTP_METHODS}, "get": "retrieve", "post": "create"}
# What the first word of a POST's summary says it does: a POST that reads (a search, a query
# with a body) is not `create`, and a POST to `/things/{id}` that creates is not `update`.
_SUMMARY_VERBS = {
    "create": "create", "creates": "create", "add": "create", "adds": "create",
    "update": "update", "updates": "update", "modify": "update", "modifies": "update",
    "get": "retrieve", "gets": "retrieve", "retrieve": "retrieve", "retrieves": "retrieve",
    "fetch": "retrieve", "fetches": "retrieve", "list": "list", "lists": "list",
    "search": "search", "searches": "search", "query": "query", "queries": "query",
    "find": "search", "finds": "search",
}  # fmt: skip


def _words(text: str) -> list[str]:
    return [word for word in snake_case(text, fallback="").split("_") if word]


def _said_by(word: str, said: set[str]) -> bool:
    """Whether `word` (or its singular/plural) is among the words the path already says."""
    return word in said or f"{word}s" in said or word.removesuffix("s") in said


def _name_from_operation_id(
    operation_id: str, method: str, path: str, resource: list[str], path_name: str
) -> str:
    """The method name an operationId gives, without what the namespace already says.

    - `enterprise-admin/remove-all-...` (namespace/action): the action alone;
    - `GetChargesCharge` on `/v1/charges/{charge}`: every word after the HTTP verb is said
      by the path, so the REST name from the path (`retrieve`) is the better name;
    - `pulls/get`: a bare HTTP verb is the path's REST name too;
    - `listPets` under `pets`: the verb alone (`list`).
    """
    action = operation_id.rsplit("/", 1)[-1] if "/" in operation_id.strip("/") else operation_id
    words = _words(action) or _words(operation_id)
    segments = [s for s in path.split("/") if s and not _VERSION_SEGMENT.match(s)]
    said = {w for part in [*resource, *segments] for w in _words(part.strip("{}"))}
    statics = {w for part in segments if not _is_param(part) for w in _words(part)}
    namespace = {w for part in resource[-1:] for w in _words(part)}
    verb, rest = (words[0], words[1:]) if words else ("", [])
    spells_path = all(_said_by(word, said) for word in rest) and all(
        _said_by(word, set(rest)) for word in statics
    )
    if verb in _HTTP_VERBS and (not rest or spells_path):
        return path_name  # the operationId is the HTTP method and the path, nothing more
    while len(words) > 1 and words[0] in namespace:
        words = words[1:]  # `actions_get_cache` under `actions` (no `/` in the operationId)
    # The namespace said again at the end or right after the verb: `certificates.list_certificates`
    # -> `certificates.list`, `albums.get_multiple_albums` -> `albums.get_multiple`.
    words = [word for word in words if word not in _ARTICLES] or words
    phrase = _words(resource[-1]) if resource else []
    size = len(phrase)
    if size and len(words) > size and _same_words(words[-size:], phrase):
        words = words[:-size]
    if size and len(words) > size + 1 and _same_words(words[1 : size + 1], phrase):
        words = [words[0], *words[size + 1 :]]
    return snake_case("_".join(words) or operation_id)


def _same_words(words: list[str], phrase: list[str]) -> bool:
    """`albums` is `album`, `pets` is `pet`: the last word may differ by a plural `s`."""
    *head, last = words
    *phrase_head, phrase_last = phrase
    return head == phrase_head and _said_by(last, {phrase_last})


def _summary_verb(summary: object) -> str | None:
    """`retrieve`, `list`, `search`, `create`... when a summary starts with such a verb."""
    words = summary.split() if isinstance(summary, str) else []
    return _SUMMARY_VERBS.get(words[0].lower()) if words else None


def plan_operations(document: dict[str, Any], config: ApiConfig) -> ResourceNode:
    """Place every operation of the spec in a tree of resources with unique method names."""
    found = list(iter_operations(document))
    namer = _PathNamer(sorted({path for _, path, _, _ in found}))
    methods_by_path: dict[str, set[str]] = defaultdict(set)
    for method, path, _, _ in found:
        methods_by_path[path].add(method)

    planned: list[PlannedOperation] = []
    for method, path, operation, item in found:
        key = f"{method.upper()} {path}"
        override = config.operation_names.get(key)
        if override:
            *resource, name = override.split(".")
        else:
            resource, name = namer.name(path, method, methods_by_path[path])
            tags = operation.get("tags")
            if isinstance(tags, list) and tags and isinstance(tags[0], str):
                resource = [snake_case(part) for part in tags[0].split("/") if part.strip()]
            operation_id = operation.get("operationId")
            if isinstance(operation_id, str) and operation_id.strip():
                name = _name_from_operation_id(operation_id, method, path, resource, name)
            if method == "post" and name in ("create", "update"):  # the summary knows better
                name = _summary_verb(operation.get("summary")) or name
            if resource and name == resource[-1]:  # `rate_limit.rate_limit`: say the verb
                verbs = (_summary_verb(operation.get("summary")), _REST_VERBS[method])
                name = next(verb for verb in verbs if verb and verb != name)
        planned.append(PlannedOperation(method, path, operation, item, tuple(resource), name))

    root = ResourceNode(())
    for op in sorted(planned, key=lambda o: (o.path, HTTP_METHODS.index(o.method))):
        node = root
        for part in op.resource:
            node = node.children.setdefault(part, ResourceNode((*node.path, part)))
        node.operations.append(op)
    _make_names_unique(root)
    return root


def _make_names_unique(root: ResourceNode) -> None:
    """Give colliding methods a verb suffix (then a number); rename clashing sub-resources."""
    for node in root.walk():
        taken = set(resource_members())
        counts: dict[str, int] = defaultdict(int)
        for op in node.operations:
            counts[op.name] += 1
        for op in node.operations:
            name = op.name
            last_segment = op.path.rstrip("/").rsplit("/", 1)[-1]
            if counts[name] > 1 and _is_param(last_segment):
                name = f"{name}_by_{snake_case(last_segment[1:-1])}"
            elif name in node.children or name in taken:
                name = f"{name}_{op.method}"
            op.name = unique(name, taken)
        renamed = {}
        for child_name, child in node.children.items():
            new_name = child_name
            if child_name in taken:
                new_name = unique(f"{child_name}_resource", taken)
            else:
                taken.add(child_name)
            renamed[new_name] = child
        node.children = renamed
        _rebase(node)


def _rebase(node: ResourceNode) -> None:
    """Recompute the paths of the children after a rename (operations follow their node)."""
    for name, child in node.children.items():
        child.path = (*node.path, name)
        for op in child.operations:
            op.resource = child.path
        _rebase(child)
