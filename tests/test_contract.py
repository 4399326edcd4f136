"""Contract test: every operation of the generated Baseten client against Stoplight Prism.

Prism (an independent implementation, `make tools`) mocks `specs/baseten/openapi.json` on
127.0.0.1 and validates each request the client sends against the spec. Every operation is
called through its generated method, sync and async, once with only the required arguments
and once with all of them; none may be rejected and every response must parse into its model.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from support.examples import operation_arguments
from support.generated import import_generated
from support.prism import request_violations, response_violations, start_prism

REPO = Path(__file__).parent.parent
SPEC = REPO / "specs" / "baseten" / "openapi.json"

pytestmark = pytest.mark.prism


@pytest.fixture(scope="module")
def prism_url() -> Iterator[str]:
    with start_prism(SPEC, errors=True) as url:
        yield url


@pytest.fixture(scope="module")
def baseten() -> ModuleType:
    return import_generated(REPO / "generated", "baseten_client")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC.read_text())
    return loaded


def _call_arguments(
    document: dict[str, Any], operation: Any, *, required_only: bool
) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for the generated method, from valid example values."""
    values = operation_arguments(
        document, operation.method.lower(), operation.path, required_only=required_only
    )
    body = values["body"]
    positional, keywords = [], {}
    for parameter in operation.parameters:
        if parameter.location == "path":
            positional.append(values["path"][parameter.name])
        elif parameter.location == "body":
            if isinstance(body, dict) and parameter.name in body:
                keywords[parameter.python_name] = body[parameter.name]
        elif parameter.name in values[parameter.location]:  # type: ignore[literal-required]
            keywords[parameter.python_name] = values[parameter.location][parameter.name]  # type: ignore[literal-required]
    if operation.body_param and body is not None:
        keywords[operation.body_param] = body
    return positional, keywords


def _method(client: Any, attr_path: str) -> Callable[..., Any]:
    target = client
    for part in attr_path.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


class _Recorder:
    """Keeps what Prism said about each exchange (rejections, mock violations)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def check(self, response: httpx.Response) -> None:
        response.read()
        where = f"{response.request.method} {response.request.url.path}"
        for violation in request_violations(response):
            self.problems.append(f"{where}: request rejected: {violation}")
        for violation in response_violations(response):
            self.problems.append(f"{where}: mock response violation: {violation}")

    async def acheck(self, response: httpx.Response) -> None:
        await response.aread()
        self.check(response)


@pytest.mark.parametrize("required_only", [True, False], ids=["required", "all-arguments"])
def test_every_operation_sync(
    prism_url: str, baseten: ModuleType, document: dict[str, Any], required_only: bool
) -> None:
    recorder = _Recorder()
    http = httpx.Client(event_hooks={"response": [recorder.check]})
    failures = []
    with baseten.Baseten(
        api_key="test-key", base_url=prism_url, max_retries=0, http_client=http
    ) as client:
        for operation in baseten.OPERATIONS:
            positional, keywords = _call_arguments(document, operation, required_only=required_only)
            try:
                result = _method(client, operation.attr_path)(*positional, **keywords)
                if operation.pagination:  # walks pages until Prism's mock cursor repeats
                    list(itertools.islice(result, 5))
            except Exception as exc:
                failures.append(f"{operation.attr_path}: {type(exc).__name__}: {exc}")
    http.close()
    assert len(baseten.OPERATIONS) == 168
    assert sum(1 for operation in baseten.OPERATIONS if operation.pagination) == 3
    assert recorder.problems == []
    assert failures == []


@pytest.mark.parametrize("required_only", [True, False], ids=["required", "all-arguments"])
def test_every_operation_async(
    prism_url: str, baseten: ModuleType, document: dict[str, Any], required_only: bool
) -> None:
    recorder = _Recorder()
    failures: list[str] = []

    async def run_all() -> None:
        http = httpx.AsyncClient(event_hooks={"response": [recorder.acheck]})
        async with baseten.AsyncBaseten(
            api_key="test-key", base_url=prism_url, max_retries=0, http_client=http
        ) as client:
            for operation in baseten.OPERATIONS:
                positional, keywords = _call_arguments(
                    document, operation, required_only=required_only
                )
                try:
                    result = await _method(client, operation.attr_path)(*positional, **keywords)
                    if operation.pagination:
                        [item async for item in result]
                except Exception as exc:
                    failures.append(f"{operation.attr_path}: {type(exc).__name__}: {exc}")
        await http.aclose()

    asyncio.run(run_all())
    assert recorder.problems == []
    assert failures == []


def test_prism_rejects_what_the_spec_forbids(prism_url: str) -> None:
    """The referee works: a request without auth or with a bad body is rejected."""
    with httpx.Client(base_url=prism_url) as http:
        unauthenticated = http.get("/v1/models")
        bad_body = http.post(
            "/v1/secrets", json={"name": 1}, headers={"Authorization": "Bearer test-key"}
        )
    assert unauthenticated.status_code == 401
    assert request_violations(bad_body)


def test_discriminator_is_sent_for_a_model_the_user_built(
    prism_url: str, baseten: ModuleType
) -> None:
    """`kind` is a Literal with a default: never set by the caller, still sent (issue 8)."""
    types = baseten.types
    sent: list[bytes] = []
    http = httpx.Client(event_hooks={"request": [lambda request: sent.append(request.read())]})
    source = types.ModelArchiveSourceV1(
        name="my-model",
        s3_key="uploads/abc.tgz",
        deployment=types.DeploymentArchivePayloadV1(config={"model_name": "x"}),
    )
    with baseten.Baseten(
        api_key="test-key", base_url=prism_url, max_retries=0, http_client=http
    ) as client:
        client.models.create(source=source)
        client.models.create(source=types.ModelArchiveSourceV1.model_construct(**dict(source)))
    http.close()

    for body in sent:
        assert json.loads(body)["source"]["kind"] == "model_archive"
