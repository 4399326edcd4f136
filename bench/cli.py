"""`python -m bench`: time apigen and its peers on a corpus of specs, print ratios, save JSON.

Every number is measured in this run on this machine; only the ratios mean much elsewhere.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import client_import
from bench.corpus import (
    DEFAULT_CORPUS,
    QUICK_SPECS,
    Spec,
    describe,
    find_specs,
    load_document,
    mutate,
)
from bench.measure import run_measured
from bench.peers import (
    BENCH_VENV,
    PEER_PINS,
    REPO_ROOT,
    Tool,
    apigen_tools,
    ensure_peer_venv,
    peer_tools,
    project_python,
)
from bench.report import DiffResult, SpecResult, ToolResult, diff_table, generate_tables
from bench.sync_noop import bench_sync

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"folder of OpenAPI specs (default: {DEFAULT_CORPUS})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"one run each, on {len(QUICK_SPECS)} specs of spread sizes (~3 min)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        help="runs per tool and spec; the median counts (default: 3, --quick: 1)",
    )
    parser.add_argument(
        "--specs",
        nargs="+",
        metavar="NAME",
        help="only specs whose file name contains one of these",
    )
    parser.add_argument(
        "--tools", nargs="+", metavar="TOOL", help="only these tools (apigen apigen-models opc dcg)"
    )
    parser.add_argument("--no-diff", action="store_true", help="skip the `apigen diff` benchmark")
    parser.add_argument(
        "--no-sync", action="store_true", help="skip the `apigen sync` no-op benchmark"
    )
    parser.add_argument(
        "--no-import", action="store_true", help="skip the generated client's import-time benchmark"
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds before a run is killed (default: 600)"
    )
    return parser  # fmt: skip


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _select_specs(args: argparse.Namespace) -> list[Spec]:
    if not args.corpus.is_dir():
        _log(
            f"corpus folder {args.corpus} not found (pass --corpus DIR); benchmarking the project's own specs only"
        )
    paths = find_specs(args.corpus)
    if args.quick and paths:
        # Another corpus: its smallest, middle and largest spec.
        quick = [path for path in paths if path.name in QUICK_SPECS]
        paths = quick or sorted({paths[0], paths[len(paths) // 2], paths[-1]}, key=paths.index)
    if args.specs:
        paths = [path for path in paths if any(word in path.name for word in args.specs)]
    return [describe(path) for path in paths]


def _run_tool(tool: Tool, spec_path: Path, timeout: float) -> ToolResult:
    with tempfile.TemporaryDirectory(prefix="apigen-bench-") as scratch:
        run = run_measured(
            tool.build_command(spec_path, Path(scratch)),
            cwd=REPO_ROOT,
            env=tool.env,
            timeout=timeout,
        )
    return ToolResult([run])


def bench_generate(
    specs: Sequence[Spec], tools: Sequence[Tool], runs: int, timeout: float
) -> list[SpecResult]:
    # Warm-up on the smallest spec, not recorded: the first start pays for .pyc files and disk cache.
    for tool in tools:
        _run_tool(tool, specs[0].path, timeout)
    results = []
    for spec in specs:
        result = SpecResult(spec, {tool.name: ToolResult() for tool in tools})
        for number in range(1, runs + 1):
            for tool in tools:
                tool_result = result.tools[tool.name]
                if tool_result.runs and not tool_result.ok:
                    continue  # failures repeat; do not pay for them again
                run = _run_tool(tool, spec.path, timeout).runs[0]
                tool_result.runs.append(run)
                state = "ok" if run.ok else f"FAILED (exit {run.exit_code}): {run.error_line}"
                _log(
                    f"{spec.name} {tool.name} run {number}/{runs}: {run.seconds:.2f} s, {run.peak_rss_mb:.0f} MB, {state}"
                )
        results.append(result)
    return results


def _diff_command(old: Path, new: Path, *, client: bool = True) -> list[str]:
    command = [project_python(), "-m", "generator", "diff", str(old), str(new), "--format", "json"]
    return command if client else [*command, "--no-client"]


def _measure_repeated(command: list[str], runs: int, timeout: float) -> ToolResult:
    result = ToolResult()
    for _ in range(runs):
        result.runs.append(run_measured(command, cwd=REPO_ROOT, timeout=timeout))
        if not result.runs[-1].ok:
            break
    return result


def bench_diff(
    specs: Sequence[Spec], runs: int, timeout: float, quick: bool
) -> tuple[list[DiffResult], str]:
    """`apigen diff` on the largest specs, against themselves and against a mutated copy."""
    if not specs:
        return [], "no specs"
    probe = run_measured(
        _diff_command(specs[0].path, specs[0].path), cwd=REPO_ROOT, timeout=timeout
    )
    if not probe.ok:
        return (
            [],
            f"`apigen diff` is not available yet (exit {probe.exit_code}): {probe.error_line}",
        )
    largest = sorted(specs, key=lambda spec: spec.size)[-(1 if quick else 2) :]
    results = []
    with tempfile.TemporaryDirectory(prefix="apigen-bench-diff-") as scratch:
        for spec in reversed(largest):
            mutated = Path(scratch) / f"{spec.path.stem}.mutated.json"
            mutated.write_text(json.dumps(mutate(load_document(spec.path))), encoding="utf-8")
            pairs = [(f"{spec.name} vs mutated", mutated)]
            if not quick:
                pairs.insert(0, (f"{spec.name} vs itself", spec.path))
            for label, new in pairs:
                _log(f"diff {label}")
                spec_only = _measure_repeated(
                    _diff_command(spec.path, new, client=False), runs, timeout
                )
                diff = _measure_repeated(_diff_command(spec.path, new), runs, timeout)
                load_command = [
                    project_python(),
                    "-m",
                    "bench.stages",
                    "load",
                    str(spec.path),
                    str(new),
                ]
                load = _measure_repeated(load_command, runs, timeout)
                results.append(
                    DiffResult(f"{label} (--no-client)", str(spec.path), new.name, spec_only, load)
                )
                results.append(DiffResult(label, str(spec.path), new.name, diff, load))
    return results, ""


def _versions() -> dict[str, str]:
    try:
        apigen = importlib.metadata.version("apigen")
    except importlib.metadata.PackageNotFoundError:
        apigen = "unknown"
    return {"apigen": apigen, **dict(pin.split("==") for pin in PEER_PINS)}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    runs: int = args.runs or (1 if args.quick else 3)
    started = datetime.datetime.now(datetime.UTC)
    specs = _select_specs(args)
    if not specs:
        _log("no specs to benchmark")
        return 2
    tools = apigen_tools()
    try:
        tools += peer_tools(ensure_peer_venv(BENCH_VENV))
    except (OSError, subprocess.CalledProcessError) as exc:  # offline: still measure apigen alone
        _log(f"peers unavailable, benchmarking apigen alone: {exc}")
    if args.tools:
        tools = [tool for tool in tools if tool.name in args.tools]
    tool_names = [tool.name for tool in tools]
    _log(
        f"{len(specs)} spec(s) x {len(tools)} tool(s) x {runs} run(s); progress below, tables at the end"
    )

    generate_results = bench_generate(specs, tools, runs, args.timeout) if tools else []
    diff_results: list[DiffResult] = []
    diff_note = "skipped (--no-diff)"
    if not args.no_diff:
        diff_results, diff_note = bench_diff(specs, runs, args.timeout, args.quick)

    lines = [
        f"apigen bench, {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPU(s), Python {platform.python_version()}"
    ]
    lines += [f"  {tool.name}: {tool.what}" for tool in tools]
    lines.append(
        "  versions: " + ", ".join(f"{name} {version}" for name, version in _versions().items())
    )
    lines += generate_tables(generate_results, tool_names, runs)
    lines += diff_table(diff_results, runs) if diff_results else ["", f"diff: {diff_note}"]
    sync_record: dict[str, Any] = {"note": "skipped (--no-sync)"}
    if not args.no_sync:
        _log("sync against a local mirror")
        sync_lines, sync_record = bench_sync(runs, args.timeout)
        lines += sync_lines
    if not args.no_import:
        _log("import + construct of the generated client")
        lines += client_import.measure(5 if args.quick else 15)

    record: dict[str, Any] = {
        "started": started.isoformat(),
        "quick": args.quick,
        "runs": runs,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "versions": _versions(),
        "tools": {tool.name: tool.what for tool in tools},
        "generate": [
            {
                "spec": result.spec.name,
                "path": str(result.spec.path),
                "size": result.spec.size,
                "operations": result.spec.operations,
                "results": {name: tool.to_json() for name, tool in result.tools.items()},
            }
            for result in generate_results
        ],
        "diff": {"note": diff_note, "pairs": [result.to_json() for result in diff_results]},
        "sync": sync_record,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    output = RESULTS_DIR / f"{started:%Y%m%dT%H%M%SZ}.json"
    output.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    lines += ["", f"saved {output.relative_to(REPO_ROOT)}"]
    print("\n".join(lines))
    return 0
