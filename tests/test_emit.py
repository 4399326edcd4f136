"""The render stage on its own: a hand-built API model in, package files out."""

from __future__ import annotations

import ast
from pathlib import Path

from generator.api_model import Api, Argument, Operation, Resource
from generator.config import config_for_spec
from generator.emit import RUNTIME_FILES, render_package


def operation(**overrides: object) -> Operation:
    fields: dict[str, object] = {
        "name": "retrieve",
        "http_method": "GET",
        "path": "/widgets/{widget_id}",
        "attr_path": "widgets.retrieve",
        "operation_id": None,
        "summary": "Get a widget",
        "description": None,
        "doc": "Get a widget",
        "deprecated": False,
        "path_args": (Argument("widget_id", "widget_id", "path", "str", True),),
        "keyword_args": (Argument("expand", "expand", "query", "bool", False),),
        "body_kind": None,
        "body_model": None,
        "body_required": False,
        "request_bodies": (),
        "return_annotation": "dict[str, Any]",
        "responses": (),
        "error_types": (("404", "dict[str, Any]"),),
        "security": (),
    }
    return Operation(**{**fields, **overrides})  # type: ignore[arg-type]


def api(*operations: Operation) -> Api:
    widgets = Resource(("widgets",), "WidgetsResource", operations)
    return Api(
        title="Widgets",
        version="1.0",
        server_url="https://widgets.test",
        auth_header="Authorization",
        auth_prefix="Bearer ",
        security_schemes=(),
        root=Resource((), "RootResource", (), (("widgets", widgets),)),
        models=(),
        models_source="# header\nfrom __future__ import annotations\n",
        models_imports=(),
    )


def render(model: Api) -> dict[str, str]:
    config = config_for_spec(Path("widgets.yaml"), Path("out"), "widgets_client")
    return render_package(config, model, "# header")


def test_files_of_the_package() -> None:
    files = render(api(operation()))
    assert set(files) == {
        "__init__.py", "_client.py", "_operations.py", "README.md", "py.typed", "types.py",
        "resources/__init__.py", "resources/widgets.py", *RUNTIME_FILES,
    }  # fmt: skip
    for name, text in files.items():
        if name.endswith(".py"):
            ast.parse(text, filename=name)  # valid Python before formatting


def test_methods_come_from_the_model_only() -> None:
    files = render(api(operation()))
    resource = files["resources/widgets.py"]
    assert "def retrieve(" in resource and "widget_id: str," in resource
    assert "expand: bool | NotGiven = NOT_GIVEN," in resource
    assert "'/widgets/{widget_id}'" in resource and "'404': dict[str, Any]" in resource
    assert "attr_path='widgets.retrieve'" in files["_operations.py"]
    assert "print(client.widgets.retrieve())" not in files["README.md"]  # has a path argument


def test_readme_example_is_a_call_without_required_arguments() -> None:
    listing = operation(
        name="list", path="/widgets", attr_path="widgets.list", path_args=(), keyword_args=()
    )
    assert "print(client.widgets.list())" in render(api(listing))["README.md"]


def test_output_is_byte_identical_across_runs() -> None:
    assert render(api(operation())) == render(api(operation()))
