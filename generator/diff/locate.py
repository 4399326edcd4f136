"""Where a change is in the checkout, for GitHub annotations: a file and, when known, a line.

Spec changes point into the new spec (its path in the working tree, whatever revision it was
read from). Client changes point at the definition in the generated package of the checkout
(`pkg._client.Client.method` -> `generated/pkg/_client.py`, the line of `def method`), found by
reading that module's syntax tree; nothing is imported.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from pathlib import Path

from generator.diff.changes import Change

Location = tuple[str, int | None]
Locate = Callable[[Change], Location | None]


def locator(
    spec_file: str, spec_line: Callable[[str], int | None], package_dir: Path, root: Path
) -> Locate:
    """`spec_file` is relative to `root` (the repository root); `spec_line` maps a pointer of
    the new spec to its line; `package_dir` is the generated package in the checkout."""

    def locate(change: Change) -> Location | None:
        if change.pointer.startswith("/") or not change.pointer:
            return spec_file, spec_line(change.pointer) if change.side == "new" else None
        return python_location(change.pointer, change.side == "new", package_dir, root)

    return locate


def python_location(dotted: str, with_line: bool, package_dir: Path, root: Path) -> Location | None:
    """The module file (relative to `root`) defining `dotted` (`pkg.mod.Class.attr`), and the
    line of that definition; None when the package has no such module."""
    parts = dotted.split(".")[1:]  # without the package name
    for end in range(len(parts), -1, -1):
        for module in (package_dir.joinpath(*parts[:end]).with_suffix(".py"),
                       package_dir.joinpath(*parts[:end], "__init__.py")):  # fmt: skip
            if module.is_file():
                file = os.path.relpath(module, root).replace(os.sep, "/")
                line = _line_of(module, parts[end:]) if with_line else None
                return file, line
    return None


def _line_of(module: Path, names: list[str]) -> int | None:
    try:
        body: list[ast.stmt] = ast.parse(module.read_text(encoding="utf-8")).body
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    line = None
    for name in names:
        node = next((node for node in body if name in _defined(node)), None)
        if node is None:
            return line
        line = node.lineno
        body = node.body if isinstance(node, ast.ClassDef) else []
    return line


def _defined(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return {node.name}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    if isinstance(node, ast.Assign):
        return {target.id for target in node.targets if isinstance(target, ast.Name)}
    return set()
