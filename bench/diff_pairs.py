"""Measure `apigen diff` on before/after spec pairs whose breaking verdict is known.

    .venv/bin/python -m bench.diff_pairs --oasdiff DIR [--list]

DIR is a checkout of oasdiff (github.com/oasdiff/oasdiff; never committed here). Its Go
test suite (`checker/*_test.go`) diffs pairs of files under `data/` and asserts which
changes oasdiff reports; `checker/rules.go` gives each change id its level. A pair is
*breaking* when a test expects a change at level ERR, *compatible* when the tests expect
only WARN/INFO changes or none at all. Tests that edit a loaded spec in Go code (no file
pair), override levels or filter elements are left out.

Prints the share of breaking pairs apigen reports as breaking (recall) and the share of
compatible pairs it reports as breaking (false breaking), and with `--list` every miss.

    .venv/bin/python -m bench.diff_pairs --versions DIR [DIR...]

summarises successive real versions instead (files of one API sorted by name, compared one
after the other): changes per level, and how many lines the text report needs for them.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from generator.diff import Level, diff_specs, load_spec_source, render
from generator.errors import ApigenError

_FUNCTION = re.compile(r"^func (Test\w+)\(t \*testing\.T\) \{$(.*?)^\}$", re.M | re.S)
_OPEN = re.compile(
    r"(\w+), err :?= (?:open\(|load\.NewSpecInfo\(\w+, load\.NewSource\()\"([^\"]+)\""
)
_NUMBERED = re.compile(r"(\w+) :?= l\(t, (\d+)")
_DIFF_CALL = re.compile(r"GetWithOperationsSourcesMap\([^,]+,\s*(\w+),\s*(\w+)\)")
_D_HELPER = re.compile(r"\bd\(t, diff\.NewConfig\(\), (\d+), (\d+)")
_EXPECTED_ID = re.compile(r"Id:\s*checker\.(\w+)")
_CONTAINS_ID = re.compile(
    r"require\.True\(t, containsId\(\w+, checker\.(\w+)\)|requireSingleChange\(t, \w+, checker\.(\w+)\)"
    r"|GetId\(\) == checker\.(\w+)"
)
_EMPTY = re.compile(r"require\.(Empty|Len\(t, \w+, 0\)|Nil)\(?t?,? ?\w*\)?")
_EXPLICIT_LEVEL = re.compile(r"Level:\s*checker\.(ERR|WARN|INFO)")
_ID_CONSTANT = re.compile(r"(\w+Id)\s*=\s*\"([a-z0-9-]+)\"")
_RULE_LEVEL = re.compile(r"newBackwardCompatibilityRule\((\w+),\s*(ERR|WARN|INFO)")
# In-code edits of a loaded spec, custom levels or element filters: no plain file pair.
_UNSUITABLE = re.compile(
    r"\.Spec\b[^\n]*(?<![=!<>:])=(?!=)|\.Spec\b[^\n]*\.(Set|Delete)\(|delete\([^)]*Spec|"
    r"WithSeverityLevels|LevelOverrides|WithExclude|IncludePathParams|WithAttributes|"
    r"WithOptionalCheck|WithDeprecation|\.Spec = "
)


@dataclass
class Pair:
    base: Path
    revision: Path
    expected: set[str] = field(default_factory=set)  # change ids the tests expect
    levels: set[str] = field(default_factory=set)  # their oasdiff levels
    tests: set[str] = field(default_factory=set)
    all_checks: bool = False  # some test ran every check on it (not one check alone)

    @property
    def breaking(self) -> bool:
        return "ERR" in self.levels


def rule_levels(checker: Path) -> dict[str, str]:
    """Go constant name (`RequestBodyConstChangedId`) -> default level."""
    rules = (checker / "rules.go").read_text(encoding="utf-8")
    return dict(_RULE_LEVEL.findall(rules))


def id_levels(checker: Path) -> dict[str, str]:
    """oasdiff rule id (`request-body-const-changed`) -> default level."""
    levels = rule_levels(checker)
    found: dict[str, str] = {}
    for source in checker.glob("*.go"):
        for constant, rule_id in _ID_CONSTANT.findall(source.read_text(encoding="utf-8")):
            if constant in levels:
                found[rule_id] = levels[constant]
    return found


def oasdiff_errs(rules: list[str], levels: dict[str, str]) -> bool:
    """Whether oasdiff has an ERR rule for each of these apigen rules (`response-x` is its
    `response-body-x` or `response-property-x`): then its own rules call the pair breaking,
    whatever a test that ran one check alone asserted."""
    for rule in rules:
        direction, _, rest = rule.partition("-")
        candidates = [rule] + [f"{direction}-{area}-{rest}" for area in ("body", "property")]
        if not any(levels.get(candidate) == "ERR" for candidate in candidates):
            return False
    return bool(rules)


def known_pairs(root: Path) -> list[Pair]:
    checker = root / "checker"
    levels = rule_levels(checker)
    pairs: dict[tuple[Path, Path], Pair] = {}
    for test_file in sorted(checker.glob("*_test.go")):
        source = test_file.read_text(encoding="utf-8")
        for name, body in _FUNCTION.findall(source):
            if _UNSUITABLE.search(body):
                continue
            for base, revision, segment in _segments(body):
                files = (checker / base).resolve(), (checker / revision).resolve()
                if files[0] == files[1] or not all(path.is_file() for path in files):
                    continue
                expected = set(_EXPECTED_ID.findall(segment))
                expected |= {"".join(found) for found in _CONTAINS_ID.findall(segment)}
                if not expected and not _EMPTY.search(segment):
                    continue  # asserts something else (a count, a message): no verdict
                explicit = set(_EXPLICIT_LEVEL.findall(segment))
                found = explicit or {levels.get(constant, "INFO") for constant in expected}
                pair = pairs.setdefault(files, Pair(*files))
                pair.expected |= expected
                pair.levels |= found
                pair.tests.add(f"{test_file.name}:{name}")
                pair.all_checks = pair.all_checks or "allChecksConfig()" in segment
    return list(pairs.values())


def _segments(body: str) -> list[tuple[str, str, str]]:
    """(base file, revision file, the assertions that follow) per diff call in a test."""
    files = dict(_OPEN.findall(body))
    files.update(
        (var, f"../data/openapi-test{number}.yaml") for var, number in _NUMBERED.findall(body)
    )
    calls: list[tuple[int, str, str]] = []
    for match in _DIFF_CALL.finditer(body):
        old, new = match.groups()
        if old in files and new in files:
            calls.append((match.end(), files[old], files[new]))
    for match in _D_HELPER.finditer(body):
        old, new = match.groups()
        calls.append(
            (match.end(), f"../data/openapi-test{old}.yaml", f"../data/openapi-test{new}.yaml")
        )
    calls.sort()
    found = []
    for index, (start, base, revision) in enumerate(calls):
        end = calls[index + 1][0] if index + 1 < len(calls) else len(body)
        found.append((base, revision, body[start:end]))
    return found


def verdict(pair: Pair) -> tuple[bool | None, list[str], list[str]]:
    """Whether apigen reports a breaking change (None: it failed), the rules it fired and
    the breaking ones."""
    try:
        old = load_spec_source(str(pair.base), pair.base.parent)
        new = load_spec_source(str(pair.revision), pair.revision.parent)
        changes = diff_specs(old.document, new.document)
    except ApigenError as error:
        return None, [str(error)], []
    breaking = sorted({change.rule for change in changes if change.level is Level.BREAKING})
    return bool(breaking), sorted({change.rule for change in changes}), breaking


def summarise_versions(folders: list[Path]) -> None:
    """Compare each version of an API with the next one (files named `<api>.<version>.*`
    or `<api>-<date>-*`, in the order of the folder's SOURCES.tsv, else by name) and print
    what the report holds."""
    for folder in folders:
        files = sorted(p for p in folder.iterdir() if p.suffix in (".json", ".yaml", ".yml"))
        sources = folder / "SOURCES.tsv"
        if sources.is_file():
            order = [line.split("\t", 1)[0] for line in sources.read_text().splitlines()]
            files = [folder / name for name in order if (folder / name).is_file()]
        by_api: dict[str, list[Path]] = {}
        for path in files:
            by_api.setdefault(re.split(r"[.-]", path.name, maxsplit=1)[0], []).append(path)
        for versions in by_api.values():
            for old, new in itertools.pairwise(versions):
                changes = diff_specs(
                    load_spec_source(str(old), folder).document,
                    load_spec_source(str(new), folder).document,
                )
                counts = {level: sum(c.level is level for c in changes) for level in Level}
                lines = sum(line.startswith("  [") for line in render(changes).splitlines())
                print(
                    f"{old.name} -> {new.name}: {len(changes)} changes "
                    f"({', '.join(f'{n} {level}' for level, n in counts.items())}); "
                    f"{lines} report lines"
                )
                for change in changes:
                    if change.level is Level.BREAKING:
                        print(f"    [{change.rule}] {change.message[:160]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diff_pairs", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--oasdiff", type=Path, help="an oasdiff checkout")
    source.add_argument("--versions", type=Path, nargs="+", help="folders of spec versions")
    parser.add_argument("--list", action="store_true", help="print every missed pair")
    args = parser.parse_args(argv)
    if args.versions:
        summarise_versions(args.versions)
        return 0
    pairs = known_pairs(args.oasdiff.resolve())
    levels = id_levels(args.oasdiff.resolve() / "checker")
    if not pairs:
        print(f"no test pairs found under {args.oasdiff}", file=sys.stderr)
        return 2
    caught = missed = false_breaking = compatible = failed = 0
    checked_compatible = checked_false = agreed = 0
    for pair in sorted(pairs, key=lambda p: (str(p.base), str(p.revision))):
        reported, rules, breaking_rules = verdict(pair)
        label = f"{pair.base.relative_to(args.oasdiff.resolve())} -> {pair.revision.name}"
        if reported is None:
            failed += 1
        if pair.breaking:
            if reported:
                caught += 1
            else:
                missed += 1
                if args.list:
                    print(f"MISSED  {label}: expected {sorted(pair.expected)}; got {rules}")
        else:
            compatible += 1
            checked_compatible += pair.all_checks
            if reported:
                false_breaking += 1
                checked_false += pair.all_checks
                agreed += not pair.all_checks and oasdiff_errs(breaking_rules, levels)
                if args.list:
                    judged = "all checks" if pair.all_checks else "one check"
                    print(
                        f"FALSE   {label} ({judged}): expected {sorted(pair.expected)}; got {rules}"
                    )
    breaking = caught + missed
    print(
        f"{len(pairs)} pairs: {breaking} breaking, {compatible} compatible, {failed} failed to load"
    )
    print(f"breaking pairs reported breaking: {caught}/{breaking} = {100 * caught / breaking:.1f}%")
    share = 100 * false_breaking / compatible if compatible else 0.0
    print(f"compatible pairs reported breaking: {false_breaking}/{compatible} = {share:.1f}%")
    # A test that runs one check only says nothing of what the others find in the pair.
    share = 100 * checked_false / checked_compatible if checked_compatible else 0.0
    print(
        "  of which judged by all checks: "
        f"{checked_false}/{checked_compatible} = {share:.1f}% reported breaking"
    )
    share = 100 * (false_breaking - agreed) / compatible if compatible else 0.0
    print(
        f"  not counting {agreed} pair(s) judged by one check whose breaking changes oasdiff "
        f"rates ERR too: {false_breaking - agreed}/{compatible} = {share:.1f}%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
