"""Pull the OpenAPI document out of a docs page.

A Mintlify API page embeds one complete OpenAPI document (that operation and every component
it uses) in a four-backtick fence whose info string is `yaml <method> <path>`, sometimes with a
spec file name before the method. Fences are found the CommonMark way, so code blocks in MDX
before `## OpenAPI` and three-backtick fences inside YAML block scalars are no trouble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, UpstreamError
from ..loader import parse_document
from ..openapi import HTTP_METHODS, json_pointer

NO_BLOCK = "no OpenAPI block"  # the reason of a page without a fence (see unfenced.py)

_FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<marker>`{3,}|~{3,})(?P<info>.*)$")


@dataclass(frozen=True)
class Fence:
    """The OpenAPI fence of a page."""

    method: str
    path: str
    body: str
    body_line: int  # 1-based line of the page where the body starts


@dataclass(frozen=True)
class PageDocument:
    """The OpenAPI document of one page, with the operation its fence names."""

    url: str
    method: str
    path: str
    document: dict[str, Any]  # trimmed to the one operation the fence names
    source: str  # the fence body as published, stored as the page's snapshot file
    dropped: tuple[str, ...] = ()  # JSON pointers of operations the fence did not name

    @property
    def operation(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class Skipped:
    """A page that holds nothing for this API, and why (one line)."""

    url: str
    reason: str

    @property
    def notice(self) -> str:
        return f"skipped {self.url}: {self.reason}"


def dropped_notice(page: PageDocument) -> str:
    """One line naming the page and what was dropped from its fence."""
    return f"{page.url}: dropped {', '.join(page.dropped)}: the fence names only {page.operation}"


@dataclass(frozen=True)
class ApiFilter:
    """Which documents belong to the target API; None matches anything."""

    title: str | None = None
    server_url: str | None = None

    def mismatch(self, document: dict[str, Any]) -> str | None:
        """Why `document` is not of this API, or None when it is."""
        info = document.get("info")
        title = info.get("title") if isinstance(info, dict) else None
        servers = document.get("servers")
        urls = (
            [s.get("url") for s in servers if isinstance(s, dict)]
            if isinstance(servers, list)
            else []
        )
        if self.title is not None and title != self.title:
            return f"another API (title {title!r}, servers {urls})"
        if self.server_url is not None and self.server_url.rstrip("/") not in {
            str(url).rstrip("/") for url in urls
        }:
            return f"another API (title {title!r}, servers {urls})"
        return None


def find_openapi_fence(text: str, url: str) -> Fence | None:
    """The first fence of four or more backticks whose info string is `yaml [...] <method> <path>`."""
    # (not splitlines(): U+2028 and friends inside YAML strings are not line breaks)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines):
        opening = _FENCE_OPEN.match(lines[index])
        if not opening or (opening["marker"][0] == "`" and "`" in opening["info"]):
            index += 1
            continue
        marker, indent = opening["marker"], len(opening["indent"])
        closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        end = next((i for i in range(index + 1, len(lines)) if closing.match(lines[i])), None)
        target = _operation_of(opening["info"]) if marker.startswith("````") else None
        if target is not None:
            if end is None:
                raise UpstreamError(f"{url}:{index + 1}: the OpenAPI fence is never closed")
            content = lines[index + 1 : end]
            if indent:
                content = [_dedent(line, indent) for line in content]
            body = "\n".join(content) + "\n"
            return Fence(target[0], target[1], body, body_line=index + 2)
        index = len(lines) if end is None else end + 1
    return None


def extract_page(url: str, text: str, api: ApiFilter) -> PageDocument | Skipped:
    """The page's OpenAPI document, or why the page is skipped; garbled fences raise."""
    fence = find_openapi_fence(text, url)
    if fence is None:
        return Skipped(url, NO_BLOCK)
    return parse_fence(url, fence, api)


def parse_fence(url: str, fence: Fence, api: ApiFilter) -> PageDocument | Skipped:
    """Parse and check a fence body (also used to re-read a stored page snapshot)."""
    document = load_yaml(fence.body, url, fence.body_line)
    if "openapi" not in document:
        if _is_legacy_mintlify(document):
            return Skipped(url, "legacy Mintlify format (not OpenAPI)")
        raise UpstreamError(
            f"{url}: the fence holds neither OpenAPI nor the legacy Mintlify format"
        )
    version = document["openapi"]
    if not (isinstance(version, str) and version.startswith("3.")):
        raise UpstreamError(f"{url}: unsupported openapi version {version!r}")
    mismatch = api.mismatch(document)
    if mismatch:
        return Skipped(url, mismatch)
    paths = document.get("paths")
    item = paths.get(fence.path) if isinstance(paths, dict) else None
    if not (isinstance(item, dict) and isinstance(item.get(fence.method), dict)):
        raise UpstreamError(
            f"{url}: the fence names {fence.method.upper()} {fence.path} "
            "but the document has no such operation"
        )
    trimmed, dropped = _only_named_operation(document, fence)
    return PageDocument(url, fence.method, fence.path, trimmed, fence.body, dropped)


def _only_named_operation(
    document: dict[str, Any], fence: Fence
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The document with no operation but the one the info string names, and the pointers of
    the operations dropped. Dropped rather than refused: one odd page should not stop the
    daily sync, and nothing it adds beyond its operation can reach the spec (see the notice)."""
    dropped: list[str] = []
    for section in ("paths", "webhooks"):
        items = document.get(section)
        if not isinstance(items, dict):
            continue
        for path, item in items.items():
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                if method in item and (section, path, method) != (
                    "paths",
                    fence.path,
                    fence.method,
                ):
                    dropped.append(json_pointer((section, path, method)))
    trimmed = {key: value for key, value in document.items() if key != "webhooks"}
    named_item = document["paths"][fence.path]
    trimmed["paths"] = {
        fence.path: {
            key: value
            for key, value in named_item.items()
            if key not in HTTP_METHODS or key == fence.method
        }
    }
    return trimmed, tuple(dropped)


def _operation_of(info: str) -> tuple[str, str] | None:
    """(method, path) from `yaml post /v1/x` or `yaml spec.json post /v1/x`."""
    words = info.split()
    if (
        len(words) >= 3
        and words[0] == "yaml"
        and words[-2].lower() in HTTP_METHODS
        and words[-1].startswith("/")
    ):
        return words[-2].lower(), words[-1]
    return None


def _dedent(line: str, indent: int) -> str:
    """CommonMark: drop up to the opening fence's indentation from each content line."""
    stripped = len(line) - len(line.lstrip(" "))
    return line[min(indent, stripped) :]


def _is_legacy_mintlify(document: dict[str, Any]) -> bool:
    """Mintlify's older resolved form: `paths: {path: /v1/x, method: post, ...}`."""
    paths = document.get("paths")
    return isinstance(paths, dict) and isinstance(paths.get("path"), str) and "method" in paths


def load_yaml(text: str, source: str, first_line: int = 1) -> dict[str, Any]:
    """Parse a page's YAML mapping safely; errors name `source` and the line of the page.

    `first_line` is the page line of the text's first line: that many blank lines are put in
    front (YAML ignores them) so that the loader's line numbers are the page's.
    """
    try:
        return parse_document("\n" * (first_line - 1) + text, source)
    except InputError as exc:  # upstream's fault, not the user's
        raise UpstreamError(str(exc)) from None
