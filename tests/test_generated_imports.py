"""Generated code imports only the standard library, httpx, pydantic and its own package.

Checked on every package this test session generated (the conftest runs this module last,
so the session's temporary folders hold them), on the committed clients, and on packages
generated here from every spec fixture, hostile ones included.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from test_hostile_input import UNUSABLE
from test_hostile_refs import AUDITED_SPEC, CODE_KEYWORDS_SPEC
from test_robustness import ODD_SPEC

from generator.config import config_for_spec
from generator.pipeline import generate
from generator.writer import MANIFEST_NAME

REPO = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
ALLOWED = sys.stdlib_module_names | {"httpx", "pydantic"}


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Import statements that run: those under `if TYPE_CHECKING:` only serve type checkers."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return sorted(found, key=lambda node: node.lineno)


def foreign_imports(package_dir: Path) -> list[str]:
    """ "file:line module" for each import of a module outside ALLOWED and the package."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        for node in _runtime_imports(ast.parse(path.read_bytes(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif node.level == 0:
                modules = [node.module or ""]
            else:
                continue  # relative imports stay inside the package
            for module in modules:
                top = module.split(".")[0]
                if top not in ALLOWED and top != package_dir.name:
                    found.append(f"{path}:{node.lineno} {module}")
    return found


def _packages_below(root: Path) -> list[Path]:
    return sorted(manifest.parent for manifest in root.rglob(MANIFEST_NAME))


@pytest.fixture(scope="module")
def fixture_packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Packages generated from every spec fixture and hostile spec of the tests."""
    out = tmp_path_factory.mktemp("import-allowlist")
    specs = [*sorted((FIXTURES / "specs").glob("*.yaml")), FIXTURES / "prism" / "petstore-3.1.json"]
    texts = {"odd.yaml": ODD_SPEC, "audited.yaml": AUDITED_SPEC, "code.yaml": CODE_KEYWORDS_SPEC}
    for name, text in texts.items():
        path = out / name
        path.write_text(text.replace("{server}", "http://127.0.0.1:9").replace("{secret}", "/x"))
        specs.append(path)
    (out / "local.yaml").write_text("Local: {type: object}\n")  # a file AUDITED_SPEC refers to
    patterns = out / "patterns.yaml"
    lines = [
        f"    p{index}: {{type: string, pattern: '{pattern}'}}"
        for index, pattern in enumerate(UNUSABLE.values())
    ]
    patterns.write_text(
        "openapi: 3.1.0\ninfo: {title: P, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        "    P:\n      type: object\n      properties:\n"
        + "\n".join("  " + line for line in lines)
        + "\n"
    )
    specs.append(patterns)
    packages = []
    for index, spec in enumerate(specs):
        config = config_for_spec(spec, out / f"out{index}", f"client{index}")
        generate(config, lenient=True, warn=lambda _: None)
        packages.append(out / f"out{index}" / f"client{index}")
    return packages


def test_fixture_and_hostile_packages_import_only_the_allowlist(
    fixture_packages: list[Path],
) -> None:
    assert len(fixture_packages) >= 7
    assert [found for package in fixture_packages for found in foreign_imports(package)] == []


def test_committed_clients_import_only_the_allowlist() -> None:
    packages = _packages_below(REPO / "generated")
    assert "baseten_client" in [package.name for package in packages]
    assert [found for package in packages for found in foreign_imports(package)] == []


def test_every_package_generated_in_this_session_imports_only_the_allowlist(
    tmp_path_factory: pytest.TempPathFactory, fixture_packages: list[Path]
) -> None:
    packages = _packages_below(tmp_path_factory.getbasetemp())
    assert set(fixture_packages) <= set(packages)
    assert [found for package in packages for found in foreign_imports(package)] == []


def test_the_check_finds_a_foreign_import(tmp_path: Path) -> None:
    package = tmp_path / "client"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import os\nimport httpx\nfrom . import models\nfrom client import x\nimport evil.sub\n"
        "def f():\n    from requests import get\n"
    )
    assert [line.split()[-1] for line in foreign_imports(package)] == ["evil.sub", "requests"]
