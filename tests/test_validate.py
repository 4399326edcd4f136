"""generator.validate: every problem of a spec, each with a JSON pointer and a line."""

from __future__ import annotations

import json
import socket
import textwrap
from pathlib import Path
from typing import Any

import pytest

from generator.loader import LoadedSpec, load_spec
from generator.validate import ValidationIssue, validate_spec

VALID_30 = """
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getPet
      responses:
        '200':
          description: a pet
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string, nullable: true, default: rex}
        next: {$ref: '#/components/schemas/Pet'}
"""

VALID_31 = """
openapi: 3.1.0
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      responses:
        '200':
          description: pets
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: [string, 'null'], examples: [rex]}
"""


def load(tmp_path: Path, text: str, name: str = "api.yaml") -> LoadedSpec:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return load_spec(path)


def spec_from(document: dict[str, Any]) -> LoadedSpec:
    text = json.dumps(document, indent=2)
    return LoadedSpec(document, "api.json", "0" * 64, text)


@pytest.mark.parametrize("text", [VALID_30, VALID_31])
def test_valid_documents_have_no_issues(tmp_path: Path, text: str) -> None:
    assert validate_spec(load(tmp_path, text)) == []


def test_issue_names_pointer_and_line(tmp_path: Path) -> None:
    spec = load(tmp_path, VALID_30.replace("          description: a pet\n", ""))
    [issue] = validate_spec(spec)
    assert issue.pointer == "/paths/~1pets~1{id}/get/responses/200"
    assert issue.line == 10
    assert issue.message == "'description' is a required property"
    assert (
        str(issue) == f"{spec.source}:10: /paths/~1pets~1{{id}}/get/responses/200: {issue.message}"
    )


def test_dangling_ref_is_reported_at_the_ref(tmp_path: Path) -> None:
    spec = load(
        tmp_path, VALID_31.replace("#/components/schemas/Pet'}", "#/components/schemas/Gone'}")
    )
    [issue] = validate_spec(spec)
    assert issue.pointer == (
        "/paths/~1pets/get/responses/200/content/application~1json/schema/items/$ref"
    )
    assert issue.line == 13
    assert "unresolvable $ref '#/components/schemas/Gone'" in issue.message


def test_all_problems_are_reported_in_document_order(tmp_path: Path) -> None:
    text = """
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /a/{id}:
        get:
          operationId: same
          responses:
            '200': {description: ok}
      /b:
        get:
          operationId: same
          parameters:
            - {name: q, in: qery, schema: {type: integer}}
          responses:
            '200': {description: ok}
      /c:
        get:
          responses:
            '200': {$ref: '#/components/responses/Missing'}
    components:
      schemas:
        S:
          type: object
          properties:
            n: {type: integer, default: not-a-number}
        T: {type: strin}
    """
    issues = validate_spec(load(tmp_path, text))
    assert [(issue.pointer, issue.line, issue.message) for issue in issues] == [
        (
            "/paths/~1a~1{id}/get",
            5,
            "Path parameter 'id' for 'get' operation in '/a/{id}' was not resolved",
        ),
        ("/paths/~1b/get", 10, "Operation ID 'same' for 'get' in '/b' is not unique"),
        (
            "/paths/~1b/get/parameters/0/in",
            13,
            "'qery' is not one of ['path', 'query', 'header', 'cookie']",
        ),
        (
            "/paths/~1c/get/responses/200/$ref",
            19,
            "unresolvable $ref '#/components/responses/Missing': no such location in the document",
        ),
        (
            "/components/schemas/S/properties/n/default",
            25,
            "'not-a-number' is not of type 'integer'",
        ),
        (
            "/components/schemas/T/type",
            26,
            "'strin' is not one of ['array', 'boolean', 'integer', 'number', 'object', 'string']",
        ),
    ]


def test_problem_inside_a_referenced_component_is_located_there() -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/p": {
                "get": {
                    "parameters": [{"$ref": "#/components/parameters/P"}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {
            "parameters": {
                "P": {"name": "p", "in": "query", "schema": {"type": "integer", "default": "x"}}
            }
        },
    }
    spec = spec_from(document)
    [issue] = validate_spec(spec)
    assert issue.pointer == "/components/parameters/P/schema/default"
    assert spec.root_text is not None and issue.line is not None
    assert spec.root_text.splitlines()[issue.line - 1].strip() == '"default": "x"'


def test_one_of_errors_name_the_specific_problem() -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/p": {
                "get": {
                    "parameters": [{"name": "q", "in": "query"}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    [issue] = validate_spec(spec_from(document))
    assert issue.pointer == "/paths/~1p/get/parameters/0"
    assert issue.message == (
        "matches none of the alternatives: 'schema' is a required property; "
        "or 'content' is a required property"
    )


def test_circular_refs_are_reported() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {
            "schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"},
            }
        },
    }
    issues = validate_spec(spec_from(document))
    assert [issue.pointer for issue in issues] == [
        "/components/schemas/A/$ref",
        "/components/schemas/B/$ref",
    ]
    assert issues[0].message == (
        "circular $ref: #/components/schemas/B -> #/components/schemas/A -> #/components/schemas/B"
    )


def test_malformed_parts_do_not_stop_the_validation() -> None:
    # The library's semantic checks raise on such input (KeyError 'name', a tag that is a string).
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/p": {
                "get": {
                    "parameters": [{"in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/q/{id}": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
        "tags": ["not-a-tag-object"],
    }
    issues = validate_spec(spec_from(document))
    assert [(issue.pointer, issue.message) for issue in issues] == [
        ("/paths/~1p/get/parameters/0", "'name' is a required property"),
        (
            "/paths/~1q~1{id}/get",
            "Path parameter 'id' for 'get' operation in '/q/{id}' was not resolved",
        ),
        ("/tags/0", "'not-a-tag-object' is not of type 'object'"),
    ]


def test_unsupported_or_missing_version_is_one_issue() -> None:
    [issue] = validate_spec(spec_from({"swagger": "2.0", "paths": {}}))
    assert (issue.pointer, issue.message) == ("", "unsupported or missing 'openapi' version")
    assert str(issue) == "api.json:1: /: unsupported or missing 'openapi' version"
    [issue] = validate_spec(spec_from({"openapi": "4.0.0"}))
    assert issue.pointer == "/openapi"
    assert issue.message.startswith("unsupported or missing 'openapi' version '4.0.0'")


def test_refs_are_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("validation tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/p": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "https://example.com/s.json"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"S": {"$id": "https://example.com/", "$ref": "other.json"}}},
    }
    messages = [issue.message for issue in validate_spec(spec_from(document))]
    assert any("'https://example.com/s.json' is not internal" in message for message in messages)
    assert any("'other.json' is not internal" in message for message in messages)


def test_issue_count_is_limited() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"schemas": {f"S{n}": {"$ref": f"#/missing/{n}"} for n in range(10)}},
    }
    issues = validate_spec(spec_from(document), max_issues=4)
    assert len(issues) == 4
    assert issues[-1].message == "more issues not shown (stopped after 4)"


def test_issue_without_line_prints_without_it() -> None:
    issue = ValidationIssue("api.yaml", "/a~1b", None, "bad")
    assert str(issue) == "api.yaml: /a~1b: bad"
