"""The writer gives regenerated packages normal permissions and follows a symlinked output."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.writer import build_package


def _no_format(_: Path) -> None:
    pass


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(root: Path) -> set[tuple[str, int]]:
    return {
        (path.relative_to(root).as_posix(), stat.S_IMODE(path.stat().st_mode))
        for path in [root, *root.rglob("*")]
    }


def test_package_folders_and_files_get_normal_permissions(tmp_path: Path, umask_022: None) -> None:
    destination = tmp_path / "pkg"
    files = {"__init__.py": "x = 1\n", "sub/mod.py": "y = 2\n"}
    for version in ("1", "2"):  # the first build, then a regeneration that swaps in a new tree
        files["__init__.py"] = f"x = {version}\n"
        assert build_package(destination, files, {"v": version}, _no_format, tmp_path / "s")
        for name, mode in _modes(destination):
            path = destination / name
            assert mode == (0o755 if path.is_dir() else 0o644), (name, oct(mode))


def test_symlinked_output_is_updated_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere" / "pkg"
    real.mkdir(parents=True)
    (real / "old.py").write_text("")
    out = tmp_path / "out"
    out.mkdir()
    (out / "pkg").symlink_to(real, target_is_directory=True)

    assert build_package(out / "pkg", {"__init__.py": "x = 1\n"}, {}, _no_format, tmp_path / "s")

    assert (out / "pkg").is_symlink() and (out / "pkg").resolve() == real.resolve()
    assert (real / "__init__.py").read_text() == "x = 1\n" and not (real / "old.py").exists()
    leftovers = [p.name for d in (out, real.parent) for p in d.iterdir() if p.name.startswith(".")]
    assert leftovers == []
