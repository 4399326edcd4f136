"""Retry timing: exponential backoff with jitter, and the server's "retry after" hints.

Only timing and parsing live here (no HTTP policy), so anything that retries HTTP calls
(the generated clients, `apigen sync`) can share it.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = ["INITIAL_BACKOFF", "MAX_BACKOFF", "backoff", "retry_after_seconds"]

INITIAL_BACKOFF: Final = 0.5  # seconds before the first retry, doubled on every further one
MAX_BACKOFF: Final = 8.0


def backoff(
    retries_taken: int, *, initial: float = INITIAL_BACKOFF, cap: float = MAX_BACKOFF
) -> float:
    """Seconds to wait before retry number `retries_taken + 1`.

    Exponential, capped, with up to 25% jitter so that clients which failed together do
    not come back together.
    """
    delay = min(initial * 2.0 ** min(retries_taken, 32), cap)
    return delay * (1 - 0.25 * random.random())


def retry_after_seconds(
    headers: Mapping[str, str], body: object = None, *, now: datetime | None = None
) -> float | None:
    """The server's retry hint in seconds, uncapped; None when it gives none.

    Looks at `retry-after-ms`, then `Retry-After` (seconds or an HTTP date), then a
    `retry_after` number in a JSON object body (Baseten's rate limiter). `headers` must
    be case-insensitive (`httpx.Headers`) or use lower-case names; `body` may be the
    decoded JSON or its raw bytes/text.
    """
    milliseconds = _as_seconds(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    header = headers.get("retry-after")
    if header is not None:
        seconds = _as_seconds(header.strip())
        if seconds is not None:
            return seconds
        moment = _http_date(header)
        if moment is not None:
            current = now if now is not None else datetime.now(timezone.utc)
            return max(0.0, (moment - current).total_seconds())
    if isinstance(body, (bytes, str)):
        body = _json_object(body)
    if isinstance(body, dict):
        return _as_seconds(body.get("retry_after"))
    return None


def _http_date(text: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _json_object(raw: bytes | str) -> object:
    if len(raw) > 65536:  # a rate-limit body is small; do not parse a large one for a hint
        return None
    try:
        return json.loads(raw)
    except ValueError:  # also covers UnicodeDecodeError
        return None


def _as_seconds(value: object) -> float | None:
    """A finite, non-negative number of seconds from a number or numeric string."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds
