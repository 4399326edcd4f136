"""A static docs site on 127.0.0.1 playing upstream for the sync tests.

Serves a folder (switchable while running, to play "upstream changed") with ETag and
Last-Modified, answering conditional requests with 304. `rewrite_origin` replaces the real
site's origin in llms.txt by the server's own, so that the mirrored index links here.

Faults: `server.faults[path] = fault` where a fault is a callable taking the request handler
and returning True when it answered the request itself (False: serve the file as usual).
Factories below: `status`, `truncated`, `html_page`, `stall`, `replace`, `encoded`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Fault = Callable[["_Handler"], bool]

_CONTENT_TYPES = {".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True)
class Request:
    path: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int


class DocsServer:
    def __init__(self, root: Path, rewrite_origin: str | None = None) -> None:
        self.root = root
        self.rewrite_origin = rewrite_origin
        self.faults: dict[str, Fault] = {}
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()
        self.release = threading.Event()  # set to end the stalls in progress
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.docs = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def release_stalled(self) -> None:
        """End the stalls in progress (later ones stall again)."""
        self.release.set()
        self.release = threading.Event()

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self.release_stalled()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def url(self, path: str) -> str:
        return self.base_url + path

    def body_of(self, path: str) -> bytes | None:
        """The bytes served for `path`, origin rewritten; None when there is no such file."""
        file = (self.root / path.lstrip("/")).resolve()
        if not file.is_relative_to(self.root.resolve()) or not file.is_file():
            return None
        body = file.read_bytes()
        if self.rewrite_origin and file.name == "llms.txt":  # pages stay as published
            body = body.replace(self.rewrite_origin.encode(), self.base_url.encode())
        return body

    def log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [request.path for request in self.requests]


@contextmanager
def serving(root: Path, rewrite_origin: str | None = None) -> Iterator[DocsServer]:
    server = DocsServer(root, rewrite_origin)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and Content-Length is what ends a body
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    @property
    def docs(self) -> DocsServer:
        return self.server.docs  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        docs = self.docs
        with docs._lock:
            docs.in_flight += 1
            docs.max_in_flight = max(docs.max_in_flight, docs.in_flight)
        try:
            self._serve()
        finally:
            with docs._lock:
                docs.in_flight -= 1

    def _serve(self) -> None:
        path = self.path.split("?", 1)[0]
        fault = self.docs.faults.get(path)
        if fault is not None and fault(self):
            return
        self.serve_file(path)

    def serve_file(self, path: str, transform: Callable[[bytes], bytes] | None = None) -> None:
        body = self.docs.body_of(path)
        if body is None:
            self.send(404, b"not found", "text/plain")
            return
        if transform is not None:
            body = transform(body)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        file = self.docs.root / path.lstrip("/")
        mtime = int(file.stat().st_mtime)
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if self._not_modified(etag, mtime):
            self.send(304, b"", None, headers)
            return
        content_type = _CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        self.send(200, body, content_type, headers)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
            return etag in [tag.strip() for tag in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return mtime <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
        *,
        declared_length: int | None = None,
    ) -> None:
        self.docs.log(
            Request(
                self.path,
                self.headers.get("If-None-Match"),
                self.headers.get("If-Modified-Since"),
                status,
            )
        )
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            length = len(body) if declared_length is None else declared_length
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


# Fault factories -------------------------------------------------------------------------


def status(
    code: int, *, times: int | None = None, headers: dict[str, str] | None = None, body: bytes = b""
) -> Fault:
    """Answer `code` (the first `times` requests only, when given)."""
    remaining = [times]

    def fault(handler: _Handler) -> bool:
        if remaining[0] is not None:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
        handler.send(code, body, "application/json" if body else "text/plain", headers)
        return True

    return fault


def truncated() -> Fault:
    """Announce more bytes than are sent, then close the connection."""

    def fault(handler: _Handler) -> bool:
        body = handler.docs.body_of(handler.path) or b"partial"
        handler.send(200, body[: len(body) // 2], "text/markdown", declared_length=len(body))
        handler.close_connection = True
        return True

    return fault


def html_page() -> Fault:
    """A 200 with an HTML error page where markdown should be (a CDN or proxy error)."""

    def fault(handler: _Handler) -> bool:
        page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
        handler.send(200, page, "text/html; charset=utf-8")
        return True

    return fault


def stall(seconds: float = 10.0) -> Fault:
    """Send nothing for `seconds` (or until `release_stalled`), then drop the connection."""

    def fault(handler: _Handler) -> bool:
        handler.docs.release.wait(seconds)
        handler.close_connection = True
        return True

    return fault


def replace(old: bytes, new: bytes) -> Fault:
    """Serve the file with `old` replaced by `new` (a fresh ETag follows)."""

    def fault(handler: _Handler) -> bool:
        handler.serve_file(handler.path, lambda body: body.replace(old, new))
        return True

    return fault


def encoded(body: bytes, encoding: str) -> Fault:
    """Serve `body` as it is, announced with `Content-Encoding: <encoding>` (bombs, garbage)."""

    def fault(handler: _Handler) -> bool:
        handler.send(200, body, "text/markdown", {"Content-Encoding": encoding})
        return True

    return fault
