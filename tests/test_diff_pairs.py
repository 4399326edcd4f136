"""bench/diff_pairs.py reads oasdiff's test suite right (on a small fake of its layout)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.diff_pairs import known_pairs, main

RULES_GO = """
func GetAllRules() BackwardCompatibilityRules {
	return BackwardCompatibilityRules{
		newBackwardCompatibilityRule(APIRemovedWithoutDeprecationId, ERR, APIRemovedCheck),
		newBackwardCompatibilityRule(EndpointAddedId, INFO, APIAddedCheck),
	}
}
"""
IDS_GO = """
const (
	APIRemovedWithoutDeprecationId = "api-removed-without-deprecation"
	EndpointAddedId = "endpoint-added"
)
"""
TEST_GO = """
func TestRemoved(t *testing.T) {
	s1, err := open("../data/one.yaml")
	require.NoError(t, err)
	s2, err := open("../data/none.yaml")
	require.NoError(t, err)
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	errs := checker.CheckBackwardCompatibility(allChecksConfig(), d, osm)
	requireSingleChange(t, errs, checker.APIRemovedWithoutDeprecationId)

	d, osm, err = diff.GetWithOperationsSourcesMap(diff.NewConfig(), s2, s1)
	errs = checker.CheckBackwardCompatibilityUntilLevel(allChecksConfig(), d, osm, checker.INFO)
	require.Equal(t, checker.ApiChange{Id: checker.EndpointAddedId}, errs[0])
}

func TestEdited(t *testing.T) {
	s1, err := open("../data/one.yaml")
	s2, err := open("../data/one.yaml")
	s2.Spec.Paths.Value("/a").Get = nil
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	require.Empty(t, errs)
}
"""


def fake_oasdiff(root: Path) -> Path:
    (root / "checker").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "checker" / "rules.go").write_text(RULES_GO)
    (root / "checker" / "ids.go").write_text(IDS_GO)
    (root / "checker" / "removed_test.go").write_text(TEST_GO)
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    (root / "data" / "none.yaml").write_text(yaml.safe_dump(spec))
    spec["paths"] = {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}
    (root / "data" / "one.yaml").write_text(yaml.safe_dump(spec))
    return root


def test_pairs_and_their_verdicts_come_from_the_go_tests(tmp_path: Path) -> None:
    root = fake_oasdiff(tmp_path / "oasdiff")
    pairs = {(pair.base.name, pair.revision.name): pair for pair in known_pairs(root)}
    # the test that edits a loaded spec in Go code gives no file pair
    assert set(pairs) == {("one.yaml", "none.yaml"), ("none.yaml", "one.yaml")}
    assert pairs["one.yaml", "none.yaml"].breaking
    assert not pairs["none.yaml", "one.yaml"].breaking
    assert pairs["none.yaml", "one.yaml"].all_checks


def test_the_measurement_prints_both_shares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fake_oasdiff(tmp_path / "oasdiff")
    assert main(["--oasdiff", str(root)]) == 0
    out = capsys.readouterr().out
    assert "breaking pairs reported breaking: 1/1 = 100.0%" in out
    assert "compatible pairs reported breaking: 0/1 = 0.0%" in out
