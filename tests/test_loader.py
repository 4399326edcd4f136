"""generator.loader: safe parsing of JSON/YAML specs and bundling of local file refs."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from generator.errors import InputError
from generator.loader import (
    PointerNotFound,
    json_pointer,
    load_spec,
    parse_document,
    pointer_parts,
    resolve_pointer,
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def all_refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return own + [ref for item in value.values() for ref in all_refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in all_refs(item)]
    return []


# --- parsing ---------------------------------------------------------------------------------


def test_dates_stay_strings() -> None:
    document = parse_document(
        "info:\n  version: 2026-07-01\n  at: !!timestamp 2026-07-01\n", "s.yaml"
    )
    assert document["info"] == {"version": "2026-07-01", "at": "2026-07-01"}


def test_keys_that_look_like_other_types_keep_their_text() -> None:
    document = parse_document("200: ok\non: push\nyes: y\n~: none\n1.5: f\nflag: yes\n", "s.yaml")
    assert document == {
        "200": "ok",
        "on": "push",
        "yes": "y",
        "~": "none",
        "1.5": "f",
        "flag": True,
    }


def test_duplicate_key_is_an_error_naming_its_line() -> None:
    with pytest.raises(
        InputError,
        match=r"^s\.yaml:4:1: invalid YAML: duplicate key 'a' \(first defined on line 2\)$",
    ):
        parse_document("x: 0\na: 1\nb: 2\na: 3\n", "s.yaml")
    with pytest.raises(InputError, match=r"^s\.json:3:3: invalid JSON: duplicate key 'a'"):
        parse_document('{\n  "a": 1,\n  "a": 2\n}', "s.json")


def test_merge_keys_may_be_overridden_and_aliases_are_not_shared() -> None:
    document = parse_document("base: &b {x: [1], y: 2}\nd:\n  <<: *b\n  y: 3\n", "s.yaml")
    assert document["d"] == {"x": [1], "y": 3}
    document["d"]["x"].append(2)  # a YAML alias must not make two places one object
    assert document["base"]["x"] == [1]


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    with pytest.raises(
        InputError, match=r"^bomb\.yaml: too many YAML aliases \(possible alias bomb\)$"
    ):
        parse_document("\n".join(lines), "bomb.yaml")


def test_too_many_alias_uses_and_recursive_aliases_are_refused() -> None:
    with pytest.raises(InputError, match="too many YAML aliases"):
        parse_document("x: &x 1\nl: [" + ", ".join(["*x"] * 10_001) + "]\n", "s.yaml")
    with pytest.raises(InputError, match=r"^s\.yaml:1: recursive YAML alias"):
        parse_document("x: &x [*x]\n", "s.yaml")


def test_invalid_yaml_names_file_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_document("openapi: 3.0.3\ninfo:\n  title: a: b\n", "specs/x.yaml")
    assert (
        str(caught.value)
        == "specs/x.yaml:3:11: invalid YAML: mapping values are not allowed in this context"
    )


def test_invalid_json_names_file_line_and_column() -> None:
    with pytest.raises(InputError, match=r"^x\.json:2:10: invalid JSON: Expecting ',' delimiter$"):
        parse_document('{"a": 1,\n "b": [1 2]}', "x.json")


def test_json_is_detected_by_content_and_yaml_flow_mappings_still_load() -> None:
    assert parse_document('{"openapi": "3.1.0"}', "spec.txt") == {"openapi": "3.1.0"}
    assert parse_document("{openapi: 3.1.0, tags: [a]}", "spec.yaml") == {
        "openapi": "3.1.0",
        "tags": ["a"],
    }


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("- a\n- b\n", "a list"),
        ("just text", "a string"),
        ("", "an empty document"),
        ("[1]", "a list"),
    ],
)
def test_root_must_be_a_mapping(text: str, found: str) -> None:
    with pytest.raises(
        InputError, match=f"^s.yaml: the document root must be a mapping .*found {found}"
    ):
        parse_document(text, "s.yaml")


def test_non_utf8_input_is_refused() -> None:
    with pytest.raises(InputError, match=r"^s\.yaml:2: not UTF-8 text \(byte 0xff at offset 8\)$"):
        parse_document(b"a: 1\nb: \xff\n", "s.yaml")


def test_types_without_json_equivalent_are_refused() -> None:
    with pytest.raises(
        InputError, match=r"^s\.yaml:1:4: invalid YAML: .*binary has no JSON equivalent"
    ):
        parse_document("a: !!binary aGVsbG8=\n", "s.yaml")


# --- load_spec -------------------------------------------------------------------------------


def test_load_spec_reports_source_hash_and_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "api.yaml",
        """
        openapi: 3.0.3
        info:
          title: t
          version: '1'
        paths:
          /pets:
            get:
              responses:
                '200':
                  description: ok
        """,
    )
    spec = load_spec(path)
    assert spec.source == str(path)
    assert spec.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert spec.line_of("") == 1
    assert spec.line_of("/info/version") == 4
    assert spec.line_of("/paths/~1pets/get/responses/200") == 9
    assert spec.line_of("#/paths/~1pets/get/responses/200/description") == 10
    # A missing key: the line of its deepest existing parent.
    assert spec.line_of("/paths/~1pets/get/responses/200/content/x") == 9
    assert spec.line_of("/nothing/here") == 1


def test_line_of_in_json_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text('{\n\t"openapi": "3.1.0",\n\t"paths": {\n\t\t"/a": {}\n\t}\n}\n')
    spec = load_spec(path)
    assert spec.line_of("/paths/~1a") == 4


def test_size_limit_is_checked_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yaml", "openapi: 3.0.3\ndescription: " + "x" * 200 + "\n")
    with pytest.raises(
        InputError, match=r"big\.yaml: file too large \(2\d\d bytes\): the limit is 100 bytes"
    ):
        load_spec(path, max_bytes=100)


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.yaml: cannot read"):
        load_spec(tmp_path / "missing.yaml")


def test_internal_refs_are_left_alone_even_dangling_or_cyclic(tmp_path: Path) -> None:
    document = {
        "openapi": "3.1.0",
        "components": {
            "schemas": {
                "Node": {"properties": {"next": {"$ref": "#/components/schemas/Node"}}},
                "Bad": {"$ref": "#/components/schemas/Missing"},
            }
        },
    }
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document))
    assert load_spec(path).document == document


# --- bundling of local file refs -------------------------------------------------------------


def make_multi_file_spec(folder: Path) -> Path:
    write(
        folder,
        "schemas/pet.yaml",
        """
        Pet:
          type: object
          properties:
            owner: {$ref: './owner.yaml'}
            tags:
              type: array
              items: {$ref: '#/Tag'}
        Tag:
          type: string
        """,
    )
    write(
        folder,
        "schemas/owner.yaml",
        """
        type: object
        properties:
          pets:
            type: array
            items: {$ref: 'pet.yaml#/Pet'}
          home: {$ref: '../api.yaml#/components/schemas/Address'}
        """,
    )
    write(
        folder,
        "common.yaml",
        """
        limit:
          name: limit
          in: query
          schema: {type: integer}
        Error:
          description: an error
          content:
            application/json:
              schema: {$ref: 'schemas/pet.yaml#/Tag'}
        """,
    )
    write(
        folder,
        "paths/pets.yaml",
        """
        get:
          parameters:
            - $ref: '../common.yaml#/limit'
          responses:
            '200':
              description: the pets
              content:
                application/json:
                  schema: {$ref: '../schemas/pet.yaml#/Pet'}
            default: {$ref: '../common.yaml#/Error'}
        """,
    )
    return write(
        folder,
        "api.yaml",
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /pets: {$ref: 'paths/pets.yaml'}
        components:
          schemas:
            Address: {type: string}
            Pet: {type: integer}
        """,
    )


