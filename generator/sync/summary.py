"""What changed between two merged specs, at the level a release note needs.

Operations are "METHOD /path", as `apigen diff` sees them: added and removed operations are
its `operation-added`/`operation-removed` findings, and an operation counts as changed when
the differ reports anything about it, or when only its documentation (summary, description,
examples) changed, which the differ leaves out on purpose. Schemas are the names under
components/schemas. Authentication is the set of security scheme names plus the top-level
`security`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..diff import diff_specs
from ..openapi import HTTP_METHODS, iter_operations


@dataclass(frozen=True)
class Changes:
    operations_added: list[str]
    operations_removed: list[str]
    operations_changed: list[str]
    schemas_added: list[str]
    schemas_removed: list[str]
    schemas_changed: list[str]
    security_changed: bool
    security_old: list[str]
    security_new: list[str]


def operations(spec: dict[str, Any]) -> dict[str, Any]:
    """Operation key ("GET /v1/x") -> (operation, the path item's shared keys)."""
    return {
        f"{method.upper()} {path}": (
            operation,
            {key: value for key, value in item.items() if key not in HTTP_METHODS},
        )
        for method, path, operation, item in iter_operations(spec)
    }


def _components(spec: dict[str, Any], kind: str) -> dict[str, Any]:
    components = spec.get("components")
    entries = components.get(kind) if isinstance(components, dict) else None
    return entries if isinstance(entries, dict) else {}


def _added_removed_changed(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[list[str], list[str], list[str]]:
    return (
        sorted(set(new) - set(old)),
        sorted(set(old) - set(new)),
        sorted(key for key in set(old) & set(new) if old[key] != new[key]),
    )


def compare_specs(old: dict[str, Any] | None, new: dict[str, Any]) -> Changes:
    """The changes from `old` (None: nothing yet) to `new`."""
    old = old or {}
    findings = diff_specs(old or {"openapi": new.get("openapi", "3.1.0"), "paths": {}}, new)
    added = sorted({c.operation for c in findings if c.rule == "operation-added" and c.operation})
    removed = sorted(
        {c.operation for c in findings if c.rule == "operation-removed" and c.operation}
    )
    touched = {
        key
        for c in findings
        if c.rule not in ("operation-added", "operation-removed")
        for key in ((c.operation,) if c.operation else c.operations)
    }
    old_ops, new_ops = operations(old), operations(new)
    touched |= {key for key in old_ops.keys() & new_ops.keys() if old_ops[key] != new_ops[key]}
    ops = (added, removed, sorted(touched - set(added) - set(removed)))
    schemas = _added_removed_changed(_components(old, "schemas"), _components(new, "schemas"))
    old_schemes = _components(old, "securitySchemes")
    new_schemes = _components(new, "securitySchemes")
    return Changes(
        *ops,
        *schemas,
        security_changed=bool(old)
        and (old_schemes != new_schemes or old.get("security") != new.get("security")),
        security_old=sorted(old_schemes),
        security_new=sorted(new_schemes),
    )
