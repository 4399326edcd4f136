"""Security schemes: which credential each operation sends, and where.

An operation lists alternatives (OpenAPI `security`), each a set of schemes that must all be
satisfied. The client sends the first alternative it holds every credential for; an empty
alternative (or `security: []`) sends nothing. Schemes: HTTP `bearer` (and OAuth2 / OpenID
Connect access tokens, sent the same way), HTTP `basic` and any other HTTP scheme, API keys in
a header, the query string or a cookie.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Credentials", "Scheme", "SecurityParts", "apply_security"]


@dataclass(frozen=True)
class Scheme:
    """One `components/securitySchemes` entry, reduced to what the wire needs."""

    type: str  # "http", "apiKey", "oauth2", "openIdConnect"
    scheme: str = ""  # http: "bearer", "basic", ...
    location: str = ""  # apiKey: "header", "query" or "cookie"
    parameter: str = ""  # apiKey: the header, query or cookie name
    prefix: str = ""  # apiKey: text put before the key (config), e.g. "Token "


@dataclass(frozen=True)
class Credentials:
    """What the client was given: a token (API key or access token) and/or a user/password."""

    token: str | None = None
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never the secrets
        given = [name for name in ("token", "username", "password") if getattr(self, name)]
        return f"Credentials({', '.join(given)})"


@dataclass
class SecurityParts:
    """Headers, query pairs and cookies that authenticate one request."""

    headers: dict[str, str] = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)


def _part(scheme: Scheme, credentials: Credentials) -> SecurityParts | None:
    """The parts for one scheme, or None when the needed credential is missing."""
    parts = SecurityParts()
    kind = scheme.scheme.lower()
    if scheme.type == "http" and kind == "basic":
        if credentials.username is None and credentials.password is None:
            return None
        pair = f"{credentials.username or ''}:{credentials.password or ''}"
        parts.headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        return parts
    if credentials.token is None:
        return None
    if scheme.type == "apiKey":
        value = scheme.prefix + credentials.token
        if scheme.location == "query":
            parts.query.append((scheme.parameter, value))
        elif scheme.location == "cookie":
            parts.cookies[scheme.parameter] = value
        else:
            parts.headers[scheme.parameter or "Authorization"] = value
        return parts
    # bearer, OAuth2 and OpenID Connect tokens; other HTTP schemes by their own name.
    word = "Bearer" if scheme.type != "http" or kind in ("bearer", "") else scheme.scheme
    parts.headers["Authorization"] = f"{word} {credentials.token}"
    return parts


def apply_security(
    requirements: Sequence[Sequence[str]],
    schemes: Mapping[str, Scheme],
    credentials: Credentials,
) -> SecurityParts:
    """The parts of the first alternative of `requirements` the credentials satisfy."""
    for alternative in requirements:
        combined = SecurityParts()
        for name in alternative:
            scheme = schemes.get(name)
            part = _part(scheme, credentials) if scheme is not None else None
            if part is None:
                break
            combined.headers.update(part.headers)
            combined.query.extend(part.query)
            combined.cookies.update(part.cookies)
        else:
            return combined
    return SecurityParts()
