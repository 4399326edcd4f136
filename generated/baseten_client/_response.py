"""Raw and streamed responses: `client.with_raw_response.<resource>.<method>(...)`.

A wrapped method sends the same request but returns an `APIResponse` (status, headers,
request id, `.parse()`) instead of the parsed body; with `with_streaming_response` the body
is not read until the caller iterates it, so a download need not fit in memory.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, ParamSpec, TypeVar, cast

import httpx

if TYPE_CHECKING:  # typing.Self is Python 3.11+; the client supports 3.10
    from typing_extensions import Self

__all__ = [
    "RESPONSE_MODE_HEADER",
    "APIResponse",
    "AsyncAPIResponse",
    "async_to_response_wrapper",
    "to_response_wrapper",
]

_T = TypeVar("_T")
_P = ParamSpec("_P")

WrapperMode = Literal["raw", "stream"]
# Set on the call by the wrappers, read and removed by the client: never sent.
RESPONSE_MODE_HEADER: Final = "X-Apigen-Response-Mode"


class _ResponseInfo:
    """What raw and streamed responses of both flavours tell about the HTTP exchange."""

    def __init__(
        self, response: httpx.Response, parse: Callable[[httpx.Response], Any], retries_taken: int
    ) -> None:
        self.http_response = response
        self.retries_taken = retries_taken
        self._parse = parse

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The `x-request-id` response header, for support tickets."""
        headers = self.http_response.headers
        request_id: str | None = headers.get("x-request-id") or headers.get("request-id")
        return request_id

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def elapsed(self) -> float:
        """Seconds from sending the request to reading the response headers."""
        return self.http_response.elapsed.total_seconds()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} [{self.status_code} {self.http_response.reason_phrase}] "
            f"{self.method} {self.url}>"
        )


class APIResponse(_ResponseInfo, Generic[_T]):
    """A response whose body has not been parsed yet; `parse()` gives the method's result."""

    def parse(self) -> _T:
        """The body as the method would have returned it (reads a streamed body first)."""
        self.http_response.read()
        return cast(_T, self._parse(self.http_response))

    def read(self) -> bytes:
        return self.http_response.read()

    def text(self) -> str:
        self.http_response.read()
        return self.http_response.text

    def json(self) -> object:
        self.http_response.read()
        return self.http_response.json()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in chunks as it arrives (for `with_streaming_response`)."""
        return self.http_response.iter_bytes(chunk_size)

    def close(self) -> None:
        self.http_response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAPIResponse(_ResponseInfo, Generic[_T]):
    """The async twin of `APIResponse`."""

    async def parse(self) -> _T:
        await self.http_response.aread()
        return cast(_T, self._parse(self.http_response))

    async def read(self) -> bytes:
        return await self.http_response.aread()

    async def text(self) -> str:
        await self.http_response.aread()
        return self.http_response.text

    async def json(self) -> object:
        await self.http_response.aread()
        return self.http_response.json()

    def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self.http_response.aiter_bytes(chunk_size)

    async def close(self) -> None:
        await self.http_response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def _with_mode(extra_headers: object, mode: WrapperMode) -> dict[str, str]:
    headers = dict(cast("Mapping[str, str]", extra_headers or {}))
    headers[RESPONSE_MODE_HEADER] = mode
    return headers


def to_response_wrapper(
    method: Callable[_P, _T], mode: WrapperMode
) -> Callable[_P, APIResponse[_T]]:
    """`method`, returning the `APIResponse` instead of the parsed body."""

    @functools.wraps(method)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_T]:
        kwargs["extra_headers"] = _with_mode(kwargs.get("extra_headers"), mode)
        return cast("APIResponse[_T]", method(*args, **kwargs))

    return wrapped


def async_to_response_wrapper(
    method: Callable[_P, Awaitable[_T]], mode: WrapperMode
) -> Callable[_P, Awaitable[AsyncAPIResponse[_T]]]:
    """The async twin of `to_response_wrapper`."""

    @functools.wraps(method)
    async def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> AsyncAPIResponse[_T]:
        kwargs["extra_headers"] = _with_mode(kwargs.get("extra_headers"), mode)
        return cast("AsyncAPIResponse[_T]", await method(*args, **kwargs))

    return wrapped
