"""The generated client's wire encoding (runtime/_encoding.py) and security (runtime/_auth.py)."""

from __future__ import annotations

import base64
import io
from typing import Literal

import httpx
import pydantic
import pytest

from generator.runtime._auth import Credentials, Scheme, apply_security
from generator.runtime._encoding import (
    accept_header,
    dump_body,
    encode_cookie,
    encode_form,
    encode_header,
    encode_matrix,
    encode_multipart,
    encode_path,
    encode_query,
)

# -- parameter styles (OpenAPI 3.1 "Style Examples" table) ------------------------------------

COLORS = ["blue", "black", "brown"]
POINT = {"R": 100, "G": 200, "B": 150}


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        ("form", True, COLORS, [("color", "blue"), ("color", "black"), ("color", "brown")]),
        ("form", False, COLORS, [("color", "blue,black,brown")]),
        ("spaceDelimited", False, COLORS, [("color", "blue black brown")]),
        ("pipeDelimited", False, COLORS, [("color", "blue|black|brown")]),
        ("form", True, POINT, [("R", "100"), ("G", "200"), ("B", "150")]),
        ("form", False, POINT, [("color", "R,100,G,200,B,150")]),
        (
            "deepObject",
            True,
            POINT,
            [("color[R]", "100"), ("color[G]", "200"), ("color[B]", "150")],
        ),
        ("form", True, True, [("color", "true")]),
    ],
)
def test_query_styles(
    style: str, explode: bool, value: object, expected: list[tuple[str, str]]
) -> None:
    assert encode_query("color", value, style, explode) == expected


def test_deep_object_nests_like_stripe() -> None:
    created = {"gte": 1, "lt": 5}
    items = [{"price": "p_1", "quantity": 2}]

    assert encode_query("created", created, "deepObject") == [
        ("created[gte]", "1"),
        ("created[lt]", "5"),
    ]
    body = {"items": items, "metadata": {"a": "b"}, "expand": ["x"], "tags": ["a", "b"]}
    assert encode_form(body, {"expand": "deepObject", "items": "deepObject"}) == [
        ("items[0][price]", "p_1"),
        ("items[0][quantity]", "2"),
        ("metadata[a]", "b"),
        ("expand[0]", "x"),
        ("tags", "a"),  # style form (the default): repeated keys
        ("tags", "b"),
    ]


@pytest.mark.parametrize(
    ("style", "explode", "value", "expected"),
    [
        ("simple", False, "a b/c", "a%20b%2Fc"),
        ("simple", False, COLORS, "blue,black,brown"),
        ("simple", True, POINT, "R=100,G=200,B=150"),
        ("simple", False, POINT, "R,100,G,200,B,150"),
        ("label", False, COLORS, ".blue,black,brown"),
        ("label", True, COLORS, ".blue.black.brown"),
    ],
)
def test_path_styles(style: str, explode: bool, value: object, expected: str) -> None:
    assert encode_path(value, style, explode) == expected


def test_matrix_style() -> None:
    assert encode_matrix("color", "blue") == ";color=blue"
    assert encode_matrix("color", COLORS) == ";color=blue,black,brown"
    assert encode_matrix("color", COLORS, explode=True) == ";color=blue;color=black;color=brown"
    assert encode_matrix("color", POINT, explode=True) == ";R=100;G=200;B=150"


def test_header_and_cookie() -> None:
    assert encode_header(COLORS) == "blue,black,brown"
    assert encode_header(POINT, explode=True) == "R=100,G=200,B=150"
    assert encode_cookie("session", "a b") == "session=a%20b"
    assert encode_cookie("ids", [1, 2]) == "ids=1%2C2"


# -- bodies -----------------------------------------------------------------------------------


class Source(pydantic.BaseModel):
    kind: Literal["archive"] = "archive"
    name: str
    note: str | None = None


class Create(pydantic.BaseModel):
    source: Source
    tags: list[str] | None = None