def test_local_file_refs_are_bundled_into_components(tmp_path: Path) -> None:
    document = load_spec(make_multi_file_spec(tmp_path)).document

    assert all(ref.startswith("#/components/") for ref in all_refs(document))
    operation = document["paths"]["/pets"]["get"]  # a path item ref is inlined
    assert operation["parameters"] == [{"$ref": "#/components/parameters/limit"}]
    assert operation["responses"]["default"] == {"$ref": "#/components/responses/Error"}
    ok_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    # The root already has a different "Pet": the bundled one gets a numbered name.
    assert ok_schema == {"$ref": "#/components/schemas/Pet_2"}

    components = document["components"]
    assert components["parameters"]["limit"]["name"] == "limit"
    schemas = components["schemas"]
    assert schemas["Pet"] == {"type": "integer"}
    assert schemas["Pet_2"]["properties"]["owner"] == {"$ref": "#/components/schemas/owner"}
    assert schemas["Pet_2"]["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert schemas["Tag"] == {"type": "string"}
    # owner.yaml -> pet.yaml#/Pet -> owner.yaml is a cycle between files: it ends.
    assert schemas["owner"]["properties"]["pets"]["items"] == {"$ref": "#/components/schemas/Pet_2"}
    # A ref from another file back into the root file becomes an internal ref.
    assert schemas["owner"]["properties"]["home"] == {"$ref": "#/components/schemas/Address"}
    assert components["responses"]["Error"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Tag"
    }


def test_bundling_is_deterministic(tmp_path: Path) -> None:
    path = make_multi_file_spec(tmp_path)
    assert json.dumps(load_spec(path).document) == json.dumps(load_spec(path).document)


def test_cycle_between_two_files_terminates(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "A:\n  properties:\n    b: {$ref: 'b.yaml#/B'}\n")
    write(tmp_path, "b.yaml", "B:\n  properties:\n    a: {$ref: 'a.yaml#/A'}\n")
    root = write(
        tmp_path,
        "api.yaml",
        "openapi: 3.1.0\ncomponents:\n  schemas:\n    Root: {$ref: 'a.yaml#/A'}\n",
    )
    schemas = load_spec(root).document["components"]["schemas"]
    assert schemas["Root"] == {"$ref": "#/components/schemas/A"}
    assert schemas["A"]["properties"]["b"] == {"$ref": "#/components/schemas/B"}
    assert schemas["B"]["properties"]["a"] == {"$ref": "#/components/schemas/A"}


def test_ref_leaving_the_spec_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "outside.yaml", "type: string\n")
    root = write(
        tmp_path / "spec",
        "api.yaml",
        "openapi: 3.1.0\ncomponents:\n  schemas:\n    X: {$ref: '../outside.yaml'}\n",
    )
    with pytest.raises(
        InputError,
        match=r"api\.yaml:4: \$ref leaves the spec's folder: \.\./outside\.yaml at /components/schemas/X/\$ref",
    ):
        load_spec(root)


