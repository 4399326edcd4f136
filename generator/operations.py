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
from .naming import RESOURCE_MEMBERS, snake_case, unique
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
    "post": "create",
}
_COLLECTION_VERBS = {"post": "create", "put": "update", "patch": "update", "delete": "delete"}


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
                name = snake_case(operation_id)
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
        taken = set(RESOURCE_MEMBERS)
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
