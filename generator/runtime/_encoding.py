"""How values go on the wire: parameter styles, request bodies by media type, model dumps.

Parameters follow OpenAPI 3's `style`/`explode` (RFC 6570 for path and query): query `form`,
`spaceDelimited`, `pipeDelimited` and `deepObject`; path `simple`, `label` and `matrix`;
header `simple`; cookie `form`. Bodies: JSON, `application/x-www-form-urlencoded` (nested
objects as `a[b][c]=v`, arrays of objects as `a[0][b]=v`, the way Stripe and Rails read them),
multipart (bytes and files as file parts), raw bytes and text.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from datetime import date, datetime
from datetime import time as time_of_day
from enum import Enum
from typing import IO, Any, Literal, TypeAlias
from urllib.parse import quote

import pydantic

from ._validation import to_jsonable

__all__ = [
    "FileContent",
    "accept_header",
    "dump_body",
    "encode_cookie",
    "encode_form",
    "encode_header",
    "encode_multipart",
    "encode_path",
    "encode_query",
    "multipart_content",
    "wire_text",
]

FileContent: TypeAlias = bytes | IO[bytes] | tuple[str, bytes | IO[bytes], str]
_PATH_SAFE = "-._~"  # RFC 3986 unreserved characters stay as they are


def wire_text(value: object) -> str:
    """The text of one primitive value: JSON spelling for booleans and null."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (datetime, date, time_of_day)):
        return value.isoformat()
    return str(value)


def _is_constant(field: pydantic.fields.FieldInfo) -> bool:
    """A field whose type is one Literal value with that value as default: a `const` or a
    discriminator tag. The API needs it even when the caller never set it."""
    if typing.get_origin(field.annotation) is not Literal:
        return False
    if field.is_required() or field.default_factory is not None:
        return False
    return field.default is not None


