"""Exceptions raised by the client.

Messages and reprs never contain request headers, so the API key cannot leak into logs.
"""

from __future__ import annotations

import json

import httpx

from ._retry import retry_after_seconds

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "InternalServerError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "decode_body",
    "make_status_error",
]

# Longest slice of a response body quoted in an error message.
_MAX_BODY_IN_MESSAGE = 500


class APIError(Exception):
    """Base class of every error the client raises."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MissingAPIKeyError(APIError):
    """No `api_key` argument was given and the environment variable is unset."""

    def __init__(self, env_var: str) -> None:
        super().__init__(f"No API key: pass api_key=... or set the {env_var} environment variable.")
        self.env_var = env_var


class ClientClosedError(APIError):
    """The client was used after `close()` (or after its `http_client` was closed)."""

    def __init__(self) -> None:
        super().__init__(
            "This client has been closed; create a new one (or use it as a context manager "
            "around all of its calls)."
        )


class APIConnectionError(APIError):
    """The request never got a response: DNS, refused connection, reset, TLS..."""

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool)."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class APIResponseValidationError(APIError):
    """A successful response was not valid JSON or did not match the declared type."""

    def __init__(self, message: str, *, response: httpx.Response, body: object = None) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = body


class APIStatusError(APIError):
    """The API answered with a non-2xx status.

    Attributes:
        status_code: The HTTP status.
        response: The raw `httpx.Response`.
        request_id: The `x-request-id` (or `request-id`) response header, for support tickets.
        body: The JSON-decoded body, else its text, else None when empty.
        parsed: The body validated against the operation's declared error type for this
            status, or None when none is declared or the body does not match it.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object = None,
        parsed: object | None = None,
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id") or response.headers.get("request-id")
        self.body = body
        self.parsed = parsed


class BadRequestError(APIStatusError):
    """400 Bad Request."""


class AuthenticationError(APIStatusError):
    """401 Unauthorized: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403 Forbidden."""


class NotFoundError(APIStatusError):
    """404 Not Found."""


class ConflictError(APIStatusError):
    """409 Conflict."""


class UnprocessableEntityError(APIStatusError):
    """422 Unprocessable Entity: the request failed the API's validation."""


class RateLimitError(APIStatusError):
    """429 Too Many Requests; `retry_after` is the server's hint in seconds, if any."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object = None,
        parsed: object | None = None,
    ) -> None:
        super().__init__(message, response=response, body=body, parsed=parsed)
        self.retry_after: float | None = retry_after_seconds(response.headers, body)


class InternalServerError(APIStatusError):
    """Any 5xx status."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def decode_body(response: httpx.Response) -> object:
    """The body as JSON if it parses, else as text; None when empty or not read."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return None
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except ValueError:  # also covers UnicodeDecodeError
        return response.text


def make_status_error(response: httpx.Response, parsed: object | None = None) -> APIStatusError:
    """Build the `APIStatusError` subclass that matches the response's status."""
    status = response.status_code
    body = decode_body(response)
    if status >= 500:
        error_class: type[APIStatusError] = InternalServerError
    else:
        error_class = _STATUS_ERRORS.get(status, APIStatusError)
    message = f"Error code: {status}"
    if body is not None:
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        if len(text) > _MAX_BODY_IN_MESSAGE:
            text = text[:_MAX_BODY_IN_MESSAGE] + "..."
        message += f" - {text}"
    return error_class(message, response=response, body=body, parsed=parsed)
