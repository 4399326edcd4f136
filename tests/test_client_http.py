"""The generated client against a real local HTTP server: requests, parsing, error mapping."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest
from support.local_server import LocalServer, Reply

API_KEY = "sk-generated-client-secret"
PET = {"id": "p1", "name": "Rex", "kind": "dog", "created_at": "2026-01-02T03:04:05Z"}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.start()
    yield local
    local.stop()


@pytest.fixture
def api(petstore: tuple[Path, ModuleType], server: LocalServer) -> Iterator[Any]:
    server.reset()
    _, package = petstore
    client = package.Petstore(api_key=API_KEY, base_url=server.url, max_retries=1)
    client._sleep = lambda seconds: None  # retries without waiting
    yield client
    client.close()


def test_request_is_built_from_arguments(api: Any, server: LocalServer) -> None:
    server.script(Reply(200, {"items": [PET], "next_cursor": None}))
    page = api.pets.list(limit=5, kind="cat", tags=["a", "b"], x_trace_id="t-1")
    (request,) = server.requests
    assert (request.method, request.path) == ("GET", "/v2/pets")
    assert request.query == [("limit", "5"), ("kind", "cat"), ("tags", "a"), ("tags", "b")]
    assert request.headers["x-trace-id"] == "t-1"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert page.items[0].name == "Rex" and page.next_cursor is None


def test_only_given_body_fields_are_sent_and_validated_first(api: Any, server: LocalServer) -> None:
    server.script(Reply(201, PET))
    pet = api.pets.create(
        name="Rex", kind="dog", class_="x", details={"kind": "dog", "bark": "woof"}
    )
    assert server.requests[0].json() == {
        "name": "Rex",
        "kind": "dog",
        "class": "x",
        "details": {"kind": "dog", "bark": "woof"},
    }
    assert pet.id == "p1"
    with pytest.raises(pydantic.ValidationError):
        api.pets.create(name="", kind="dog")  # minLength 1: nothing is sent
    assert len(server.requests) == 1


def test_explicit_none_is_sent_as_null(api: Any, server: LocalServer) -> None:
    server.script(Reply(200, PET))
    api.pets.update("p 1/x", nickname=None)
    assert server.requests[0].target == "/v2/pets/p%201%2Fx"
    assert server.requests[0].json() == {"nickname": None}


def test_empty_response_returns_none(api: Any, server: LocalServer) -> None:
    server.script(Reply(204))
    assert api.pets.delete("p1") is None


@pytest.mark.parametrize(
    ("status", "error_name"),
    [
        (404, "NotFoundError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
    ],
)
def test_error_statuses_map_to_exceptions(
    api: Any, server: LocalServer, petstore: tuple[Path, ModuleType], status: int, error_name: str
) -> None:
    _, package = petstore
    body = {"detail": "nope", "retry_after": 3}
    headers = {"x-request-id": "req-42"}
    server.script(*[Reply(status, body, headers)] * 2)  # retried statuses fail twice
    with pytest.raises(getattr(package, error_name)) as caught:
        api.pets.retrieve("p1")
    error = caught.value
    assert isinstance(error, package.APIStatusError)
    assert error.status_code == status and error.request_id == "req-42"
    assert error.body == body
    assert API_KEY not in str(error) and API_KEY not in repr(error)
    if status == 404:
        assert isinstance(error.parsed, package.types.Error) and error.parsed.detail == "nope"
    if status == 429:
        assert error.retry_after == 3
    retried = status in (429, 500)
    assert len(server.requests) == (2 if retried else 1)


def test_async_client_has_the_same_surface(
    petstore: tuple[Path, ModuleType], server: LocalServer
) -> None:
    _, package = petstore
    server.reset()
    server.script(Reply(201, PET), Reply(404, {"detail": "gone"}))

    async def scenario() -> None:
        async with package.AsyncPetstore(api_key=API_KEY, base_url=server.url) as client:
            pet = await client.pets.create(name="Rex", kind="dog")
            assert pet.name == "Rex"
            with pytest.raises(package.NotFoundError):
                await client.pets.retrieve("p1")

    asyncio.run(scenario())
    assert [r.method for r in server.requests] == ["POST", "GET"]


def test_missing_api_key_is_a_clear_error(
    petstore: tuple[Path, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, package = petstore
    monkeypatch.delenv("PETSTORE_API_KEY", raising=False)
    with pytest.raises(package.MissingAPIKeyError, match="PETSTORE_API_KEY"):
        package.Petstore()
    monkeypatch.setenv("PETSTORE_API_KEY", "from-env")
    monkeypatch.setenv("PETSTORE_BASE_URL", "http://127.0.0.1:9/base")
    client = package.Petstore()
    assert str(client.base_url) == "http://127.0.0.1:9/base"
    client.close()


def test_list_returns_a_page_that_iterates_across_pages(api: Any, server: LocalServer) -> None:
    second = {**PET, "id": "p2"}
    server.script(
        Reply(200, {"items": [PET], "next_cursor": "c2"}),
        Reply(200, {"items": [second], "next_cursor": None}),
    )
    page = api.pets.list(limit=1)
    assert len(server.requests) == 1  # the next page is fetched only when needed
    assert [pet.id for pet in page.items] == ["p1"] and page.next_cursor == "c2"
    assert page.has_next_page()
    assert [pet.id for pet in page] == ["p1", "p2"]
    assert [sorted(r.query) for r in server.requests] == [
        [("limit", "1")],
        [("cursor", "c2"), ("limit", "1")],
    ]


def test_next_page_and_iter_pages(api: Any, server: LocalServer) -> None:
    server.script(
        Reply(200, {"items": [PET], "next_cursor": "c2"}),
        Reply(200, {"items": [], "next_cursor": None}),
        Reply(200, {"items": [PET], "next_cursor": "c2"}),
        Reply(200, {"items": [], "next_cursor": None}),
    )
    first = api.pets.list()
    last = first.next_page()
    assert last.items == [] and not last.has_next_page()
    with pytest.raises(LookupError, match="has_next_page"):
        last.next_page()
    assert [len(page.items) for page in api.pets.list().iter_pages()] == [1, 0]


def test_offset_listing_pages_by_item_count(api: Any, server: LocalServer) -> None:
    server.script(
        Reply(200, {"owners": [{"id": "o1"}, {"id": "o2"}], "total": 3}),
        Reply(200, {"owners": [{"id": "o3"}], "total": 3}),
        Reply(200, {"owners": [], "total": 3}),
    )
    assert [owner.id for owner in api.owners.list(limit=2)] == ["o1", "o2", "o3"]
    assert [r.query for r in server.requests] == [
        [("limit", "2")],
        [("offset", "2"), ("limit", "2")],
        [("offset", "3"), ("limit", "2")],
    ]


def test_async_pages_stop_on_a_repeated_cursor(
    petstore: tuple[Path, ModuleType], server: LocalServer
) -> None:
    _, package = petstore
    server.reset()
    page = {"items": [PET], "next_cursor": "same"}
    server.script(Reply(200, page), Reply(200, page), Reply(200, page), Reply(200, page))

    async def collect() -> tuple[list[str], int, bool]:
        async with package.AsyncPetstore(api_key=API_KEY, base_url=server.url) as client:
            first = await client.pets.list()
            ids = [pet.id async for pet in first]
            second = await first.next_page()
            pages = [p async for p in first.iter_pages()]
            return ids, len(pages), second.has_next_page()

    ids, page_count, second_has_next = asyncio.run(collect())
    assert ids == ["p1", "p1"]  # the second `same` cursor ends the walk
    assert page_count == 2 and not second_has_next
