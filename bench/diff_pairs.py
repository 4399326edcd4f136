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
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from generator.diff import Level, diff_specs, load_spec_source
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


def verdict(pair: Pair) -> tuple[bool | None, list[str]]:
    """Whether apigen reports a breaking change (None: it failed), and the rules it fired."""
    try:
        old = load_spec_source(str(pair.base), pair.base.parent)
        new = load_spec_source(str(pair.revision), pair.revision.parent)
        changes = diff_specs(old.document, new.document)
    except ApigenError as error:
        return None, [str(error)]
    breaking = [change.rule for change in changes if change.level is Level.BREAKING]
    return bool(breaking), sorted({change.rule for change in changes})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diff_pairs", description=__doc__)
    parser.add_argument("--oasdiff", type=Path, required=True, help="an oasdiff checkout")
    parser.add_argument("--list", action="store_true", help="print every missed pair")
    args = parser.parse_args(argv)
    pairs = known_pairs(args.oasdiff.resolve())
    if not pairs:
        print(f"no test pairs found under {args.oasdiff}", file=sys.stderr)
        return 2
    caught = missed = false_breaking = compatible = failed = 0
    checked_compatible = checked_false = 0
    for pair in sorted(pairs, key=lambda p: (str(p.base), str(p.revision))):
        reported, rules = verdict(pair)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
