"""Render the client package from the API model: Jinja templates, nothing else.

Everything spec-derived enters the templates already made safe by the API model
(identifiers through `naming`, annotations from class names and repr'd literals, prose
through `naming.docstring`); strings are quoted with the `py` filter (repr).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .api_model import Api, Resource
from .config import ApiConfig
from .modelgen import MODELS_MODULE
from .naming import docstring

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
RUNTIME_FILES = (
    "_auth.py",
    "_base_client.py",
    "_encoding.py",
    "_errors.py",
    "_logs.py",
    "_models.py",
    "_pagination.py",
    "_resource.py",
    "_response.py",
    "_retry.py",
    "_validation.py",
    "_wire.py",
)


def _environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the output is Python: escaped with `py`, `doc` and naming instead
    )
    env.filters["py"] = repr
    env.filters["doc"] = docstring
    return env


def render_package(
    config: ApiConfig, api: Api, header: str, templates_dir: Path = TEMPLATES_DIR
) -> dict[str, str]:
    """All files of the package, by relative path, before formatting."""
    env = _environment(templates_dir)
    root = api.root
    context: dict[str, Any] = {
        "header": header,
        "config": config,
        "api": api,
        "title": api.title,
        "title_doc": docstring(api.title),
        "api_version": api.version,
        "default_base_url": api.server_url,
        "auth_header": api.auth_header,
        "auth_prefix": api.auth_prefix,
        "generator_version": __version__,
        "root": root,
        "models_imports": list(api.models_imports),
    }
    files: dict[str, str] = {}
    top_level = list(root.children)
    for name, child in top_level:
        files[f"resources/{name}.py"] = env.get_template("resource_module.py.jinja").render(
            context, module_name=name, resources=child.walk(), top=child
        )
    files["resources/__init__.py"] = env.get_template("resources_init.py.jinja").render(
        context, top_level=top_level
    )
    operations = api.operations
    files["_client.py"] = env.get_template("client.py.jinja").render(context, top_level=top_level)
    files["_operations.py"] = env.get_template("operations.py.jinja").render(
        context, operations=operations
    )
    files["__init__.py"] = env.get_template("package_init.py.jinja").render(context)
    files["README.md"] = env.get_template("README.md.jinja").render(
        context,
        operation_count=len(operations),
        example=_example(root),
        listing_example=next((op.attr_path for op in operations if op.pagination), None),
        download_example=next(
            (op.attr_path for op in operations if op.return_annotation == "bytes"), None
        ),
    )
    files[f"{MODELS_MODULE}.py"] = api.models_source
    files["py.typed"] = ""
    for runtime_file in RUNTIME_FILES:
        files[runtime_file] = (RUNTIME_DIR / runtime_file).read_text(encoding="utf-8")
    return files


def _example(root: Resource) -> str | None:
    """A call for the README: the first list-like GET without path parameters."""
    for view in root.walk():
        for op in view.operations:
            if (
                op.http_method == "GET"
                and not op.path_args
                and not any(a.required for a in op.keyword_args)
            ):
                return op.attr_path
    return None
