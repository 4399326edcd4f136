"""The generated package installs with pip (as apps do from a git subdirectory), extras and all."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent
PACKAGE = REPO / "generated" / "baseten_client"


def test_generated_package_installs_with_pip_and_imports_from_site_packages(
    tmp_path: Path,
) -> None:
    source = tmp_path / "checkout" / "baseten_client"
    shutil.copytree(PACKAGE, source)  # pip builds in place: keep generated/ clean
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--target", str(site), str(source)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    probe = (
        "import json, importlib.metadata as m, baseten_client\n"
        "from baseten_client import Baseten\n"
        "meta = m.metadata('baseten-client')\n"
        "print(json.dumps({'file': baseten_client.__file__, 'version': m.version('baseten-client'),\n"
        "    'extras': meta.get_all('Provides-Extra'), 'requires': meta.get_all('Requires-Dist'),\n"
        "    'push': callable(Baseten(api_key='k').models.push)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["file"] == str(site / "baseten_client" / "__init__.py")
    version_file = (PACKAGE / "_version.py").read_text()
    assert f'__version__ = "{found["version"]}"' in version_file
    assert found["push"] is True and found["extras"] == ["push"]
    assert any(r.startswith("boto3") and 'extra == "push"' in r for r in found["requires"])
    assert any(r.startswith("httpx") for r in found["requires"])
    for shipped in ("py.typed", "extensions/push.py", "resources/models.py"):
        assert (site / "baseten_client" / shipped).is_file()
