"""The generated client's options, raw responses, logging and lifecycle, against a real server."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.local_server import LocalServer, Reply

API_KEY = "sk-options-secret"
PET = {"id": "p1", "name": "Rex", "kind": "dog", "created_at": "2026-01-02T03:04:05Z"}


@pytest.fixture
def package(petstore: tuple[Path, ModuleType]) -> ModuleType:
    return petstore[1]


@pytest.fixture
def client(package: ModuleType, server: LocalServer) -> Iterator[Any]:
    with package.Petstore(api_key=API_KEY, base_url=server.url, max_retries=0) as client:
        yield client


def test_per_call_options(client: Any, server: LocalServer) -> None:
    server.script(Reply(503), Reply(503), Reply(200, PET))
    client._sleep = lambda seconds: None
    pet = client.pets.retrieve(
        "p1", max_retries=2, timeout=5, extra_headers={"X-Debug": "1"}, extra_query={"v": "2"}
    )
    assert pet.id == "p1" and len(server.requests) == 3
    assert server.requests[0].headers["x-debug"] == "1" and server.requests[0].query == [("v", "2")]
    server.script(Reply(201, PET))
    client.pets.create(name="Rex", kind="dog", extra_body={"beta": True})
    assert server.requests[-1].json() == {"name": "Rex", "kind": "dog", "beta": True}


def test_with_options_copies_share_the_pool(client: Any, server: LocalServer) -> None:
    server.script(Reply(200, PET), Reply(200, PET))
    patient = client.with_options(timeout=99, max_retries=5, default_headers={"X-Team": "ml"})
    assert patient.max_retries == 5 and patient.timeout.read == 99 and client.max_retries == 0
    assert patient._http is client._http  # one connection pool
    assert patient.pets._client is patient and client.pets._client is client
    patient.pets.retrieve("p1")
    client.pets.retrieve("p1")
    assert server.requests[0].headers["x-team"] == "ml"
    assert "x-team" not in server.requests[1].headers
    patient.close()  # a copy does not close the shared pool
    assert not client.is_closed
    rekeyed = client.with_options(api_key="sk-other")
    server.script(Reply(200, PET))
    rekeyed.pets.retrieve("p1")
    assert server.requests[-1].headers["authorization"] == "Bearer sk-other"


def test_raw_response(client: Any, server: LocalServer, package: ModuleType) -> None:
    server.script(Reply(200, PET, {"x-request-id": "req-7", "x-rate": "9"}))
    response = client.with_raw_response.pets.retrieve("p1")
    assert isinstance(response, package.APIResponse)
    assert response.status_code == 200 and response.request_id == "req-7"
    assert response.headers["x-rate"] == "9" and response.method == "GET"
    pet = response.parse()
    assert isinstance(pet, package.types.Pet) and pet.name == "Rex"
    assert "x-apigen-response-mode" not in server.requests[0].headers
    server.script(Reply(404, {"detail": "gone"}))
    with pytest.raises(package.NotFoundError):  # errors still raise
        client.with_raw_response.pets.retrieve("p2")


def test_raw_response_of_a_listing_parses_to_a_page(client: Any, server: LocalServer) -> None:
    server.script(
        Reply(200, {"items": [PET], "next_cursor": "c2"}),
        Reply(200, {"items": [{**PET, "id": "p2"}], "next_cursor": None}),
    )
    page = client.with_raw_response.pets.list().parse()
    assert [pet.id for pet in page] == ["p1", "p2"]  # later pages are plain requests


def test_streamed_download(client: Any, server: LocalServer) -> None:
    photo = bytes(range(256)) * 1000
    server.script(Reply(200, photo, {"Content-Type": "image/png"}), Reply(200, photo))
    with client.with_streaming_response.pets.photo("p1") as response:
        assert response.status_code == 200
        chunks = list(response.iter_bytes(4096))
    assert b"".join(chunks) == photo and len(chunks) > 1
    assert client.pets.photo("p1") == photo


def test_async_options_raw_and_stream(package: ModuleType, server: LocalServer) -> None:
    photo = b"\x89PNG" * 5000
    server.script(
        Reply(200, PET, {"x-request-id": "req-9"}),
        Reply(200, photo, {"Content-Type": "image/png"}),
        Reply(429, b"", {"Retry-After": "1"}),
        Reply(200, PET),
    )

    async def main() -> None:
        async with package.AsyncPetstore(api_key=API_KEY, base_url=server.url) as client:
            raw = await client.with_raw_response.pets.retrieve("p1")
            assert raw.request_id == "req-9" and (await raw.parse()).id == "p1"
            async with await client.with_streaming_response.pets.photo("p1") as response:
                assert b"".join([chunk async for chunk in response.iter_bytes()]) == photo
            quick = client.with_options(max_retries=1)
            slept: list[float] = []

            async def sleep(seconds: float) -> None:
                slept.append(seconds)

            quick._sleep = sleep
            assert (await quick.pets.retrieve("p1")).id == "p1" and slept == [1.0]
        with pytest.raises(package.ClientClosedError):
            await client.pets.retrieve("p1")

    asyncio.run(main())


def test_use_after_close_is_a_clear_error(package: ModuleType, server: LocalServer) -> None:
    client = package.Petstore(api_key=API_KEY, base_url=server.url)
    copy = client.with_options(max_retries=0)
    client.close()
    for closed in (client, copy):
        with pytest.raises(package.ClientClosedError, match="closed"):
            closed.pets.retrieve("p1")
    assert server.requests == []


def test_path_parameters_that_would_change_the_path(client: Any, server: LocalServer) -> None:
    for bad in ("", ".", ".."):
        with pytest.raises(ValueError, match="pet_id"):
            client.pets.retrieve(bad)
    server.script(Reply(200, PET))
    client.pets.retrieve("../a/b?c")
    assert server.requests[0].target == "/v2/pets/..%2Fa%2Fb%3Fc"
    assert len(server.requests) == 1


def test_secret_fields_are_hidden_from_repr(package: ModuleType) -> None:
    owner = package.types.Owner(
        id="o1", name="Ann", api_token="tok-123", aws_secret_access_key="aws-456"
    )
    for text in (repr(owner), str(owner)):
        assert "tok-123" not in text and "aws-456" not in text and "Ann" in text
    assert owner.api_token == "tok-123"  # still there, only not shown


def test_log_env_var_turns_on_redacted_logging(
    petstore: tuple[Path, ModuleType], server: LocalServer
) -> None:
    """In a child process: the variable is read when the client is built."""
    folder, _ = petstore
    server.script(Reply(503, b"", {"Retry-After": "0.01"}), Reply(200, PET))
    script = (
        "import petstore_client\n"
        f"client = petstore_client.Petstore(api_key={API_KEY!r}, base_url={server.url!r})\n"
        "client.pets.retrieve('p1')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=folder.parent,
        env={"PETSTORE_LOG": "debug", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    log = result.stderr
    assert f"GET {server.url}/v2/pets/p1" in log
    assert '"503 Service Unavailable"' in log and '"200 OK"' in log
    assert "Retrying GET" in log and "status 503" in log
    assert "<redacted>" in log and API_KEY not in log


def test_logging_is_silent_without_the_variable(
    client: Any, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(Reply(200, PET))
    with caplog.at_level(logging.DEBUG, logger="petstore_client"):
        client.pets.retrieve("p1")
    assert all(API_KEY not in record.getMessage() for record in caplog.records)
    assert logging.getLogger("petstore_client").level == logging.NOTSET


NEWER_PET = {
    **PET,
    "kind": "lizard",  # an enum value added upstream
    "details": {"kind": "lizard", "scales": 9000},  # an unknown discriminator value
    "microchip": {"id": "c1"},  # a field added upstream
}


def test_newer_server_responses_still_parse(
    client: Any, package: ModuleType, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(Reply(200, NEWER_PET))
    with caplog.at_level(logging.WARNING, logger="petstore_client"):
        pet = client.pets.retrieve("p1")
    assert isinstance(pet, package.types.Pet)
    assert pet.kind == "lizard" and pet.details == {"kind": "lizard", "scales": 9000}
    assert pet.model_extra == {"microchip": {"id": "c1"}}
    assert pet.created_at.year == 2026  # what still fits is parsed as before
    assert pet._raw_body == NEWER_PET
    assert "GET /v2/pets/p1" in caplog.text and "Regenerate" in caplog.text


def test_newer_server_responses_async_and_paths(package: ModuleType, server: LocalServer) -> None:
    server.script(Reply(200, {"items": [NEWER_PET], "next_cursor": None, "total": 1}))

    async def main() -> None:
        async with package.AsyncPetstore(api_key=API_KEY, base_url=server.url) as client:
            page = await client.pets.list()
            (pet,) = [pet async for pet in page]
            assert pet.kind == "lizard" and pet.model_extra == {"microchip": {"id": "c1"}}
            assert page.model_extra == {"total": 1}
            with pytest.raises(ValueError, match="pet_id"):
                await client.pets.retrieve("..")

    asyncio.run(main())
    assert len(server.requests) == 1
