"""Every operation is typed with the class emitted for its component; names are the spec's."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from support.bindings import build, wrong_bindings

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(os.environ.get("APIGEN_CORPUS", Path(__file__).parents[2] / "shared" / "corpus"))
CORPUS_SPECS = sorted(
    path for path in (CORPUS / "specs").glob("*") if path.suffix in (".json", ".yaml", ".yml")
)


@pytest.mark.parametrize(
    "spec",
    [FIXTURES / "bindings" / "owners.yaml", FIXTURES / "specs" / "petstore.yaml"],
    ids=lambda path: path.name,
)
def test_fixture_specs_bind_every_operation_to_its_class(spec: Path) -> None:
    checked, wrong = wrong_bindings(spec)
    assert checked and wrong == []


def test_components_keep_their_names_and_inline_schemas_are_named_by_owner() -> None:
    api, _, class_names = build(FIXTURES / "bindings" / "owners.yaml")
    assert class_names["charge"] == "Charge" and class_names["pull-request"] == "PullRequest"
    assert class_names["status"] == "Status"
    kinds = {model.class_name: model.kind for model in api.models}
    assert kinds["Charge"] == kinds["PullRequest"] == kinds["Status"] == "model"
    # Inline schemas: owner + property; a number only where a component has that name.
    assert kinds["CheckRunStatus"] == "enum" and kinds["PullRequestBase"] == "model"
    assert {"PullRequestHead", "PullRequestHead1", "SimplePullHead", "SimplePullHead1"} <= set(
        kinds
    )
    numbered = [name for name in kinds if re.search(r"\d$", name)]
    assert sorted(numbered) == ["PullRequestHead1", "SimplePullHead1"]


@pytest.mark.corpus
@pytest.mark.parametrize("spec", CORPUS_SPECS, ids=lambda path: path.name)
def test_corpus_specs_bind_every_operation_to_its_class(spec: Path) -> None:
    checked, wrong = wrong_bindings(spec)
    assert wrong == [], f"{len(wrong)} of {checked} bindings wrong: {wrong[:5]}"


def test_corpus_is_optional() -> None:
    if not CORPUS_SPECS:
        pytest.skip(f"no corpus at {CORPUS} (the corpus test runs with `make corpus`)")
    assert all(path.is_file() for path in CORPUS_SPECS)
