"""Hostile references: nothing a spec says makes apigen (or the libraries it drives) read a
file outside the spec's folder, open a socket, or generate code that imports what it names."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.local_server import LocalServer

from generator.cli import main

SPEC_HEAD = """\
openapi: 3.1.0
info: {title: Refs, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/A"}
"""


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A server on 127.0.0.1 that records whether anything contacted it."""
    local = LocalServer()
    local.start()
    yield local
    local.stop()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the spec's folder whose content must never reach the output."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir()
    path.write_text("type: object\nproperties:\n  secret_field_xyz: {type: string}\n")
    return path


# (schemas text, JSON pointer the refusal names); {server} and {secret} are filled in.
REFUSED = {
    "dynamicRef to a file": (
        """
    A:
      type: object
      properties:
        b: {$dynamicRef: "file://{secret}"}
""",
        "/components/schemas/A/properties/b/$dynamicRef",
    ),
    "dynamicRef to a URL": (
        """
    A:
      type: object
      properties:
        b: {$dynamicRef: "{server}/x.json"}
""",
        "/components/schemas/A/properties/b/$dynamicRef",
    ),
    "recursiveRef to a URL": (
        """
    A:
      type: object
      properties:
        b: {$recursiveRef: "{server}/x.json#"}
""",
        "/components/schemas/A/properties/b/$recursiveRef",
    ),
    "dynamicRef to a relative file": (
        """
    A:
      type: object
      properties:
        b: {$dynamicRef: "../outside/secret.yaml"}
""",
        "/components/schemas/A/properties/b/$dynamicRef",
    ),
    "ref to an anchor": (
        """
    A:
      type: object
      properties:
        b: {$ref: "#node"}
    B: {$anchor: node, type: string}
""",
        "/components/schemas/A/properties/b/$ref",
    ),
    "dynamicRef to a dynamic anchor": (
        """
    A:
      $dynamicAnchor: meta
      type: object
      properties:
        b: {$dynamicRef: "#meta"}
""",
        "/components/schemas/A/properties/b/$dynamicRef",
    ),
    "id rebasing refs onto a URL": (
        """
    A:
      $id: "{server}/base/a.json"
      type: object
      properties:
        b: {$ref: "#/components/schemas/B"}
    B: {type: string}
""",
        "/components/schemas/A/$id",
    ),
    "ref into example data": (
        """
    A:
      type: object
      properties:
        b: {$ref: "#/components/schemas/B/example"}
    B:
      type: object
      example: {type: object, customTypePath: evil_module.Evil}
""",
        "/components/schemas/A/properties/b/$ref",
    ),
    "ref into an extension": (
        """
    A:
      type: object
      properties:
        b: {$ref: "#/components/schemas/B/x-evil"}
    B:
      type: object
      x-evil: {$dynamicRef: "file://{secret}"}
""",
        "/components/schemas/A/properties/b/$ref",
    ),
    "discriminator mapping into an extension": (
        """
    A:
      type: object
      properties:
        kind: {type: string}
      discriminator:
        propertyName: kind
        mapping: {evil: "#/components/schemas/A/x-evil"}
      x-evil: {$ref: "file://{secret}"}
""",
        "/components/schemas/A/discriminator/mapping/evil",
    ),
}


def _spec(tmp_path: Path, schemas: str, **values: str) -> Path:
    folder = tmp_path / "spec"
    folder.mkdir(exist_ok=True)
    text = SPEC_HEAD + "components:\n  schemas:" + schemas
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    path = folder / "openapi.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("case", sorted(REFUSED))
@pytest.mark.parametrize("command", ["generate", "generate --lenient", "validate"])
def test_reference_outside_the_document_is_refused_with_its_pointer(
    case: str,
    command: str,
    tmp_path: Path,
    server: LocalServer,
    secret: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    schemas, pointer = REFUSED[case]
    spec = _spec(tmp_path, schemas, server=server.url, secret=str(secret))
    out = tmp_path / "out"
    args = [*command.split(), str(spec)]
    if command.startswith("generate"):
        args = [*command.split(), "--spec", str(spec), "--output", str(out), "--package", "p"]

    assert main(args) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("apigen: error: "), err
    assert f"{spec}:" in err and f": {pointer}: " in err
    assert server.requests == []
    assert not out.exists()


def test_references_inside_the_document_are_followed(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        """
    A:
      type: object
      properties:
        again: {$recursiveRef: "#"}
        b: {$dynamicRef: "#/components/schemas/B"}
        c: {$ref: "#/components/schemas/B"}
    B: {type: object, properties: {name: {type: string}}}
""",
    )
    out = tmp_path / "out"
    assert main(["generate", "--spec", str(spec), "--output", str(out), "--package", "p"]) == 0
    assert "class B(BaseModel)" in (out / "p" / "types.py").read_text()


# Everything a spec can say that names a file, a URL or Python code, but in the places the
# policy lets through (example data, a dropped discriminator mapping, ids and anchors nothing
# refers to by name, server and docs URLs), plus a local file ref inside the spec's folder.
AUDITED_SPEC = """\
openapi: 3.1.0
info: {title: Audited, version: "1", termsOfService: "{server}/tos"}
externalDocs: {url: "{server}/docs"}
servers: [{url: "{server}/api"}]
paths:
  /nodes:
    post:
      operationId: createNode
      parameters:
        - name: q
          in: query
          schema: {type: string, format: uri, default: "file://{secret}"}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Node"}
            example: {$ref: "file://{secret}", $dynamicRef: "{server}/example.json"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "local.yaml#/Local"}
components:
  schemas:
    Node:
      $schema: "{server}/meta.json"
      $dynamicAnchor: node
      $anchor: node-anchor
      id: "{server}/draft4-id.json"
      type: object
      properties:
        child: {$recursiveRef: "#"}
        sibling: {$dynamicRef: "#/components/schemas/Node"}
        plugin: {type: object, customTypePath: evil_module.Evil, x-python-import: {module: evil_module}}
        kind: {type: string}
        link: {type: string, format: uri, examples: ["{server}/link"]}
      discriminator:
        propertyName: kind
        mapping: {file: "file://{secret}", url: "{server}/kind.yaml", local: "#/components/schemas/Node"}
      x-python-type: evil_module.Evil
      example: {$ref: "file://{secret}"}
"""

AUDIT_SCRIPT = """\
import json, os, sys

import mimetypes
from urllib.parse import unquote, urlsplit

# mimetypes' system tables: urllib reads them when a library opens its bundled file:// schema.
allowed = [os.path.realpath(p) for p in [*json.loads(sys.argv[1]), *mimetypes.knownfiles]]
violations = []

def check_path(event, name):
    path = os.path.realpath(os.fsdecode(name))
    if not any(path == root or path.startswith(root + os.sep) for root in allowed):
        violations.append(f"{event} {path}")

def audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        check_path(event, args[0])
    elif event == "urllib.Request" and urlsplit(args[0]).scheme == "file":
        check_path(event, unquote(urlsplit(args[0]).path))
    elif event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        violations.append(f"{event} {args!r}")

sys.addaudithook(audit)
from generator.cli import main
code = main(sys.argv[2:])
print(json.dumps({"code": code, "violations": violations}))
"""


# The attacks of REFUSED that reach the file system and the network when not refused.
FOLLOWED_SPEC = (
    SPEC_HEAD
    + """\
components:
  schemas:
    A:
      type: object
      properties:
        b: {$dynamicRef: "file://{secret}"}
        c: {$dynamicRef: "{server}/x.json"}
"""
)


@pytest.mark.parametrize(("spec_text", "exit_code"), [(AUDITED_SPEC, 0), (FOLLOWED_SPEC, 3)])
def test_generation_reads_no_file_outside_its_folders_and_opens_no_socket(
    spec_text: str, exit_code: int, tmp_path: Path, server: LocalServer, secret: Path
) -> None:
    spec = _spec(tmp_path, "")
    spec.write_text(spec_text.replace("{server}", server.url).replace("{secret}", str(secret)))
    (spec.parent / "local.yaml").write_text(
        "Local: {type: object, properties: {x: {type: integer}}}\n"
    )
    out = tmp_path / "out"
    # The spec's folder, the output, and the Python installation and virtualenv (imports);
    # the apigen checkout too (generator/ and templates/), which is where its code comes from.
    repo = Path(__file__).resolve().parent.parent
    allowed = [
        spec.parent, out, sys.prefix, sys.base_prefix, sys.exec_prefix, repo / "generator",
        repo / "templates", "/dev/null",
    ]  # fmt: skip
    command = ["generate", "--lenient", "--spec", str(spec), "--output", str(out), "--package", "p"]
    result = subprocess.run(
        [sys.executable, "-c", AUDIT_SCRIPT, json.dumps([str(p) for p in allowed]), *command],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"code": exit_code, "violations": []}, result.stderr
    assert server.requests == []
    generated = "".join(path.read_text() for path in out.rglob("*.py"))
    assert "secret_field_xyz" not in generated and "evil_module" not in generated


CODE_KEYWORDS_SPEC = """\
openapi: 3.1.0
info: {title: Code, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      parameters:
        - {name: q, in: query, schema: {type: string, customTypePath: evil_module.Evil}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              customBasePath: evil_module.Base
              properties:
                inline: {type: object, customTypePath: evil_module.Evil}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      customBasePath: [evil_module.Base]
      x-is-base-class: true
      properties:
        a: {type: object, customTypePath: evil_module.Evil}
        b: {type: array, items: {type: object, x-python-type: evil_module.Evil}}
        c: {allOf: [{type: object, x-python-import: {module: evil_module, name: Evil}}]}
        d: {$ref: "#/components/schemas/Thing/$defs/Inner"}
        e: {$ref: "#/components/schemas/Thing/unknownKeyword"}
        f: {type: object, additionalProperties: {type: object, customTypePath: evil_module.Evil}}
        g: {type: string, x-is-classvar: true}
      $defs:
        Inner: {type: object, customTypePath: evil_module.Evil}
      unknownKeyword: {type: object, customBasePath: evil_module.Base, customTypePath: evil_module.Evil}
"""


def test_code_keywords_anywhere_cannot_make_the_client_import_anything(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "")
    spec.write_text(CODE_KEYWORDS_SPEC)
    out = tmp_path / "out"
    marker = tmp_path / "imported"
    evil = f"open({str(marker)!r}, 'w').close()\nclass Evil: pass\nclass Base: pass\n"
    for folder in (spec.parent, out):
        folder.mkdir(exist_ok=True)
        (folder / "evil_module.py").write_text(evil)
    assert (
        main(["generate", "--lenient", "--spec", str(spec), "--output", str(out), "--package", "p"])
        == 0
    )

    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name) or ""
        for path in (out / "p").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert not [name for name in imported if "evil" in name]
    models = (out / "p" / "types.py").read_text()
    assert "evil_module" not in models and "ClassVar" not in models
    result = subprocess.run(
        [sys.executable, "-c", "import p, p.types; print(sorted(p.types.__dict__))"],
        cwd=out, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


def test_models_importing_other_code_are_refused() -> None:
    from generator.errors import GenerationError
    from generator.modelgen import _check_models_imports

    _check_models_imports("from __future__ import annotations\nfrom pydantic import BaseModel\n")
    for source in (
        "import evil_module\n",
        "from evil_module import Evil\n",
        "from re import compile\n",
        "from pydantic import ConfigDict\nC = ConfigDict(regex_engine='python-re')\n",
    ):
        with pytest.raises(GenerationError):
            _check_models_imports(textwrap.dedent(source))
