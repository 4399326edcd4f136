"""The `Change` record and the public `diff_specs` entry point."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from generator.diff.describe import clean, subject
from generator.diff.document import Document
from generator.diff.engine import SpecDiffer
from generator.diff.graph import Finding, Side
from generator.diff.rules import RULES, Level
from generator.openapi import HTTP_METHODS


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two specs, as a caller of the API sees it.

    `operation` is set when the change concerns exactly one operation; a change inside a
    shared component (or to the top-level security) lists every operation it reaches in
    `operations` and leaves `operation` None. `pointer` is a JSON pointer into the new spec,
    or into the old one when `side == "old"` (something removed).
    """

    rule: str
    level: Level
    operation: str | None
    pointer: str
    message: str  # one line: where, what, and the pointer
    text: str = ""  # the "what" part alone, for reports that show the rest in columns
    operations: tuple[str, ...] = ()
    side: Side = "new"
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.rule,
            "level": str(self.level),
            "operation": self.operation,
            "operations": list(self.operations),
            "pointer": self.pointer,
            "side": self.side,
            "message": self.message,
            "text": self.text,
            "old": self.old,
            "new": self.new,
        }


def diff_specs(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    old_label: str = "old spec",
    new_label: str = "new spec",
    today: date | None = None,
) -> list[Change]:
    """All changes from `old` to `new` (loaded OpenAPI 3.0/3.1 documents), sorted worst
    first, then by operation. Labels name the documents in error messages; `today` decides
    whether sunset dates have passed.

    Changes that only concern operations marked unstable in the old spec (`x-stability-level`
    draft or alpha, `x-stability: unstable`) are reported as compatible: they promised nothing.
    """
    old_doc = Document(old, old_label)
    new_doc = Document(new, new_label)
    differ = SpecDiffer(old_doc, new_doc, today)
    graph = differ.run()
    changes = []
    for finding in graph.findings.values():
        change = _change(finding, old_doc, new_doc)
        unstable = change.operations and differ.unstable.issuperset(change.operations)
        if unstable and change.level is not Level.COMPATIBLE:
            change = replace(
                change, level=Level.COMPATIBLE, message=change.message + " [unstable operation]"
            )
        changes.append(change)
    changes.sort(key=_sort_key)
    return changes


def _change(finding: Finding, old: Document, new: Document) -> Change:
    rule = RULES[finding.rule]
    operations = tuple(sorted(finding.operations, key=operation_sort_key))
    operation = operations[0] if len(operations) == 1 else None
    about = finding.pointer
    if rule.id.endswith(("variant-added", "variant-removed")):
        about = about.rsplit("/", 2)[0]  # the union, not the member the value names
    text = rule.template.format(
        subject=subject(old if finding.side == "old" else new, about),
        old=clean(finding.old),
        new=clean(finding.new),
    )
    where = operations[0] if operations else "API"
    context = finding.contexts.get(where)
    if context:  # found in a shared component: say where this operation uses it
        where += f" ({context})"
    if len(operations) > 1:
        others = len(operations) - 1
        where += f" and {others} more operation{'s' if others > 1 else ''}"
    side = "old spec " if finding.side == "old" else ""
    message = f"{clean(where)}: {text} ({side}#{clean(finding.pointer)})"
    return Change(
        rule=rule.id,
        level=rule.level,
        operation=operation,
        pointer=finding.pointer,
        message=message,
        text=text,
        operations=operations,
        side=finding.side,
        old=finding.old,
        new=finding.new,
    )


def operation_sort_key(operation: str) -> tuple[str, int]:
    method, _, path = operation.partition(" ")
    lowered = method.lower()
    return path, HTTP_METHODS.index(lowered) if lowered in HTTP_METHODS else len(HTTP_METHODS)


def _sort_key(change: Change) -> tuple[int, int, tuple[str, int], str, str]:
    first = operation_sort_key(change.operations[0]) if change.operations else ("", 0)
    return (change.level.rank, 1 if change.operations else 0, first, change.rule, change.pointer)
