"""Parse an llms.txt index (llmstxt.org, Mintlify flavour) and pick the API reference pages.

A small parser rather than the `llms-txt` package: that one pulls in fastcore and mistletoe,
is untyped, and fails on any line under a `##` section that is not a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from ..errors import UpstreamError
from .urls import normalise_url

# `- [Title](URL)` or `- [Title](URL): description`; titles may hold `]` escaped as `\]`.
_LINK = re.compile(
    r"^\s*[-*]\s*\[(?P<title>(?:\\.|[^\]\\])*)\]\((?P<url>[^)\s]+)\)(?::\s*(?P<desc>.*))?$"
)
_SECTION = re.compile(r"^##\s+(?P<name>.+?)\s*$")


@dataclass(frozen=True)
class IndexEntry:
    """One link of the index."""

    title: str
    url: str
    description: str
    section: str


def parse_index(text: str, index_url: str) -> list[IndexEntry]:
    """Every link under a `##` section, in file order; URLs made absolute, without fragment."""
    entries: list[IndexEntry] = []
    section = ""
    for line in text.splitlines():
        heading = _SECTION.match(line)
        if heading:
            section = heading["name"]
            continue
        link = _LINK.match(line)
        if link and section:
            entries.append(
                IndexEntry(
                    title=link["title"].replace("\\]", "]"),
                    url=urldefrag(urljoin(index_url, link["url"])).url,
                    description=(link["desc"] or "").strip(),
                    section=section,
                )
            )
    return entries


@dataclass(frozen=True)
class Selection:
    """The API pages of an index, and the links refused on the way (one line each)."""

    urls: list[str]
    refused: list[str]


def select_pages(entries: list[IndexEntry], prefixes: tuple[str, ...]) -> Selection:
    """Normalised URLs whose path starts with one of `prefixes`, without duplicates, sorted.

    Normalised first, so `/reference/x/../../secret.md` is judged as `/secret.md`; sorted
    rather than in index order so that reordering the index changes nothing.
    """
    urls: set[str] = set()
    refused: list[str] = []
    for entry in entries:
        try:
            url = normalise_url(entry.url)
        except UpstreamError as exc:
            if urlsplit(entry.url).path.startswith(prefixes):
                refused.append(str(exc))
            continue
        if urlsplit(url).path.startswith(prefixes):
            urls.add(url)
    return Selection(sorted(urls), refused)
