"""Hand-written extension code of an API, copied into its generated package.

`specs/<api>/extensions/*.py` become the modules of `<package>.extensions`, byte for byte,
so regeneration never loses them. `[extensions.mixins]` in `config.toml` names, for a
resource path, a class of one of those modules (and its `Async` twin) that the generated
resource classes inherit from: `models = "push.ModelsMixin"` gives `client.models` the
methods of `ModelsMixin`, and `async_client.models` those of `AsyncModelsMixin`.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import InputError

if TYPE_CHECKING:
    from .config import ApiConfig
    from .operations import ResourceNode

EXTENSIONS_DIR = "extensions"  # below specs/<api>/, and the subpackage in the client
_PACKAGE_DOC = '"""Hand-written extensions of the generated client (copied by apigen)."""\n'


class Mixin(NamedTuple):
    """A class of `<package>.extensions.<module>` mixed into one generated resource."""

    module: str
    name: str

    @property
    def async_name(self) -> str:
        return "Async" + self.name


def extension_sources(folder: Path | None) -> list[Path]:
    """The extension modules in `folder`, in a stable order (none: empty)."""
    if folder is None or not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.py") if path.is_file())


def extension_files(folder: Path | None) -> dict[str, str]:
    """Package-relative path -> text of every extension module (and an `__init__.py`)."""
    sources = extension_sources(folder)
    if not sources:
        return {}
    files = {f"{EXTENSIONS_DIR}/__init__.py": _PACKAGE_DOC}
    for path in sources:
        files[f"{EXTENSIONS_DIR}/{path.name}"] = path.read_text(encoding="utf-8")
    return files


def check_mixins(config: ApiConfig, resources: ResourceNode) -> None:
    """Every mixin names an existing resource and a class pair its module defines, and
    adds no method that the generated resource already has."""
    nodes = {".".join(node.path): node for node in resources.walk() if node.path}
    for resource, mixin in sorted(config.mixins.items()):
        where = f"{config.api_dir / 'config.toml'}: [extensions.mixins] {resource}"
        node = nodes.get(resource)
        if node is None:
            raise InputError(f"{where}: the client has no resource `{resource}`")
        if config.extensions_dir is None:
            raise InputError(f"{where}: mixins need a configured API with an extensions folder")
        source = config.extensions_dir / f"{mixin.module}.py"
        try:
            tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        except (OSError, UnicodeDecodeError, SyntaxError) as exc:
            raise InputError(f"{where}: cannot read {source}: {exc}") from None
        classes = {stmt.name: stmt for stmt in tree.body if isinstance(stmt, ast.ClassDef)}
        generated = {op.name for op in node.operations} | set(node.children)
        for class_name in (mixin.name, mixin.async_name):
            if class_name not in classes:
                raise InputError(f"{where}: {source} defines no class {class_name}")
            methods = {
                member.name
                for member in classes[class_name].body
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
            if clash := sorted(methods & generated):
                raise InputError(
                    f"{where}: {class_name}.{clash[0]} would hide the generated "
                    f"`{resource}.{clash[0]}`; rename it"
                )
