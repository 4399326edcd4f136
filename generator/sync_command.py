"""`apigen sync` and the sync step of `apigen generate`: follow upstream, report what changed.

When the merged spec changes, the diff report is printed and appended to
`specs/<api>/CHANGES.md`, and the client is regenerated. Sync, report and regeneration run as
one transaction (transaction.py): a failure, SIGINT or SIGTERM puts `specs/<api>` and
`generated/<pkg>` back as they were, and after a kill -9 the next run does. A package that does
not match the spec on disk (its manifest's spec sha256) is regenerated, never called up to date.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import ApiConfig
from .diff import diff_specs, render
from .errors import ApigenError, CheckFailed, InputError
from .loader import parse_document
from .pipeline import GenerateResult, generate
from .sync import SyncResult, SyncSettings, UpstreamUnreachable, read_lock, run_sync, snapshot_date
from .transaction import ApiTransaction
from .writer import built_from, sha256_bytes

CHANGES_FILE = "CHANGES.md"
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


def record_changes(config: ApiConfig, old: dict[str, Any] | None, result: SyncResult) -> str:
    """The diff report of a changed spec, also appended to CHANGES.md (atomically)."""
    new = _read_spec(result.spec_path) or {}
    changes = diff_specs(old or {"openapi": new.get("openapi", "3.1.0"), "paths": {}}, new)
    try:
        index_hash = read_lock(config.api_dir).index_sha256
    except (OSError, ValueError):
        index_hash = "unknown"
    date = result.snapshot_date or datetime.now(UTC).date().isoformat()
    entry = (
        f"## {date}\n\nllms.txt sha256 `{index_hash}`\n\n{render(changes, 'markdown').strip()}\n"
    )
    changes_path = config.api_dir / CHANGES_FILE
    previous = (
        changes_path.read_text(encoding="utf-8")
        if changes_path.exists()
        else "# Upstream changes\n"
    )
    staged = changes_path.with_name(f".{CHANGES_FILE}.tmp-{os.getpid()}")
    staged.write_text(previous.rstrip("\n") + "\n\n" + entry, encoding="utf-8")
    os.replace(staged, changes_path)
    return render(changes, "text")


@dataclass(frozen=True)
class SyncOutcome:
    result: SyncResult
    report: str | None  # the diff report, when the spec changed
    regenerated: bool


def _sync(
    config: ApiConfig, *, warn: Warn, retries: int | None = None, index_only: bool = False
) -> tuple[SyncResult, str | None]:
    """Sync the snapshot (the caller holds the transaction); the report when it changed."""
    settings = settings_for(config, index_only=index_only)
    if retries is not None:
        settings = dataclasses.replace(settings, retries=retries)
    old = _read_spec(config.spec_path)
    result = run_sync(settings, progress=_terminal_progress(), on_wait=warn)
    for notice in result.notices:
        warn(f"notice: {notice}")
    return result, record_changes(config, old, result) if result.changed else None


def _out_of_step(config: ApiConfig) -> bool:
    """generated/ was not built from the spec on disk (a run was killed, or someone edited)."""
    try:
        spec_sha256 = sha256_bytes(config.spec_path.read_bytes())
    except OSError:
        return False  # no spec: nothing to generate from (generate says so when asked)
    return built_from(config.output_dir) != spec_sha256


def sync_and_regenerate(config: ApiConfig, *, warn: Warn, index_only: bool = False) -> SyncOutcome:
    """`apigen sync`: one transaction; regenerates when the spec changed or when generated/
    does not match the spec on disk."""
    with ApiTransaction(config, warn):
        result, report = _sync(config, warn=warn, index_only=index_only)
        regenerate = result.changed or _out_of_step(config)
        if regenerate:
            if not result.changed:
                warn(
                    f"notice: {config.output_dir} was not generated from {config.spec_path}: "
                    "regenerating"
                )
            generate(config, warn=warn)
    return SyncOutcome(result, report, regenerate)


def generate_configured(
    config: ApiConfig, *, offline: bool, lenient: bool, force: bool, warn: Warn
) -> GenerateResult:
    """`apigen generate API` (not --check): sync first unless offline, then generate, in one
    transaction; an unreachable upstream falls back to the snapshot."""
    with ApiTransaction(config, warn):
        if config.sync is not None and not offline:
            try:
                # One retry: offline, `make generate` should fall back quickly.
                result, report = _sync(config, warn=warn, retries=1)
            except UpstreamUnreachable:
                date = snapshot_date(config.api_dir) or "an unknown date"
                warn(f"upstream unreachable: using the snapshot of {date}")
            else:
                if report is not None:
                    _print_changes(config, result, report)
        return generate(config, lenient=lenient, force=force, warn=warn)


def _print_changes(config: ApiConfig, result: SyncResult, report: str) -> None:
    print(f"upstream changed ({config.spec_path}):")
    for line in result.summary_lines():
        print(f"  {line}")
    print(report.rstrip())


def run_sync_command(
    config: ApiConfig, *, check: bool, as_json: bool, index_only: bool, warn: Warn
) -> int:
    """`apigen sync`: 0 when done (changed or not); with --check, 1 when upstream changed."""
    if check:
        settings = settings_for(config, index_only=index_only)
        result = run_sync(settings, check_only=True, progress=_terminal_progress())
        outcome = SyncOutcome(result, None, regenerated=False)
    else:
        outcome = sync_and_regenerate(config, warn=warn, index_only=index_only)
        result = outcome.result
    if as_json:
        print(json.dumps(result.to_json(), indent=2, sort_keys=True))
    elif outcome.report is not None:
        _print_changes(config, result, outcome.report)
    elif outcome.regenerated:
        print(f"{config.output_dir}: regenerated from {config.spec_path}")
    else:
        print(
            f"{config.spec_path}: up to date with {config.sync.index_url if config.sync else 'upstream'}"
        )
    if check and result.changed:
        raise CheckFailed(
            f"upstream changed: run `apigen sync {config.name}` ({'; '.join(result.summary_lines())})"
        )
    return 0
