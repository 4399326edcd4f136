"""Contract test on real specs: each generated sync client against a Prism mock of its spec.

Every operation is sent through its generated method once with the required arguments and once
with all of them (`support.contract`); no request may be rejected, no valid response may fail
to parse and the client may raise nothing, except for documented Prism bugs.

`make test` runs the specs of tests/fixtures/contract/ (real specs of different styles, gzipped;
Stripe's is a slice of its paths with every component they use). `make contract` sets
APIGEN_CONTRACT_SPECS to ../shared/corpus/specs and runs every spec there, printing a table.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from support.contract import ContractReport, run_contract
from support.generated import import_generated
from support.prism import PrismFailedToStart, start_prism

from generator.config import config_for_spec
from generator.pipeline import generate

FIXTURES = Path(__file__).parent / "fixtures" / "contract"
CORPUS_ENV = "APIGEN_CONTRACT_SPECS"
REPORT_ENV = "APIGEN_CONTRACT_REPORT"  # a file the per-spec figures are appended to
# Failures not fixed yet (issue 8), by spec file and "METHOD /path": the test fails on any
# other failure, and says which of these pass now so that the list only shrinks.
KNOWN_FAILURES: dict[str, dict[str, str]] = json.loads(
    (FIXTURES / "known_failures.json").read_text(encoding="utf-8")
)

pytestmark = pytest.mark.prism


def _spec_files() -> list[Path]:
    corpus = os.environ.get(CORPUS_ENV)
    if corpus:
        folder = Path(corpus)
        return sorted(
            p for p in folder.iterdir() if p.suffix in (".json", ".yaml", ".yml") and p.is_file()
        )
    return sorted(FIXTURES.glob("*.gz"))


def _package_name(spec: Path) -> str:
    stem = spec.name.split(".")[0]
    return re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") + "_client"


@pytest.fixture(scope="module", params=_spec_files(), ids=lambda p: p.name.split(".")[0])
def contract_spec(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Any], ModuleType, str]]:
    """(spec name, document, generated package, Prism URL) for one spec."""
    source: Path = request.param
    out = tmp_path_factory.mktemp("contract")
    spec = out / source.name.removesuffix(".gz")
    spec.write_bytes(
        gzip.decompress(source.read_bytes()) if source.suffix == ".gz" else source.read_bytes()
    )
    text = spec.read_text(encoding="utf-8")
    document = json.loads(text) if spec.suffix == ".json" else yaml.safe_load(text)
    package = _package_name(spec)
    generate(config_for_spec(spec, out, package), lenient=True, warn=lambda _: None)
    try:
        prism = start_prism(spec)
        url = prism.__enter__()
    except PrismFailedToStart as exc:
        pytest.skip(f"Prism cannot serve {spec.name}: {str(exc).splitlines()[0]}")
    try:
        yield spec.name, document, import_generated(out, package), url
    finally:
        prism.__exit__(None, None, None)


def _record(report: ContractReport, required_only: bool) -> None:
    target = os.environ.get(REPORT_ENV)
    if not target:
        return
    mode = "required" if required_only else "all"
    with open(target, "a", encoding="utf-8") as file:
        file.write(f"{mode:8} {report.summary()}\n")
        for call in report.calls:
            if call.outcome != "ok":
                file.write(
                    f"    {call.outcome:11} {call.operation} ({call.attr_path}): {call.detail}\n"
                )


@pytest.mark.parametrize("required_only", [True, False], ids=["required", "all-arguments"])
def test_every_operation_matches_the_spec(
    contract_spec: tuple[str, dict[str, Any], ModuleType, str], required_only: bool
) -> None:
    name, document, package, url = contract_spec

    report = run_contract(name, document, package, url, required_only=required_only)

    _record(report, required_only)
    known = KNOWN_FAILURES.get(name, {})
    failures = [f"{c.outcome} {c.operation}: {c.detail}" for c in report.failures()]
    unexpected = [line for line in failures if line.split(" ", 1)[1].split(":")[0] not in known]
    fixed = sorted(set(known) - {c.operation for c in report.failures()})
    if fixed and not required_only:
        warnings.warn(
            f"{name}: now passing, remove from known_failures.json: {fixed}", stacklevel=1
        )
    assert unexpected == [], report.summary()
