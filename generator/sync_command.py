"""`apigen sync` and the sync step of `apigen generate`: follow upstream, report what changed.

When the merged spec changes, the client is regenerated, an entry saying what changed for
the spec, the client and its users goes first in `specs/<api>/CHANGES.md`, and a short summary
is printed. If generating from the new spec
fails, the previous snapshot is put back, so `specs/` and `generated/` always agree.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .changelog import CHANGES_FILE, Entry, OperationCounts, auth_change, prepend_entry
from .config import ApiConfig
from .diff import diff_specs
from .errors import ApigenError, CheckFailed, InputError
from .loader import parse_document
from .pipeline import generate
from .sync import SyncResult, SyncSettings, UpstreamUnreachable, read_lock, run_sync, snapshot_date
from .versioning import Release

Warn = Callable[[str], None]


def settings_for(config: ApiConfig) -> SyncSettings:
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
        spec_file=config.spec_path.name,
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


@contextmanager
def _backup(api_dir: Path) -> Iterator[Callable[[], None]]:
    """Copy the snapshot aside (outside specs/, which a no-op must not touch); the block may
    call the yielded function to put it back."""
    with tempfile.TemporaryDirectory(prefix="apigen-backup-") as scratch:
        backup = Path(scratch) / api_dir.name
        shutil.copytree(api_dir, backup, symlinks=True)

        def restore() -> None:
            staged = Path(tempfile.mkdtemp(prefix=f".{api_dir.name}.restore-", dir=api_dir.parent))
            shutil.copytree(backup, staged / api_dir.name, symlinks=True)
            os.replace(api_dir, staged / "failed")
            os.replace(staged / api_dir.name, api_dir)
            shutil.rmtree(staged, ignore_errors=True)

        yield restore


def changelog_entry(
    config: ApiConfig, old: dict[str, Any] | None, result: SyncResult, release: Release
) -> Entry:
    """What the change from `old` to the synced spec means (see changelog.py)."""
    new = _read_spec(result.spec_path) or {}
    auth = auth_change(old, new, config.api_key_env) if old else None  # None: the first sync
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


def _sync_and_regenerate(
    config: ApiConfig, *, warn: Warn, quiet: bool = False, retries: int | None = None
) -> tuple[SyncResult, Entry | None]:
    settings = settings_for(config)
    if retries is not None:
        settings = dataclasses.replace(settings, retries=retries)
    old = _read_spec(config.spec_path)
    with _backup(config.api_dir) as restore:
        result = run_sync(settings, progress=_terminal_progress())
        for notice in result.notices:
            warn(f"notice: {notice}")
        if not result.changed:
            return result, None
        try:
            release = generate(config, warn=warn).release
            entry = changelog_entry(config, old, result, release)
            prepend_entry(config.api_dir / CHANGES_FILE, entry)
        except BaseException:
            restore()  # a spec that cannot be generated must not replace the last good one
            raise
    if not quiet:
        print(f"upstream changed ({config.spec_path}):")
        for line in entry.summary_lines():
            print(f"  {line}")
        print(f"  the report: {config.api_dir / CHANGES_FILE}")
    return result, entry


def sync_for_generate(config: ApiConfig, *, warn: Warn) -> None:
    """The sync step of `generate`: an unreachable upstream falls back to the snapshot."""
    try:
        # One retry: offline, `make generate` should fall back quickly, not back off for long.
        _sync_and_regenerate(config, warn=warn, retries=1)
    except UpstreamUnreachable:
        date = snapshot_date(config.api_dir) or "an unknown date"
        warn(f"upstream unreachable: using the snapshot of {date}")


def run_sync_command(config: ApiConfig, *, check: bool, as_json: bool, warn: Warn) -> int:
    """`apigen sync`: 0 when done (changed or not); with --check, 1 when upstream changed."""
    entry = None
    if check:
        result = run_sync(settings_for(config), check_only=True, progress=_terminal_progress())
    else:
        result, entry = _sync_and_regenerate(config, warn=warn, quiet=as_json)
    if as_json:
        report = entry.to_json() if entry else None
        print(json.dumps({**result.to_json(), "report": report}, indent=2, sort_keys=True))
    elif not result.changed:
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
