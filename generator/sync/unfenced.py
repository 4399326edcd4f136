"""Pages without an OpenAPI block: which operation they document, and a document for it.

Some API reference pages carry no fence: hand-written MDX (`<ParamField>`, `<ResponseField>`,
`<RequestExample>`), or an error page served with 200. Their operation must not vanish from
the client, so it is taken from another source: the whole published spec when the API config
names one (`spec_url`), else the last snapshot's spec. This module finds the operation a page
documents and cuts a one-operation document (the operation and every component it reaches)
out of a whole spec, the same shape a fence has, so the merge treats both alike.

How a page names its operation, most explicit first:
1. Mintlify frontmatter `openapi: [file] METHOD /path`;
2. the request example: `curl --request METHOD --url https://host/v1/x/abc` (or `-X`),
   matched against the path templates the sources know (`/v1/x/{id}`), literals preferred;
3. the operation the page had in the last run (the caller's fallback).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..openapi import HTTP_METHODS, json_pointer, pointer_parts

_FRONTMATTER_OPENAPI = re.compile(
    r"^openapi:\s*[\"']?(?:\S+\s+)?(?P<method>[A-Za-z]+)\s+(?P<path>/\S*?)[\"']?\s*$"
)
_CURL_METHOD = re.compile(r"(?:--request|-X)\s+['\"]?(?P<method>[A-Za-z]+)")
_CURL_URL = re.compile(r"(?:--url\s+|curl\s+(?:-\S+\s+)*)['\"]?(?P<url>https?://[^\s'\"\\]+)")
_REQUEST_EXAMPLE = re.compile(r"<RequestExample>(?P<body>.*?)</RequestExample>", re.S)

Operation = tuple[str, str]  # (method, path template)


def identify_operation(text: str, known: dict[str, Any]) -> Operation | None:
    """The (method, path) the page documents, or None; `known` is a `paths` mapping."""
    declared = _frontmatter_operation(text)
    if declared is not None:
        return declared
    for example in _REQUEST_EXAMPLE.finditer(text):
        method = _CURL_METHOD.search(example["body"])
        url = _CURL_URL.search(example["body"])
        if url is None:
            continue
        verb = method["method"].lower() if method else "get"
        path = match_template(urlsplit(url["url"]).path, verb, known)
        if path is not None:
            return verb, path
    return None


def _frontmatter_operation(text: str) -> Operation | None:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for line in lines[1:]:
        if line.strip() == "---":
            return None
        declared = _FRONTMATTER_OPENAPI.match(line.strip())
        if declared and declared["method"].lower() in HTTP_METHODS:
            return declared["method"].lower(), declared["path"]
    return None


def match_template(path: str, method: str, known: dict[str, Any]) -> str | None:
    """The template of `known` that `path` fills and that has `method`; the one with the most
    literal segments when several do (`/v1/x/me` before `/v1/x/{id}`)."""
    segments = path.rstrip("/").split("/")
    best: tuple[int, str] | None = None
    for template, item in known.items():
        if not (isinstance(item, dict) and isinstance(item.get(method), dict)):
            continue
        parts = template.rstrip("/").split("/")
        if len(parts) != len(segments):
            continue
        literals = 0
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{") and part.endswith("}") and segment:
                continue
            if part != segment:
                break
            literals += 1
        else:
            if best is None or literals > best[0]:
                best = (literals, template)
    return best[1] if best else None


def operations_of(spec: dict[str, Any]) -> list[Operation]:
    """Every (method, path) of a spec's `paths`, in file order."""
    paths = spec.get("paths")
    if not isinstance(paths, dict):
        return []
    return [
        (method, path)
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
    ]


def has_operation(spec: dict[str, Any] | None, operation: Operation) -> bool:
    return spec is not None and operation in operations_of(spec)


def operation_document(
    spec: dict[str, Any], operation: Operation, top: dict[str, Any]
) -> dict[str, Any]:
    """A one-operation document cut out of `spec`: the operation with its path-level keys,
    the components it reaches (transitively) and the security schemes and tags it names; the
    top-level keys (openapi, info, servers, security, ...) are `top`'s, so that it merges
    with the page documents."""
    method, path = operation
    item = spec["paths"][path]
    kept_item = {k: v for k, v in item.items() if k not in HTTP_METHODS or k == method}
    document: dict[str, Any] = {**top, "paths": {path: kept_item}}
    components = _reached_components(spec, kept_item)
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for requirement in [*(kept_item[method].get("security") or []), *(top.get("security") or [])]:
        for name in requirement if isinstance(requirement, dict) else ():
            if isinstance(schemes, dict) and name in schemes:
                components.setdefault("securitySchemes", {})[name] = schemes[name]
    if components:
        document["components"] = {kind: dict(sorted(c.items())) for kind, c in components.items()}
    tag_names = set(kept_item[method].get("tags") or [])
    tags = [t for t in spec.get("tags") or [] if isinstance(t, dict) and t.get("name") in tag_names]
    if tags:
        document["tags"] = tags
    return document


def _reached_components(spec: dict[str, Any], start: Any) -> dict[str, dict[str, Any]]:
    """`#/components/<kind>/<name>` entries reached from `start` through local `$ref`s."""
    found: dict[str, dict[str, Any]] = {}
    pending = [start]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                parts = pointer_parts(ref[1:])
                if len(parts) >= 3:
                    kind, name = parts[1], parts[2]
                    target = spec.get("components", {}).get(kind, {}).get(name)
                    if target is not None and name not in found.get(kind, {}):
                        found.setdefault(kind, {})[name] = target
                        pending.append(target)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def describe(operation: Operation) -> str:
    return f"{operation[0].upper()} {operation[1]}"


def pointer_of(operation: Operation) -> str:
    return json_pointer(("paths", operation[1], operation[0]))