def test_constants_are_sent_however_the_model_was_built() -> None:
    built = Create(source=Source(name="m"))
    constructed = Create.model_construct(source=Source.model_construct(name="m"))

    assert dump_body(built) == {"source": {"kind": "archive", "name": "m"}}
    assert dump_body(constructed) == {"source": {"kind": "archive", "name": "m"}}
    # Explicit None stays (JSON null); unset optional fields stay out.
    assert dump_body(Source(name="m", note=None)) == {"kind": "archive", "name": "m", "note": None}


def test_multipart_splits_files_from_fields() -> None:
    upload = io.BytesIO(b"data")
    data, files = encode_multipart(
        {"file": upload, "purpose": "fine-tune", "meta": {"a": 1}, "raw": b"\x00"}
    )

    assert data == [("purpose", "fine-tune"), ("meta", '{"a": 1}')]
    assert files == [
        ("file", ("file", upload, "application/octet-stream")),
        ("raw", ("raw", b"\x00", "application/octet-stream")),
    ]
    request = httpx.Request("POST", "http://x", data=dict(data), files=files)
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")


def test_accept_lists_the_declared_media_types() -> None:
    assert accept_header(["application/pdf"]) == "application/pdf"
    assert accept_header(["application/json", "application/xml", "application/json"]) == (
        "application/json, application/xml"
    )
    assert accept_header([]) == "application/json"


# -- security ---------------------------------------------------------------------------------

SCHEMES = {
    "bearer": Scheme("http", scheme="bearer"),
    "basic": Scheme("http", scheme="basic"),
    "header_key": Scheme("apiKey", location="header", parameter="X-API-Key"),
    "query_key": Scheme("apiKey", location="query", parameter="api_key"),
    "cookie_key": Scheme("apiKey", location="cookie", parameter="session"),
    "oauth": Scheme("oauth2"),
    "oidc": Scheme("openIdConnect"),
}
TOKEN = Credentials(token="tok")
BASIC = base64.b64encode(b"user:pw").decode()


@pytest.mark.parametrize(
    ("requirements", "credentials", "headers", "query", "cookies"),
    [
        ([["bearer"]], TOKEN, {"Authorization": "Bearer tok"}, [], {}),
        ([["oauth"]], TOKEN, {"Authorization": "Bearer tok"}, [], {}),
        ([["oidc"]], TOKEN, {"Authorization": "Bearer tok"}, [], {}),
        ([["header_key"]], TOKEN, {"X-API-Key": "tok"}, [], {}),
        ([["query_key"]], TOKEN, {}, [("api_key", "tok")], {}),
        ([["cookie_key"]], TOKEN, {}, [], {"session": "tok"}),
        (
            [["basic"]],
            Credentials(username="user", password="pw"),
            {"Authorization": f"Basic {BASIC}"},
            [],
            {},
        ),
        # The first alternative the credentials satisfy wins.
        (
            [["basic"], ["bearer"]],
            TOKEN,
            {"Authorization": "Bearer tok"},
            [],
            {},
        ),
        ([["header_key", "query_key"]], TOKEN, {"X-API-Key": "tok"}, [("api_key", "tok")], {}),
        ([], TOKEN, {}, [], {}),  # security: []
        ([[]], TOKEN, {}, [], {}),  # an empty alternative: anonymous access allowed
        ([["basic"]], TOKEN, {}, [], {}),  # nothing to send it with
    ],
)
def test_security_per_operation(
    requirements: list[list[str]],
    credentials: Credentials,
    headers: dict[str, str],
    query: list[tuple[str, str]],
    cookies: dict[str, str],
) -> None:
    parts = apply_security(requirements, SCHEMES, credentials)

    assert (parts.headers, parts.query, parts.cookies) == (headers, query, cookies)


def test_credentials_repr_hides_secrets() -> None:
    assert "pw" not in repr(Credentials(username="u", password="pw", token="tok"))
