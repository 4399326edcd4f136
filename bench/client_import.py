"""Import + construct time of the generated client, against its floor and real SDKs.

    .venv/bin/python -m bench.client_import [--runs 15]

The floor is `import httpx; from pydantic import BaseModel`: what any client built on them
pays. The generated client's target is at most 2x the floor. For scale, the same is timed
for openai-python and Baseten's own SDK (`baseten`), installed once into
.tools/sdk-venv; offline, those rows are left out with a note.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.measure import run_measured
from bench.peers import REPO_ROOT, project_python

SDK_VENV = REPO_ROOT / ".tools" / "sdk-venv"
SDK_PINS = ("openai==3.51.0", "baseten==0.13.1")
_PINS_STAMP = ".sdk-pins"
GENERATED = REPO_ROOT / "generated"
TARGET_RATIO = 2.0


@dataclass(frozen=True)
class Snippet:
    name: str
    python: str
    code: str
    cwd: Path = REPO_ROOT


def _snippets(sdk_python: str | None) -> list[Snippet]:
    python = project_python()
    snippets = [
        Snippet("floor", python, "import httpx; from pydantic import BaseModel"),
        Snippet(
            "apigen (baseten_client)",
            python,
            "import baseten_client; baseten_client.Baseten(api_key='x')",
            GENERATED,
        ),
    ]
    if sdk_python is not None:
        snippets += [
            Snippet("sdk floor", sdk_python, "import httpx; from pydantic import BaseModel"),
            Snippet("openai", sdk_python, "import openai; openai.OpenAI(api_key='x')"),
            Snippet(
                "baseten SDK",
                sdk_python,
                "from baseten.client import ManagementClient; ManagementClient(api_key='x')",
            ),
        ]
    return snippets


def ensure_sdk_venv(venv: Path = SDK_VENV) -> str:
    """The SDK venv's python, installing the pinned SDKs once."""
    python = venv / "bin" / "python"
    stamp = venv / _PINS_STAMP
    wanted = "\n".join(SDK_PINS) + "\n"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return str(python)
    print(f"bench: installing {', '.join(SDK_PINS)} into {venv} (once)", file=sys.stderr)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *SDK_PINS],
        check=True,
    )
    stamp.write_text(wanted, encoding="utf-8")
    return str(python)


def measure(runs: int) -> list[str]:
    """The report lines: median seconds per snippet, and ratios to the floor."""
    notes: list[str] = []
    try:
        sdk_python: str | None = ensure_sdk_venv()
    except (OSError, subprocess.CalledProcessError) as exc:
        sdk_python = None
        notes.append(f"SDK peers unavailable (offline?): {exc}")
    snippets = _snippets(sdk_python)
    times: dict[str, list[float]] = {snippet.name: [] for snippet in snippets}
    failures: dict[str, str] = {}
    for run in range(runs + 1):  # run 0 warms the disk cache and .pyc files
        for snippet in snippets:
            if snippet.name in failures:
                continue
            result = run_measured([snippet.python, "-c", snippet.code], cwd=snippet.cwd)
            if not result.ok:
                failures[snippet.name] = result.error_line
            elif run:
                times[snippet.name].append(result.seconds)
    medians = {name: statistics.median(values) for name, values in times.items() if values}
    lines = ["", f"Import + construct, seconds (median of {runs}; floor = httpx + pydantic)"]
    rows = [("snippet", "seconds", "x floor")]
    for snippet in snippets:
        if snippet.name not in medians:
            rows.append((snippet.name, "FAIL", failures.get(snippet.name, "")[:60]))
            continue
        floor = medians.get("sdk floor" if snippet.python != project_python() else "floor")
        ratio = f"{medians[snippet.name] / floor:.2f}" if floor else "-"
        rows.append((snippet.name, f"{medians[snippet.name]:.3f}", ratio))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    apigen, floor = medians.get("apigen (baseten_client)"), medians.get("floor")
    if apigen and floor:
        verdict = "within" if apigen / floor <= TARGET_RATIO else "OVER"
        lines.append(
            f"apigen/floor {apigen / floor:.2f} ({verdict} the {TARGET_RATIO:.0f}x target)"
        )
    return lines + notes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.client_import", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs per snippet (median counts)")
    args = parser.parse_args(argv)
    print("\n".join(measure(args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
