"""The static runtime copied into generated packages, against a real local HTTP server."""

from __future__ import annotations

import asyncio
import copy
import enum
import pickle
import socket
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pydantic
import pytest
from support.local_server import LocalServer, Reply

from generator.runtime._base_client import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    AsyncAPIClient,
    NotGiven,
    SyncAPIClient,
)
from generator.runtime._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InternalServerError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from generator.runtime._retry import retry_after_seconds

API_KEY = "sk-very-secret-key-123"
KEY_ENV = "APIGEN_RUNTIME_TEST_API_KEY"
URL_ENV = "APIGEN_RUNTIME_TEST_BASE_URL"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(URL_ENV, raising=False)


CLIENT_CONFIG: dict[str, Any] = {
    "api_key_env": KEY_ENV,
    "base_url_env": URL_ENV,
    "default_base_url": "http://127.0.0.1:9",  # discard port: never reached by these tests
    "user_agent": "runtime-tests/1.0",
}


def make_client(server: LocalServer | None = None, **overrides: Any) -> SyncAPIClient:
    options: dict[str, Any] = {"api_key": API_KEY, **CLIENT_CONFIG}
    if server is not None:
        options["base_url"] = server.url
    options.update(overrides)
    return SyncAPIClient(**options)


def make_async_client(server: LocalServer, **overrides: Any) -> AsyncAPIClient:
    options: dict[str, Any] = {"api_key": API_KEY, "base_url": server.url, **CLIENT_CONFIG}
    options.update(overrides)
    return AsyncAPIClient(**options)


