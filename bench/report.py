"""Results of a bench run: ratios, the printed tables, and the JSON record."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.corpus import Spec
from bench.measure import Measurement

# (numerator tool, denominator tool): a ratio above 1 means apigen is slower / bigger.
RATIOS = (("apigen", "opc"), ("apigen", "dcg"), ("apigen-models", "dcg"))


@dataclass
class ToolResult:
    runs: list[Measurement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(run.ok for run in self.runs)

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(run.peak_rss_mb for run in self.runs)

    @property
    def error_line(self) -> str:
        return next((run.error_line for run in self.runs if not run.ok), "")

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "median_seconds": round(self.seconds, 3) if self.runs else None,
            "peak_rss_mb": round(self.peak_rss_mb, 1) if self.runs else None,
            "seconds": [round(run.seconds, 3) for run in self.runs],
            "exit_codes": [run.exit_code for run in self.runs],
            "error": self.error_line,
        }


@dataclass
class SpecResult:
    spec: Spec
    tools: dict[str, ToolResult] = field(default_factory=dict)

    def ratio(self, top: str, bottom: str, metric: Callable[[ToolResult], float]) -> float | None:
        a, b = self.tools.get(top), self.tools.get(bottom)
        if a is None or b is None or not (a.ok and b.ok) or metric(b) <= 0:
            return None
        return metric(a) / metric(b)


@dataclass(frozen=True)
class DiffResult:
    label: str
    old: str
    new: str
    diff: ToolResult
    load_only: ToolResult  # both specs through apigen's loader alone: the floor under diff

    def to_json(self) -> dict[str, Any]:
        return {
            "pair": self.label,
            "old": self.old,
            "new": self.new,
            "diff": self.diff.to_json(),
            "load_only": self.load_only.to_json(),
        }


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size}B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f}K"
    return f"{size / (1024 * 1024):.1f}M"


def _cell(result: ToolResult | None, metric: Callable[[ToolResult], float], fmt: str) -> str:
    if result is None or not result.runs:
        return "-"
    if not result.ok:
        return "TIMEOUT" if any(run.timed_out for run in result.runs) else "FAIL"
    return format(metric(result), fmt)


def _ratio_cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def generate_tables(
    results: Sequence[SpecResult], tool_names: Sequence[str], runs: int
) -> list[str]:
    ratios = [pair for pair in RATIOS if pair[0] in tool_names and pair[1] in tool_names]
    metrics: list[tuple[str, Callable[[ToolResult], float], str]] = [
        (f"Wall time, seconds (median of {runs})", lambda r: r.seconds, ".2f"),
        ("Peak RSS, MB (largest process of the run's tree)", lambda r: r.peak_rss_mb, ".0f"),
    ]
    lines: list[str] = []
    for title, metric, fmt in metrics:
        header = ["spec", "size", "ops", *tool_names, *(f"{a}/{b}" for a, b in ratios)]
        rows = [header]
        for result in results:
            spec = result.spec
            ops = "?" if spec.operations is None else str(spec.operations)
            cells = [_cell(result.tools.get(name), metric, fmt) for name in tool_names]
            ratio_cells = [_ratio_cell(result.ratio(a, b, metric)) for a, b in ratios]
            rows.append([spec.name, human_size(spec.size), ops, *cells, *ratio_cells])
        lines += ["", title, *_table(rows)]
        for a, b in ratios:
            values = [v for r in results if (v := r.ratio(a, b, metric)) is not None]
            if values:
                geomean = math.exp(statistics.fmean(math.log(v) for v in values))
                lines.append(
                    f"  {a}/{b}: geometric mean {geomean:.2f}x over {len(values)} spec(s), "
                    f"min {min(values):.2f}x, max {max(values):.2f}x"
                )
    failures = [
        f"  {name} on {result.spec.name}: exit {tool.runs[-1].exit_code}: {tool.error_line}"
        for result in results
        for name, tool in result.tools.items()
        if tool.runs and not tool.ok
    ]
    if failures:
        lines += ["", "Failures:", *failures]
    return lines


def diff_table(results: Sequence[DiffResult], runs: int) -> list[str]:
    rows = [["pair", "diff s", "diff MB", "load s", "load MB", "diff/load time"]]
    failures = []
    for result in results:
        diff, load = result.diff, result.load_only
        ratio = (
            f"{diff.seconds / load.seconds:.2f}x"
            if diff.ok and load.ok and load.seconds > 0
            else "-"
        )
        rows.append([
            result.label,
            _cell(diff, lambda r: r.seconds, ".2f"),
            _cell(diff, lambda r: r.peak_rss_mb, ".0f"),
            _cell(load, lambda r: r.seconds, ".2f"),
            _cell(load, lambda r: r.peak_rss_mb, ".0f"),
            ratio,
        ])  # fmt: skip
        failures += [
            f"  {what} on {result.label}: exit {run.runs[-1].exit_code}: {run.error_line}"
            for what, run in (("diff", diff), ("load", load))
            if run.runs and not run.ok
        ]
    title = f"apigen diff OLD NEW --format json, seconds (median of {runs}); load = apigen's loader on both specs"
    lines = ["", title, *_table(rows)]
    return lines + (["", "Failures:", *failures] if failures else [])
