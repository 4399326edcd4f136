"""URLs from the index, normalised before anything decides about them.

A listed `…/management-api/../../secret.md` or `…/%2e%2e/secret.md` must be judged by where it
really points: dot segments are removed after percent-decoding (RFC 3986 5.2.4), every segment
is re-encoded one canonical way, and a segment that decodes to a slash, a backslash or a control
character is refused rather than guessed at.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote, unquote_to_bytes, urlsplit, urlunsplit

from ..errors import UpstreamError

_SEGMENT_SAFE = "!$&'()*+,;=:@"  # sub-delims, ':' and '@' stay literal in a path segment


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_url(url: str) -> str:
    """`url` with lower-case scheme and host, no fragment, dot segments resolved, canonical
    percent-encoding. UpstreamError (naming the URL) for one that cannot be made unambiguous."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise UpstreamError(f"{url}: refusing a URL with user information")
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        raise UpstreamError(f"{url}: invalid port") from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    segments: list[str] = []
    raw_segments = parts.path.split("/")[1:] if parts.path.startswith("/") else [parts.path]
    for index, raw in enumerate(raw_segments):
        try:
            segment = unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise UpstreamError(f"{url}: path is not UTF-8 once percent-decoded") from None
        if any(char in "/\\" or ord(char) < 0x20 or ord(char) == 0x7F for char in segment):
            raise UpstreamError(
                f"{url}: refusing an encoded slash or control character in the path"
            )
        last = index == len(raw_segments) - 1
        if segment == "..":
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif segment == ".":
            if last:
                segments.append("")
        else:
            segments.append(quote(segment, safe=_SEGMENT_SAFE))
    path = "/" + "/".join(segments)
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))