def record_sleeps(client: SyncAPIClient, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    delays: list[float] = []
    monkeypatch.setattr(client, "_sleep", delays.append)
    return delays


def record_async_sleeps(client: AsyncAPIClient, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(client, "_sleep", fake_sleep)
    return delays


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A 127.0.0.1 URL whose port is bound but not listening, so connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


# --- Models used as bodies and response types ----------------------------------------------


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Model(pydantic.BaseModel):
    id: str
    name: str | None = None


class CreateRequest(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)

    display_name: str = pydantic.Field(alias="displayName")
    color: Color | None = None
    created: datetime | None = None
    note: str | None = None


class ErrorBody(pydantic.BaseModel):
    detail: str


# --- Configuration -----------------------------------------------------------------------


def test_auth_and_default_headers_are_sent(server: LocalServer) -> None:
    server.script(Reply(200, {"id": "m1"}))
    with make_client(server, default_headers={"X-Team": "infra"}) as client:
        client.request("GET", "/v1/models")
    headers = server.requests[0].headers
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert headers["user-agent"] == "runtime-tests/1.0"
    assert headers["accept"] == "application/json"
    assert headers["x-team"] == "infra"


def test_custom_auth_header_and_prefix(server: LocalServer) -> None:
    server.script(Reply(204))
    with make_client(server, auth_header="Api-Key", auth_prefix="") as client:
        client.request("GET", "/v1/models")
    assert server.requests[0].headers["api-key"] == API_KEY
    assert "authorization" not in server.requests[0].headers


def test_api_key_never_in_repr_str_or_error_messages(server: LocalServer, refused_url: str) -> None:
    server.script(Reply(401, {"detail": "bad key"}, {"x-request-id": "req-1"}))
    with make_client(server) as client:
        assert repr(client) == f"SyncAPIClient(base_url={server.url!r})"
        assert API_KEY not in str(client)
        with pytest.raises(AuthenticationError) as caught:
            client.request("GET", "/v1/me")
    error = caught.value
    for text in (str(error), repr(error), error.message, repr(error.response)):
        assert API_KEY not in text
    with (
        make_client(base_url=refused_url, max_retries=0) as client,
        pytest.raises(APIConnectionError) as refused,
    ):
        client.request("GET", "/v1/me")
    assert API_KEY not in str(refused.value) + repr(refused.value)
    assert API_KEY not in repr(refused.value.request)


def test_missing_api_key_names_argument_and_env_var() -> None:
    with pytest.raises(MissingAPIKeyError) as caught:
        SyncAPIClient(**CLIENT_CONFIG)
    assert str(caught.value) == (
        f"No API key: pass api_key=... or set the {KEY_ENV} environment variable."
    )
    assert isinstance(caught.value, APIError)


def test_api_key_and_base_url_fall_back_to_env(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "env-key")
    monkeypatch.setenv(URL_ENV, server.url)
    server.script(Reply(204))
    with SyncAPIClient(**CLIENT_CONFIG) as client:
        assert client.base_url == httpx.URL(server.url)
        client.request("GET", "/v1/models")
    assert server.requests[0].headers["authorization"] == "Bearer env-key"


def test_arguments_beat_env_and_default_base_url_is_last(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "env-key")
    client = SyncAPIClient(api_key="arg-key", **CLIENT_CONFIG)
    assert client.base_url == httpx.URL("http://127.0.0.1:9")
    assert client._api_key == "arg-key"
    monkeypatch.setenv(URL_ENV, "http://env.example")
    assert make_client(base_url="http://arg.example").base_url == httpx.URL("http://arg.example")
    assert make_client().base_url == httpx.URL("http://env.example")


def test_defaults_and_properties() -> None:
    client = make_client()
    assert client.timeout == DEFAULT_TIMEOUT == httpx.Timeout(60.0, connect=5.0)
    assert client.max_retries == DEFAULT_MAX_RETRIES == 2
    assert make_client(timeout=3.0).timeout == httpx.Timeout(3.0)
    with pytest.raises(ValueError, match="max_retries"):
        make_client(max_retries=-1)


def test_base_url_with_path_prefix(server: LocalServer) -> None:
    server.script(Reply(204))
    with make_client(base_url=server.url + "/prefix/") as client:
        client.request("GET", "/v1/models")
    assert server.requests[0].path == "/prefix/v1/models"


def test_not_given_is_a_falsy_singleton() -> None:
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert NotGiven() is NOT_GIVEN
    assert copy.deepcopy(NOT_GIVEN) is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


# --- Request building --------------------------------------------------------------------


def test_path_params_are_percent_quoted(server: LocalServer) -> None:
    server.script(Reply(204), Reply(204))
    with make_client(server) as client:
        client.request(
            "POST",
            "/v1/models/{model_id}/deployments/{deployment_id}/{flag}",
            path_params={"model_id": "a/b c", "deployment_id": Color.RED, "flag": True},
        )
        client.request("GET", "/v1/models/{model_id}/x", path_params={"model_id": "...?#%"})
    assert server.requests[0].path == "/v1/models/a%2Fb%20c/deployments/red/true"
    assert server.requests[1].target == "/v1/models/...%3F%23%25/x"


@pytest.mark.parametrize(
    "path_params",
    [{"model_id": ""}, {"model_id": None}, {}, None, {"model_id": "."}, {"model_id": ".."}],
)
def test_empty_or_missing_path_param_is_refused(
    server: LocalServer, path_params: dict[str, object] | None
) -> None:
    with make_client(server) as client, pytest.raises(ValueError, match="'model_id'"):
        client.request("GET", "/v1/models/{model_id}", path_params=path_params)
    assert server.requests == []


def test_query_encoding(server: LocalServer) -> None:
    server.script(Reply(204))
    with make_client(server, default_query={"team": "t1", "gone": "x"}) as client:
        client.request(
            "GET",
            "/v1/models",
            query={
                "ids": ["a", "b"],
                "tags": ("x",),
                "active": True,
                "archived": False,
                "color": Color.BLUE,
                "since": date(2026, 7, 1),
                "at": datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc),
                "limit": 10,
                "skipped_none": None,
                "skipped_not_given": NOT_GIVEN,
                "cursor": "old",
            },
            extra_query={"cursor": "new", "gone": None},
        )
    assert server.requests[0].query == [
        ("team", "t1"),
        ("ids", "a"),
        ("ids", "b"),
        ("tags", "x"),
        ("active", "true"),
        ("archived", "false"),
        ("color", "blue"),
        ("since", "2026-07-01"),
        ("at", "2026-07-01T12:00:00+00:00"),
        ("limit", "10"),
        ("cursor", "new"),
    ]


def test_header_params_and_extra_headers(server: LocalServer) -> None:
    server.script(Reply(204))
    with make_client(server) as client:
        client.request(
            "GET",
            "/v1/models",
            headers={"X-Flag": False, "X-Ids": [1, 2], "X-None": None, "X-Skip": NOT_GIVEN},
            extra_headers={"accept": "text/plain", "X-Extra": "1"},
        )
    headers = server.requests[0].headers
    assert headers["x-flag"] == "false"
    assert headers["x-ids"] == "1,2"
    assert headers["accept"] == "text/plain"
    assert headers["x-extra"] == "1"
    assert "x-none" not in headers
    assert "x-skip" not in headers


def test_json_body_from_model_uses_aliases_and_only_set_fields(server: LocalServer) -> None:
    server.script(Reply(204))
    body = CreateRequest(
        displayName="m",
        color=Color.RED,
        created=datetime(2026, 7, 1, tzinfo=timezone.utc),
        note=None,
    )
    with make_client(server) as client:
        client.request("POST", "/v1/models", json=body, extra_body={"debug": True})
    sent = server.requests[0]
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "displayName": "m",
        "color": "red",
        "created": "2026-07-01T00:00:00Z",
        "note": None,  # explicitly set to None: sent as null
        "debug": True,
    }
    assert "note" not in CreateRequest(displayName="x").model_fields_set


