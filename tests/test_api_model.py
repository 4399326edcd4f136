"""The typed API model: what the templates, docs and differ read instead of the spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.api_model import Api, build_api
from generator.config import config_for_spec
from generator.errors import GenerationError
from generator.modelgen import ModelClass, ModelField, ModelsModule, generate_models
from generator.normalize import prepare_spec
from generator.operations import plan_operations

SPEC = """
openapi: 3.1.0
info: {title: Shop, version: "2"}
servers: [{url: "https://{region}.shop.test/v1", variables: {region: {default: eu}}}]
security: [{key: []}]
paths:
  /orders:
    get:
      operationId: listOrders
      tags: [orders]
      parameters:
        - {name: ids, in: query, style: form, explode: false, schema: {type: array, items: {type: string}}}
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/order-page"}}}
        "4XX":
          description: bad
          content: {application/json: {schema: {$ref: "#/components/schemas/error"}}}
    post:
      operationId: createOrder
      tags: [orders]
      security: []
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: "#/components/schemas/order"}}
          application/x-www-form-urlencoded: {schema: {$ref: "#/components/schemas/order"}}
      responses:
        "201":
          description: created
          content: {application/json: {schema: {$ref: "#/components/schemas/order"}}}
  /orders/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      deprecated: true
      responses:
        "200": {description: ok, content: {text/csv: {schema: {type: string}}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    order:
      type: object
      required: [id]
      properties: {id: {type: string}, total: {type: integer}}
    order-page:
      type: object
      properties:
        data: {type: array, items: {$ref: "#/components/schemas/order"}}
        next_cursor: {type: [string, "null"]}
    error:
      type: object
      properties: {message: {type: string}}
"""


def build(text: str) -> Api:
    document: dict[str, Any] = yaml.safe_load(text)
    config = config_for_spec(Path("shop.yaml"), Path("out"), "shop_client")
    resources = plan_operations(document, config)
    prepared = prepare_spec(document, resources)
    models = generate_models(prepared.document, "# header")
    return build_api(config, prepared, resources, models)


@pytest.fixture(scope="module")
def api() -> Api:
    return build(SPEC)


def test_api_level_facts(api: Api) -> None:
    assert (api.title, api.version, api.server_url) == ("Shop", "2", "https://eu.shop.test/v1")
    assert (api.auth_header, api.auth_prefix) == ("X-Key", "")
    [scheme] = api.security_schemes
    assert (scheme.name, scheme.type, scheme.location, scheme.parameter) == (
        "key", "apiKey", "header", "X-Key"
    )  # fmt: skip


def test_parameters_carry_location_style_and_explode(api: Api) -> None:
    listing = next(op for op in api.operations if op.operation_id == "listOrders")
    params = {arg.wire_name: arg for arg in listing.keyword_args}
    assert (params["ids"].location, params["ids"].style, params["ids"].explode) == (
        "query", "form", False
    )  # fmt: skip
    assert (params["X-Trace"].location, params["X-Trace"].style) == ("header", "simple")
    assert params["X-Trace"].explode is False and params["starting_after"].explode is True
    assert listing.security == (("key",),)
    assert listing.error_types == (("4XX", "types.Error"),)
    assert [(c.status, c.media_type, c.annotation) for c in listing.responses] == [
        ("200", "application/json", "types.OrderPage"),
        ("4XX", "application/json", "types.Error"),
    ]
    assert listing.pagination is not None
    assert listing.pagination.next_cursor == ("next_cursor",)
    assert listing.pagination.item_annotation == "types.Order"


def test_bodies_by_media_type_security_override_and_deprecation(api: Api) -> None:
    create = next(op for op in api.operations if op.operation_id == "createOrder")
    assert [(c.media_type, c.kind) for c in create.request_bodies] == [
        ("application/json", "json"),
        ("application/x-www-form-urlencoded", "form"),
    ]
    assert create.body_kind == "fields" and create.body_model == "types.Order"
    assert [(a.name, a.required) for a in create.body_args] == [("id", True), ("total", False)]
    assert create.security == ()  # `security: []`: no auth for this one
    retrieve = next(op for op in api.operations if op.path == "/orders/{id}")
    assert retrieve.deprecated and retrieve.return_annotation == "str"
    assert [a.name for a in retrieve.path_args] == ["id"]


def test_components_are_bound_to_their_classes(api: Api) -> None:
    bound = {m.component: m.class_name for m in api.models if m.component}
    assert bound == {"order": "Order", "order-page": "OrderPage", "error": "Error"}
    order = api.model("Order")
    assert order is not None and [f.alias for f in order.fields] == ["id", "total"]


def test_the_model_is_frozen(api: Api) -> None:
    with pytest.raises(AttributeError):
        api.title = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        api.operations[0].name = "changed"  # type: ignore[misc]


def test_a_class_that_lost_fields_is_a_generation_error() -> None:
    document: dict[str, Any] = yaml.safe_load(SPEC)
    config = config_for_spec(Path("shop.yaml"), Path("out"), "shop_client")
    resources = plan_operations(document, config)
    prepared = prepare_spec(document, resources)
    models = generate_models(prepared.document, "# header")
    wrong = ModelClass("Order", "model", (ModelField("id", "id", "str", True, None),))
    broken = ModelsModule(models.source, {**models.classes, "Order": wrong}, models.imports)
    with pytest.raises(GenerationError, match=r"'order' -> class Order: fields differ"):
        build_api(config, prepared, resources, broken)
