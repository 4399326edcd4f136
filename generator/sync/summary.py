"""What changed between two merged specs, at the level a release note needs.

Operations are "METHOD /path"; an operation counts as changed when its object or its path's
shared keys (parameters, ...) differ. Schemas are the names under components/schemas.
Authentication is the set of security scheme names plus the top-level `security`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..operations import HTTP_METHODS


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
    found: dict[str, Any] = {}
    paths = spec.get("paths")
    for path, item in (paths if isinstance(paths, dict) else {}).items():
        if not isinstance(item, dict):
            continue
        shared = {key: value for key, value in item.items() if key not in HTTP_METHODS}
        for method in HTTP_METHODS:
            if method in item:
                found[f"{method.upper()} {path}"] = (item[method], shared)
    return found


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
    ops = _added_removed_changed(operations(old), operations(new))
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
