"""Where each operation lands in the client: resource path and method name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.config import ApiConfig, config_for_spec
from generator.operations import plan_operations


def _config(**overrides: Any) -> ApiConfig:
    config = config_for_spec(Path("spec.json"), Path("out"), "demo_client")
    return ApiConfig(**{**vars(config), **overrides})


def _names(paths: dict[str, Any], config: ApiConfig | None = None) -> dict[str, str]:
    root = plan_operations({"paths": paths}, config or _config())
    return {op.key: op.attr_path for node in root.walk() for op in node.operations}


OK = {"responses": {"200": {"description": "ok"}}}


def test_rest_conventions_from_paths() -> None:
    names = _names(
        {
            "/v1/models": {"get": OK, "post": OK},
            "/v1/models/{model_id}": {"get": OK, "delete": OK, "patch": OK},
            "/v1/models/{model_id}/deployments/{deployment_id}/activate": {"post": OK},
            "/v1/models/{model_id}/deployments": {"get": OK},
            "/v1/models/{model_id}/deployments/{deployment_id}": {"get": OK},
            "/v1/teams/{team_id}/secrets": {"get": OK},
            "/v1/users/me": {"get": OK},
            "/v1/prepare_model_upload": {"post": OK},
        }
    )
    assert names == {
        "GET /v1/models": "models.list",
        "POST /v1/models": "models.create",
        "GET /v1/models/{model_id}": "models.retrieve",
        "DELETE /v1/models/{model_id}": "models.delete",
        "PATCH /v1/models/{model_id}": "models.update",
        "POST /v1/models/{model_id}/deployments/{deployment_id}/activate": "models.deployments.activate",
        "GET /v1/models/{model_id}/deployments": "models.deployments.list",
        "GET /v1/models/{model_id}/deployments/{deployment_id}": "models.deployments.retrieve",
        "GET /v1/teams/{team_id}/secrets": "teams.secrets.list",
        "GET /v1/users/me": "users.me",
        "POST /v1/prepare_model_upload": "prepare_model_upload",
    }


def test_operation_id_and_tags_win_over_paths() -> None:
    op = {"operationId": "listPets", "tags": ["Pet Store"], **OK}
    assert _names({"/pets": {"get": op}}) == {"GET /pets": "pet_store.list_pets"}


def test_config_override_wins() -> None:
    config = _config(operation_names={"GET /pets": "animals.all"})
    assert _names({"/pets": {"get": OK}}, config) == {"GET /pets": "animals.all"}


def test_collisions_get_distinct_deterministic_names() -> None:
    paths = {
        "/snapshots": {"post": OK},
        "/snapshots/{model_id}": {"post": OK},
        "/things": {"get": {"operationId": "close", **OK}},
    }
    first = _names(paths)
    assert first == _names(dict(reversed(list(paths.items()))))
    assert first["POST /snapshots"] == "snapshots.create"
    assert first["POST /snapshots/{model_id}"] == "snapshots.update"  # stripe-style POST
    assert first["GET /things"] == "things.close_get"  # `close` belongs to the client


def test_hostile_names_become_identifiers() -> None:
    names = _names({"/a b/{x}/ü-ß": {"post": {"operationId": "import os; x", **OK}}})
    (attr_path,) = names.values()
    assert all(part.isidentifier() for part in attr_path.split("."))


def test_operation_ids_lose_what_the_namespace_and_path_already_say() -> None:
    def op(operation_id: str, *tags: str, summary: str = "") -> dict[str, Any]:
        return {"operationId": operation_id, "tags": list(tags), "summary": summary, **OK}

    names = _names(
        {
            # stripe: HTTP method + path words -> the REST name of the path; a POST that
            # reads is not `create`
            "/v1/charges/search": {"post": op("PostChargesSearch", summary="Search charges")},
            "/v1/charges": {"post": op("PostCharges"), "get": op("GetCharges")},
            "/v1/charges/{charge}": {
                "get": op("GetChargesCharge"),
                "post": op("PostChargesCharge"),
            },
            "/v1/charges/{charge}/capture": {"post": op("PostChargesChargeCapture")},
        }
    )
    assert names == {
        "POST /v1/charges": "charges.create",
        "GET /v1/charges": "charges.list",
        "GET /v1/charges/{charge}": "charges.retrieve",
        "POST /v1/charges/{charge}": "charges.update",
        "POST /v1/charges/{charge}/capture": "charges.capture",
        "POST /v1/charges/search": "charges.search",
    }
    names = _names(
        {
            # github: `namespace/action`, a bare verb is the REST name
            "/enterprises/{enterprise}/actions/runners/{runner_id}/labels": {
                "delete": op(
                    "enterprise-admin/remove-all-custom-labels-from-self-hosted-runner-for-"
                    "enterprise",
                    "enterprise-admin",
                )
            },
            "/repos/{owner}/{repo}/pulls/{pull_number}": {"get": op("pulls/get", "pulls")},
            "/rate_limit": {"get": op("rate-limit/get", "rate-limit")},
            "/albums": {"get": op("get-multiple-albums", "albums")},
        }
    )
    assert names == {
        "DELETE /enterprises/{enterprise}/actions/runners/{runner_id}/labels": (
            "enterprise_admin.remove_all_custom_labels_from_self_hosted_runner_for_enterprise"
        ),
        "GET /repos/{owner}/{repo}/pulls/{pull_number}": "pulls.retrieve",
        "GET /rate_limit": "rate_limit.retrieve",
        "GET /albums": "albums.get_multiple",
    }