def test_symlink_leaving_the_spec_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "secret.yaml", "type: string\n")
    root = write(tmp_path / "spec", "api.yaml", "openapi: 3.1.0\nx: {$ref: 'link.yaml'}\n")
    (tmp_path / "spec" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(InputError, match=r"leaves the spec's folder: link\.yaml at /x/\$ref"):
        load_spec(root)


@pytest.mark.parametrize("ref", ["https://example.com/s.yaml#/S", "http://h/x", "//host/s.yaml"])
def test_remote_ref_is_refused_not_fetched(tmp_path: Path, ref: str) -> None:
    root = write(
        tmp_path,
        "api.yaml",
        f"openapi: 3.1.0\ncomponents:\n  schemas:\n    S:\n      $ref: '{ref}'\n",
    )
    expected = f"remote $ref not allowed: {ref} at /components/schemas/S/$ref (apigen only follows local refs)"
    with pytest.raises(InputError) as caught:
        load_spec(root)
    assert str(caught.value) == f"{root}:5: {expected}"


def test_remote_ref_in_another_file_names_that_file(tmp_path: Path) -> None:
    write(tmp_path, "other.yaml", "S:\n  items:\n    $ref: 'https://example.com/x'\n")
    root = write(
        tmp_path,
        "api.yaml",
        "openapi: 3.1.0\ncomponents: {schemas: {S: {$ref: 'other.yaml#/S'}}}\n",
    )
    with pytest.raises(
        InputError,
        match=r"other\.yaml:3: remote \$ref not allowed: https://example\.com/x at /S/items/\$ref",
    ):
        load_spec(root)


def test_ref_like_data_in_examples_is_left_alone(tmp_path: Path) -> None:
    text = """
    openapi: 3.1.0
    components:
      schemas:
        User:
          type: object
          example: {$ref: 'https://example.com/users/1'}
          x-note: {$ref: 'https://example.com/doc'}
    """
    root = write(tmp_path, "api.yaml", text)
    user = load_spec(root).document["components"]["schemas"]["User"]
    assert user["example"] == {"$ref": "https://example.com/users/1"}


def test_missing_ref_file_and_target_are_input_errors(tmp_path: Path) -> None:
    write(tmp_path, "common.yaml", "A: {type: string}\n")
    root = write(tmp_path, "api.yaml", "openapi: 3.1.0\nx: {$ref: 'nope.yaml'}\n")
    with pytest.raises(InputError, match=r"\$ref to a missing file: nope\.yaml at /x/\$ref"):
        load_spec(root)
    root = write(tmp_path, "api.yaml", "openapi: 3.1.0\nx: {$ref: 'common.yaml#/B'}\n")
    with pytest.raises(InputError, match=r"\$ref target not found: common\.yaml#/B at /x/\$ref"):
        load_spec(root)


def test_referenced_files_count_towards_the_size_limit(tmp_path: Path) -> None:
    write(tmp_path, "big.yaml", "description: " + "x" * 300 + "\n")
    root = write(tmp_path, "api.yaml", "openapi: 3.1.0\nx: {$ref: 'big.yaml'}\n")
    with pytest.raises(InputError, match=r"big\.yaml: file too large"):
        load_spec(root, max_bytes=200)


# --- JSON pointers ---------------------------------------------------------------------------


def test_resolve_pointer_unescapes_and_percent_decodes() -> None:
    document = {"paths": {"/a/{id}": {"get": 1}}, "m~n": [10, {"a b": 2}]}
    assert resolve_pointer(document, "/paths/~1a~1{id}/get") == 1
    assert resolve_pointer(document, "#/paths/~1a~1%7Bid%7D/get") == 1
    assert resolve_pointer(document, "/m~0n/1/a b") == 2
    assert resolve_pointer(document, "#/m~0n/1/a%20b") == 2
    assert resolve_pointer(document, "") is document
    assert resolve_pointer(document, "#") is document
    for missing in (
        "/nope",
        "/m~0n/2",
        "/m~0n/01",
        "/m~0n/-",
        "/paths/~1a~1{id}/get/x",
        "no-slash",
    ):
        with pytest.raises(PointerNotFound):
            resolve_pointer(document, missing)


def test_json_pointer_round_trip() -> None:
    parts = ("paths", "/a/{id}", "m~n", "0")
    assert json_pointer(parts) == "/paths/~1a~1{id}/m~0n/0"
    assert pointer_parts(json_pointer(parts)) == parts
    assert json_pointer(()) == ""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("api.json", '{"openapi": "3.1.0", "x": {"\\u0024ref": "https://example.com/x"}}'),
        ("api.yaml", 'openapi: 3.1.0\nx: {"\\x24ref": "https://example.com/x"}\n'),
    ],
)
def test_escaped_ref_keys_are_still_seen(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError, match="remote \\$ref not allowed"):
        load_spec(path)
