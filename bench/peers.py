"""The generators the bench runs: apigen (whole command and models stage) and its peers.

Peers live in their own venv (.tools/bench-venv) so their pins never touch the project's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = REPO_ROOT / ".tools" / "bench-venv"
# datamodel-code-generator is pinned to the release apigen itself uses, so "dcg" vs
# "apigen-models" shows apigen's own overhead rather than a difference between releases.
PEER_PINS = ("openapi-python-client==0.29.1", "datamodel-code-generator==0.89.0")
_PINS_STAMP = ".bench-pins"

CommandBuilder = Callable[[Path, Path], list[str]]  # (spec, empty scratch folder) -> argv


@dataclass(frozen=True)
class Tool:
    name: str
    what: str
    build_command: CommandBuilder
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))


def project_python() -> str:
    """apigen's interpreter: the project venv's when there is one."""
    venv_python = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def ensure_peer_venv(venv: Path = BENCH_VENV) -> Path:
    """Create the peers' venv and install the pinned peers once; returns its bin folder."""
    bin_dir = venv / "bin"
    stamp = venv / _PINS_STAMP
    wanted = "\n".join(PEER_PINS) + "\n"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return bin_dir
    print(f"bench: installing {', '.join(PEER_PINS)} into {venv} (once)", file=sys.stderr)
    if not (bin_dir / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [
        str(bin_dir / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, *PEER_PINS], check=True)
    stamp.write_text(wanted, encoding="utf-8")
    return bin_dir


def apigen_tools() -> list[Tool]:
    python = project_python()

    def generate(spec: Path, scratch: Path) -> list[str]:
        return [python, "-m", "generator", "generate", "--spec", str(spec),
                "--output", str(scratch), "--package", "bench_client", "--lenient"]  # fmt: skip

    def models(spec: Path, scratch: Path) -> list[str]:
        return [python, "-m", "bench.stages", "models", str(spec), str(scratch)]

    return [
        Tool("apigen", "apigen generate --lenient (validate, models, client, ruff)", generate),
        Tool(
            "apigen-models",
            "apigen's models stage alone (load, prepare, datamodel-codegen)",
            models,
        ),
    ]


def peer_tools(bin_dir: Path) -> list[Tool]:
    # openapi-python-client runs ruff from PATH after generating: give it the venv's.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}

    def openapi_python_client(spec: Path, scratch: Path) -> list[str]:
        return [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec),
                "--output-path", str(scratch / "client"), "--overwrite", "--meta", "none"]  # fmt: skip

    def datamodel_codegen(spec: Path, scratch: Path) -> list[str]:
        # No .py suffix: specs with dotted schema names need a folder (modular output).
        return [str(bin_dir / "datamodel-codegen"), "--input", str(spec),
                "--input-file-type", "openapi", "--output-model-type", "pydantic_v2.BaseModel",
                "--output", str(scratch / "models")]  # fmt: skip

    return [
        Tool(
            "opc",
            "openapi-python-client generate --meta none (full client)",
            openapi_python_client,
            env,
        ),
        Tool("dcg", "datamodel-codegen CLI (models only)", datamodel_codegen, env),
    ]