def test_json_body_plain_values_and_models_inside_containers(server: LocalServer) -> None:
    server.script(Reply(204), Reply(204), Reply(204))
    with make_client(server) as client:
        client.request("PUT", "/v1/a", json=[CreateRequest(displayName="a"), {"c": Color.BLUE}])
        client.request("PUT", "/v1/b", json=None)
        client.request("PUT", "/v1/c", extra_body={"only": "extra"})
        with pytest.raises(ValueError, match="extra_body"):
            client.request("PUT", "/v1/d", json=[1], extra_body={"x": 1})
        with pytest.raises(ValueError, match="not both"):
            client.request("PUT", "/v1/e", json={}, content=b"x")
    assert server.requests[0].json() == [{"displayName": "a"}, {"c": "blue"}]
    assert server.requests[1].body == b"null"
    assert server.requests[2].json() == {"only": "extra"}
    assert len(server.requests) == 3


def test_no_body_when_json_not_given_and_raw_content(server: LocalServer) -> None:
    server.script(Reply(204), Reply(204))
    with make_client(server) as client:
        client.request("DELETE", "/v1/models/m1")
        client.request("POST", "/v1/upload", content=b"\x00raw", content_type="application/x-tar")
    assert server.requests[0].body == b""
    assert "content-type" not in server.requests[0].headers
    assert server.requests[1].body == b"\x00raw"
    assert server.requests[1].headers["content-type"] == "application/x-tar"


def test_injected_http_client_is_used_and_not_closed(server: LocalServer) -> None:
    server.script(Reply(204))
    http = httpx.Client(headers={"X-From-Http-Client": "yes"})
    client = make_client(server, http_client=http)
    client.request("GET", "/v1/models")
    client.close()
    assert server.requests[0].headers["x-from-http-client"] == "yes"
    assert not http.is_closed
    http.close()


def test_context_manager_closes_owned_http_client(server: LocalServer) -> None:
    with make_client(server) as client:
        http = client._http  # created on first use
    assert http.is_closed and client.is_closed
    with make_client(server) as unused:
        pass
    assert unused.is_closed and unused._pool.client is None  # never built one
    with pytest.raises(ClientClosedError):
        unused.request("GET", "/")


# --- Errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_errors(server: LocalServer, status: int, error_class: type[APIStatusError]) -> None:
    server.script(Reply(status, {"detail": "Not found"}, {"x-request-id": "req-42"}))
    with make_client(server, max_retries=0) as client, pytest.raises(APIStatusError) as caught:
        client.request("GET", "/v1/models/m1", error_types={"default": ErrorBody})
    error = caught.value
    assert type(error) is error_class
    assert error.status_code == status
    assert error.body == {"detail": "Not found"}
    assert error.request_id == "req-42"
    assert error.parsed == ErrorBody(detail="Not found")
    assert error.message == f'Error code: {status} - {{"detail": "Not found"}}'
    assert error.response.status_code == status


