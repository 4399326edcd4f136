"""Resource namespaces, request-body building and the operation table's record types."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ._base_client import NOT_GIVEN, NotGiven
from ._validation import validate_request

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient


class SyncAPIResource:
    """A namespace of operations (`client.models`) that sends through its client."""

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client


class AsyncAPIResource:
    """The async twin of `SyncAPIResource`."""

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client


def build_body(
    model: type[BaseModel], values: Mapping[str, object], *, required: bool
) -> BaseModel | NotGiven:
    """Validate the keyword arguments the caller gave against the body's model.

    Only arguments that were passed are set, so only they are sent (`exclude_unset`);
    an explicit `None` is sent as JSON null. Raises `pydantic.ValidationError` before
    anything goes over the network when the values do not fit the model (also for
    unknown keys in nested dicts: request bodies are strict).
    """
    given = {name: value for name, value in values.items() if not isinstance(value, NotGiven)}
    if not given and not required:
        return NOT_GIVEN
    return validate_request(model, given)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ParameterInfo:
    """One argument of an operation's method: its name on the wire and in Python."""

    name: str  # as the API knows it (a body property's JSON name for "body")
    python_name: str  # the method's argument
    location: str  # "path", "query", "header" or "body" (a property of the JSON body)
    required: bool


@dataclass(frozen=True)
class OperationInfo:
    """One row of the package's `OPERATIONS` table, for introspection and tests."""

    method: str
    path: str
    attr_path: str  # e.g. "models.deployments.activate"
    parameters: tuple[ParameterInfo, ...]
    body_param: str | None  # the argument holding a whole body that is not an object model
    request_model: str | None
    response_type: str | None  # annotation of the parsed result, e.g. "models.ModelV1"
    summary: str | None
    deprecated: bool = False
    pagination: str | None = None  # "cursor" or "offset": the method returns a page object


def lazy_module(name: str) -> ModuleType:
    """The module `name`, executed on its first attribute access rather than now."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
