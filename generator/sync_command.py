"""`apigen sync` and the sync step of `apigen generate`: follow upstream, report what changed.

When the merged spec changes, the client is regenerated, an entry saying what changed for
the spec, the client and its users goes first in `specs/<api>/CHANGES.md`, and a short summary
is printed. Sync, regeneration and the entry are one transaction (transaction.py): a failure,
SIGINT or SIGTERM puts `specs/<api>` and `generated/<pkg>` back as they were, and after a
kill -9 the next run does. A package that was not built from the spec on disk (its manifest's
spec sha256) is regenerated, never called up to date.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .changelog import CHANGES_FILE, Entry, OperationCounts, auth_change, prepend_entry
from .config import ApiConfig
from .diff import diff_specs
from .errors import ApigenError, CheckFailed, InputError
from .loader import parse_document
from .pipeline import GenerateResult, generate
from .sync import SyncResult, SyncSettings, UpstreamUnreachable, read_lock, run_sync, snapshot_date
from .transaction import ApiTransaction
from .versioning import Release
from .writer import built_from, sha256_bytes

Warn = Callable[[str], None]


def settings_for(config: ApiConfig, *, index_only: bool = False) -> SyncSettings:
    if config.sync is None:
        raise InputError(
            f"{config.api_dir / 'config.toml'}: no [sync] section: nothing to sync from"
        )
    return SyncSettings(
        api_dir=config.api_dir,
        index_url=config.sync.index_url,
        page_prefixes=config.sync.page_prefixes,
        allowed_hosts=config.sync.allowed_hosts,
        api_title=config.sync.api_title,
        server_url=config.sync.server_url,
        spec_url=config.sync.spec_url,
        spec_file=config.spec_path.name,
        index_only=index_only,
        work_dir=config.work_dir,
    )


def _terminal_progress() -> Callable[[int, int], None] | None:
    """Pages fetched of total on a terminal; nothing when stderr is not a TTY."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\rfetching pages: {done}/{total}{end}")
        sys.stderr.flush()

    return show


def _read_spec(path: Path) -> dict[str, Any] | None:
    try:
        return parse_document(path.read_bytes(), str(path))
    except (OSError, ApigenError):
        return None


def changelog_entry(
    config: ApiConfig, old: dict[str, Any] | None, result: SyncResult, release: Release
) -> Entry:
    """What the change from `old` to the synced spec means (see changelog.py)."""
    new = _read_spec(result.spec_path) or {}
    auth = auth_change(old, new, config) if old else None  # None: the first sync
    old = old or {"openapi": new.get("openapi", "3.1.0"), "paths": {}}
    try:
        index_hash = read_lock(config.api_dir).index_sha256
    except (OSError, ValueError):
        index_hash = "unknown"
    info = new.get("info")
    api_version = info.get("version") if isinstance(info, dict) else None
    spec_changes = diff_specs(old, new)
    return Entry(
        date=(result.snapshot_date or datetime.now(UTC).isoformat())[:10],
        index_sha256=index_hash,
        package=config.package,
        api_version=str(api_version or "unknown"),
        release=release,
        operations=OperationCounts.of(spec_changes, touched=result.operations_changed),
        spec_changes=tuple(spec_changes),
        auth=auth,
    )


@dataclass(frozen=True)
class SyncOutcome:
    result: SyncResult
    entry: Entry | None  # the CHANGES.md entry, when the spec changed
    regenerated: bool


