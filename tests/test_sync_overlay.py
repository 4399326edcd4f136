"""OpenAPI Overlay 1.0 (generator/sync/overlay.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.errors import InputError
from generator.sync.overlay import apply_overlays, overlay_files, overlays_digest

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "T", "version": "1", "contact": {"name": "a"}},
    "tags": [{"name": "one"}],
    "paths": {
        "/a": {"get": {"summary": "A", "x-internal": True}},
        "/b": {"get": {"summary": "B"}, "post": {"summary": "B2", "x-internal": True}},
    },
}
HEADER = "overlay: 1.0.0\ninfo: {title: test, version: '1'}\nactions:\n"


def write(folder: Path, name: str, actions: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(HEADER + actions)
    return path


def test_update_merges_deeply_and_appends_to_arrays(tmp_path: Path) -> None:
    overlay = write(
        tmp_path,
        "a.yaml",
        "  - target: $.info\n    update: {contact: {email: x@y}, title: New}\n"
        "  - target: $.tags\n    update: {name: two}\n",
    )
    patched, notices = apply_overlays(SPEC, [overlay])
    assert patched["info"] == {
        "title": "New",
        "version": "1",
        "contact": {"name": "a", "email": "x@y"},
    }
    assert patched["tags"] == [{"name": "one"}, {"name": "two"}]
    assert SPEC["info"]["title"] == "T" and notices == []  # the input is not modified


def test_remove_with_a_filter(tmp_path: Path) -> None:
    overlay = write(
        tmp_path, "a.yaml", "  - target: $.paths.*[?@['x-internal'] == true]\n    remove: true\n"
    )
    patched, _ = apply_overlays(SPEC, [overlay])
    assert patched["paths"] == {"/a": {}, "/b": {"get": {"summary": "B"}}}


def test_files_apply_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "overlays"
    write(folder, "20-second.yaml", "  - target: $.info\n    update: {title: second}\n")
    write(folder, "10-first.yaml", "  - target: $.info\n    update: {title: first}\n")
    files = overlay_files(tmp_path)
    assert [path.name for path in files] == ["10-first.yaml", "20-second.yaml"]
    assert apply_overlays(SPEC, files)[0]["info"]["title"] == "second"
    before = overlays_digest(files)
    (folder / "10-first.yaml").write_text(HEADER + "  - target: $.info\n    update: {title: x}\n")
    assert overlays_digest(files) != before


def test_a_target_selecting_nothing_is_a_notice(tmp_path: Path) -> None:
    overlay = write(tmp_path, "a.yaml", "  - target: $.paths['/gone']\n    remove: true\n")
    _, notices = apply_overlays(SPEC, [overlay])
    assert notices == [f"overlay {overlay}: actions[0]: target $.paths['/gone'] selected nothing"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("actions: []\n", "not an Overlay 1.x document"),
        (HEADER + "  - target: $.info\n", "needs 'update' or 'remove: true'"),
        (HEADER + "  - target: $.[\n    remove: true\n", r"actions\[0\]: invalid target"),
        (HEADER + "  - target: $\n    remove: true\n", "cannot remove the whole document"),
        (HEADER + "  - target: $.info.title\n    update: {a: 1}\n", "applies to an object"),
        ("overlay: [1.0.0\n", "invalid YAML"),
    ],
)
def test_invalid_overlays_are_input_errors_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as failure:
        apply_overlays(SPEC, [path])
    assert str(path) in str(failure.value)
