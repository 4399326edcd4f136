"""One request on the wire, as its operation declares it: parameter styles, body media type,
Accept, and the credentials of the security alternative it allows.

Generated methods pass an `OperationWire` (static, from the spec) with the argument values;
`encode_request` turns them into what httpx sends.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ._auth import Credentials, Scheme, apply_security
from ._encoding import (
    dump_body,
    encode_cookie,
    encode_form,
    encode_header,
    encode_matrix,
    encode_multipart,
    encode_path,
    encode_query,
    multipart_content,
)

__all__ = ["EncodedRequest", "OperationWire", "encode_request"]

_PATH_PARAM = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class OperationWire:
    """What the spec says about one operation's wire format (defaults: JSON, no auth)."""

    # "query:name" / "path:name" / "header:name" -> (style, explode), when not the default
    styles: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    media_type: str = "application/json"  # of the request body
    accept: str = "application/json"
    security: tuple[tuple[str, ...], ...] | None = None  # None: the client's default auth
    redirects: bool = False  # the spec declares 3xx responses: return them, do not raise


@dataclass
class EncodedRequest:
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    content: bytes | None = None


def _style(
    wire: OperationWire, location: str, name: str, default: tuple[str, bool]
) -> tuple[str, bool]:
    return wire.styles.get(f"{location}:{name}", default)


def _expand_path(template: str, values: Mapping[str, object], wire: OperationWire) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        style, explode = _style(wire, "path", name, ("simple", False))
        if style == "matrix":
            return encode_matrix(name, value, explode)
        text = encode_path(value, style, explode)
        if not text or text in {".", ".."}:
            # An empty or dot segment would address another endpoint.
            raise ValueError(f"Path parameter {name!r} of {template} must be a non-empty value")
        return text

    return _PATH_PARAM.sub(substitute, template)


def encode_request(
    wire: OperationWire,
    template: str,
    *,
    path_params: Mapping[str, object],
    query: Mapping[str, object],
    headers: Mapping[str, object],
    cookies: Mapping[str, object],
    body: object,
    has_body: bool,
    schemes: Mapping[str, Scheme],
    credentials: Credentials,
) -> EncodedRequest:
    """The path, query pairs, headers and body of a request (values already without omitted
    arguments)."""
    pairs: list[tuple[str, str]] = []
    for name, value in query.items():
        style, explode = _style(wire, "query", name, ("form", True))
        pairs.extend(encode_query(name, value, style, explode))
    encoded_headers = {
        name: encode_header(value, _style(wire, "header", name, ("simple", False))[1])
        for name, value in headers.items()
    }
    cookie_parts = [encode_cookie(name, value) for name, value in cookies.items()]
    if wire.security is not None:
        auth = apply_security(wire.security, schemes, credentials)
        encoded_headers.update(auth.headers)
        pairs.extend(auth.query)
        cookie_parts += [encode_cookie(name, value) for name, value in auth.cookies.items()]
    if cookie_parts:
        encoded_headers["Cookie"] = "; ".join(cookie_parts)
    encoded_headers["Accept"] = wire.accept
    request = EncodedRequest(_expand_path(template, path_params, wire), pairs, encoded_headers)
    if has_body:
        _encode_body(request, wire, body)
    return request


def _encode_body(request: EncodedRequest, wire: OperationWire, body: object) -> None:
    media_type = wire.media_type
    base = media_type.split(";")[0].strip().lower()
    if base == "application/x-www-form-urlencoded":
        styles = {
            key.split(":", 1)[1]: style
            for key, (style, _) in wire.styles.items()
            if key.startswith("body:")
        }
        request.content = urlencode(encode_form(body, styles)).encode()
        request.headers["Content-Type"] = media_type
    elif base.startswith("multipart/"):
        data, files = encode_multipart(body)
        request.content, request.headers["Content-Type"] = multipart_content(
            data, files, secrets.token_hex(16)
        )
    elif isinstance(body, (bytes, bytearray)):
        request.content = bytes(body)
        request.headers["Content-Type"] = media_type
    elif isinstance(body, str) and not base.endswith(("/json", "+json")):
        request.content = body.encode()
        request.headers["Content-Type"] = media_type
    else:
        data = dump_body(body)
        # allow_nan=False: NaN and Infinity are not JSON, so fail here rather than at the API.
        request.content = json.dumps(data, ensure_ascii=False, allow_nan=False).encode()
        request.headers["Content-Type"] = "application/json" if base == "*/*" else media_type
