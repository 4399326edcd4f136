"""The fetcher (generator/sync/fetch.py) against a server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Callable, Iterator
from email.utils import formatdate
from pathlib import Path
from time import time

import pytest
from support.docs_server import DocsServer, encoded, serving, status

from generator.errors import InputError, UpstreamError
from generator.sync.fetch import (
    RETRY_AFTER_MAX,
    Fetched,
    Fetcher,
    UpstreamUnreachable,
    UrlPolicy,
    Validators,
    open_client,
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DocsServer]:
    (tmp_path / "page.md").write_text("# A page\n")
    with serving(tmp_path) as running:
        yield running


def fetch(
    server: DocsServer,
    path: str = "/page.md",
    validators: Validators | None = None,
    *,
    is_index: bool = False,
    allowed_hosts: tuple[str, ...] = (),
    retries: int = 3,
) -> tuple[Fetched, list[float]]:
    delays: list[float] = []

    async def record(seconds: float) -> None:
        delays.append(seconds)

    async def run() -> Fetched:
        policy = UrlPolicy(server.url("/llms.txt"), allowed_hosts, ("/page.md", "/pages/"))
        async with open_client(policy, timeout=5, concurrency=2) as client:
            fetcher = Fetcher(
                client, policy, timeout=5, retries=retries, max_bytes=10_000, sleep=record
            )
            return await fetcher.fetch(
                server.url(path), validators or Validators(), is_index=is_index
            )

    return asyncio.run(run()), delays


def test_conditional_request_gives_304(server: DocsServer) -> None:
    first, _ = fetch(server)
    assert first.body == b"# A page\n" and first.validators.etag
    again, _ = fetch(server, validators=first.validators)
    assert again.body is None
    assert server.requests[-1].status == 304 and server.requests[-1].if_none_match


def test_backoff_doubles_on_5xx_then_succeeds(server: DocsServer) -> None:
    server.faults["/page.md"] = status(502, times=3)
    fetched, delays = fetch(server)
    assert fetched.body == b"# A page\n" and len(delays) == 3
    for delay, ceiling in zip(delays, (0.5, 1.0, 2.0), strict=True):
        assert ceiling * 0.75 <= delay <= ceiling  # the runtime's backoff, jitter included


def test_retry_after_as_an_http_date(server: DocsServer) -> None:
    when = formatdate(time() + 30, usegmt=True)
    server.faults["/page.md"] = status(503, times=1, headers={"Retry-After": when})
    _, delays = fetch(server)
    assert len(delays) == 1 and 25 < delays[0] <= 30


def test_retry_after_ms_and_a_zoneless_date_as_the_clients_read_them(server: DocsServer) -> None:
    server.faults["/page.md"] = status(429, times=1, headers={"retry-after-ms": "1500"})
    _, delays = fetch(server)
    assert delays == [1.5]
    zoneless = formatdate(time() + 30, usegmt=True).removesuffix(" GMT")
    server.faults["/page.md"] = status(503, times=1, headers={"Retry-After": zoneless})
    _, delays = fetch(server)
    assert len(delays) == 1 and 25 < delays[0] <= 30  # UTC, whatever the local zone


def test_too_long_retry_after_is_an_error_not_a_hang(server: DocsServer) -> None:
    server.faults["/page.md"] = status(429, headers={"Retry-After": str(int(RETRY_AFTER_MAX) + 1)})
    with pytest.raises(UpstreamError, match="asks to wait"):
        fetch(server)


def test_retries_exhausted_on_the_index_is_unreachable(server: DocsServer) -> None:
    server.faults["/llms.txt"] = status(500)
    with pytest.raises(UpstreamUnreachable, match=r"/llms.txt: HTTP 500 \(after 2 attempts\)"):
        fetch(server, "/llms.txt", is_index=True, retries=1)


def test_connection_refused_is_unreachable(server: DocsServer) -> None:
    server.stop()
    with pytest.raises(UpstreamUnreachable, match="unreachable"):
        fetch(server, "/llms.txt", is_index=True, retries=0)


def test_redirect_to_another_host_is_refused(server: DocsServer) -> None:
    server.faults["/page.md"] = status(302, headers={"Location": "https://elsewhere.example/x.md"})
    with pytest.raises(UpstreamError, match=r"host 'elsewhere\.example' is not one of"):
        fetch(server)


def test_only_https_or_loopback_http() -> None:
    UrlPolicy("http://localhost:8000/llms.txt").check("http://localhost:8000/a.md")
    UrlPolicy("http://[::1]:8000/llms.txt")
    policy = UrlPolicy("https://docs.example/llms.txt", ("cdn.example",))
    policy.check("https://cdn.example/a.md")
    with pytest.raises(UpstreamError, match="only https"):
        policy.check("http://docs.example/a.md")
    with pytest.raises(UpstreamError, match="not one of"):
        policy.check("https://other.example/a.md")
    with pytest.raises(InputError, match="only https"):
        UrlPolicy("http://docs.example/llms.txt")


def test_redirect_between_pages_is_followed(server: DocsServer) -> None:
    (server.root / "pages").mkdir()
    (server.root / "pages" / "moved.md").write_text("# Moved\n")
    server.faults["/page.md"] = status(301, headers={"Location": "/pages/moved.md"})
    fetched, _ = fetch(server)
    assert fetched.body == b"# Moved\n"


def test_same_host_redirect_outside_the_page_prefixes_is_refused(server: DocsServer) -> None:
    (server.root / "secret.md").write_text("secret\n")
    server.faults["/page.md"] = status(302, headers={"Location": "/pages/../secret.md"})
    with pytest.raises(UpstreamError, match=r"/page\.md: refusing the redirect to .*secret\.md"):
        fetch(server)
    assert "/secret.md" not in server.paths_requested()


def test_index_redirect_to_another_path_is_refused(server: DocsServer) -> None:
    server.faults["/llms.txt"] = status(302, headers={"Location": "/page.md"})
    with pytest.raises(UpstreamError, match="outside the requested path"):
        fetch(server, "/llms.txt", is_index=True)


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),
        ("identity", lambda data: data),
    ],
)
def test_one_content_encoding_is_decoded(
    server: DocsServer, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    server.faults["/page.md"] = encoded(compress(b"# A page\n" * 100), encoding)
    fetched, _ = fetch(server)
    assert fetched.body == b"# A page\n" * 100


def test_a_gzip_bomb_stops_at_the_limit(server: DocsServer) -> None:
    server.faults["/page.md"] = encoded(gzip.compress(b"\0" * 50_000_000), "gzip")
    with pytest.raises(UpstreamError, match="larger than the limit of 10000 bytes"):
        fetch(server)


def test_stacked_content_encodings_are_refused(server: DocsServer) -> None:
    server.faults["/page.md"] = encoded(gzip.compress(gzip.compress(b"# A page\n")), "gzip, gzip")
    with pytest.raises(UpstreamError, match=r"refusing stacked Content-Encoding 'gzip, gzip'"):
        fetch(server)


def test_garbled_or_truncated_gzip_is_an_error(server: DocsServer) -> None:
    server.faults["/page.md"] = encoded(gzip.compress(b"# A page\n" * 100)[:-12], "gzip")
    with pytest.raises(UpstreamError, match="gzip body is truncated"):
        fetch(server)
    server.faults["/page.md"] = encoded(b"not gzip at all", "gzip")
    with pytest.raises(UpstreamError, match="gzip body does not decode"):
        fetch(server)
