"""`apigen diff`: what changed between two OpenAPI specs and what it breaks for callers.

Public API, used by the CLI and by `apigen sync`:

- `diff_specs(old, new) -> list[Change]`: compare two loaded documents.
- `render(changes, fmt) -> str`: text, markdown, json or github (Actions annotations).
- `should_fail(changes, fail_on) -> bool`: whether `--fail-on breaking|possibly-breaking` matched.
- `load_revision(spec, repo) -> (name, bytes)`: read a file or a `REV:path` git revision.
- `load_spec_source(spec, repo) -> LoadedSpec`: the same, parsed (files also bundled).
- `RULES`: every rule id with its level and message template (`rules_markdown()` as a table).
- `generator.diff.client_api.compare_packages(old_dir, new_dir, package) -> list[Change]`:
  public Python API changes between two generated packages (imported on demand: griffe).
"""

from generator.diff.changes import Change, diff_specs
from generator.diff.report import (
    FORMATS,
    markdown,
    render,
    rules_markdown,
    should_fail,
    summary,
    summary_line,
)
from generator.diff.revision import load_revision, load_spec_source
from generator.diff.rules import RULES, Level, Rule

__all__ = [
    "FORMATS",
    "RULES",
    "Change",
    "Level",
    "Rule",
    "diff_specs",
    "load_revision",
    "load_spec_source",
    "markdown",
    "render",
    "rules_markdown",
    "should_fail",
    "summary",
    "summary_line",
]
