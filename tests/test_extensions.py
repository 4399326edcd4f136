"""Hand-written extension modules: copied into the package, mixed into resources, guarded."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import tomllib
from support.generated import import_generated

from generator.config import load_config
from generator.errors import CheckFailed, InputError
from generator.pipeline import generate

FIXTURES = Path(__file__).parent / "fixtures"
EXTENSION = '''"""Greetings for the pets resource."""

from __future__ import annotations

from .._base_client import AsyncAPIClient, SyncAPIClient


class PetsMixin:
    _client: SyncAPIClient

    def greet(self, name: str) -> str:
        return f"hello {name} from {type(self).__name__}"


class AsyncPetsMixin:
    _client: AsyncAPIClient

    async def greet(self, name: str) -> str:
        return f"hello {name} from {type(self).__name__}"
'''


def make_api(root: Path, mixins: str = 'pets = "greetings.PetsMixin"') -> Path:
    api_dir = root / "specs" / "petstore"
    (api_dir / "extensions").mkdir(parents=True)
    shutil.copy(FIXTURES / "specs" / "petstore.yaml", api_dir / "openapi.yaml")
    (api_dir / "config.toml").write_text(
        '[package]\nname = "petstore_client"\n\n[spec]\nfile = "openapi.yaml"\n\n'
        f"[extensions.mixins]\n{mixins}\n"
    )
    (api_dir / "extensions" / "greetings.py").write_text(EXTENSION)
    return api_dir


def test_extension_methods_survive_regeneration_sync_and_async(tmp_path: Path) -> None:
    api_dir = make_api(tmp_path)
    config = load_config(api_dir, tmp_path / "generated")
    generate(config, warn=lambda _: None)
    package_dir = tmp_path / "generated" / "petstore_client"
    assert (package_dir / "extensions" / "greetings.py").read_text() == EXTENSION
    package = import_generated(tmp_path / "generated", "petstore_client")
    with package.Petstore(api_key="k", base_url="http://127.0.0.1:9") as client:
        assert client.pets.greet("Rex") == "hello Rex from PetsResource"
        assert client.pets.list  # the generated methods are still there

    async def greet() -> str:
        async with package.AsyncPetstore(api_key="k", base_url="http://127.0.0.1:9") as client:
            return str(await client.pets.greet("Rex"))

    assert asyncio.run(greet()) == "hello Rex from AsyncPetsResource"

    # an edit of the extension source is an input change: the next run picks it up
    (api_dir / "extensions" / "greetings.py").write_text(EXTENSION.replace("hello", "hi"))
    assert generate(config, warn=lambda _: None).changed
    assert "hi {name}" in (package_dir / "extensions" / "greetings.py").read_text()


def test_check_fails_when_the_generated_package_is_edited_by_hand(tmp_path: Path) -> None:
    config = load_config(make_api(tmp_path), tmp_path / "generated")
    generate(config, warn=lambda _: None)
    generate(config, check=True, warn=lambda _: None)  # fresh: passes
    copied = tmp_path / "generated" / "petstore_client" / "extensions" / "greetings.py"
    copied.write_text(copied.read_text() + "\n# tweak\n")
    with pytest.raises(CheckFailed, match=r"extensions/greetings\.py"):
        generate(config, check=True, warn=lambda _: None)


@pytest.mark.parametrize(
    ("mixins", "edit", "message"),
    [
        ('cats = "greetings.PetsMixin"', None, "the client has no resource `cats`"),
        ('pets = "missing.PetsMixin"', None, "cannot read"),
        ('pets = "greetings.PetsMixin"', ("class AsyncPetsMixin", "class Other"), "AsyncPetsMixin"),
        ('pets = "greetings.PetsMixin"', ("def greet", "def list"), "would hide the generated"),
        ('pets = "greetings.pets_mixin"', None, "mixin 'greetings.pets_mixin' is not valid"),
    ],
)
def test_mixin_configuration_errors_are_one_clear_line(
    tmp_path: Path, mixins: str, edit: tuple[str, str] | None, message: str
) -> None:
    api_dir = make_api(tmp_path, mixins)
    if edit is not None:
        source = api_dir / "extensions" / "greetings.py"
        source.write_text(source.read_text().replace(*edit))
    with pytest.raises(InputError, match=message):
        generate(load_config(api_dir, tmp_path / "generated"), warn=lambda _: None)
    assert not (tmp_path / "generated" / "petstore_client").exists()


def test_extras_go_into_the_pyproject_and_must_be_plain_requirements(tmp_path: Path) -> None:
    api_dir = make_api(tmp_path)
    config_file = api_dir / "config.toml"
    base = config_file.read_text()
    config_file.write_text(
        base.replace("[spec]", 'extras = { greet = ["httpx[http2]>=0.28,<1"] }\n\n[spec]')
    )
    generate(load_config(api_dir, tmp_path / "generated"), warn=lambda _: None)
    pyproject = tomllib.loads(
        (tmp_path / "generated" / "petstore_client" / "pyproject.toml").read_text()
    )
    assert pyproject["project"]["optional-dependencies"] == {"greet": ["httpx[http2]>=0.28,<1"]}
    assert "petstore_client.extensions" in pyproject["tool"]["setuptools"]["packages"]
    config_file.write_text(
        base.replace("[spec]", 'extras = { greet = ["x; import os"] }\n\n[spec]')
    )
    with pytest.raises(InputError, match="requirement 'x; import os' is not valid"):
        load_config(api_dir, tmp_path / "generated")
