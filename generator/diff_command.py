"""`apigen diff`: the spec diff plus the generated client's public API diff, rendered."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from .config import ApiConfig, config_for_spec
from .diff import Change, diff_specs, render, should_fail
from .diff.client_api import compare_packages
from .diff.revision import load_spec_source
from .loader import LoadedSpec
from .pipeline import generate


def client_api_changes(old: LoadedSpec, new: LoadedSpec, package: str) -> list[Change]:
    """Generate a client from each spec (in a scratch folder) and compare their public API."""
    with tempfile.TemporaryDirectory(prefix="apigen-diff-") as scratch:
        packages = []
        for side, spec in (("old", old), ("new", new)):
            folder = Path(scratch) / side
            folder.mkdir()
            spec_file = folder / "openapi.json"
            spec_file.write_text(json.dumps(spec.document), encoding="utf-8")
            config = config_for_spec(spec_file, folder, package)
            generate(config, lenient=True, warn=lambda _: None)
            packages.append(folder)
        return compare_packages(packages[0], packages[1], package)


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
    """Print the report; exit 1 when `fail_on` matched. Defaults: last commit vs working tree."""
    spec = config.spec_path.as_posix()
    changes, new = diff_reports(
        old_source or f"HEAD:{spec}",
        new_source or spec,
        repo=Path.cwd(),
        package=config.package,
        with_client=with_client,
    )
    sys.stdout.write(render(changes, fmt, file=new.source, line_of=new.line_of))
    return 1 if should_fail(changes, fail_on) else 0