def dump_body(value: object) -> Any:
    """JSON-ready data. Models give the fields that were set plus their constant fields
    (`const`, discriminators), however the model was built; nested values likewise."""
    if isinstance(value, pydantic.RootModel):
        return dump_body(value.root)
    if isinstance(value, pydantic.BaseModel):
        fields = type(value).model_fields
        data: dict[str, Any] = {}
        for name, field in fields.items():
            if name in value.model_fields_set or _is_constant(field):
                data[field.alias or name] = dump_body(getattr(value, name))
        for name, extra in (value.model_extra or {}).items():
            data[name] = dump_body(extra)
        return data
    if isinstance(value, Mapping):
        return {str(key): dump_body(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [dump_body(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return to_jsonable(value)


def _items(value: object) -> list[tuple[str, Any]] | None:
    """Key-value pairs of an object value (a mapping or a model), None for other values."""
    if isinstance(value, (pydantic.BaseModel, Mapping)):
        dumped = dump_body(value)
        if isinstance(dumped, dict):
            return list(dumped.items())
    return None


# -- parameters -------------------------------------------------------------------------------


def encode_query(
    name: str, value: object, style: str = "form", explode: bool = True
) -> list[tuple[str, str]]:
    """The query pairs of one parameter (not yet percent-encoded: httpx does that)."""
    value = dump_body(value)
    if isinstance(value, list):
        texts = [wire_text(item) for item in value]
        if style == "form" and explode:
            return [(name, text) for text in texts]
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(texts))]
    if isinstance(value, dict):
        if style == "deepObject":
            return _deep_pairs(name, value)
        if explode:
            return [(str(key), wire_text(item)) for key, item in value.items()]
        return [(name, ",".join(f"{key},{wire_text(item)}" for key, item in value.items()))]
    return [(name, wire_text(value))]


def _deep_pairs(prefix: str, value: object) -> list[tuple[str, str]]:
    """`a[b][c]=v`; list items get their index (`a[0][b]=v`), scalars in lists `a[0]=v`."""
    if isinstance(value, dict):
        return [
            pair for key, item in value.items() for pair in _deep_pairs(f"{prefix}[{key}]", item)
        ]
    if isinstance(value, list):
        if not value:
            return [(prefix, "")]  # Stripe's way of clearing a list
        return [
            pair for i, item in enumerate(value) for pair in _deep_pairs(f"{prefix}[{i}]", item)
        ]
    return [(prefix, wire_text(value))]


def encode_path(value: object, style: str = "simple", explode: bool = False) -> str:
    """One path segment's text, percent-encoded (`/` and reserved characters too)."""
    value = dump_body(value)

    def text(item: object) -> str:
        return quote(wire_text(item), safe=_PATH_SAFE)

    if isinstance(value, list):
        parts = [text(item) for item in value]
        joined = ("." if style == "label" and explode else ",").join(parts)
    elif isinstance(value, dict):
        pairs = [(text(key), text(item)) for key, item in value.items()]
        inner, outer = ("=", ",") if explode else (",", ",")
        if style == "label" and explode:
            outer = "."
        joined = outer.join(f"{key}{inner}{item}" for key, item in pairs)
    else:
        joined = text(value)
    if style == "label":
        return "." + joined
    if style == "matrix":
        return joined  # the caller prefixes `;name=`: see encode_matrix
    return joined


def encode_matrix(name: str, value: object, explode: bool = False) -> str:
    """`;name=value` (RFC 6570 `{;name*}`): lists repeat `;name=` when exploded."""
    value = dump_body(value)
    if isinstance(value, list) and explode:
        return "".join(f";{name}={quote(wire_text(item), safe=_PATH_SAFE)}" for item in value)
    if isinstance(value, dict) and explode:
        return "".join(
            f";{quote(str(key), safe=_PATH_SAFE)}={quote(wire_text(item), safe=_PATH_SAFE)}"
            for key, item in value.items()
        )
    return f";{name}={encode_path(value, 'simple', False)}"


def encode_header(value: object, explode: bool = False) -> str:
    """A header value, style `simple`: lists and objects comma-separated."""
    value = dump_body(value)
    if isinstance(value, list):
        return ",".join(wire_text(item) for item in value)
    if isinstance(value, dict):
        inner = "=" if explode else ","
        return ",".join(f"{key}{inner}{wire_text(item)}" for key, item in value.items())
    return wire_text(value)


def encode_cookie(name: str, value: object) -> str:
    """`name=value` for the Cookie header (style `form`; lists comma-separated)."""
    value = dump_body(value)
    if isinstance(value, list):
        text = ",".join(wire_text(item) for item in value)
    else:
        text = wire_text(value)
    return f"{name}={quote(text, safe='')}"


# -- bodies -----------------------------------------------------------------------------------


def encode_form(body: object, styles: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """`application/x-www-form-urlencoded` pairs. A property's style (the spec's `encoding`)
    defaults to `form`: lists repeat the key; `deepObject` nests as `a[b]` and `a[0][b]`
    (what Stripe declares). Objects nest as `a[b]` either way (form APIs read them so)."""
    pairs: list[tuple[str, str]] = []
    for key, value in _items(body) or []:
        if value is None:
            continue  # form bodies have no null
        style = (styles or {}).get(key, "form")
        flat_list = isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value)
        if style == "form" and flat_list:
            pairs.extend((key, wire_text(item)) for item in value)
            continue
        pairs.extend(_deep_pairs(key, value))
    return pairs


def _raw_items(body: object) -> list[tuple[str, Any]]:
    """A multipart body's fields, files kept as they are (not dumped to JSON)."""
    if isinstance(body, pydantic.BaseModel):
        fields = type(body).model_fields
        return [
            (fields[name].alias or name, getattr(body, name))
            for name in fields
            if name in body.model_fields_set or _is_constant(fields[name])
        ]
    return list(body.items()) if isinstance(body, Mapping) else []


def _is_file(value: object) -> bool:
    return (
        isinstance(value, (bytes, bytearray))
        or hasattr(value, "read")
        or (isinstance(value, tuple) and len(value) in (2, 3) and isinstance(value[0], str))
    )


def encode_multipart(body: object) -> tuple[list[tuple[str, str]], list[tuple[str, Any]]]:
    """(data, files) for httpx: bytes, file objects and (name, content, type) tuples are file
    parts; objects and lists of objects are JSON parts' text; scalars are plain text."""
    data: list[tuple[str, str]] = []
    files: list[tuple[str, Any]] = []
    for key, value in _raw_items(body):
        items = value if isinstance(value, list) and any(map(_is_file, value)) else [value]
        for item in items:
            if _is_file(item):
                part = item if isinstance(item, tuple) else (key, item, "application/octet-stream")
                files.append((key, part))
            elif isinstance(item, (dict, list, pydantic.BaseModel)):
                data.append((key, json.dumps(dump_body(item), ensure_ascii=False)))
            elif item is not None:
                data.append((key, wire_text(dump_body(item))))
    return data, files


def multipart_content(
    data: list[tuple[str, str]], files: list[tuple[str, Any]], boundary: str
) -> tuple[bytes, str]:
    """(body, Content-Type) of a `multipart/form-data` request: text fields, then files."""

    def quoted(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")

    chunks: list[bytes] = []
    for name, value in data:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{quoted(name)}"\r\n\r\n'.encode()
        )
        chunks.append(value.encode() + b"\r\n")
    for name, (filename, content, content_type) in files:
        raw = content.read() if hasattr(content, "read") else bytes(content)
        chunks.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{quoted(name)}"; '
                f'filename="{quoted(filename)}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
        )
        chunks.append(raw + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def accept_header(media_types: list[str] | tuple[str, ...]) -> str:
    """The Accept header for the media types an operation's responses declare."""
    unique = list(dict.fromkeys(media_types))
    return ", ".join(unique) if unique else "application/json"
