"""Hostile specs end quickly with one clear line or a working client: regexes from the spec run
on a linear-time engine (generator and client), deep nesting and odd file names are reported
with the JSON pointer or escaped, and nothing ends in a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main

REDOS_PATTERN = "^(a+)+$"
REDOS_TEXT = "a" * 34 + "!"  # with `re`, the search takes minutes (doubling per "a")
# Generous: each command takes about a second; with a backtracking engine, hours.
HANG = 120


def _apigen(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI as users run it: a process of its own, no debug tracebacks."""
    environment = {key: value for key, value in os.environ.items() if key != "APIGEN_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd, capture_output=True, text=True, check=False, timeout=HANG,
        env={**environment, **(env or {})},
    )  # fmt: skip


def _write(path: Path, schemas: dict[str, Any], version: str = "3.1.0") -> Path:
    document = {
        "openapi": version,
        "info": {"title": "Hostile", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    path.write_text(json.dumps(document))
    return path


def _redos_schemas() -> dict[str, Any]:
    return {
        "Word": {
            "type": "object",
            "properties": {
                "text": {"type": "string", "pattern": REDOS_PATTERN, "default": REDOS_TEXT},
                "names": {
                    "type": "object",
                    "patternProperties": {REDOS_PATTERN: {"type": "string"}},
                    "additionalProperties": False,
                    "default": {REDOS_TEXT: "x"},
                },
            },
        }
    }


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_backtracking_pattern_against_its_default_validates_quickly(
    tmp_path: Path, version: str
) -> None:
    spec = _write(tmp_path / "redos.json", _redos_schemas(), version)
    result = _apigen("validate", str(spec), cwd=tmp_path)
    assert result.returncode == 3
    assert f"/components/schemas/Word/properties/text/default: {REDOS_TEXT!r} does not match" in (
        result.stderr
    )
    assert "/components/schemas/Word/properties/names/default: Additional properties" in (
        result.stderr
    )


def test_backtracking_pattern_generates_and_the_client_checks_it_in_linear_time(
    tmp_path: Path,
) -> None:
    spec = _write(tmp_path / "redos.json", _redos_schemas())
    generated = _apigen(
        "generate", "--lenient", "--spec", str(spec), "--output", "out", "--package", "p",
        cwd=tmp_path,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    models = (tmp_path / "out" / "p" / "types.py").read_text()
    assert "regex_engine" not in models and "from re import" not in models
    check = (
        "import pydantic, p.types\n"
        f"try:\n    p.types.Word(text={REDOS_TEXT!r})\nexcept pydantic.ValidationError:\n"
        "    print('rejected')\n"
        "print(p.types.Word(text='aaa').text)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path / "out", capture_output=True, text=True,
        check=False, timeout=HANG,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["rejected", "aaa"]


UNUSABLE = {
    "/components/schemas/Thing/properties/ahead/pattern": "^(?=a)a+$",
    "/components/schemas/Thing/properties/behind/items/pattern": "(?<!x)y",
    "/components/schemas/Thing/properties/backref/pattern": "^(a)\\1$",
    "/components/schemas/Thing/properties/huge/pattern": "^\\w{1,100000}$",
    "/components/schemas/Thing/properties/keys/patternProperties/^(?!x)": "^(?!x)",
    "/components/schemas/Root/pattern": "^(?!z)",
}


def test_patterns_the_client_cannot_compile_are_dropped_with_a_warning(tmp_path: Path) -> None:
    thing = {
        "type": "object",
        "properties": {
            "ahead": {"type": "string", "pattern": "^(?=a)a+$"},
            "behind": {"type": "array", "items": {"type": "string", "pattern": "(?<!x)y"}},
            "backref": {"type": "string", "pattern": "^(a)\\1$"},
            "huge": {"type": "string", "pattern": "^\\w{1,100000}$"},
            "keys": {"type": "object", "patternProperties": {"^(?!x)": {"type": "string"}}},
            "kept": {"type": "string", "pattern": "^[a-z]+$"},
        },
    }
    spec = _write(
        tmp_path / "patterns.json",
        {"Thing": thing, "Root": {"type": "string", "pattern": "^(?!z)"}},
    )
    result = _apigen(
        "generate", "--spec", str(spec), "--output", "out", "--package", "p", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "left out of the client" in line]
    assert len(warnings) == len(UNUSABLE)
    for pointer in UNUSABLE:
        assert any(f": {pointer}: pattern " in line for line in warnings), pointer
    models = (tmp_path / "out" / "p" / "types.py").read_text()
    assert "regex_engine" not in models and "(?=" not in models and "100000" not in models
    assert 'pattern="^[a-z]+$"' in models
    check = "import p.types as m\nm.Thing(ahead='b', huge='x', backref='ab')\nprint('ok')"
    imported = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path / "out", capture_output=True, text=True,
        check=False, timeout=HANG,
    )  # fmt: skip
    assert imported.returncode == 0 and imported.stdout.strip() == "ok", imported.stderr


def _nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for level in range(levels):
        schema = {"type": "object", "properties": {f"p{level}": schema}}
    return {"Deep": schema}


def test_eighty_levels_of_nested_objects_are_valid_and_generate(tmp_path: Path) -> None:
    spec = _write(tmp_path / "deep.json", _nested(80))
    validated = _apigen("validate", str(spec), cwd=tmp_path)
    assert validated.returncode == 0 and "circular" not in validated.stderr, validated.stderr
    generated = _apigen(
        "generate", "--spec", str(spec), "--output", "out", "--package", "p", cwd=tmp_path
    )
    assert generated.returncode == 0, generated.stderr


@pytest.mark.parametrize("command", ["generate", "generate --lenient", "validate"])
def test_too_deep_nesting_is_one_line_naming_the_pointer(tmp_path: Path, command: str) -> None:
    spec = _write(tmp_path / "deep.json", _nested(400))
    args = [*command.split(), str(spec)]
    if command.startswith("generate"):
        args = [*command.split(), "--spec", str(spec), "--output", "out", "--package", "p"]
    result = _apigen(*args, cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "/components/schemas/Deep/properties/p399/properties/p398/" in result.stderr
    assert "nested more than" in result.stderr
    assert not (tmp_path / "out").exists()


def test_file_names_that_are_not_utf8_are_reported_escaped(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    invalid = folder + b"/bad\xff.json"
    with open(invalid, "w") as stream:
        stream.write('{"openapi": "3.1.0"}')
    result = _apigen("validate", os.fsdecode(invalid), cwd=tmp_path)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "bad\\udcff.json" in result.stderr

    valid = folder + b"/good\xfe.json"
    _write(Path(os.fsdecode(valid)), {"Thing": {"type": "object"}})
    out = os.fsdecode(folder + b"/out\xfd")
    result = _apigen(
        "generate", "--spec", os.fsdecode(valid), "--output", out, "--package", "p", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "out\\udcfd" in result.stdout
    header = (Path(out) / "p" / "types.py").read_text().splitlines()[0]
    assert header.endswith("from good\\xfe.json. Do not edit.")


def test_an_unexpected_error_is_one_line_unless_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug\nover two lines")

    monkeypatch.setattr("generator.pipeline.generate", broken)
    args = ["generate", "--spec", "x.yaml", "--output", "out", "--package", "p"]
    monkeypatch.delenv("APIGEN_DEBUG", raising=False)
    assert main(args) == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("apigen: internal error: KeyError: ")
    monkeypatch.setenv("APIGEN_DEBUG", "1")
    with pytest.raises(KeyError):
        main(args)
