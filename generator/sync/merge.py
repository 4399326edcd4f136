"""Merge the one-operation documents of the pages into one spec.

- paths (and webhooks): the union of operations; an operation given by two pages must be
  identical, and so must the path-level keys (`parameters`, ...) of pages sharing a path;
- components: the union; a component several pages carry must be identical;
- tags: the union by name, identical when shared;
- everything else at the top (openapi, info, servers, security, ...) must agree on every page.
A disagreement is an UpstreamError naming both pages and the JSON pointer of the first difference.

Output order is canonical, not the index's: top-level keys in the usual OpenAPI order, paths and
component names sorted, methods in the order of HTTP_METHODS. Any index order gives the same file.
"""

from __future__ import annotations

from typing import Any

from ..errors import UpstreamError
from ..openapi import HTTP_METHODS, json_pointer
from .extract import PageDocument

TOP_ORDER = (
    "openapi",
    "info",
    "jsonSchemaDialect",
    "servers",
    "security",
    "tags",
    "externalDocs",
    "paths",
    "webhooks",
    "components",
)
COMPONENT_ORDER = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
)
_UNION_KEYS = {"paths", "webhooks", "components", "tags"}
_MISSING: Any = object()


def pointer(*parts: str | int) -> str:
    """JSON pointer (RFC 6901) of `parts`."""
    return json_pointer(parts)


def first_difference(a: Any, b: Any, at: str) -> str:
    """The JSON pointer of the first place where `a` and `b` differ (they do differ)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key, _MISSING) != b.get(key, _MISSING):
                return first_difference(
                    a.get(key, _MISSING), b.get(key, _MISSING), at + pointer(key)
                )
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, at + pointer(i))
    return at or "/"


class _Merger:
    def __init__(self) -> None:
        self.top: dict[str, Any] = {}
        self.top_origin = ""
        self.sections: dict[str, dict[str, dict[str, Any]]] = {"paths": {}, "webhooks": {}}
        self.components: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, Any] = {}
        self.origin: dict[str, str] = {}  # JSON pointer -> URL of the page that gave it

    def _put(self, target: dict[str, Any], key: str, value: Any, at: str, url: str) -> None:
        if key not in target:
            target[key] = value
            self.origin[at] = url
        elif target[key] != value:
            _conflict(self.origin[at], url, first_difference(target[key], value, at))

    def add(self, page: PageDocument) -> None:
        document, url = page.document, page.url
        if not self.top_origin:
            self.top = {k: v for k, v in document.items() if k not in _UNION_KEYS}
            self.top_origin = url
        for key in {*self.top, *document} - _UNION_KEYS:
            if self.top.get(key, _MISSING) != document.get(key, _MISSING):
                at = first_difference(
                    self.top.get(key, _MISSING), document.get(key, _MISSING), pointer(key)
                )
                _conflict(self.top_origin, url, at)

        for section, items in self.sections.items():
            for path, item in _mapping(document.get(section), url, pointer(section)).items():
                at = pointer(section, path)
                item = _mapping(item, url, at)
                shared = _shared(item)
                if path not in items:
                    items[path] = dict(shared)
                    self.origin[at] = url
                elif shared != _shared(items[path]):
                    # path-level keys (parameters, ...) must agree on every page of the path
                    _conflict(
                        self.origin[at], url, first_difference(_shared(items[path]), shared, at)
                    )
                for method in HTTP_METHODS:
                    if method in item:
                        self._put(
                            items[path], method, item[method], pointer(section, path, method), url
                        )

        for kind, entries in _mapping(document.get("components"), url, "/components").items():
            merged_entries = self.components.setdefault(kind, {})
            for name, value in _mapping(entries, url, pointer("components", kind)).items():
                self._put(merged_entries, name, value, pointer("components", kind, name), url)

        tags = document.get("tags", [])
        if not isinstance(tags, list):
            raise UpstreamError(f"{url}: /tags is not a list")
        for tag in tags:
            tag_name = tag.get("name") if isinstance(tag, dict) else None
            if not isinstance(tag_name, str):
                raise UpstreamError(f"{url}: /tags holds an entry without a name")
            self._put(self.tags, tag_name, tag, f"/tags[name={tag_name}]", url)

    def result(self) -> dict[str, Any]:
        spec: dict[str, Any] = dict(self.top)
        if self.tags:
            spec["tags"] = [self.tags[name] for name in sorted(self.tags)]
        for section, items in self.sections.items():
            if items:
                spec[section] = {path: _ordered_item(items[path]) for path in sorted(items)}
        if self.components:
            spec["components"] = {
                kind: {name: entries[name] for name in sorted(entries)}
                for kind, entries in _ordered(self.components, COMPONENT_ORDER).items()
            }
        return _ordered(spec, TOP_ORDER)


def merge_documents(pages: list[PageDocument]) -> dict[str, Any]:
    """One spec from the page documents (see the module docstring for the rules)."""
    if not pages:
        raise UpstreamError("no page of the index holds an OpenAPI document of this API")
    merger = _Merger()
    for page in pages:
        merger.add(page)
    return merger.result()


def _conflict(first_url: str, second_url: str, at: str) -> None:
    raise UpstreamError(f"merge conflict at {at}: {first_url} and {second_url} disagree")


def _mapping(value: Any, url: str, at: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UpstreamError(f"{url}: {at} is not a mapping")
    return value


def _ordered(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """Keys named in `order` first, in that order, then the others sorted."""
    known = [key for key in order if key in mapping]
    return {key: mapping[key] for key in [*known, *sorted(set(mapping) - set(known))]}


def _shared(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in HTTP_METHODS}


def _ordered_item(item: dict[str, Any]) -> dict[str, Any]:
    """Path-level keys sorted, then the operations in HTTP_METHODS order."""
    shared = sorted(key for key in item if key not in HTTP_METHODS)
    return {key: item[key] for key in [*shared, *(m for m in HTTP_METHODS if m in item)]}
