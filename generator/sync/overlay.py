"""Apply OpenAPI Overlay 1.0 documents (spec.openapis.org/overlay/v1.0.0) to the merged spec.

Overlays live in `specs/<api>/overlays/*.yaml` and are applied in file-name order, each action
in document order. `target` is an RFC 9535 JSONPath (python-jsonpath in strict mode):
- `remove: true` removes every selected node from its parent;
- `update` on a selected object merges recursively (objects merge key by key, anything else
  replaces); on a selected array it appends the value.
An action whose target selects nothing gives a notice, not an error, so an overlay that patched
an upstream mistake keeps working once upstream has fixed it.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import jsonpath

from ..errors import InputError
from ..loader import parse_document

_JSONPATH = jsonpath.JSONPathEnvironment(strict=True)


def overlay_files(api_dir: Path) -> list[Path]:
    """The overlays of an API, in the order they apply."""
    folder = api_dir / "overlays"
    return sorted(folder.glob("*.yaml"), key=lambda path: path.name) if folder.is_dir() else []


def overlays_digest(files: list[Path]) -> str:
    """One sha256 over the names and contents of `files`: any edit changes it."""
    digest = hashlib.sha256()
    for path in files:
        content = path.read_bytes()
        digest.update(f"{path.name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def apply_overlays(spec: dict[str, Any], files: list[Path]) -> tuple[dict[str, Any], list[str]]:
    """A patched copy of `spec`, and a notice for each action that selected nothing."""
    patched = copy.deepcopy(spec)
    notices: list[str] = []
    for path in files:
        overlay = _load(path)
        for number, action in enumerate(overlay["actions"]):
            where = f"{path}: actions[{number}]"
            if not _apply(patched, action, where):
                notices.append(f"overlay {where}: target {action['target']} selected nothing")
    return patched, notices


def _load(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    overlay = parse_document(data, str(path))
    version = overlay.get("overlay")
    if not (isinstance(version, str) and version.startswith("1.")):
        raise InputError(f"{path}: not an Overlay 1.x document (no 'overlay: 1.0.0' key)")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise InputError(f"{path}: 'actions' must be a non-empty list")
    for number, action in enumerate(actions):
        where = f"{path}: actions[{number}]"
        if not isinstance(action, dict) or not isinstance(action.get("target"), str):
            raise InputError(f"{where}: every action needs a 'target' JSONPath")
        if action.get("remove") is not True and "update" not in action:
            raise InputError(f"{where}: an action needs 'update' or 'remove: true'")
    return overlay


def _apply(spec: dict[str, Any], action: dict[str, Any], where: str) -> bool:
    """Apply one action in place; False when its target selected nothing."""
    try:
        matches = list(_JSONPATH.finditer(action["target"], spec))
    except jsonpath.JSONPathError as exc:
        raise InputError(f"{where}: invalid target {action['target']!r}: {exc}") from None
    if action.get("remove") is True:
        _remove(matches, where)
    else:
        for match in matches:
            _update(match.obj, action["update"], where)
    return bool(matches)


def _remove(matches: list[jsonpath.JSONPathMatch], where: str) -> None:
    array_items: list[tuple[list[Any], int]] = []
    for match in matches:
        if match.parent is None or not match.parts:
            raise InputError(f"{where}: cannot remove the whole document")
        parent, key = match.parent.obj, match.parts[-1]
        if isinstance(parent, dict):
            parent.pop(key, None)
        elif isinstance(parent, list) and isinstance(key, int):
            array_items.append((parent, key if key >= 0 else len(parent) + key))
    # last index first, so that one removal does not shift the next
    for array, index in sorted(array_items, key=lambda item: item[1], reverse=True):
        del array[index]


def _update(target: object, update: Any, where: str) -> None:
    if isinstance(target, list):
        target.append(copy.deepcopy(update))
    elif isinstance(target, dict) and isinstance(update, dict):
        _deep_merge(target, update)
    else:
        raise InputError(f"{where}: 'update' applies to an object (with an object) or an array")


def _deep_merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(target.get(key), dict) and isinstance(value, dict):
            _deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
