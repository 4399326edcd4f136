"""The HTTP machinery behind the generated clients: auth, encoding, retries and parsing.

`SyncAPIClient` and `AsyncAPIClient` share everything in `_BaseClient`; they differ only
in how they send a request and how they sleep between retries.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
import re
import ssl
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from datetime import time as time_of_day
from enum import Enum
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeVar, cast
from urllib.parse import quote

import httpx
import pydantic

from ._auth import Credentials, Scheme
from ._encoding import dump_body
from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ClientClosedError,
    MissingAPIKeyError,
    decode_body,
    make_status_error,
)
from ._logs import log, redacted_headers, redacted_url, setup_logging
from ._response import RESPONSE_MODE_HEADER, APIResponse, AsyncAPIResponse
from ._retry import backoff, retry_after_seconds
from ._validation import to_jsonable, type_adapter, validate_response
from ._wire import EncodedRequest, OperationWire, encode_request

if TYPE_CHECKING:  # typing.Self is Python 3.11+; the client supports 3.10
    from typing_extensions import Self

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_WAIT",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncAPIClient",
    "NotGiven",
    "SyncAPIClient",
]

DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES: Final = 2

# A server asking for a longer pause than this (Retry-After) fails the call at once.
DEFAULT_MAX_RETRY_WAIT: Final = 60.0
# Repeating these has the effect of sending them once (RFC 9110 9.2.2).
_IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# Statuses worth another try for a request that may be repeated.
_RETRYABLE_STATUSES: Final = frozenset({408, 409, 429})
# Failures that leave no doubt the request never reached the server: any method may retry.
_NOT_SENT_ERRORS: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

ResponseMode = Literal["parse", "raw", "stream"]

_PATH_PARAM = re.compile(r"\{([^{}]+)\}")


class NotGiven:
    """The type of `NOT_GIVEN`: "argument not passed", as opposed to `None` (JSON null)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        # One instance, so `is NOT_GIVEN` holds even after copy or pickle.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


@dataclass(frozen=True)
class _Retry:
    """Outcome of one attempt: sleep `delay` seconds, then send the request again."""

    delay: float
    reason: str


def _declares_redirects(wire: object) -> bool:
    return isinstance(wire, OperationWire) and wire.redirects


@dataclass(frozen=True)
class _CallOptions:
    """What `request` needs to turn a response into a result, an error or a retry."""

    cast_to: object
    error_types: Mapping[str, object] | None
    max_retries: int
    mode: ResponseMode
    # Turns the parsed body into what the method returns (e.g. a page object).
    wrap: Callable[[Any], Any] | None
    redirects: bool = False  # declared 3xx responses are results, not errors


_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)


@dataclass
class _Pool(Generic[_HttpxClientT]):
    """The httpx client (connection pool) a client and its `with_options` copies share."""

    client: _HttpxClientT | None
    closed: bool = False


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One shared context: loading the CA bundle costs ~70 ms per new httpx client."""
    return httpx.create_ssl_context()


def _to_str(value: object) -> str:
    """The wire text of a path, query or header value."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date, time_of_day)):
        return value.isoformat()
    return str(value)


def _is_omitted(value: object) -> bool:
    return value is None or isinstance(value, NotGiven)


def _merge(*mappings: Mapping[str, object] | None) -> dict[str, object]:
    """Later mappings win; an omitted value in a later mapping removes the key."""
    merged: dict[str, object] = {}
    for mapping in mappings:
        if mapping:
            merged.update(mapping)
    return {key: value for key, value in merged.items() if not _is_omitted(value)}


