"""End-to-end generation: output shape, typing, idempotence, atomicity, hostile input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from generator.cli import main
from generator.config import config_for_spec, load_config
from generator.errors import CheckFailed, InputError
from generator.pipeline import generate
from generator.writer import MANIFEST_NAME, tree_hashes

FIXTURES = Path(__file__).parent / "fixtures" / "specs"
REPO = Path(__file__).parent.parent


def _generate(spec: Path, out: Path, package: str, **kwargs: bool) -> Path:
    config = config_for_spec(spec, out, package)
    generate(config, warn=lambda _: None, **kwargs)
    return out / package


def test_package_layout_and_manifest(petstore: tuple[Path, ModuleType]) -> None:
    package_dir, _ = petstore
    names = {p.relative_to(package_dir).as_posix() for p in package_dir.rglob("*") if p.is_file()}
    assert {"__init__.py", "_client.py", "types.py", "_base_client.py", "_errors.py", "py.typed",
            "_operations.py", "resources/pets.py", "README.md", MANIFEST_NAME} <= names  # fmt: skip
    manifest = json.loads((package_dir / MANIFEST_NAME).read_text())
    assert manifest["files"] == tree_hashes(package_dir)
    assert len(manifest["spec_sha256"]) == 64


def test_client_surface(petstore: tuple[Path, ModuleType]) -> None:
    _, package = petstore
    rows = {(op.method, op.path): op for op in package.OPERATIONS}
    assert rows["GET", "/v2/pets"].attr_path == "pets.list"
    assert rows["POST", "/v2/pets/{pet_id}/adopt"].attr_path == "pets.adopt"
    assert rows["POST", "/v2/pets/{pet_id}/adopt"].deprecated
    assert rows["GET", "/v2/stores/{store_id}/inventory"].attr_path == "stores.inventory"
    assert rows["POST", "/v2/pets"].request_model == "types.NewPet"
    body = {
        p.name: p.python_name for p in rows["POST", "/v2/pets"].parameters if p.location == "body"
    }
    assert body["class"] == "class_" and body["birth-date"] == "birth_date"
    client = package.Petstore(api_key="sk-test")
    for op in package.OPERATIONS:
        target = client
        for part in op.attr_path.split("."):
            target = getattr(target, part)
        assert callable(target)
    assert "sk-test" not in repr(client)
    client.close()


def test_models_are_pydantic_v2_with_discriminated_unions(
    petstore: tuple[Path, ModuleType],
) -> None:
    _, package = petstore
    pet = package.types.NewPet.model_validate(
        {"name": "Rex", "kind": "dog", "class": "x", "details": {"kind": "dog", "bark": "woof"}}
    )
    assert type(pet.details.root if hasattr(pet.details, "root") else pet.details).__name__ == "Dog"
    assert pet.class_ == "x"
    assert pet.model_dump(by_alias=True, exclude_unset=True)["class"] == "x"
    fields = package.types.PetPage.model_fields
    assert fields["items"].is_required() and not fields["next_cursor"].is_required()
    assert package.types.Cat.model_fields["lives"].default == 9  # a default keeps it non-optional


def test_generated_code_passes_mypy_strict_on_310(petstore: tuple[Path, ModuleType]) -> None:
    package_dir, _ = petstore
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--config-file", "/dev/null",
         "--cache-dir", str(package_dir.parent / ".mypy_cache"), package_dir.name],
        cwd=package_dir.parent, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_code_passes_ruff(petstore: tuple[Path, ModuleType]) -> None:
    package_dir, _ = petstore
    config = REPO / "templates" / "ruff.toml"
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--config", str(config), "--no-cache", str(package_dir)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr


def test_unchanged_inputs_rewrite_nothing(tmp_path: Path) -> None:
    package_dir = _generate(FIXTURES / "petstore.yaml", tmp_path, "petstore_client")
    before = {p: p.stat().st_mtime_ns for p in package_dir.rglob("*")}
    _generate(FIXTURES / "petstore.yaml", tmp_path, "petstore_client")
    assert {p: p.stat().st_mtime_ns for p in package_dir.rglob("*")} == before
    # Forced regeneration gives byte-identical output.
    hashes = tree_hashes(package_dir)
    _generate(FIXTURES / "petstore.yaml", tmp_path, "petstore_client", force=True)
    assert tree_hashes(package_dir) == hashes


def test_check_mode_detects_stale_output(tmp_path: Path) -> None:
    package_dir = _generate(FIXTURES / "petstore.yaml", tmp_path, "petstore_client")
    _generate(FIXTURES / "petstore.yaml", tmp_path, "petstore_client", check=True)
    (package_dir / "types.py").write_text("# edited\n")
    with pytest.raises(CheckFailed, match=r"types\.py"):
        _generate(FIXTURES / "petstore.yaml", tmp_path, "petstore_client", check=True)


def test_editing_where_the_spec_comes_from_keeps_the_output_up_to_date(tmp_path: Path) -> None:
    """`[sync]` reaches the output only through the spec: editing it must not fail `make check`."""
    api_dir = tmp_path / "specs" / "pets"
    api_dir.mkdir(parents=True)
    shutil.copy(FIXTURES / "petstore.yaml", api_dir / "petstore.yaml")
    config = '[spec]\nfile = "petstore.yaml"\n[sync]\nindex_url = "{}"\npage_prefixes = ["/api/"]\n'
    (api_dir / "config.toml").write_text(config.format("https://docs.example.com/llms.txt"))
    cli = ["--specs-dir", str(tmp_path / "specs"), "--output-root", str(tmp_path / "out")]
    assert main([*cli, "generate", "pets", "--offline"]) == 0
    (api_dir / "config.toml").write_text(config.format("https://mirror.example.com/llms.txt"))
    assert main([*cli, "generate", "pets", "--check"]) == 0
    (api_dir / "config.toml").write_text(
        config.format("https://mirror.example.com/llms.txt") + '[package]\nclient_class = "Zoo"\n'
    )
    with pytest.raises(CheckFailed):  # what the output does depend on still counts
        generate(load_config(api_dir, tmp_path / "out"), check=True, warn=lambda _: None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("openapi: 3.1.0\ninfo: [unclosed\n", "invalid YAML"),
        ("openapi: 3.1.0\ninfo: {title: x}\npaths: {}\n", "not valid OpenAPI"),
    ],
)
def test_bad_input_fails_clearly_and_keeps_previous_output(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    package_dir = _generate(FIXTURES / "petstore.yaml", tmp_path, "petstore_client")
    hashes = tree_hashes(package_dir)
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    with pytest.raises(InputError, match=message):
        _generate(bad, tmp_path, "petstore_client")
    code = main(
        ["generate", "--spec", str(bad), "--output", str(tmp_path), "--package", "petstore_client"]
    )
    assert code == 3
    err = capsys.readouterr().err
    assert err.startswith("apigen: error: ") and str(bad) in err
    assert tree_hashes(package_dir) == hashes
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".petstore_client")]


def test_hostile_spec_generates_inert_code(tmp_path: Path) -> None:
    spec = tmp_path / "hostile.yaml"
    shutil.copy(FIXTURES / "hostile.yaml", spec)
    package_dir = _generate(spec, tmp_path, "hostile_client", lenient=True)
    result = subprocess.run(
        [sys.executable, "-c", "import hostile_client, hostile_client.types; print(len(hostile_client.OPERATIONS))"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1" and "pwned" not in result.stdout
    for path in package_dir.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    assert all(p.name.isascii() for p in package_dir.rglob("*"))
