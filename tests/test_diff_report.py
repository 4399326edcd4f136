"""Report formats, --fail-on, and reading specs from git revisions."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.diff import (
    FORMATS,
    Change,
    diff_specs,
    load_revision,
    load_spec_source,
    render,
    should_fail,
)
from generator.diff.locate import locator
from generator.errors import InputError

HOSTILE = "evil|name<img src=x>`code`\n@team [link](http://x)"


def spec(properties: dict[str, Any], *, paths: tuple[str, ...] = ("/pets",)) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}
    item = {"get": {"responses": {"200": {"description": "ok", "content": content}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {path: item for path in paths},
        "components": {"schemas": {"Pet": {"type": "object", "properties": properties}}},
    }


@pytest.fixture
def changes() -> list[Change]:
    old = spec({"name": {"type": "string"}, HOSTILE: {"type": "string"}}, paths=("/pets", "/old"))
    old["components"]["schemas"]["Pet"]["required"] = [HOSTILE]
    new = spec(
        {"name": {"type": "string", "enum": ["a"]}, "age": {"type": "integer"}},
        paths=("/pets", "/new"),
    )
    return diff_specs(old, new)


def test_text_report_groups_by_level_with_a_summary(changes: list[Change]) -> None:
    text = render(changes)
    lines = text.splitlines()
    assert lines[0] == "5 API changes: 2 breaking, 0 possibly breaking, 3 compatible"
    assert lines[2] == "Breaking (2):"
    assert "  [operation-removed] GET /old: operation removed (old spec #/paths/~1old/get)" in lines
    assert lines.index("Compatible (3):") > lines.index("Breaking (2):")
    # one line per change, even with a newline in a property name
    assert len(lines) == 1 + 2 * 2 + len(changes)
    assert render([]) == "No API changes.\n"


def test_markdown_escapes_spec_text(changes: list[Change]) -> None:
    markdown = render(changes, "markdown")
    assert markdown.startswith("## API changes\n")
    assert "### Breaking (2)" in markdown
    assert "| Rule | Operation | Change | Location |" in markdown
    assert "`code`" not in markdown  # backticks from the spec cannot open code spans
    outside_code = "".join(markdown.split("`")[::2])
    assert "<img" not in outside_code  # HTML and links only survive inside code spans
    assert "](" not in outside_code
    for row in (line for line in markdown.splitlines() if line.startswith("| `")):
        # exactly four cells: pipes from the spec are escaped
        assert row.replace("\\|", "").count("|") == 5, row


def test_json_report_has_a_stable_schema(changes: list[Change]) -> None:
    document = json.loads(render(changes, "json"))
    assert document["summary"] == {
        "breaking": 2,
        "possibly-breaking": 0,
        "compatible": 3,
        "total": 5,
    }
    first = document["changes"][0]
    assert set(first) == {
        "id",
        "level",
        "operation",
        "operations",
        "pointer",
        "side",
        "message",
        "text",
        "old",
        "new",
    }
    assert [change["id"] for change in document["changes"]] == [change.rule for change in changes]
    assert render(changes, "json") == render(list(changes), "json")


def test_github_annotations_are_escaped(changes: list[Change]) -> None:
    locate = locator("specs/a,b:c.json", lambda pointer: 7, Path("nowhere"), Path("."))
    lines = render(changes, "github", locate=locate).splitlines()
    assert lines[0].startswith(
        "::error file=specs/a%2Cb%3Ac.json,title=operation-removed::GET /old"
    )
    assert "line=7" not in lines[0]  # the pointer is in the old spec, the file is the new one
    assert any(
        line.startswith("::notice file=specs/a%2Cb%3Ac.json,line=7,title=") for line in lines
    )
    assert (
        lines[-1]
        == "::notice title=apigen diff::5 API changes: 2 breaking, 0 possibly breaking, 3 compatible"
    )
    assert len(lines) == len(changes) + 1
    assert not any("\n" in line or "\r" in line for line in lines)


def test_every_format_renders_and_unknown_ones_are_refused(changes: list[Change]) -> None:
    for fmt in FORMATS:
        assert render(changes, fmt).endswith("\n")
    with pytest.raises(ValueError, match="unknown report format"):
        render(changes, "html")


def test_should_fail(changes: list[Change]) -> None:
    breaking = [change for change in changes if change.level == "breaking"]
    compatible = [change for change in changes if change.level == "compatible"]
    assert should_fail(changes, "breaking")
    assert should_fail(breaking, "possibly-breaking")
    assert not should_fail(compatible, "breaking")
    assert not should_fail(compatible, "possibly-breaking")
    assert not should_fail(changes, None)
    with pytest.raises(ValueError):
        should_fail(changes, "info")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def test_load_revision_reads_files_and_git_revisions(tmp_path: Path) -> None:
    spec_file = tmp_path / "specs" / "openapi.json"
    spec_file.parent.mkdir()
    git(tmp_path, "init", "-q")
    spec_file.write_text('{"v": 1}')
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "one")
    spec_file.write_text('{"v": 2}')
    git(tmp_path, "commit", "-q", "-am", "two")

    assert load_revision(str(spec_file), tmp_path) == (str(spec_file), b'{"v": 2}')
    assert load_revision("HEAD~1:specs/openapi.json", tmp_path) == (
        "HEAD~1:specs/openapi.json",
        b'{"v": 1}',
    )
    loaded = load_spec_source("HEAD~1:specs/openapi.json", tmp_path)
    assert loaded.document == {"v": 1}
    assert loaded.source == "HEAD~1:specs/openapi.json"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("HEAD:specs/missing.json", r"^HEAD:specs/missing.json: .*missing.json"),
        ("nosuchrev:specs/openapi.json", r"^nosuchrev:specs/openapi.json: "),
        ("--output=x:y", r"no such file"),
        ("missing.json", r"^missing.json: no such file"),
    ],
)
def test_load_revision_errors_are_one_line(tmp_path: Path, spec: str, message: str) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "openapi.json").write_text("{}")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "one")
    with pytest.raises(InputError, match=message) as error:
        load_revision(spec, tmp_path)
    assert "\n" not in str(error.value)


def test_one_change_on_many_operations_is_one_line_but_every_instance_in_json() -> None:
    scheme = {
        "type": "oauth2",
        "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": {"r": "", "w": ""}}},
    }

    def jira(scope: str) -> dict[str, Any]:
        operation = {"security": [{"OAuth": [scope]}], "responses": {"200": {"description": "ok"}}}
        return {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {f"/issue{index}": {"get": operation} for index in range(40)},
            "components": {"securitySchemes": {"OAuth": scheme}},
        }

    changes = diff_specs(jira("r"), jira("w"))
    assert len(changes) == 80  # scope added and scope removed, on each of 40 operations
    text = render(changes)
    lines = [line for line in text.splitlines() if line.startswith("  [")]
    assert len(lines) == 2
    added = next(line for line in lines if "security-scope-added" in line)
    assert "GET /issue0, GET /issue1, GET /issue10 and 37 more (40 operations)" in added
    markdown = render(changes, "markdown")
    assert markdown.count("| `security-scope-added` |") == 1
    assert "and 37 more (40 operations)" in markdown
    assert len(json.loads(render(changes, "json"))["changes"]) == 80
