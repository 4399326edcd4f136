"""Find the specs to benchmark, count their operations, and make mutated copies for `diff`."""

from __future__ import annotations

import copy
import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.peers import REPO_ROOT
from generator.openapi import HTTP_METHODS

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "specs"
SPEC_SUFFIXES = (".json", ".yaml", ".yml")
# --quick: a spread of sizes that fits in about three minutes, the 4 MB JSON spec included,
# and the project's own target (specs/baseten/openapi.json).
QUICK_SPECS = (
    "openapi.json",
    "petstore_expanded_3.0.yaml",
    "museum_3.1.yaml",
    "spotify.yml",
    "k8s_1.35_apps_v1.json",
    "github_api.json",
)


@dataclass(frozen=True)
class Spec:
    name: str
    path: Path
    size: int
    operations: int | None  # None: could not be counted (the spec did not parse)


def find_specs(corpus: Path) -> list[Path]:
    """The corpus's specs plus the project's own (specs/<api>/openapi.*), smallest first."""
    found = (
        sorted(p for p in corpus.glob("*") if p.suffix in SPEC_SUFFIXES) if corpus.is_dir() else []
    )
    found += sorted(
        p for p in (REPO_ROOT / "specs").glob("*/openapi.*") if p.suffix in SPEC_SUFFIXES
    )
    return sorted(found, key=lambda path: path.stat().st_size)


def display_name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}" if path.is_relative_to(REPO_ROOT) else path.name


def describe(path: Path) -> Spec:
    return Spec(display_name(path), path, path.stat().st_size, _indexed_operations(path))


def _indexed_operations(path: Path) -> int | None:
    """Operation count from the corpus's INDEX.tsv when it lists the file, else by parsing."""
    index = path.parent / "INDEX.tsv"
    if index.is_file():
        with index.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row.get("name") == path.name and (row.get("operations") or "").isdigit():
                    return int(row["operations"])
    try:
        return count_operations(load_document(path))
    except (OSError, ValueError, yaml.YAMLError):
        return None


def load_document(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster
    document = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=loader)
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a mapping")
    return document


def count_operations(document: dict[str, Any]) -> int:
    paths = document.get("paths") or {}
    return sum(
        1
        for item in paths.values()
        if isinstance(item, dict)
        for method in item
        if method in HTTP_METHODS
    )


def mutate(document: dict[str, Any]) -> dict[str, Any]:
    """A copy with the kinds of change `apigen diff` must see: a removed operation, a new
    required parameter, a removed property, a changed property type, and an added operation."""
    changed = copy.deepcopy(document)
    paths: dict[str, Any] = changed.setdefault("paths", {})
    path_names = sorted(name for name, item in paths.items() if isinstance(item, dict))
    if path_names:
        del paths[path_names[0]]
    for name in path_names[1:]:
        operations = [op for method, op in paths[name].items() if method in HTTP_METHODS]
        if operations and isinstance(operations[0], dict):
            required = {
                "name": "bench_added",
                "in": "query",
                "required": True,
                "schema": {"type": "string"},
            }
            operations[0].setdefault("parameters", []).append(required)
            break
    schemas = (changed.get("components") or {}).get("schemas") or {}
    with_properties = [
        s for s in schemas.values() if isinstance(s, dict) and len(s.get("properties") or {}) >= 2
    ]
    if with_properties:
        properties: dict[str, Any] = with_properties[0]["properties"]
        first, second = list(properties)[:2]
        del properties[first]
        properties[second] = {"type": "integer"}
    paths["/bench-added"] = {
        "get": {"operationId": "benchAdded", "responses": {"200": {"description": "ok"}}}
    }
    return changed
