"""CHANGES.md: one entry per upstream change, saying what changed and what it breaks for whom.

An entry (newest first, `##` under the file's `#` title) holds the date, the llms.txt hash,
the generated package's new version beside the API version, summary counts, what an
authentication change means for users, then the client changes and the spec changes, each
classified breaking / possibly-breaking / compatible (the `apigen diff` levels). The same
counts go to `apigen sync --json`, the one-line summary to the terminal, and the newest entry
(capped) to the body of the upstream pull request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .api_model import client_auth as derived_auth
from .config import ApiConfig
from .diff import Change, markdown, summary, summary_line
from .versioning import Release

CHANGES_FILE = "CHANGES.md"
TITLE = "# Upstream changes"
# GitHub refuses a pull request body over 65,536 characters; leave room for a footer.
PR_BODY_LIMIT = 60_000
_ADDED, _REMOVED = "operation-added", "operation-removed"
_UNSAFE = re.compile(r"[`\r\n|<>\\]")


@dataclass(frozen=True)
class OperationCounts:
    """Operations as the report sees them: documentation-only edits are counted apart."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    docs_only: tuple[str, ...]

    @classmethod
    def of(cls, changes: Sequence[Change], touched: Sequence[str] = ()) -> OperationCounts:
        """From the spec report; `touched` are operations whose text changed in any way."""
        added = {c.operation for c in changes if c.rule == _ADDED and c.operation}
        removed = {c.operation for c in changes if c.rule == _REMOVED and c.operation}
        reported = {
            operation
            for change in changes
            if change.rule not in (_ADDED, _REMOVED)
            for operation in change.operations
        }
        changed = reported - added - removed
        docs_only = set(touched) - changed - added - removed
        return cls(*(tuple(sorted(group)) for group in (added, removed, changed, docs_only)))

    def text(self) -> str:
        if not (self.added or self.removed or self.changed or self.docs_only):
            return "no operation changed"
        text = (
            f"{_count(len(self.added), 'operation')} added, {len(self.removed)} removed, "
            f"{len(self.changed)} changed"
        )
        return text + (f" ({len(self.docs_only)} more: docs only)" if self.docs_only else "")

    def to_json(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "docs_only": len(self.docs_only),
        }


@dataclass(frozen=True)
class AuthChange:
    """How the generated client authenticates before and after, and what users must do."""

    schemes_old: tuple[str, ...]
    schemes_new: tuple[str, ...]
    sent_old: str  # e.g. "Authorization: <BASETEN_API_KEY>"
    sent_new: str  # e.g. "Authorization: Bearer <BASETEN_API_KEY>"
    advice: str

    def markdown(self, depth: int) -> str:
        old = ", ".join(f"`{name}`" for name in self.schemes_old) or "none"
        new = ", ".join(f"`{name}`" for name in self.schemes_new) or "none"
        return (
            f"{'#' * depth} Authentication\n\n"
            f"The API's security scheme changed ({old} -> {new}). The client sent "
            f"`{self.sent_old}`; it now sends `{self.sent_new}`.\n\n"
            f"**What users must change:** {self.advice}\n"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schemes_old": list(self.schemes_old),
            "schemes_new": list(self.schemes_new),
            "sent_old": self.sent_old,
            "sent_new": self.sent_new,
            "advice": self.advice,
        }


def client_auth(spec: dict[str, Any], config: ApiConfig) -> tuple[str, str]:
    """(header, prefix) the generated client sends the API key with (config overrides first)."""
    header, prefix = derived_auth(spec)
    header = config.auth_header or header
    prefix = prefix if config.auth_prefix is None else config.auth_prefix
    # Spec text goes into markdown code spans: no backticks, line breaks or markup there.
    return _UNSAFE.sub("", header)[:100], _UNSAFE.sub("", prefix)[:100]


def auth_change(old: dict[str, Any], new: dict[str, Any], config: ApiConfig) -> AuthChange | None:
    """What an authentication change of the spec means for the generated client's users
    (None when the spec's security schemes and requirements did not change)."""
    if _security(old) == _security(new):
        return None
    (old_header, old_prefix), (new_header, new_prefix) = (
        client_auth(old, config),
        client_auth(new, config),
    )
    api_key_env = config.api_key_env
    key = f"<{api_key_env}>"
    if old_header != new_header:
        advice = (
            f"the key now goes in the `{new_header}` header instead of `{old_header}`; nothing "
            f"to change unless you send `{old_header}` yourself (`default_headers`)."
        )
    elif old_prefix == new_prefix:
        advice = "nothing: the client sends the key exactly as before."
    elif not old_prefix:
        example = _scheme_example(old, old_header) or "Token"
        advice = (
            f"the client now adds `{new_prefix.strip()}` itself. If you put a scheme into "
            f"`{api_key_env}` (such as `{example} <key>`, as the old spec asked), the client "
            f"now sends `{new_prefix}{example} <key>`: set `{api_key_env}` to the bare key."
        )
    elif not new_prefix:
        advice = (
            f"the client no longer adds `{old_prefix.strip()}`: put the whole value the API "
            f"expects into `{api_key_env}`."
        )
    else:
        advice = (
            f"nothing if `{api_key_env}` holds the bare key: the client now adds "
            f"`{new_prefix.strip()}` instead of `{old_prefix.strip()}`."
        )
    return AuthChange(
        schemes_old=tuple(sorted(_schemes(old))),
        schemes_new=tuple(sorted(_schemes(new))),
        sent_old=f"{old_header}: {old_prefix}{key}",
        sent_new=f"{new_header}: {new_prefix}{key}",
        advice=advice,
    )


