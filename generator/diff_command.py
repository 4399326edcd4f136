"""`apigen diff`: the spec diff plus the generated client's public API diff, rendered."""

from __future__ import annotations

import json
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .config import ApiConfig, config_for_spec
from .diff import Change, diff_specs, render, should_fail
from .diff.client_api import compare_packages
from .diff.locate import locator
from .diff.policy import load_policy
from .diff.revision import checkout_path, load_spec_source, repository_root
from .loader import LoadedSpec
from .pipeline import generate


def _generate_for_diff(spec_file: Path, package: str) -> None:
    """Generate the client of one side (a process-pool task: both sides build at once)."""
    config = config_for_spec(spec_file, spec_file.parent, package)
    generate(config, lenient=True, validate=False, warn=lambda _: None)


def client_api_changes(old: LoadedSpec, new: LoadedSpec, package: str) -> list[Change]:
    """Generate a client from each spec (in a scratch folder) and compare their public API."""
    if old.document == new.document:
        return []
    with tempfile.TemporaryDirectory(prefix="apigen-diff-") as scratch:
        folders = [Path(scratch) / "old", Path(scratch) / "new"]
        for folder, spec in zip(folders, (old, new), strict=True):
            folder.mkdir()
            (folder / "openapi.json").write_text(json.dumps(spec.document), encoding="utf-8")
        with ProcessPoolExecutor(max_workers=2) as pool:
            builds = [pool.submit(_generate_for_diff, f / "openapi.json", package) for f in folders]
            for build in builds:
                build.result()
        return compare_packages(folders[0], folders[1], package)


def diff_reports(
    old_source: str, new_source: str, *, repo: Path, package: str, with_client: bool
) -> tuple[list[Change], LoadedSpec]:
    old = load_spec_source(old_source, repo)
    new = load_spec_source(new_source, repo)
    changes = diff_specs(old.document, new.document, old_label=old.source, new_label=new.source)
    if with_client:
        changes += client_api_changes(old, new, package)
    return changes, new


def run_diff_command(
    old_source: str | None,
    new_source: str | None,
    *,
    config: ApiConfig,
    fmt: str,
    fail_on: str | None,
    with_client: bool,
) -> int:
    """Print the report; exit 1 when `fail_on` matched. Defaults: last commit vs working tree.

    The API folder's diff policy (level overrides, accepted changes) applies first."""
    spec = config.spec_path.as_posix()
    policy = load_policy(config.api_dir)
    changes, new = diff_reports(
        old_source or f"HEAD:{spec}",
        new_source or spec,
        repo=Path.cwd(),
        package=config.package,
        with_client=with_client,
    )
    changes, accepted = policy.apply(changes)
    if accepted:
        print(
            f"apigen diff: {len(accepted)} change(s) accepted by {', '.join(policy.sources)}",
            file=sys.stderr,
        )
    repo = Path.cwd()
    spec_file = checkout_path(new_source or spec, repo)
    locate = locator(spec_file, new.line_of, config.output_dir, repository_root(repo))
    sys.stdout.write(render(changes, fmt, locate=locate))
    return 1 if should_fail(changes, fail_on) else 0
