"""Which failures are retried, and how long the client waits: sync and async, real server."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import pytest
from support.local_server import LocalServer, Reply

from generator.runtime._base_client import AsyncAPIClient, SyncAPIClient
from generator.runtime._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)

CONFIG: dict[str, Any] = {
    "api_key": "sk-retry-test",
    "api_key_env": "APIGEN_RETRY_TEST_KEY",
    "base_url_env": "APIGEN_RETRY_TEST_URL",
    "default_base_url": "http://127.0.0.1:9",
    "user_agent": "retry-tests/1.0",
}


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def call(
    flavour: str,
    base_url: str,
    method: str,
    *,
    client_options: dict[str, Any] | None = None,
    **request_options: Any,
) -> tuple[object, list[float]]:
    """(result or raised APIError, the delays slept) of one call through either client."""
    delays: list[float] = []
    options = {**CONFIG, "base_url": base_url, **(client_options or {})}
    if flavour == "sync":
        with SyncAPIClient(**options) as client:
            client._sleep = delays.append  # type: ignore[method-assign]
            try:
                return client.request(method, "/v1/things", **request_options), delays
            except APIError as error:
                return error, delays

    async def main() -> object:
        async with AsyncAPIClient(**options) as client:

            async def sleep(seconds: float) -> None:
                delays.append(seconds)

            client._sleep = sleep  # type: ignore[method-assign]
            try:
                return await client.request(method, "/v1/things", **request_options)
            except APIError as error:
                return error

    return asyncio.run(main()), delays


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_idempotent_methods_retry_transient_statuses(
    server: LocalServer, flavour: str, status: int
) -> None:
    server.script(Reply(status, {"detail": "later"}), Reply(200, {"ok": True}))
    result, delays = call(flavour, server.url, "GET", cast_to=dict)
    assert result == {"ok": True} and len(delays) == 1
    assert [r.method for r in server.requests] == ["GET", "GET"]


@pytest.mark.parametrize("status", [408, 409, 500, 502, 504])
def test_post_is_not_retried_when_the_server_may_have_acted(
    server: LocalServer, flavour: str, status: int
) -> None:
    server.script(Reply(status, {"detail": "maybe done"}), Reply(201, {"id": "dup"}))
    result, delays = call(flavour, server.url, "POST", json={"name": "x"})
    assert isinstance(result, APIError) and delays == []
    assert len(server.requests) == 1  # no duplicate created


@pytest.mark.parametrize(
    "reply",
    [
        Reply(429, {"detail": "slow down"}),
        Reply(503, b"", {"Retry-After": "2"}),
        Reply(500, b"", {"x-should-retry": "true"}),
    ],
    ids=["429", "503-with-retry-after", "x-should-retry-true"],
)
def test_post_is_retried_when_the_request_was_not_processed(
    server: LocalServer, flavour: str, reply: Reply
) -> None:
    server.script(reply, Reply(201, {"id": "m1"}))
    result, delays = call(flavour, server.url, "PATCH", json={}, cast_to=dict)
    assert result == {"id": "m1"} and len(delays) == 1


def test_x_should_retry_false_is_honoured(server: LocalServer, flavour: str) -> None:
    server.script(Reply(503, b"", {"x-should-retry": "false"}), Reply(200))
    result, delays = call(flavour, server.url, "GET")
    assert isinstance(result, InternalServerError) and delays == []


def test_post_read_timeout_is_not_retried(server: LocalServer, flavour: str) -> None:
    server.script(Reply(201, {"id": "late"}, delay=30), Reply(201, {"id": "dup"}))
    result, delays = call(flavour, server.url, "POST", json={}, timeout=0.3)
    assert isinstance(result, APITimeoutError) and delays == []
    assert len(server.requests) == 1


def test_get_read_timeout_is_retried(server: LocalServer, flavour: str) -> None:
    server.script(Reply(200, {"id": "late"}, delay=30), Reply(200, {"id": "m1"}))
    result, delays = call(flavour, server.url, "GET", timeout=0.3, cast_to=dict)
    assert result == {"id": "m1"} and len(delays) == 1


def test_post_connection_refused_is_retried(flavour: str) -> None:
    with socket.socket() as sock:  # bound, not listening: connecting is refused
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        result, delays = call(flavour, url, "POST", json={})
    assert type(result) is APIConnectionError and len(delays) == 2


def test_idempotency_key_makes_post_retryable_with_one_key_per_call(
    server: LocalServer, flavour: str
) -> None:
    server.script(Reply(500), Reply(502), Reply(201, {"id": "m1"}), Reply(201, {"id": "m2"}))
    options = {"idempotency_header": "Idempotency-Key"}
    first, delays = call(flavour, server.url, "POST", json={}, cast_to=dict, client_options=options)
    second, _ = call(flavour, server.url, "POST", json={}, cast_to=dict, client_options=options)
    assert (first, second) == ({"id": "m1"}, {"id": "m2"}) and len(delays) == 2
    keys = [r.headers["idempotency-key"] for r in server.requests]
    assert keys[0] == keys[1] == keys[2] != keys[3]
    # A key the caller chose is kept; GET requests carry none.
    server.script(Reply(201, {}), Reply(200, {}))
    call(
        flavour,
        server.url,
        "POST",
        json={},
        client_options=options,
        extra_headers={"Idempotency-Key": "mine"},
    )
    call(flavour, server.url, "GET", client_options=options)
    assert server.requests[4].headers["idempotency-key"] == "mine"
    assert "idempotency-key" not in server.requests[5].headers


def test_retry_after_hints_and_zero_falls_back_to_backoff(
    server: LocalServer, flavour: str
) -> None:
    server.script(
        Reply(429, {"retry_after": 3}),  # Baseten's JSON hint
        Reply(503, b"", {"Retry-After": "0"}),
        Reply(429, b"", {"retry-after-ms": "1500"}),
        Reply(204),
    )
    result, delays = call(flavour, server.url, "GET", max_retries=3)
    assert result is None
    assert delays[0] == 3.0 and 0.75 <= delays[1] <= 1.0 and delays[2] == 1.5


def test_long_retry_after_raises_rate_limit_error_at_once(
    server: LocalServer, flavour: str
) -> None:
    server.script(Reply(429, b"", {"Retry-After": "3600"}))
    result, delays = call(flavour, server.url, "POST", json={})
    assert isinstance(result, RateLimitError) and result.retry_after == 3600
    assert delays == [] and len(server.requests) == 1
    server.script(Reply(429, b"", {"Retry-After": "3600"}), Reply(204))
    result, delays = call(flavour, server.url, "GET", client_options={"max_retry_wait": 7200.0})
    assert result is None and delays == [3600.0]


def test_per_call_max_retries(server: LocalServer, flavour: str) -> None:
    server.script(*[Reply(503)] * 5)
    result, delays = call(flavour, server.url, "GET", max_retries=4)
    assert isinstance(result, InternalServerError) and len(delays) == 4
    with pytest.raises(ValueError, match="max_retries"):
        call(flavour, server.url, "GET", max_retries=-1)


def test_retry_decisions_are_logged_with_secrets_redacted(
    server: LocalServer, flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(Reply(502), Reply(200, {"ok": True}))
    options = {"secret_headers": ["X-Vault-Token"]}
    with caplog.at_level(logging.DEBUG, logger="generator.runtime"):
        call(
            flavour,
            server.url,
            "GET",
            client_options=options,
            extra_headers={"X-Vault-Token": "vault-secret", "X-Trace": "visible"},
            extra_query={"api_key": "query-secret"},
        )
    text = caplog.text
    assert "Retrying GET" in text and "status 502" in text and '"200 OK"' in text
    assert "visible" in text and "<redacted>" in text
    for secret in ("vault-secret", "query-secret", CONFIG["api_key"]):
        assert secret not in text
    assert server.requests[0].headers["x-vault-token"] == "vault-secret"  # still sent