def _schemes(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return schemes if isinstance(schemes, dict) else {}


def _security(spec: dict[str, Any]) -> tuple[Any, Any]:
    return _schemes(spec), spec.get("security")


def _scheme_example(spec: dict[str, Any], header: str) -> str | None:
    """The scheme word a spec's prose asks for (`Authorization: Api-Key <key>` -> Api-Key)."""
    pattern = re.compile(re.escape(header) + r": ([A-Za-z][A-Za-z0-9-]{0,30}) ")
    for scheme in _schemes(spec).values():
        description = scheme.get("description") if isinstance(scheme, dict) else None
        found = pattern.search(description[:2000]) if isinstance(description, str) else None
        if found:
            return found.group(1)
    return None


@dataclass(frozen=True)
class Entry:
    """One upstream change, as CHANGES.md, the terminal and `sync --json` report it."""

    date: str  # YYYY-MM-DD
    index_sha256: str
    package: str
    api_version: str
    release: Release
    operations: OperationCounts
    spec_changes: tuple[Change, ...]
    auth: AuthChange | None

    @property
    def client_changes(self) -> tuple[Change, ...]:
        return self.release.client_changes

    def version_text(self) -> str:
        release = self.release
        version = f"{self.package} {release.version}"
        if release.previous and release.previous != release.version:
            version = f"{self.package} {release.previous} -> {release.version} ({release.bump})"
        return f"{version}, API version {self.api_version or 'unknown'}"

    def summary_lines(self) -> list[str]:
        """A few short lines for the terminal; the counts are those of the entry."""
        lines = [
            f"operations: {self.operations.text()}",
            f"spec: {summary_line(self.spec_changes)}",
            f"client: {self.version_text()}; {summary_line(self.client_changes)}",
        ]
        if self.auth is not None:
            lines.append(
                f"authentication: now sends `{self.auth.sent_new}` (was `{self.auth.sent_old}`)"
            )
        return lines

    def markdown(self) -> str:
        lines = [
            f"## {self.date}: {self.package} {self.release.version} (API {self.api_version})",
            "",
            f"- llms.txt sha256: `{self.index_sha256}`",
            f"- Client: {self.version_text()}",
            f"- Operations: {self.operations.text()}",
            f"- Spec: {summary_line(self.spec_changes)}",
            f"- Client API: {summary_line(self.client_changes)}",
            "",
        ]
        if self.auth is not None:
            lines.append(self.auth.markdown(depth=3))
        lines.append(markdown(self.client_changes, title="Client changes", depth=3))
        lines.append(markdown(self.spec_changes, title="Spec changes", depth=3))
        return "\n".join(lines).rstrip() + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "index_sha256": self.index_sha256,
            "package_version": self.release.version,
            "previous_package_version": self.release.previous,
            "version_bump": self.release.bump,
            "api_version": self.api_version,
            "operations": self.operations.to_json(),
            "spec": summary(self.spec_changes),
            "client": summary(self.client_changes),
            "authentication": self.auth.to_json() if self.auth else None,
        }


def prepend_entry(changes_file: Path, entry: Entry) -> None:
    """Put `entry` first under the title (atomically: a crash leaves the old file)."""
    previous = changes_file.read_text(encoding="utf-8") if changes_file.exists() else ""
    body = previous.removeprefix(TITLE).lstrip("\n")
    text = f"{TITLE}\n\n{entry.markdown()}" + (f"\n{body}" if body else "")
    staged = changes_file.with_name(f".{changes_file.name}.tmp-{os.getpid()}")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, changes_file)


def newest_entry(text: str) -> str:
    """The first `## ` entry of a CHANGES.md text ("" when there is none)."""
    start = text.find("\n## ")
    if start < 0:
        return ""
    end = text.find("\n## ", start + 1)
    return text[start + 1 : end + 1 if end >= 0 else len(text)].rstrip() + "\n"


def capped(markdown_text: str, limit: int = PR_BODY_LIMIT, *, full_report: str = "") -> str:
    """`markdown_text` cut at a line boundary to fit `limit` characters, with any `<details>`
    left open closed and a note pointing at `full_report` (where the whole text is)."""
    if len(markdown_text) <= limit:
        return markdown_text
    where = f" (the full report: {full_report})" if full_report else ""
    kept: list[str] = []
    size = 0
    lines = markdown_text.splitlines()
    for line in lines:
        if size + len(line) + 1 > limit - 500:
            break
        kept.append(line)
        size += len(line) + 1
    left_out = len(lines) - len(kept)
    opened = sum(line.startswith("<details>") for line in kept)
    closed = sum(line.startswith("</details>") for line in kept)
    kept += ["", "</details>"] * (opened - closed)
    kept += ["", f"**Cut here:** {left_out} more lines{where}."]
    return "\n".join(kept) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