def test_error_types_pick_status_then_range_then_default(server: LocalServer) -> None:
    class RangeError(pydantic.BaseModel):
        detail: str
        kind: str = "range"

    error_types: dict[str, object] = {"404": ErrorBody, "4XX": RangeError, "default": dict}
    server.script(
        Reply(404, {"detail": "a"}),
        Reply(400, {"detail": "b"}),
        Reply(500, {"detail": "c"}),
        Reply(404, {"unexpected": "shape"}),
        Reply(404, "plain text", {"Content-Type": "text/plain", "request-id": "r2"}),
    )
    parsed: list[object] = []
    with make_client(server, max_retries=0) as client:
        for _ in range(5):
            with pytest.raises(APIStatusError) as caught:
                client.request("GET", "/v1/x", error_types=error_types)
            parsed.append(caught.value.parsed)
    assert parsed == [ErrorBody(detail="a"), RangeError(detail="b"), {"detail": "c"}, None, None]
    assert caught.value.body == "plain text"
    assert caught.value.request_id == "r2"


def test_error_without_error_types_or_body(server: LocalServer) -> None:
    server.script(Reply(404, b""), Reply(400, "x" * 2000, {"Content-Type": "text/plain"}))
    with make_client(server) as client:
        with pytest.raises(NotFoundError) as empty:
            client.request("GET", "/v1/x")
        with pytest.raises(BadRequestError) as long:
            client.request("GET", "/v1/x")
    assert empty.value.body is None
    assert empty.value.parsed is None
    assert empty.value.request_id is None
    assert empty.value.message == "Error code: 404"
    assert long.value.message == "Error code: 400 - " + "x" * 500 + "..."


def test_rate_limit_retry_after_from_body_or_header(server: LocalServer) -> None:
    server.script(
        Reply(429, {"error": "slow down", "retry_after": 37}),
        Reply(429, {"error": "slow down"}, {"Retry-After": "12"}),
        Reply(429, {"error": "slow down"}),
    )
    errors: list[RateLimitError] = []
    with make_client(server, max_retries=0) as client:
        for _ in range(3):
            with pytest.raises(RateLimitError) as caught:
                client.request("GET", "/v1/x")
            errors.append(caught.value)
    assert [error.retry_after for error in errors] == [37.0, 12.0, None]


def test_retry_after_header_forms() -> None:
    in_30s = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    from_date = retry_after_seconds(httpx.Headers({"Retry-After": in_30s}))
    assert from_date is not None and 0 < from_date <= 30
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Headers(), {"retry_after": True}) is None
    assert retry_after_seconds(httpx.Headers(), {"retry_after": -1}) is None
    assert retry_after_seconds(httpx.Headers(), ["retry_after"]) is None


# --- Retries -----------------------------------------------------------------------------