def _encode_query(params: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """Query pairs; a list becomes repeated keys (OpenAPI `form` style, `explode: true`)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        items = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((key, _to_str(item)) for item in items if not _is_omitted(item))
    return tuple(pairs)


def _encode_header(value: object) -> str:
    """A header value; a list becomes comma-separated (OpenAPI `simple` style)."""
    if isinstance(value, (list, tuple)):
        return ",".join(_to_str(item) for item in value if not _is_omitted(item))
    return _to_str(value)


def _format_path(template: str, params: Mapping[str, object] | None) -> str:
    """Substitute `{name}` placeholders with percent-quoted values ("a/b" -> "a%2Fb").

    Raises ValueError for an empty value and for `.` or `..`: servers and proxies
    normalise those segments away (even percent-encoded), addressing another resource.
    """
    params = params or {}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        value = params.get(name)
        text = "" if _is_omitted(value) else _to_str(value)
        if text in {"", ".", ".."}:
            raise ValueError(
                f"Path parameter {name!r} of {template} must not be {text!r}: it would address "
                "a different resource"
            )
        return quote(text, safe="")

    return _PATH_PARAM.sub(substitute, template)


def _dump_models(value: object) -> object:
    """Replace models, also nested in lists and dicts, by only the fields that were set."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {key: _dump_models(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_dump_models(item) for item in value]
    return value


def _jsonable(value: object) -> Any:
    """JSON-ready data: enums, datetimes, UUIDs, decimals... become JSON values."""
    return to_jsonable(_dump_models(value), by_alias=True)


class _BaseClient(Generic[_HttpxClientT]):
    """Configuration, request building, retry decisions and response parsing."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: _HttpxClientT | None = None,
        api_key_env: str,
        base_url_env: str,
        default_base_url: str,
        auth_header: str = "Authorization",
        auth_prefix: str = "Bearer ",
        user_agent: str,
        idempotency_header: str | None = None,
        secret_headers: Sequence[str] = (),
        log_env: str | None = None,
        username: str | None = None,
        password: str | None = None,
        username_env: str | None = None,
        password_env: str | None = None,
        security_schemes: Mapping[str, Scheme] | None = None,
    ) -> None:
        if log_env:
            setup_logging(log_env)
        api_key = api_key or os.environ.get(api_key_env)
        username = username or (os.environ.get(username_env) if username_env else None)
        password = password or (os.environ.get(password_env) if password_env else None)
        # With the spec's schemes, each operation sends what its `security` asks for.
        self._security_schemes = dict(security_schemes or {})
        self._credentials = Credentials(token=api_key, username=username, password=password)
        if security_schemes is None and not api_key:
            raise MissingAPIKeyError(api_key_env)
        if self._security_schemes and not (api_key or username or password):
            raise MissingAPIKeyError(
                " or ".join(name for name in (api_key_env, username_env) if name)
            )
        self._api_key = api_key
        self._auth_header, self._auth_prefix = auth_header, auth_prefix
        self._base_url = httpx.URL(
            str(base_url or os.environ.get(base_url_env) or default_base_url)
        )
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._max_retries = _checked_retries(max_retries)
        self._max_retry_wait = max_retry_wait
        self._default_headers: dict[str, str] = {
            "Accept": "application/json",
            "User-Agent": user_agent,
            **(default_headers or {}),
        }
        if security_schemes is None:
            self._default_headers[auth_header] = f"{auth_prefix}{api_key}"
        self._default_query: dict[str, object] = dict(default_query or {})
        # Sent with every non-idempotent request (one key per call) so that it may be retried.
        self._idempotency_header = idempotency_header
        # API keys may travel in other headers or the query string: never logged either.
        key_names: list[str] = [s.parameter for s in self._security_schemes.values()]
        self._secret_headers = frozenset(
            h.lower() for h in (auth_header, "Cookie", *secret_headers, *key_names) if h
        )
        # An injected client belongs to the caller, who closes it.
        self._owns_http = http_client is None
        self._pool: _Pool[_HttpxClientT] = _Pool(http_client)

    @property
    def _http(self) -> _HttpxClientT:
        """The httpx client, created on first use: building one (TLS setup) takes a while."""
        if self._pool.client is None:
            if self._pool.closed:
                raise ClientClosedError()
            self._pool.client = self._default_http_client()
        return self._pool.client

    def _default_http_client(self) -> _HttpxClientT:
        raise NotImplementedError

    @property
    def base_url(self) -> httpx.URL:
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def max_retries(self) -> int:
        return self._max_retries

    @property
    def max_retry_wait(self) -> float:
        return self._max_retry_wait

    @property
    def is_closed(self) -> bool:
        client = self._pool.client
        return self._pool.closed or (client is not None and client.is_closed)

    def __repr__(self) -> str:
        # Never the API key.
        return f"{type(self).__name__}(base_url={str(self._base_url)!r})"

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
    ) -> Self:
        """A copy with some options changed, sharing this client's connection pool.

        Closing the copy leaves the pool open; closing this client closes it for both.
        """
        clone = copy.copy(self)
        # Resources and wrappers cached on this client send through it: the copy makes its own.
        clone.__dict__ = {
            key: value
            for key, value in self.__dict__.items()
            if getattr(value, "_client", None) is not self
        }
        clone._owns_http = False
        clone._default_headers = {**self._default_headers, **(default_headers or {})}
        clone._default_query = {**self._default_query, **(default_query or {})}
        if api_key is not None:
            clone._api_key = api_key
            clone._credentials = replace(self._credentials, token=api_key)
            if not self._security_schemes:
                clone._default_headers[self._auth_header] = f"{self._auth_prefix}{api_key}"
        if base_url is not None:
            clone._base_url = httpx.URL(str(base_url))
        if not isinstance(timeout, NotGiven):
            clone._timeout = (
                timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
            )
        if max_retries is not None:
            clone._max_retries = _checked_retries(max_retries)
        if max_retry_wait is not None:
            clone._max_retry_wait = max_retry_wait
        return clone

    def _url(self, path: str) -> str:
        return str(self._base_url).rstrip("/") + "/" + path.lstrip("/")

    def _build_request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        headers: Mapping[str, object] | None,
        json_body: object,
        content: bytes | None,
        content_type: str | None,
        timeout: float | httpx.Timeout | NotGiven | None,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, object] | None,
        extra_body: Mapping[str, object] | None,
        cookies: Mapping[str, object] | None = None,
        wire: OperationWire | None = None,
    ) -> httpx.Request:
        if wire is not None:
            return self._build_wire_request(
                wire,
                method,
                path,
                path_params=path_params,
                query=query,
                headers=headers,
                cookies=cookies,
                body=json_body,
                timeout=timeout,
                extra_headers=extra_headers,
                extra_query=extra_query,
                extra_body=extra_body,
            )
        request_headers = httpx.Headers(self._default_headers)
        for mapping in (headers, extra_headers):
            for key, value in (mapping or {}).items():
                # httpx.Headers is case-insensitive: "accept" replaces "Accept".
                if _is_omitted(value):
                    request_headers.pop(key, None)
                else:
                    request_headers[key] = _encode_header(value)
        self._add_idempotency_key(method, request_headers)
        if not isinstance(json_body, NotGiven) or extra_body is not None:
            if content is not None:
                raise ValueError("Pass either a JSON body or raw content, not both")
            content = self._encode_json(json_body, extra_body)
            content_type = "application/json"
        if content is not None and content_type is not None:
            request_headers["Content-Type"] = content_type
        return self._http.build_request(
            method,
            self._url(_format_path(path, path_params)),
            params=_encode_query(_merge(self._default_query, query, extra_query)),
            headers=request_headers,
            content=content,
            timeout=self._timeout if isinstance(timeout, NotGiven) else timeout,
        )

    def _add_idempotency_key(self, method: str, request_headers: httpx.Headers) -> None:
        if (
            self._idempotency_header
            and method.upper() not in _IDEMPOTENT_METHODS
            and self._idempotency_header not in request_headers
        ):
            # One key for the call, kept by its retries: the server acts at most once.
            request_headers[self._idempotency_header] = f"apigen-{uuid.uuid4()}"

    def _build_wire_request(
        self,
        wire: OperationWire,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        headers: Mapping[str, object] | None,
        cookies: Mapping[str, object] | None,
        body: object,
        timeout: float | httpx.Timeout | NotGiven | None,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, object] | None,
        extra_body: Mapping[str, object] | None,
    ) -> httpx.Request:
        """A request encoded the way its operation declares (styles, media type, security)."""
        if extra_body is not None:
            body = {**(dump_body(body) if not isinstance(body, NotGiven) else {}), **extra_body}
        encoded: EncodedRequest = encode_request(
            wire,
            path,
            path_params=_merge(path_params),
            query=_merge(self._default_query, query),
            headers=_merge(headers),
            cookies=_merge(cookies),
            body=body,
            has_body=not isinstance(body, NotGiven),
            schemes=self._security_schemes,
            credentials=self._credentials,
        )
        request_headers = httpx.Headers({**self._default_headers, **encoded.headers})
        for key, value in (extra_headers or {}).items():
            if _is_omitted(value):
                request_headers.pop(key, None)
            else:
                request_headers[key] = value
        self._add_idempotency_key(method, request_headers)
        return self._http.build_request(
            method,
            self._url(encoded.path),
            params=[*encoded.query, *_encode_query(_merge(extra_query))],
            headers=request_headers,
            content=encoded.content,
            timeout=self._timeout if isinstance(timeout, NotGiven) else timeout,
        )

    @staticmethod
    def _encode_json(body: object, extra_body: Mapping[str, object] | None) -> bytes:
        data = {} if isinstance(body, NotGiven) else _jsonable(body)
        if extra_body is not None:
            if not isinstance(data, dict):
                raise ValueError("extra_body can only be merged into a JSON object body")
            data = {**data, **_jsonable(extra_body)}
        # allow_nan=False: NaN and Infinity are not JSON, so fail here rather than at the API.
        return json.dumps(data, ensure_ascii=False, allow_nan=False).encode()

    def _prepare(
        self,
        method: str,
        path: str,
        *,
        extra_headers: Mapping[str, str] | None,
        cast_to: object,
        error_types: Mapping[str, object] | None,
        max_retries: int | NotGiven,
        wrap: Callable[[Any], Any] | None,
        **request_parts: Any,
    ) -> tuple[httpx.Request, _CallOptions]:
        if self.is_closed:
            raise ClientClosedError()
        mode = _pop_response_mode(extra_headers)
        request = self._build_request(method, path, extra_headers=extra_headers, **request_parts)
        options = _CallOptions(
            cast_to=cast_to,
            error_types=error_types,
            max_retries=(
                self._max_retries
                if isinstance(max_retries, NotGiven)
                else _checked_retries(max_retries)
            ),
            mode=mode,
            wrap=wrap,
            redirects=_declares_redirects(request_parts.get("wire")),
        )
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "Request: %s %s headers=%s",
                request.method,
                self._loggable_url(request.url),
                redacted_headers(request.headers, self._secret_headers),
            )
        return request, options

    def _loggable_url(self, url: httpx.URL) -> str:
        return redacted_url(url, self._secret_headers)

    def _handle_outcome(
        self,
        request: httpx.Request,
        outcome: httpx.Response | httpx.RequestError,
        options: _CallOptions,
        retries_taken: int,
    ) -> Any:
        """The result, a `_Retry`, or raises the error the caller should see.

        A response that is not a success must have been read.
        """
        where = f"{request.method} {self._loggable_url(request.url)}"
        can_retry = retries_taken < options.max_retries
        may_repeat = request.method in _IDEMPOTENT_METHODS or (
            self._idempotency_header is not None and self._idempotency_header in request.headers
        )
        if isinstance(outcome, httpx.RequestError):
            log.info("HTTP Request: %s failed: %s: %s", where, type(outcome).__name__, outcome)
            retryable = (
                isinstance(outcome, httpx.TransportError)
                and not isinstance(outcome, httpx.UnsupportedProtocol)  # a bad base_url stays bad
                and (may_repeat or isinstance(outcome, _NOT_SENT_ERRORS))
            )
            if can_retry and retryable:
                return self._retry(
                    where, backoff(retries_taken), retries_taken, options, "connection error"
                )
            if retryable is False and can_retry:
                log.info("Not retrying %s: it may have reached the server", where)
            if isinstance(outcome, httpx.TimeoutException):
                raise APITimeoutError(request=request) from outcome
            raise APIConnectionError(
                f"Connection error: {type(outcome).__name__}: {outcome}", request=request
            ) from outcome
        response = outcome
        log.info(
            'HTTP Request: %s "%d %s" (%.0f ms)',
            where,
            response.status_code,
            response.reason_phrase,
            response.elapsed.total_seconds() * 1000 if _has_elapsed(response) else 0.0,
        )
        if response.is_success or (options.redirects and response.is_redirect):
            return self._result(response, options, retries_taken)
        body = decode_body(response)
        hint = retry_after_seconds(response.headers, body)
        status = response.status_code
        should_retry = response.headers.get("x-should-retry", "").strip().lower()
        if should_retry in ("true", "false"):
            retryable, reason = should_retry == "true", f"x-should-retry: {should_retry}"
        elif may_repeat:
            retryable, reason = status in _RETRYABLE_STATUSES or status >= 500, f"status {status}"
        else:
            # The server did not act on a 429, nor on a 503 that says when to come back.
            retryable = status == 429 or (status == 503 and hint is not None)
            reason = f"status {status}"
        error = make_status_error(response, self._parse_error(response, body, options.error_types))
        if not (can_retry and retryable):
            if can_retry:
                log.debug("Not retrying %s: %s", where, reason)
            raise error
        if hint is not None and hint > self._max_retry_wait:
            log.info(
                "Not retrying %s: the server asks to wait %.0f s, more than max_retry_wait (%.0f s)",
                where,
                hint,
                self._max_retry_wait,
            )
            raise error
        delay = hint if hint is not None and hint > 0 else backoff(retries_taken)
        return self._retry(where, delay, retries_taken, options, reason)

    @staticmethod
    def _retry(
        where: str, delay: float, retries_taken: int, options: _CallOptions, reason: str
    ) -> _Retry:
        log.info(
            "Retrying %s in %.2f s (retry %d of %d): %s",
            where,
            delay,
            retries_taken + 1,
            options.max_retries,
            reason,
        )
        return _Retry(delay, reason)

    def _result(self, response: httpx.Response, options: _CallOptions, retries_taken: int) -> Any:
        def parse(read_response: httpx.Response) -> Any:
            value = self._parse_response(read_response, options.cast_to)
            return options.wrap(value) if options.wrap is not None else value

        if options.mode == "parse":
            return parse(response)
        return self._raw_response(response, parse, retries_taken)

    def _raw_response(
        self, response: httpx.Response, parse: Callable[[httpx.Response], Any], retries_taken: int
    ) -> object:
        raise NotImplementedError

    @staticmethod
    def _parse_error(
        response: httpx.Response, body: object, error_types: Mapping[str, object] | None
    ) -> object | None:
        """The body as the operation's declared error type for this status, if it fits."""
        if not error_types:
            return None
        status = response.status_code
        for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
            if key in error_types:
                error_type = error_types[key]
                break
        else:
            return None
        if error_type is None:
            return None
        try:
            return type_adapter(error_type).validate_python(body)
        except pydantic.ValidationError:
            return None

    @staticmethod
    def _parse_response(response: httpx.Response, cast_to: object) -> Any:
        if cast_to is None:
            return None
        if cast_to is bytes:
            return response.content
        if cast_to is str:
            return response.text
        if response.status_code == 204 or not response.content.strip():
            return None
        where = f"{response.request.method} {response.request.url.path}"
        try:
            data = response.json()
        except ValueError as exc:
            raise APIResponseValidationError(
                f"Response to {where} (status {response.status_code}) is not valid JSON",
                response=response,
                body=response.text,
            ) from exc
        value, drift = validate_response(cast_to, data)
        if drift is not None:
            first = drift.errors()[0]
            location = ".".join(map(str, first["loc"])) or "<root>"
            log.warning(
                "Response to %s (status %d) does not match the client's types (%d difference(s), "
                "first at %s: %s); returning it as sent. Regenerate the client?",
                where,
                response.status_code,
                drift.error_count(),
                location,
                first["msg"],
            )
            if isinstance(value, pydantic.BaseModel):
                object.__setattr__(value, "_raw_body", data)  # the body exactly as sent
        return value


def _checked_retries(max_retries: int) -> int:
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, not {max_retries}")
    return max_retries


def _has_elapsed(response: httpx.Response) -> bool:
    try:
        response.elapsed  # noqa: B018 (set only once the response was read or closed)
    except RuntimeError:
        return False
    return True


def _pop_response_mode(extra_headers: Mapping[str, str] | None) -> ResponseMode:
    """The mode a `with_raw_response` wrapper asked for; the marker header is not sent.

    Removed in place: the wrapper made this dict for the call, and a page object's next
    request (which reuses the call's `extra_headers`) should return plain pages.
    """
    if isinstance(extra_headers, dict) and RESPONSE_MODE_HEADER in extra_headers:
        mode = extra_headers.pop(RESPONSE_MODE_HEADER)
        if mode in ("raw", "stream"):
            return cast(ResponseMode, mode)
    return "parse"


class SyncAPIClient(_BaseClient[httpx.Client]):
    """Blocking client; use it as a context manager or call `close()`."""

    def _default_http_client(self) -> httpx.Client:
        return httpx.Client(timeout=self._timeout, verify=_ssl_context())

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _raw_response(
        self, response: httpx.Response, parse: Callable[[httpx.Response], Any], retries_taken: int
    ) -> APIResponse[Any]:
        return APIResponse(response, parse, retries_taken)

    def request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        json: object = NOT_GIVEN,
        content: bytes | None = None,
        content_type: str | None = None,
        cast_to: object = None,
        error_types: Mapping[str, object] | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: Mapping[str, object] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
        wrap: Callable[[Any], Any] | None = None,
        cookies: Mapping[str, object] | None = None,
        wire: OperationWire | None = None,
    ) -> Any:
        """Send a request, retrying when that is safe, and parse the response as `cast_to`."""
        request, options = self._prepare(
            method,
            path,
            path_params=path_params,
            query=query,
            headers=headers,
            json_body=json,
            content=content,
            content_type=content_type,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            cookies=cookies,
            wire=wire,
            cast_to=cast_to,
            error_types=error_types,
            max_retries=max_retries,
            wrap=wrap,
        )
        retries_taken = 0
        while True:
            outcome: httpx.Response | httpx.RequestError
            try:
                outcome = self._http.send(request, stream=options.mode == "stream")
                if not outcome.is_success:
                    outcome.read()
            except httpx.RequestError as exc:
                outcome = exc
            result = self._handle_outcome(request, outcome, options, retries_taken)
            if not isinstance(result, _Retry):
                return result
            if isinstance(outcome, httpx.Response):
                outcome.close()
            self._sleep(result.delay)
            retries_taken += 1

    def close(self) -> None:
        """Close the HTTP connection pool, unless it was injected by the caller."""
        if self._owns_http:
            if self._pool.client is not None:
                self._pool.client.close()
            self._pool.closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    """Asyncio client; use it as an async context manager or await `close()`."""

    def _default_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._timeout, verify=_ssl_context())

    async def _sleep(self, seconds: float) -> None:
        import asyncio  # here: importing asyncio costs more than the rest of the client

        await asyncio.sleep(seconds)

    def _raw_response(
        self, response: httpx.Response, parse: Callable[[httpx.Response], Any], retries_taken: int
    ) -> AsyncAPIResponse[Any]:
        return AsyncAPIResponse(response, parse, retries_taken)

    async def request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        json: object = NOT_GIVEN,
        content: bytes | None = None,
        content_type: str | None = None,
        cast_to: object = None,
        error_types: Mapping[str, object] | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: Mapping[str, object] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
        wrap: Callable[[Any], Any] | None = None,
        cookies: Mapping[str, object] | None = None,
        wire: OperationWire | None = None,
    ) -> Any:
        """Send a request, retrying when that is safe, and parse the response as `cast_to`."""
        request, options = self._prepare(
            method,
            path,
            path_params=path_params,
            query=query,
            headers=headers,
            json_body=json,
            content=content,
            content_type=content_type,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            cookies=cookies,
            wire=wire,
            cast_to=cast_to,
            error_types=error_types,
            max_retries=max_retries,
            wrap=wrap,
        )
        retries_taken = 0
        while True:
            outcome: httpx.Response | httpx.RequestError
            try:
                outcome = await self._http.send(request, stream=options.mode == "stream")
                if not outcome.is_success:
                    await outcome.aread()
            except httpx.RequestError as exc:
                outcome = exc
            result = self._handle_outcome(request, outcome, options, retries_taken)
            if not isinstance(result, _Retry):
                return result
            if isinstance(outcome, httpx.Response):
                await outcome.aclose()
            await self._sleep(result.delay)
            retries_taken += 1

    async def close(self) -> None:
        """Close the HTTP connection pool, unless it was injected by the caller."""
        if self._owns_http:
            if self._pool.client is not None:
                await self._pool.client.aclose()
            self._pool.closed = True

    async def aclose(self) -> None:
        """Alias of `close()`, matching httpx."""
        await self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
