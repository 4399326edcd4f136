"""CHANGES.md entries on the real Baseten spec history (tests/fixtures/diff/baseten-*)."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from generator.changelog import (
    Entry,
    OperationCounts,
    auth_change,
    capped,
    newest_entry,
    prepend_entry,
)
from generator.config import config_for_spec, load_config
from generator.diff import Level, diff_specs
from generator.pipeline import generate
from generator.sync.summary import compare_specs
from generator.versioning import Release

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
V0409, V0519, V0608, V0615, V0701 = (
    "baseten-2026-04-09-ffe42f0.json.gz",
    "baseten-2026-05-19-472e42b.json.gz",
    "baseten-2026-06-08-78b4ccc.json.gz",
    "baseten-2026-06-15-5c2cf43.json.gz",
    "baseten-2026-07-01-0c85d1a.json.gz",
)
BASETEN = load_config(Path(__file__).parent.parent / "specs" / "baseten", Path("generated"))


@functools.cache
def spec(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(gzip.decompress((FIXTURES / name).read_bytes()))
    return document


def entry(old: str, new: str, release: Release | None = None) -> Entry:
    changes = diff_specs(spec(old), spec(new))
    return Entry(
        date=new.split("-", 1)[1][:10],
        index_sha256="0" * 64,
        package="baseten_client",
        api_version="1.0.0",
        release=release or Release("1.0.0", None, "initial"),
        operations=OperationCounts.of(
            changes, compare_specs(spec(old), spec(new)).operations_changed
        ),
        spec_changes=tuple(changes),
        auth=auth_change(spec(old), spec(new), BASETEN),
    )


def test_the_api_key_to_bearer_switch_says_what_users_must_change() -> None:
    change = auth_change(spec(V0608), spec(V0615), BASETEN)
    assert change is not None
    # The old client sent the key bare although the spec asked for `Api-Key <key>` ...
    assert change.sent_old == "Authorization: <BASETEN_API_KEY>"
    assert change.sent_new == "Authorization: Bearer <BASETEN_API_KEY>"
    # ... so whoever put `Api-Key <key>` into the variable now sends `Bearer Api-Key <key>`.
    assert "`Api-Key <key>`" in change.advice
    assert "now sends `Bearer Api-Key <key>`" in change.advice
    assert "set `BASETEN_API_KEY` to the bare key" in change.advice
    assert (change.schemes_old, change.schemes_new) == (("ApiKeyAuth",), ("BearerAuth",))
    assert auth_change(spec(V0615), spec(V0701), BASETEN) is None
    text = entry(V0608, V0615).markdown()
    assert "### Authentication" in text and "**What users must change:**" in text


@pytest.mark.parametrize(("old", "new"), [(V0409, V0519), (V0519, V0608), (V0615, V0701)])
def test_operation_counts_agree_with_the_report(old: str, new: str) -> None:
    counts = entry(old, new).operations
    changes = diff_specs(spec(old), spec(new))
    reported = {operation for change in changes for operation in change.operations}
    assert set(counts.changed) <= reported  # every operation counted changed is in the report
    assert not set(counts.docs_only) & reported  # documentation-only edits are counted apart
    added = {change.operation for change in changes if change.rule == "operation-added"}
    assert set(counts.added) == added


def test_0519_counts(tmp_path: Path) -> None:
    counts = entry(V0409, V0519).operations
    assert (len(counts.added), len(counts.removed), len(counts.changed)) == (45, 0, 17)
    assert counts.text() == "45 operations added, 0 removed, 17 changed (5 more: docs only)"


def test_entries_go_newest_first_one_level_below_the_title(tmp_path: Path) -> None:
    changes_file = tmp_path / "CHANGES.md"
    prepend_entry(changes_file, entry(V0409, V0519))
    prepend_entry(changes_file, entry(V0519, V0608))
    text = changes_file.read_text()
    dates = [line for line in text.splitlines() if line.startswith("## ")]
    assert text.startswith("# Upstream changes\n\n## 2026-06-08")
    assert dates == [
        "## 2026-06-08: baseten_client 1.0.0 (API 1.0.0)",
        "## 2026-05-19: baseten_client 1.0.0 (API 1.0.0)",
    ]
    newest = newest_entry(text)
    assert newest == entry(V0519, V0608).markdown()
    # Sections sit one level below the entry: never another `##` inside it.
    assert [line for line in newest.splitlines() if line.startswith("## ")] == [dates[0]]
    assert "### Spec changes" in newest and "#### Breaking (2)" in newest


def test_a_long_entry_is_cut_at_a_line_with_its_details_closed() -> None:
    text = entry(V0409, V0701).markdown()
    body = capped(text, 6000, full_report="the sync-report artifact")
    assert len(body) <= 6000 and len(text) > 6000
    assert body.count("<details>") == body.count("</details>")
    assert body.rstrip().endswith("more lines (the full report: the sync-report artifact).")
    assert text.startswith(body.split("\n\n**Cut here:**")[0].removesuffix("\n\n</details>"))
    assert capped(text, len(text)) == text


def test_client_changes_are_classified_from_the_generated_client(tmp_path: Path) -> None:
    """06-15 -> 07-01: dropping `is_development` from a request body is possibly breaking for
    the HTTP API, but breaking for Python callers who pass it."""
    spec_file = tmp_path / "openapi.json"
    config = config_for_spec(spec_file, tmp_path / "out", "baseten_client")
    for name in (V0615, V0701):
        spec_file.write_text(json.dumps(spec(name)))
        release = generate(config, validate=False, warn=lambda _: None).release
    assert (release.previous, release.version, release.bump) == ("1.0.0", "2.0.0", "major")
    latest = entry(V0615, V0701, release)
    spec_level = {
        c.level for c in latest.spec_changes if "PrepareModelUploadRequestV1.is_dev" in c.text
    }
    client = [c for c in latest.client_changes if "is_development" in c.text]
    assert spec_level == {Level.POSSIBLY_BREAKING}
    assert {c.rule for c in client if c.level is Level.BREAKING} == {
        "client-parameter-removed",
        "client-object-removed",
    }
    text = latest.markdown()
    assert text.startswith("## 2026-07-01: baseten_client 2.0.0 (API 1.0.0)\n")
    assert "- Client: baseten_client 1.0.0 -> 2.0.0 (major), API version 1.0.0" in text
    assert text.index("### Client changes") < text.index("### Spec changes")
    assert latest.to_json()["client"]["breaking"] == sum(
        c.level is Level.BREAKING for c in latest.client_changes
    )