def test_retries_429_honouring_retry_after(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(
        Reply(429, {"error": "slow"}, {"Retry-After": "3"}),
        Reply(429, {"error": "slow", "retry_after": 7}),
        Reply(200, {"id": "m1"}),
    )
    with make_client(server) as client:
        delays = record_sleeps(client, monkeypatch)
        result = client.request("GET", "/v1/models/m1", cast_to=Model)
    assert result == Model(id="m1")
    assert delays == [3.0, 7.0]
    assert len(server.requests) == 3


def test_retry_after_beyond_max_wait_fails_at_once(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(
        Reply(503, b"", {"Retry-After": "3600"}),
        Reply(429, {"retry_after": 90}),
        Reply(429, b"", {"Retry-After": "90"}),
        Reply(204),
    )
    with make_client(server) as client:
        delays = record_sleeps(client, monkeypatch)
        with pytest.raises(InternalServerError):
            client.request("GET", "/v1/x")
        with pytest.raises(RateLimitError) as caught:
            client.request("GET", "/v1/x")
        assert caught.value.retry_after == 90
        assert client.with_options(max_retry_wait=120).request("GET", "/v1/x") is None
    assert delays == [90.0]
    assert len(server.requests) == 4


def test_retries_503_with_backoff_then_succeeds(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(Reply(503), Reply(502), Reply(200, [{"id": "a"}]))
    with make_client(server) as client:
        delays = record_sleeps(client, monkeypatch)
        result = client.request("GET", "/v1/models", cast_to=list[Model])
    assert result == [Model(id="a")]
    assert len(delays) == 2
    assert 0.375 <= delays[0] <= 0.5  # 0.5 s with up to 25 % jitter
    assert 0.75 <= delays[1] <= 1.0
    # The retried request is identical, body and all.
    assert len({(r.target, r.body) for r in server.requests}) == 1


@pytest.mark.parametrize("status", [400, 404, 422])
def test_client_errors_are_not_retried(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    server.script(Reply(status, {"detail": "no"}))
    with make_client(server) as client:
        delays = record_sleeps(client, monkeypatch)
        with pytest.raises(APIStatusError):
            client.request("GET", "/v1/x")
    assert len(server.requests) == 1
    assert delays == []


def test_retries_exhausted_and_max_retries_zero(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(*[Reply(503, {"detail": "down"})] * 4)
    with make_client(server) as client:
        delays = record_sleeps(client, monkeypatch)
        with pytest.raises(InternalServerError):
            client.request("GET", "/v1/x")
        assert len(server.requests) == 3
        with pytest.raises(InternalServerError):
            client.request("GET", "/v1/x", max_retries=0)
    assert len(server.requests) == 4
    assert len(delays) == 2
    server.script(Reply(503))
    with make_client(server, max_retries=0) as client, pytest.raises(InternalServerError):
        client.request("GET", "/v1/x")
    assert len(server.requests) == 5


def test_connection_refused_is_retried_then_raised(
    monkeypatch: pytest.MonkeyPatch, refused_url: str
) -> None:
    with make_client(base_url=refused_url) as client:
        delays = record_sleeps(client, monkeypatch)
        with pytest.raises(APIConnectionError) as caught:
            client.request("GET", "/v1/x")
    assert type(caught.value) is APIConnectionError
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.request.url.path == "/v1/x"
    assert len(delays) == 2


def test_unsupported_scheme_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    with make_client(base_url="ftp://127.0.0.1") as client:
        delays = record_sleeps(client, monkeypatch)
        with pytest.raises(APIConnectionError, match="UnsupportedProtocol"):
            client.request("GET", "/v1/x")
    assert delays == []


def test_timeout_raises_api_timeout_error(server: LocalServer) -> None:
    server.script(Reply(200, {"id": "late"}, delay=30))  # interrupted at teardown
    with make_client(server, max_retries=0) as client, pytest.raises(APITimeoutError) as caught:
        client.request("GET", "/v1/slow", timeout=0.2)
    assert isinstance(caught.value, APIConnectionError)
    assert isinstance(caught.value.__cause__, httpx.TimeoutException)


# --- Response parsing --------------------------------------------------------------------


def test_response_parsing(server: LocalServer) -> None:
    server.script(
        Reply(200, {"id": "m1", "name": "x", "extra": 1}),
        Reply(200, [{"id": "a"}, {"id": "b"}]),
        Reply(200, {"a": 1}),
        Reply(200, {"anything": [1]}),
        Reply(204),
        Reply(200, b""),
        Reply(200, b"\x00bytes", {"Content-Type": "application/octet-stream"}),
        Reply(200, "text", {"Content-Type": "text/plain"}),
        Reply(200, {"ignored": True}),
        Reply(201, "7"),
    )
    with make_client(server) as client:
        results = [
            client.request("GET", "/", cast_to=Model),
            client.request("GET", "/", cast_to=list[Model]),
            client.request("GET", "/", cast_to=dict[str, int]),
            client.request("GET", "/", cast_to=Any),
            client.request("DELETE", "/", cast_to=Model),
            client.request("GET", "/", cast_to=Model),
            client.request("GET", "/", cast_to=bytes),
            client.request("GET", "/", cast_to=str),
            client.request("POST", "/"),
            client.request("POST", "/", cast_to=int | Model),
        ]
    assert results == [
        Model(id="m1", name="x"),
        [Model(id="a"), Model(id="b")],
        {"a": 1},
        {"anything": [1]},
        None,
        None,
        b"\x00bytes",
        "text",
        None,
        7,
    ]


def test_invalid_json_raises_validation_error(server: LocalServer) -> None:
    server.script(Reply(200, "<html>oops</html>", {"Content-Type": "text/html"}))
    with (
        make_client(server) as client,
        pytest.raises(APIResponseValidationError, match="not valid JSON") as not_json,
    ):
        client.request("GET", "/v1/models/m1", cast_to=Model)
    assert not_json.value.status_code == 200
    assert not_json.value.body == "<html>oops</html>"
    assert "GET /v1/models/m1" in str(not_json.value)
    assert isinstance(not_json.value, APIError)


# --- Async -------------------------------------------------------------------------------


def test_async_request_headers_and_parsing(server: LocalServer) -> None:
    server.script(Reply(200, {"id": "m1"}))

    async def main() -> Model:
        async with make_async_client(server) as client:
            assert repr(client) == f"AsyncAPIClient(base_url={server.url!r})"
            result: Model = await client.request(
                "POST",
                "/v1/models/{model_id}",
                path_params={"model_id": "a/b"},
                query={"ids": [1, 2]},
                json=CreateRequest(displayName="n"),
                cast_to=Model,
            )
        assert client._http.is_closed
        return result

    assert asyncio.run(main()) == Model(id="m1")
    sent = server.requests[0]
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.target == "/v1/models/a%2Fb?ids=1&ids=2"
    assert sent.json() == {"displayName": "n"}


def test_async_retries_then_succeeds(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.script(Reply(429, {"retry_after": 5}), Reply(503), Reply(200, [{"id": "a"}]))

    async def main() -> tuple[object, list[float]]:
        async with make_async_client(server) as client:
            delays = record_async_sleeps(client, monkeypatch)
            return await client.request("GET", "/v1/models", cast_to=list[Model]), delays

    result, delays = asyncio.run(main())
    assert result == [Model(id="a")]
    assert delays[0] == 5.0
    assert len(delays) == 2
    assert len(server.requests) == 3


def test_async_errors(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, refused_url: str
) -> None:
    server.script(Reply(404, {"detail": "gone"}, {"x-request-id": "r9"}))

    async def status_error() -> None:
        async with make_async_client(server) as client:
            await client.request("GET", "/v1/x", error_types={"404": ErrorBody})

    with pytest.raises(NotFoundError) as caught:
        asyncio.run(status_error())
    assert caught.value.parsed == ErrorBody(detail="gone")
    assert caught.value.request_id == "r9"
    assert len(server.requests) == 1

    async def refused(url: str) -> tuple[APIConnectionError, list[float]]:
        async with make_async_client(server, base_url=url) as client:
            delays = record_async_sleeps(client, monkeypatch)
            with pytest.raises(APIConnectionError) as caught:
                await client.request("GET", "/v1/x")
        return caught.value, delays

    error, delays = asyncio.run(refused(refused_url))
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert len(delays) == 2


def test_async_timeout(server: LocalServer) -> None:
    server.script(Reply(200, {}, delay=30))

    async def main() -> None:
        async with make_async_client(server, max_retries=0, timeout=0.2) as client:
            await client.request("GET", "/v1/slow")

    with pytest.raises(APITimeoutError):
        asyncio.run(main())


def test_async_injected_http_client_is_not_closed(server: LocalServer) -> None:
    server.script(Reply(204))

    async def main() -> httpx.AsyncClient:
        http = httpx.AsyncClient()
        client = make_async_client(server, http_client=http)
        await client.request("GET", "/v1/x")
        await client.aclose()
        assert not http.is_closed
        await http.aclose()
        return http

    assert asyncio.run(main()).is_closed
    assert len(server.requests) == 1
