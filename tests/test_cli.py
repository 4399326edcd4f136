"""The command line: help, exit codes, one-line errors naming where."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "specs"


def test_help_lists_commands_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for word in ("generate", "validate", "sync", "diff", "exit codes", "upstream failure"):
        assert word in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["generate", "--no-such-flag"])
    assert exited.value.code == 2


def test_python_dash_m_is_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("apigen ")


def test_validate_valid_spec(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(FIXTURES / "petstore.yaml")]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_reports_pointer_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo:\n  title: x\n  version: '1'\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          content: {}\n"
    )
    assert main(["validate", str(spec)]) == 3
    err = capsys.readouterr().err
    assert f"{spec}:10" in err or f"{spec}:9" in err
    assert "/paths/~1a/get/responses/200" in err


def test_unknown_api_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--specs-dir", str(tmp_path), "generate", "nope", "--offline"])
    assert code == 3
    assert capsys.readouterr().err.strip().startswith("apigen: error: ")


def test_generate_without_config_needs_output_and_package(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--spec", str(FIXTURES / "petstore.yaml")]) == 3
    assert "--output" in capsys.readouterr().err
