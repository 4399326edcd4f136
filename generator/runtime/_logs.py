"""The package's logger, switched on by an environment variable (`BASETEN_LOG=debug|info`).

Nothing is logged unless the application configures logging or sets the variable; header
values that carry credentials are never logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping

import httpx

__all__ = ["log", "redacted_headers", "redacted_url", "setup_logging"]

# The package's own logger: `baseten_client` in a generated package.
log = logging.getLogger(__name__.rpartition(".")[0] or __name__)

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_configured_from: set[str] = set()

# Headers that carry credentials whatever the API; the client adds its own auth header.
ALWAYS_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)


def setup_logging(env_var: str) -> None:
    """Log to stderr at the level named by `env_var` ("debug" or "info"), once per process."""
    level = _LEVELS.get(os.environ.get(env_var, "").strip().lower())
    if level is None or env_var in _configured_from:
        return
    _configured_from.add(env_var)
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s")
    )
    log.addHandler(handler)
    log.setLevel(level)


# Query parameters that carry credentials in common APIs.
ALWAYS_SECRET_PARAMS = frozenset(
    {"api_key", "apikey", "api-key", "key", "token", "access_token", "secret", "password", "sig"}
)


def redacted_url(url: httpx.URL, secret: Iterable[str]) -> str:
    """`url` with the values of credential query parameters hidden, for logging."""
    if not url.query:
        return str(url)
    hidden = ALWAYS_SECRET_PARAMS | {name.lower() for name in secret}
    params = [
        (name, "<redacted>" if name.lower() in hidden else value)
        for name, value in url.params.multi_items()
    ]
    return str(url.copy_with(params=params))


def redacted_headers(headers: Mapping[str, str], secret: Iterable[str]) -> dict[str, str]:
    """`headers` with the values of secret ones replaced, for logging."""
    hidden = ALWAYS_SECRET_HEADERS | {name.lower() for name in secret}
    return {
        name: "<redacted>" if name.lower() in hidden else value for name, value in headers.items()
    }
