"""Fetch the index and the pages: bounded, retried, conditional, and suspicious of upstream.

Policy (upstream is untrusted):
- https only; plain http only for loopback hosts (127.0.0.0/8, ::1, localhost);
- only the index's host or a configured allowlist, redirects included;
- at most `max_bytes` per response, a total time limit per attempt;
- retries with the generated clients' timing (`runtime/_retry.py`: exponential backoff with
  jitter, `retry-after-ms`, `Retry-After` as seconds or an HTTP date, a JSON body's
  `retry_after` as Baseten's rate limiter sends it) on 429, 5xx and transport errors;
- an HTML page in place of markdown, a truncated body or a 404 is an error naming the URL.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ..errors import InputError, UpstreamError
from ..runtime._retry import backoff, retry_after_seconds

Sleep = Callable[[float], Awaitable[None]]

BACKOFF_MAX = 30.0
RETRY_AFTER_MAX = 120.0  # a server asking for a longer pause gets an error instead of a hang
MAX_REDIRECTS = 5
USER_AGENT = "apigen-sync/1 (+https://llmstxt.org)"


class UpstreamUnreachable(UpstreamError):
    """The index could not be fetched at all (network down, DNS, timeouts, 5xx after retries).

    The CLI may fall back to the last snapshot for this one, not for other upstream errors.
    """


@dataclass(frozen=True)
class Validators:
    """What the server said about a response, for the next conditional request."""

    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Fetched:
    """A response body, or None when the server answered 304 Not Modified."""

    url: str
    body: bytes | None
    validators: Validators


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class UrlPolicy:
    """Which URLs may be fetched: the index's host and the allowlist, https (http on loopback)."""

    def __init__(self, index_url: str, allowed_hosts: tuple[str, ...] = ()) -> None:
        index_host = urlsplit(index_url).hostname or ""
        self.hosts = {index_host.lower(), *(host.lower() for host in allowed_hosts)}
        try:
            self.check(index_url)
        except UpstreamError as exc:  # the index URL comes from the config
            raise InputError(str(exc)) from None

    def check(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme == "http" and is_loopback(host):
            pass
        elif parts.scheme != "https":
            raise UpstreamError(f"{url}: refusing to fetch: only https URLs (http on loopback)")
        if host not in self.hosts:
            allowed = ", ".join(sorted(self.hosts))
            raise UpstreamError(f"{url}: refusing to fetch: host {host!r} is not one of {allowed}")


def open_client(policy: UrlPolicy, *, timeout: float, concurrency: int) -> httpx.AsyncClient:
    """An HTTP client whose every request, redirects included, passes `policy` first."""

    async def check_request(request: httpx.Request) -> None:
        policy.check(str(request.url))

    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        limits=httpx.Limits(max_connections=concurrency),
        headers={"User-Agent": USER_AGENT, "Accept": "text/markdown, text/plain;q=0.9, */*;q=0.1"},
        event_hooks={"request": [check_request]},
    )


class _Retryable(Exception):
    """One attempt failed in a way that may pass on retry."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class Fetcher:
    """GETs with the policy above; `sleep` is injectable so tests need not wait."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        timeout: float,
        retries: int,
        max_bytes: int,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._client = client
        self._timeout = timeout
        self._retries = retries
        self._max_bytes = max_bytes
        self._sleep = sleep

    async def fetch(self, url: str, validators: Validators, *, is_index: bool = False) -> Fetched:
        """GET `url`; 304 gives `body=None`. Errors name the URL.

        When retries run out on the index the error is `UpstreamUnreachable`.
        """
        attempts = self._retries + 1
        for attempt in range(attempts):
            try:
                return await self._attempt(url, validators, is_index=is_index)
            except _Retryable as failure:
                if attempt + 1 == attempts:
                    error = UpstreamUnreachable if is_index else UpstreamError
                    raise error(f"{url}: {failure.reason} (after {attempts} attempts)") from None
                delay = failure.delay
                if delay is None:
                    delay = backoff(attempt, cap=BACKOFF_MAX)
                if delay > RETRY_AFTER_MAX:
                    raise UpstreamError(
                        f"{url}: {failure.reason}; the server asks to wait {delay:.0f} s, "
                        f"more than {RETRY_AFTER_MAX:.0f} s"
                    ) from None
                await self._sleep(delay)
        raise AssertionError("unreachable")  # the loop always returns or raises

    async def _attempt(self, url: str, validators: Validators, *, is_index: bool) -> Fetched:
        try:
            async with asyncio.timeout(self._timeout):
                response, body = await self._get(url, validators.request_headers())
        except (TimeoutError, httpx.TimeoutException):
            raise _Retryable(f"timed out after {self._timeout:g} s") from None
        except httpx.RemoteProtocolError as exc:
            # h11 says "peer closed connection without sending complete message body" when
            # fewer bytes arrive than Content-Length announced.
            raise _Retryable(f"truncated or malformed response ({exc})") from None
        except httpx.TooManyRedirects:
            raise UpstreamError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"unreachable ({type(exc).__name__}: {exc})") from None
        except httpx.HTTPError as exc:  # e.g. a body that does not decode (bad gzip)
            raise UpstreamError(f"{url}: {type(exc).__name__}: {exc}") from None

        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}", retry_after_seconds(response.headers, body))
        if status == 304:
            return Fetched(url, None, validators)
        if status == 404 and not is_index:
            raise UpstreamError(f"{url}: HTTP 404: page vanished between index and fetch")
        if status != 200:
            raise UpstreamError(f"{url}: HTTP {status}")
        content_type = response.headers.get("Content-Type", "").lower()
        if content_type.startswith("text/html") or _looks_like_html(body):
            raise UpstreamError(f"{url}: got an HTML page instead of markdown (an error page?)")
        return Fetched(
            url,
            body,
            Validators(response.headers.get("ETag"), response.headers.get("Last-Modified")),
        )

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        async with self._client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self._max_bytes:
                raise self._too_large(url)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():  # decoded, so a gzip bomb is caught too
                size += len(chunk)
                if size > self._max_bytes:
                    raise self._too_large(url)
                chunks.append(chunk)
        return response, b"".join(chunks)

    def _too_large(self, url: str) -> UpstreamError:
        return UpstreamError(f"{url}: response larger than the limit of {self._max_bytes} bytes")


def _looks_like_html(body: bytes) -> bool:
    start = body[:512].lstrip().lower()
    return start.startswith((b"<!doctype", b"<html"))
