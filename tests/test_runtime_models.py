"""Responses from a newer server still parse; request bodies stay strict (runtime `_models`)."""

from __future__ import annotations

import asyncio
import enum
import logging
from typing import Annotated, Any

import pydantic
import pytest
from support.local_server import LocalServer, Reply

from generator.runtime._base_client import AsyncAPIClient, SyncAPIClient
from generator.runtime._models import BaseModel
from generator.runtime._resource import build_body
from generator.runtime._validation import validate_request

CONFIG: dict[str, Any] = {
    "api_key": "sk-test",
    "api_key_env": "APIGEN_MODELS_TEST_KEY",
    "base_url_env": "APIGEN_MODELS_TEST_URL",
    "default_base_url": "http://127.0.0.1:9",
    "user_agent": "models-tests/1.0",
}


class Status(str, enum.Enum):
    ACTIVE = "ACTIVE"
    BUILDING = "BUILDING"


class Deployment(BaseModel):
    id: str
    status: Status
    replicas: int | None = None


class Created(BaseModel):
    id: str
    name: Annotated[str, pydantic.Field(alias="displayName")]
    deployment: Deployment
    deployments: list[Deployment] | None = None


NEWER_SERVER_BODY = {
    "id": "m1",
    "displayName": "llama",
    "deployment": {"id": "d1", "status": "QUEUED_FOR_BUILD", "region": "eu"},
    "deployments": [{"id": "d2", "status": "ACTIVE", "replicas": None}],
    "labels": {"team": "ml"},
}


def check_newer_server_result(created: Created) -> None:
    assert isinstance(created, Created) and created.name == "llama"
    assert created.deployment.status == "QUEUED_FOR_BUILD"  # kept as the server sent it
    assert created.deployment.model_extra == {"region": "eu"}
    assert created.model_extra == {"labels": {"team": "ml"}}
    assert created.deployments[0].status is Status.ACTIVE
    assert created._raw_body == NEWER_SERVER_BODY  # type: ignore[attr-defined]


def test_newer_server_response_still_returns_a_model(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(Reply(201, NEWER_SERVER_BODY))
    with caplog.at_level(logging.WARNING), SyncAPIClient(base_url=server.url, **CONFIG) as client:
        created = client.request("POST", "/v1/models", json={}, cast_to=Created)
    check_newer_server_result(created)
    (record,) = caplog.records
    assert "POST /v1/models" in record.getMessage()
    assert "deployment.status" in record.getMessage()


def test_newer_server_response_async(server: LocalServer) -> None:
    server.script(Reply(201, NEWER_SERVER_BODY))

    async def main() -> Created:
        async with AsyncAPIClient(base_url=server.url, **CONFIG) as client:
            result: Created = await client.request("POST", "/v1/models", json={}, cast_to=Created)
            return result

    check_newer_server_result(asyncio.run(main()))


def test_matching_response_has_no_raw_body_and_logs_nothing(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"id": "d1", "status": "ACTIVE", "new_field": 1}
    server.script(Reply(200, body))
    with caplog.at_level(logging.WARNING), SyncAPIClient(base_url=server.url, **CONFIG) as client:
        deployment = client.request("GET", "/d", cast_to=Deployment)
    assert deployment.status is Status.ACTIVE and deployment.model_extra == {"new_field": 1}
    assert not hasattr(deployment, "_raw_body") and not caplog.records


def test_omitted_required_field_and_wrong_shape(server: LocalServer) -> None:
    server.script(Reply(200, {"status": "ACTIVE"}), Reply(200, {"not": "a list"}))
    with SyncAPIClient(base_url=server.url, **CONFIG) as client:
        missing_id = client.request("GET", "/d", cast_to=Deployment)
        wrong_shape = client.request("GET", "/d", cast_to=list[Deployment])
    assert missing_id.id is None and missing_id.status is Status.ACTIVE
    assert wrong_shape == {"not": "a list"}  # returned as sent rather than failing


def test_request_bodies_stay_strict() -> None:
    with pytest.raises(pydantic.ValidationError, match="Input should be 'ACTIVE' or 'BUILDING'"):
        validate_request(Deployment, {"id": "d1", "status": "QUEUED_FOR_BUILD"})
    with pytest.raises(pydantic.ValidationError, match="unknown field"):
        build_body(
            Created,
            {"name": "x", "deployment": {"id": "d", "status": "ACTIVE", "typo": 1}},
            required=True,
        )
    values = {"id": "m", "name": "x", "deployment": {"id": "d", "status": "ACTIVE"}}
    body = build_body(Created, values, required=True)
    assert isinstance(body, Created) and body.deployment.status is Status.ACTIVE
