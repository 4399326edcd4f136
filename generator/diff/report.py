"""Render a list of changes as text, markdown, JSON or GitHub Actions annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from generator.diff.changes import Change
from generator.diff.locate import Locate
from generator.diff.rules import RULES, Level

FORMATS = ("text", "markdown", "json", "github")
FAIL_ON = ("breaking", "possibly-breaking")

_ANNOTATION = {
    Level.BREAKING: "error",
    Level.POSSIBLY_BREAKING: "warning",
    Level.COMPATIBLE: "notice",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!#|@~])")
_SHOWN_OPERATIONS = 3
# Rules whose subject is the operation itself: never folded into one line.
_ABOUT_ONE_OPERATION = ("operation-", "webhook-", "callback-")


def summary(changes: Sequence[Change]) -> dict[str, int]:
    counts = {str(level): 0 for level in Level}
    for change in changes:
        counts[str(change.level)] += 1
    counts["total"] = len(changes)
    return counts


def summary_line(changes: Sequence[Change]) -> str:
    if not changes:
        return "No API changes."
    counts = summary(changes)
    return (
        f"{counts['total']} API change{'s' if counts['total'] != 1 else ''}: "
        f"{counts['breaking']} breaking, {counts['possibly-breaking']} possibly breaking, "
        f"{counts['compatible']} compatible"
    )


def should_fail(changes: Sequence[Change], fail_on: str | None) -> bool:
    """Whether `--fail-on` matched: `breaking` fails on breaking changes, `possibly-breaking`
    on breaking or possibly breaking ones; None never fails."""
    if fail_on is None:
        return False
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)} or None, not {fail_on!r}")
    worst = Level(fail_on).rank
    return any(change.level.rank <= worst for change in changes)


def render(changes: Sequence[Change], fmt: str = "text", *, locate: Locate | None = None) -> str:
    """The report in one of FORMATS. GitHub annotations name the file and line `locate`
    gives for a change (see locate.py); without it, they name none."""
    if fmt == "text":
        return _text(changes)
    if fmt == "markdown":
        return markdown(changes)
    if fmt == "json":
        return _json(changes)
    if fmt == "github":
        return _github(changes, locate)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _by_level(changes: Sequence[Change]) -> list[tuple[Level, list[Change]]]:
    groups = [(level, [change for change in changes if change.level is level]) for level in Level]
    return [(level, found) for level, found in groups if found]


def grouped(changes: Sequence[Change]) -> list[tuple[Change, tuple[str, ...]]]:
    """One entry per distinct change (same rule, level and text), with every operation it
    was found on: an OAuth scope swap on 400 operations reads as one line. Order is kept."""
    groups: dict[tuple[str, Level, str], tuple[Change, list[str]]] = {}
    for change in changes:
        key = (change.rule, change.level, change.text or change.message)
        if change.rule.startswith(_ABOUT_ONE_OPERATION):  # "operation removed": name each one
            key = (*key[:2], change.message)
        if key not in groups:
            groups[key] = (change, [])
        operations = groups[key][1]
        for operation in change.operations:
            if operation not in operations:
                operations.append(operation)
    return [(change, tuple(operations)) for change, operations in groups.values()]


def _text(changes: Sequence[Change]) -> str:
    lines = [summary_line(changes)]
    for level, found in _by_level(changes):
        lines += ["", f"{level.heading} ({len(found)}):"]
        for change, operations in grouped(found):
            if len(operations) > len(change.operations):
                where = _operations_text(operations, lambda text: text)
                message = f"{where}: {change.text} ({_location(change)}, ...)"
            else:
                message = change.message
            lines.append(f"  [{change.rule}] {message}")
    return "\n".join(lines) + "\n"


def _operations_text(operations: Sequence[str], code: Callable[[str], str]) -> str:
    shown = ", ".join(code(operation) for operation in operations[:_SHOWN_OPERATIONS])
    more = len(operations) - _SHOWN_OPERATIONS
    if more <= 0:
        return shown
    return f"{shown} and {more} more ({len(operations)} operations)"


def markdown(changes: Sequence[Change], *, title: str = "API changes", depth: int = 2) -> str:
    """The markdown report under a heading of `depth` (2: `##`); levels one deeper."""
    lines = ["#" * depth + f" {title}", "", _md_text(summary_line(changes))]
    for level, found in _by_level(changes):
        heading = f"{level.heading} ({len(found)})"
        if level is Level.COMPATIBLE:  # long and harmless: folded away
            lines += ["", f"<details><summary>{heading}</summary>", ""]
        else:
            lines += ["", "#" * (depth + 1) + f" {heading}", ""]
        lines += ["| Rule | Operation | Change | Location |", "| --- | --- | --- | --- |"]
        for change, operations in grouped(found):
            lines.append(
                f"| `{change.rule}` | {_md_operations(change, operations)} "
                f"| {_md_text(change.text)} | {_md_code(_location(change))} |"
            )
        if level is Level.COMPATIBLE:
            lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _location(change: Change) -> str:
    # Spec changes point into a spec (JSON pointer), client changes at a dotted Python path.
    where = "#" + change.pointer if change.pointer.startswith("/") else change.pointer
    return ("old spec " if change.side == "old" and where.startswith("#") else "") + where


def _md_operations(change: Change, operations: Sequence[str]) -> str:
    if not operations:
        return "client" if change.rule.startswith("client-") else "API"
    return _operations_text(operations, _md_code)


def _md_code(text: str) -> str:
    return "`" + re.sub(r"\s+", " ", text.replace("`", "'")).strip().replace("|", "\\|") + "`"


def _md_text(text: str) -> str:
    """Escape spec-derived text for a table cell: code spans (made by our templates, with
    backticks removed from spec text) stay code, everything else is escaped."""
    parts = text.split("`")
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(_md_code(part))
        else:
            out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", part)))
    return "".join(out)


def _json(changes: Sequence[Change]) -> str:
    document = {"summary": summary(changes), "changes": [change.to_json() for change in changes]}
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _github(changes: Sequence[Change], locate: Locate | None) -> str:
    lines = []
    for change in changes:
        properties = f"title={_gh_property(change.rule)}"
        location = locate(change) if locate else None
        if location is not None:
            file, line = location
            where = f"file={_gh_property(file)}" + (f",line={line}" if line else "")
            properties = f"{where},{properties}"
        lines.append(f"::{_ANNOTATION[change.level]} {properties}::{_gh_data(change.message)}")
    lines.append(f"::notice title=apigen diff::{_gh_data(summary_line(changes))}")
    return "\n".join(lines) + "\n"


def _gh_data(text: str) -> str:
    # Workflow command escaping, as in @actions/core: %, CR and LF in the message...
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    # ...and also ':' and ',' in property values.
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def rules_markdown() -> str:
    """The rule catalogue as a markdown table (for docs or `apigen diff --list-rules`)."""
    lines = ["| Rule | Level | Message |", "| --- | --- | --- |"]
    for rule in RULES.values():
        lines.append(f"| `{rule.id}` | {rule.level.heading} | {_md_text(rule.template)} |")
    return "\n".join(lines) + "\n"
