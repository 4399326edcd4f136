"""Public-API comparison of two generated client packages (griffe, static)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.diff import RULES, Level, render
from generator.diff.client_api import compare_packages
from generator.errors import InputError

OLD = """
from typing import Annotated
from pydantic import BaseModel, Field
from ._client import Client

class Pet(BaseModel):
    name: Annotated[str, Field(title="Name")]
    age: Annotated[int, Field(title="Age")]
    tag: Annotated[str | None, Field(title="Tag")] = None
    color: Annotated[str, Field(title="Color")] = "red"
    legs: int = 4


class Gone(BaseModel):
    x: int


class Base:
    pass


class Child(Base):
    pass


def shape(value: int) -> int:
    return value


class Resource:
    def get(self, pet_id: str, *, limit: int | None = None, verbose: bool = False) -> Pet: ...
    def list(self, *, page: int = 1) -> list[Pet]: ...
    def old_method(self) -> None: ...
    def find(self, query: str, /) -> Pet: ...
    def search(self, query: str, *, depth: int = 1) -> Pet | None: ...
    def _private(self, a: int) -> None: ...
"""

NEW = """
from typing import Annotated
from pydantic import BaseModel, Field
from ._client import Client

class Pet(BaseModel):
    name: Annotated[int, Field(title="Name", description="now documented")]
    age: Annotated[int, Field(title="Years")]
    tag: Annotated[str | None, Field(title="Tag")]
    color: Annotated[str, Field(title="Color")] = "red"
    legs: int = 4
    owner: str | None = None


class Base:
    pass


class Child:
    pass


shape = 3


class Resource:
    def get(self, id: str, *, limit: int | str | None = None, verbose: bool = True, trace: bool) -> Pet: ...
    def list(self, *, page: int = 1, size: int = 10) -> list[Pet]: ...
    def find(self, *, query: str) -> Pet: ...
    def search(self, query: str, *, depth: int) -> Pet: ...
    def _private(self, b: str) -> None: ...
    def new_method(self) -> None: ...
"""

CLIENT = "class Client:\n    def __init__(self, api_key: str | None = None) -> None:\n        self.pets = 1\n"


def package(root: Path, source: str, client: str = CLIENT) -> Path:
    folder = root / "petstore_client"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(source))
    (folder / "_client.py").write_text(client)
    return root


def test_identical_packages_have_no_changes(tmp_path: Path) -> None:
    old = package(tmp_path / "old", OLD)
    new = package(tmp_path / "new", OLD)
    assert compare_packages(old, new, "petstore_client") == []


def test_public_api_changes_are_classified(tmp_path: Path) -> None:
    old = package(tmp_path / "old", OLD)
    new = package(tmp_path / "new", NEW, CLIENT.replace("self.pets = 1", "self.animals = 1"))
    changes = compare_packages(old, new, "petstore_client")
    found = {
        (change.rule, change.pointer.removeprefix("petstore_client."), change.old, change.new)
        for change in changes
    }
    assert found == {
        ("client-field-type-changed", "Pet.name", "str", "int"),
        ("client-field-became-required", "Pet.tag", None, None),
        ("client-object-added", "Pet.owner", None, None),
        ("client-object-removed", "Gone", None, None),
        ("client-class-base-removed", "Child", "Base", None),
        ("client-object-kind-changed", "shape", "function", "attribute"),
        ("client-parameter-renamed", "Resource.get", "pet_id", "id"),
        (
            "client-parameter-type-widened",
            "Resource.get",
            "limit: int | None",
            "limit: int | str | None",
        ),
        ("client-parameter-default-changed", "Resource.get", "verbose=False", "verbose=True"),
        ("client-parameter-added-required", "Resource.get", None, "trace"),
        ("client-parameter-added", "Resource.list", None, "size"),
        ("client-object-removed", "Resource.old_method", None, None),
        ("client-object-added", "Resource.new_method", None, None),
        (
            "client-parameter-kind-changed",
            "Resource.find",
            "query (positional-only)",
            "query (keyword-only)",
        ),
        ("client-parameter-became-required", "Resource.search", None, "depth"),
        ("client-return-type-narrowed", "Resource.search", "Pet | None", "Pet"),
        ("client-object-removed", "_client.Client.pets", None, None),
        ("client-object-added", "_client.Client.animals", None, None),
    }
    for change in changes:
        assert change.level is RULES[change.rule].level
        assert change.operation is None
    assert [change.level for change in changes] == sorted(
        (change.level for change in changes), key=lambda level: level.rank
    )
    text = render(changes)
    assert "Python client: field `Pet.name`: type `str` changed to `int`" in text
    assert "| client |" in render(changes, "markdown")


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("def f(a: int) -> int: ...", "def f(a: str) -> int: ...", "client-parameter-type-changed"),
        (
            "def f(a: int, b: int) -> int: ...",
            "def f(b: int, a: int) -> int: ...",
            "client-parameter-moved",
        ),
        ("def f(a: int) -> int: ...", "def f() -> int: ...", "client-parameter-removed"),
        ("def f(a: int) -> int: ...", "def f(a: int) -> str: ...", "client-return-type-changed"),
        ("class M:\n    a: int\n", "class M:\n    a: int = 0\n", "client-field-became-optional"),
    ],
)
def test_single_rules(tmp_path: Path, old: str, new: str, rule: str) -> None:
    changes = compare_packages(
        package(tmp_path / "old", old), package(tmp_path / "new", new), "petstore_client"
    )
    assert rule in [change.rule for change in changes], [change.message for change in changes]


def test_removed_keyword_swallowed_by_kwargs_is_not_breaking(tmp_path: Path) -> None:
    old = package(tmp_path / "old", "def f(*, a: int = 1) -> None: ...")
    new = package(tmp_path / "new", "def f(**kwargs: int) -> None: ...")
    changes = compare_packages(old, new, "petstore_client")
    assert all(change.level is not Level.BREAKING for change in changes)


def test_missing_package_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such generated package"):
        compare_packages(tmp_path, tmp_path, "petstore_client")


def test_a_dropped_re_export_is_a_removal(tmp_path: Path) -> None:
    old = package(tmp_path / "old", 'from ._client import Client\n\n__all__ = ["Client"]\n')
    new = package(tmp_path / "new", "__all__: list[str] = []\n")
    [change] = compare_packages(old, new, "petstore_client")
    assert (change.rule, change.pointer, change.level) == (
        "client-object-removed",
        "petstore_client.Client",
        Level.BREAKING,
    )
    assert change.message == "Python client: name `Client` removed"
