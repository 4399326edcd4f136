"""Odd but real-world spec shapes (from peer test suites) still give a clean, typed package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.generated import import_generated

from generator.config import config_for_spec
from generator.modelgen import index_models, repair_models_source
from generator.pipeline import generate

REPO = Path(__file__).parent.parent

# One spec with every shape that used to give a package failing mypy --strict, ruff or import.
ODD_SPEC = """
openapi: 3.1.0
info: {title: Odd, version: "1"}
paths:
  /things/{id}/object:
    get:
      operationId: object
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: mode, in: query, schema: {anyOf: [{type: boolean}, {$ref: "#/components/schemas/Mode"}]}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Child"}}}
  /things:
    post:
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/Child"}}}
      responses: {"204": {description: done}}
components:
  schemas:
    Mode: {type: string, enum: [fast, slow]}
    Base:
      type: object
      required: [kind, name]
      properties:
        kind: {type: string, enum: [base]}
        name: {type: string}
        tags: {anyOf: [{$ref: "#/components/schemas/Mode"}, {type: "null"}]}
      discriminator: {propertyName: kind, mapping: {child: ./elsewhere.yaml#/Child}}
    Child:
      description: "Trailing spaces here   \\nand on a blank line   \\n   \\n"
      allOf:
        - $ref: "#/components/schemas/Base"
        - type: object
          properties:
            kind: {type: string, enum: [child]}
            name: {type: integer}
            count: {type: integer, default: null}
            home: {type: string, format: uri, default: ""}
            ratio: {const: 1.5}
            big: {const: 18000000000000000000}
            plugin: {type: object, customTypePath: os.system, x-python-import: {module: os}}
            note: {type: string, required: true}
    Pairs:
      type: array
      items: {type: array, enum: [[a], [b]]}
"""


@pytest.fixture(scope="module")
def odd_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("odd")
    spec = out / "odd.yaml"
    spec.write_text(ODD_SPEC)
    generate(config_for_spec(spec, out, "odd_client"), lenient=True, warn=lambda _: None)
    return out / "odd_client"


def test_odd_spec_imports_and_strips_code_keywords(odd_package: Path) -> None:
    package = import_generated(odd_package.parent, "odd_client")
    models = (odd_package / "types.py").read_text()
    assert "os.system" not in models and "import os" not in models
    assert "elsewhere" not in models
    names = {op.attr_path for op in package.OPERATIONS}
    assert "object" not in {name.rsplit(".", 1)[-1] for name in names}  # would shadow `object`
    child = package.types.Child.model_validate({"kind": "child", "name": 3})
    assert child.count is None and child.name == 3


def test_odd_spec_passes_mypy_strict_and_ruff(odd_package: Path) -> None:
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10",
         "--config-file", str(REPO / "templates" / "mypy-generated.ini"),
         "--cache-dir", str(odd_package.parent / ".mypy_cache"), odd_package.name],
        cwd=odd_package.parent, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(REPO / "templates" / "ruff.toml"),
         "--no-cache", str(odd_package)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


MODELS_SOURCE = """\
from __future__ import annotations

from enum import Enum

from pydantic import AnyUrl, BaseModel, RootModel


class Base(BaseModel):
    kind: str
    size: Mode | None = None


class Child(Base):
    kind: int
    count: int = None
    url: AnyUrl = "https://example.com"
    name: str = "ok"


class Loose(RootModel[list]):
    root: list


class Mode(Enum):
    pair = ["a", "b"]
"""


def test_repair_models_source_marks_overrides_and_fixes_defaults() -> None:
    repaired = repair_models_source(MODELS_SOURCE)
    lines = repaired.splitlines()
    assert "    kind: int  # type: ignore[assignment, unused-ignore]" in lines
    assert "    count: int | None = None" in lines
    assert (
        '    url: AnyUrl = "https://example.com"  # type: ignore[assignment, unused-ignore]'
        in lines
    )
    assert '    name: str = "ok"' in lines
    assert "class Loose(RootModel[list[Any]]):" in lines and "    root: list[Any]" in lines
    assert "from typing import Any" in lines
    assert '    pair = ["a", "b"]  # noqa: RUF012' in lines
    compile(repaired, "models.py", "exec")


def test_inherited_union_fields_are_qualified_once() -> None:
    module = index_models(repair_models_source(MODELS_SOURCE))
    fields = {f.name: f.annotation for f in module.classes["Child"].fields}
    assert fields["size"] == "types.Mode | None"
    assert {f.name: f.annotation for f in module.classes["Base"].fields}["size"] == (
        "types.Mode | None"
    )
