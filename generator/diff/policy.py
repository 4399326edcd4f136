"""Per-API diff policy: rule level overrides and accepted (ignored) changes.

Read from the API folder (`specs/<api>/`), in this order, later entries adding to earlier:

- `config.toml`, table `[diff]`: `levels = { rule-id = "level" }` and `[[diff.ignore]]`;
- `diff-ignore.toml`, or `diff-ignore.yaml`: top-level `levels` and `ignore` alike.

A level is `breaking`, `possibly-breaking`, `compatible` (oasdiff's `ERR`, `WARN`, `INFO`
are accepted too) or `none`, which drops the rule everywhere. An ignore entry names a
`rule`, optionally an `operation` ("METHOD /path"; every operation when left out), and a
`reason`, which is required: an accepted break should say why. Like oasdiff's
`--severity-levels` and `--err-ignore`, the policy applies before `--fail-on`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomllib
import yaml

from generator.diff.changes import Change
from generator.diff.rules import RULES, Level
from generator.errors import InputError

IGNORE_FILES = ("diff-ignore.toml", "diff-ignore.yaml", "diff-ignore.yml")
_LEVEL_NAMES = {
    **{str(level): level for level in Level},
    "err": Level.BREAKING,
    "error": Level.BREAKING,
    "warn": Level.POSSIBLY_BREAKING,
    "warning": Level.POSSIBLY_BREAKING,
    "info": Level.COMPATIBLE,
}
_MAX_POLICY_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class Ignore:
    rule: str
    operation: str | None  # None: every operation
    reason: str


@dataclass(frozen=True, slots=True)
class DiffPolicy:
    levels: Mapping[str, Level | None]  # None: the rule is dropped
    ignore: tuple[Ignore, ...] = ()
    sources: tuple[str, ...] = ()  # the files it was read from

    def apply(self, changes: Sequence[Change]) -> tuple[list[Change], list[Change]]:
        """(changes to report, with levels overridden; changes accepted by the policy)."""
        kept: list[Change] = []
        dropped: list[Change] = []
        for change in changes:
            level = self.levels.get(change.rule, change.level)
            if level is None or self.accepts(change):
                dropped.append(change)
            elif level is not change.level:
                kept.append(replace(change, level=level))
            else:
                kept.append(change)
        kept.sort(key=lambda change: change.level.rank)  # stable: the order within a level stays
        return kept, dropped

    def accepts(self, change: Change) -> bool:
        """Whether ignore entries cover the change: one without an operation, or entries
        for every operation it concerns (a shared component reaches several)."""
        entries = [entry for entry in self.ignore if entry.rule == change.rule]
        if any(entry.operation is None for entry in entries):
            return True
        return bool(change.operations) and all(
            any(_same_operation(operation, str(entry.operation)) for entry in entries)
            for operation in change.operations
        )


NO_POLICY = DiffPolicy(levels={})


def load_policy(directory: Path) -> DiffPolicy:
    """The policy of the API folder `directory` (none when it has no such settings)."""
    levels: dict[str, Level | None] = {}
    ignore: list[Ignore] = []
    sources: list[str] = []
    config = directory / "config.toml"
    if config.is_file():
        section = _read(config).get("diff")
        if section is not None:
            _add(section, f"{config} [diff]", levels, ignore)
            sources.append(str(config))
    for name in IGNORE_FILES:
        path = directory / name
        if path.is_file():
            _add(_read(path), str(path), levels, ignore)
            sources.append(str(path))
            break
    return DiffPolicy(levels, tuple(ignore), tuple(sources)) if sources else NO_POLICY


def _read(path: Path) -> Mapping[str, Any]:
    try:
        if path.stat().st_size > _MAX_POLICY_BYTES:
            raise InputError(f"{path}: larger than {_MAX_POLICY_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        detail = " ".join(str(error).split())
        raise InputError(f"{path}: cannot read the diff policy: {detail}") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InputError(f"{path}: the diff policy must be a table")
    return data


def _add(section: Any, where: str, levels: dict[str, Level | None], ignore: list[Ignore]) -> None:
    if not isinstance(section, Mapping):
        raise InputError(f"{where}: must be a table with `levels` and `ignore`")
    unknown = set(section) - {"levels", "ignore"}
    if unknown:
        raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r} (expected levels, ignore)")
    found_levels = section.get("levels", {})
    if not isinstance(found_levels, Mapping):
        raise InputError(f"{where}: `levels` must map rule ids to levels")
    for rule, level in found_levels.items():
        levels[_rule(rule, f"{where} levels")] = _level(level, f"{where} levels.{rule}")
    entries = section.get("ignore", [])
    if not isinstance(entries, list):
        raise InputError(f"{where}: `ignore` must be a list of {{rule, operation, reason}}")
    for index, entry in enumerate(entries):
        at = f"{where} ignore[{index}]"
        if not isinstance(entry, Mapping):
            raise InputError(f"{at}: must be a table with rule, operation and reason")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(f"{at}: `reason` is required: say why this change is accepted")
        operation = entry.get("operation")
        if operation is not None and (not isinstance(operation, str) or " " not in operation):
            raise InputError(f"{at}: `operation` must read 'METHOD /path', got {operation!r}")
        ignore.append(Ignore(_rule(entry.get("rule"), at), operation, reason.strip()))


def _rule(rule: Any, where: str) -> str:
    if not isinstance(rule, str) or rule not in RULES:
        raise InputError(f"{where}: unknown rule id {rule!r} (see `apigen diff --list-rules`)")
    return rule


def _level(level: Any, where: str) -> Level | None:
    text = str(level).strip().lower()
    if text == "none":
        return None
    if text not in _LEVEL_NAMES:
        raise InputError(
            f"{where}: unknown level {level!r} (breaking, possibly-breaking, compatible or none)"
        )
    return _LEVEL_NAMES[text]


def _same_operation(found: str, wanted: str) -> bool:
    found_method, _, found_path = found.partition(" ")
    wanted_method, _, wanted_path = wanted.strip().partition(" ")
    return found_method.upper() == wanted_method.upper() and found_path == wanted_path.strip()