def _sync(
    config: ApiConfig, *, warn: Warn, retries: int | None = None, index_only: bool = False
) -> SyncOutcome:
    """Sync, then regenerate when the spec changed or generated/ was not built from the spec
    on disk; the caller holds the transaction."""
    settings = settings_for(config, index_only=index_only)
    if retries is not None:
        settings = dataclasses.replace(settings, retries=retries)
    old = _read_spec(config.spec_path)
    result = run_sync(settings, progress=_terminal_progress(), on_wait=warn)
    for notice in result.notices:
        warn(f"notice: {notice}")
    if result.changed:
        release = generate(config, warn=warn).release
        entry = changelog_entry(config, old, result, release)
        prepend_entry(config.api_dir / CHANGES_FILE, entry)
        return SyncOutcome(result, entry, regenerated=True)
    if _out_of_step(config):
        warn(f"notice: {config.output_dir} was not generated from {config.spec_path}: regenerating")
        generate(config, warn=warn)
        return SyncOutcome(result, None, regenerated=True)
    return SyncOutcome(result, None, regenerated=False)


def _out_of_step(config: ApiConfig) -> bool:
    """generated/ was not built from the spec on disk (a run was killed, or someone edited)."""
    try:
        spec_sha256 = sha256_bytes(config.spec_path.read_bytes())
    except OSError:
        return False  # no spec: nothing to generate from (generate says so when asked)
    return built_from(config.output_dir) != spec_sha256


def _print_changes(config: ApiConfig, entry: Entry) -> None:
    print(f"upstream changed ({config.spec_path}):")
    for line in entry.summary_lines():
        print(f"  {line}")
    print(f"  the report: {config.api_dir / CHANGES_FILE}")


def generate_configured(
    config: ApiConfig, *, offline: bool, lenient: bool, force: bool, warn: Warn
) -> GenerateResult:
    """`apigen generate API` (not --check): sync first unless offline, then generate, in one
    transaction; an unreachable upstream falls back to the snapshot."""
    with ApiTransaction(config, warn):
        if config.sync is not None and not offline:
            try:
                # One retry: offline, `make generate` should fall back quickly.
                outcome = _sync(config, warn=warn, retries=1)
            except UpstreamUnreachable:
                date = snapshot_date(config.api_dir) or "an unknown date"
                warn(f"upstream unreachable: using the snapshot of {date}")
            else:
                if outcome.entry is not None:
                    _print_changes(config, outcome.entry)
        return generate(config, lenient=lenient, force=force, warn=warn)


def run_sync_command(
    config: ApiConfig, *, check: bool, as_json: bool, index_only: bool, warn: Warn
) -> int:
    """`apigen sync`: 0 when done (changed or not); with --check, 1 when upstream changed."""
    if check:
        settings = settings_for(config, index_only=index_only)
        result = run_sync(settings, check_only=True, progress=_terminal_progress())
        outcome = SyncOutcome(result, None, regenerated=False)
    else:
        with ApiTransaction(config, warn):
            outcome = _sync(config, warn=warn, index_only=index_only)
        result = outcome.result
    if as_json:
        report = outcome.entry.to_json() if outcome.entry else None
        print(json.dumps({**result.to_json(), "report": report}, indent=2, sort_keys=True))
    elif outcome.entry is not None:
        _print_changes(config, outcome.entry)
    elif outcome.regenerated:
        print(f"{config.output_dir}: regenerated from {config.spec_path}")
    else:
        print(
            f"{config.spec_path}: up to date with {config.sync.index_url if config.sync else 'upstream'}"
        )
    if check and result.changed:
        raise CheckFailed(
            f"upstream changed ({_check_summary(result)}): run `apigen sync {config.name}`"
        )
    return 0


def _check_summary(result: SyncResult) -> str:
    """A few counts; `apigen sync` then says what they mean."""
    counts = [
        f"{len(items)} {noun}{'' if len(items) == 1 else 's'} {verb}"
        for noun, verb, items in (
            ("operation", "added", result.operations_added),
            ("operation", "removed", result.operations_removed),
            ("operation", "edited", result.operations_changed),
            ("schema", "added", result.schemas_added),
            ("schema", "removed", result.schemas_removed),
            ("schema", "edited", result.schemas_changed),
        )
        if items
    ]
    if result.security_changed:
        counts.append("authentication changed")
    return ", ".join(counts) or "the spec changed"
