"""Retry timing shared by the generated clients and `apigen sync`: backoff and server hints.

- `backoff`: exponential (0.5 s, 1 s, 2 s...) up to a ceiling, with up to 25% jitter taken
  off so that clients that failed together do not come back together.
- `retry_after_seconds`: the server's hint, from `retry-after-ms`, then `Retry-After`
  (delta seconds or an HTTP date; a date without a zone is read as UTC, as HTTP dates are),
  then a `retry_after` number in a JSON object body.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = ["INITIAL_BACKOFF", "MAX_BACKOFF", "backoff", "retry_after_seconds"]

INITIAL_BACKOFF: Final = 0.5  # seconds before the first retry; doubled on every retry
MAX_BACKOFF: Final = 8.0


def backoff(
    retries_taken: int,
    *,
    initial: float = INITIAL_BACKOFF,
    maximum: float = MAX_BACKOFF,
    jitter: float = 0.25,
) -> float:
    """Seconds to wait before retry number `retries_taken + 1`."""
    delay = min(initial * 2.0**retries_taken, maximum)
    return delay * (1 - jitter * random.random())


def retry_after_seconds(
    headers: Mapping[str, str], body: object = None, *, now: datetime | None = None
) -> float | None:
    """The server's retry hint in seconds, uncapped; None when it gives none.

    `headers` must look names up case-insensitively (`httpx.Headers` does).
    """
    milliseconds = _as_seconds(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    header = headers.get("retry-after")
    if header is not None:
        seconds = _as_seconds(header)
        if seconds is not None:
            return seconds
        moment = _http_date(header)
        if moment is not None:
            current = now if now is not None else datetime.now(timezone.utc)
            return max(0.0, (moment - current).total_seconds())
    if isinstance(body, dict):
        return _as_seconds(body.get("retry_after"))
    return None


def _http_date(text: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


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
