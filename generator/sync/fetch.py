"""Fetch the index and the pages: bounded, retried, conditional, and suspicious of upstream.

Policy (upstream is untrusted):
- https only; plain http only for loopback hosts (127.0.0.0/8, ::1, localhost);
- only the index's host or a configured allowlist, redirects included; a redirect must stay
  where the request was allowed to go (a page under the page prefixes, the index or the
  whole spec at its own path), so a same-host redirect elsewhere is refused;
- at most `max_bytes` per response counted as the body is decoded, one Content-Encoding at
  most (gzip or deflate; stacked encodings are refused), a total time limit per attempt;
- retries with the generated clients' timing (`runtime/_retry.py`: exponential backoff with
  jitter, `retry-after-ms`, `Retry-After` as seconds or an HTTP date, a JSON body's
  `retry_after` as Baseten's rate limiter sends it) on 429, 5xx and transport errors;
- an HTML page in place of markdown, a truncated body or a 404 is an error naming the URL.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from ..errors import InputError, UpstreamError
from ..runtime._retry import backoff, retry_after_seconds
from .urls import is_loopback, normalise_url

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


class UrlPolicy:
    """Which URLs may be fetched: the index's host and the allowlist, https (http on loopback);
    pages only under `page_prefixes`."""

    def __init__(
        self,
        index_url: str,
        allowed_hosts: tuple[str, ...] = (),
        page_prefixes: tuple[str, ...] = ("/",),
    ) -> None:
        index_host = urlsplit(index_url).hostname or ""
        self.hosts = {index_host.lower(), *(host.lower() for host in allowed_hosts)}
        self.page_prefixes = page_prefixes
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

    def is_page(self, url: str) -> bool:
        """A (normalised) URL under the page prefixes."""
        return urlsplit(url).path.startswith(self.page_prefixes)

    def check_redirect(self, origin: str, target: str) -> str:
        """The normalised redirect target; UpstreamError unless it stays where `origin` may go:
        a page to a page, anything else to the same path (http -> https, another allowed host)."""
        normalised = normalise_url(target)
        self.check(normalised)
        same_path = urlsplit(normalised).path == urlsplit(origin).path
        if not (same_path or (self.is_page(origin) and self.is_page(normalised))):
            raise UpstreamError(
                f"{origin}: refusing the redirect to {target}: outside "
                + ("the page prefixes" if self.is_page(origin) else "the requested path")
            )
        return normalised


def open_client(policy: UrlPolicy, *, timeout: float, concurrency: int) -> httpx.AsyncClient:
    """An HTTP client whose every request passes `policy` first; redirects are followed by
    the Fetcher (checked with `policy.check_redirect`), not by httpx."""

    async def check_request(request: httpx.Request) -> None:
        policy.check(str(request.url))

    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=concurrency),
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/markdown, text/plain;q=0.9, */*;q=0.1",
            "Accept-Encoding": "gzip, deflate",  # what _BoundedDecoder decodes
        },
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
        policy: UrlPolicy,
        *,
        timeout: float,
        retries: int,
        max_bytes: int,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._client = client
        self._policy = policy
        self._timeout = timeout
        self._retries = retries
        self._max_bytes = max_bytes
        self._sleep = sleep

    def with_limit(self, max_bytes: int) -> Fetcher:
        """The same fetcher with another size limit (a whole spec is bigger than a page)."""
        return Fetcher(
            self._client,
            self._policy,
            timeout=self._timeout,
            retries=self._retries,
            max_bytes=max_bytes,
            sleep=self._sleep,
        )

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
        except httpx.TransportError as exc:
            raise _Retryable(f"unreachable ({type(exc).__name__}: {exc})") from None
        except httpx.HTTPError as exc:
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
        """GET `url`, following at most MAX_REDIRECTS redirects that the policy allows."""
        target = url
        for _ in range(MAX_REDIRECTS + 1):
            async with self._client.stream("GET", target, headers=headers) as response:
                location = response.headers.get("Location")
                if not (response.is_redirect and location):
                    return response, await self._read_body(target, response)
            target = self._policy.check_redirect(url, urljoin(target, location))
        raise UpstreamError(f"{url}: more than {MAX_REDIRECTS} redirects")

    async def _read_body(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise self._too_large(url)
        decoder = _BoundedDecoder(url, response.headers.get("Content-Encoding", ""))
        chunks: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():  # decoded here, chunk by chunk, never past the limit
            for chunk in decoder.decode(raw, self._max_bytes - size + 1):
                size += len(chunk)
                if size > self._max_bytes:
                    raise self._too_large(url)
                chunks.append(chunk)
        chunks.append(decoder.finish())
        if size + len(chunks[-1]) > self._max_bytes:
            raise self._too_large(url)
        return b"".join(chunks)

    def _too_large(self, url: str) -> UpstreamError:
        return UpstreamError(f"{url}: response larger than the limit of {self._max_bytes} bytes")


class _BoundedDecoder:
    """Undo at most one Content-Encoding (gzip or deflate) without ever producing more output
    than asked for: a 3 KB bomb that decodes to gigabytes costs `limit` bytes, not gigabytes."""

    def __init__(self, url: str, header: str) -> None:
        self._url = url
        encodings = [
            e.strip().lower()
            for e in header.split(",")
            if e.strip().lower() not in ("", "identity")
        ]
        if len(encodings) > 1:
            raise UpstreamError(
                f"{url}: refusing stacked Content-Encoding {header!r} (one at most)"
            )
        self._encoding = encodings[0] if encodings else None
        self._zlib: zlib._Decompress | None = None  # for deflate: decided by the first bytes
        if self._encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._encoding not in (None, "deflate"):
            raise UpstreamError(f"{url}: unsupported Content-Encoding {header!r}")

    def decode(self, data: bytes, room: int) -> list[bytes]:
        """The decoded pieces of `data`; decoding stops once `room` bytes came out."""
        if self._encoding is None:
            return [data]
        if self._zlib is None:  # deflate: RFC 9110 says zlib format, some servers send raw
            raw = bool(data) and (data[0] & 0x0F) != 8
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        pieces = []
        try:
            while data and room > 0:
                piece = self._zlib.decompress(data, room)
                pieces.append(piece)
                room -= len(piece)
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise UpstreamError(
                f"{self._url}: the {self._encoding} body does not decode ({exc})"
            ) from None
        return pieces

    def finish(self) -> bytes:
        """What the decoder still holds (a few hundred bytes at most) once the body ended."""
        if self._zlib is None:
            return b""
        rest = self._zlib.flush()
        if not self._zlib.eof:
            raise UpstreamError(f"{self._url}: the {self._encoding} body is truncated")
        return rest


def _looks_like_html(body: bytes) -> bool:
    start = body[:512].lstrip().lower()
    return start.startswith((b"<!doctype", b"<html"))
