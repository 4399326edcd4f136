"""Check, from the spec alone, that every operation is typed with the right class.

Independent of the generator's own check: for each operation's JSON request body and
success response that is a `$ref` to a component (or an array of such refs), the API model
must name the class emitted for that component, and that class must have exactly the
component's properties (allOf merged).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.api_model import Api, build_api, expected_properties
from generator.config import config_for_spec
from generator.loader import load_spec
from generator.modelgen import MODELS_MODULE, generate_models
from generator.normalize import prepare_spec
from generator.openapi import SCHEMA_REF_PREFIX, deref, json_media, pointer_parts
from generator.operations import plan_operations


def build(spec_path: Path) -> tuple[Api, dict[str, Any], dict[str, str]]:
    """(API model, the spec as written, component name -> class name)."""
    spec = load_spec(spec_path)
    config = config_for_spec(spec_path, Path("unused"), "bound_client")
    resources = plan_operations(spec.document, config)
    prepared = prepare_spec(spec.document, resources)
    models = generate_models(prepared.document, "# bindings")
    return build_api(config, prepared, resources, models), spec.document, prepared.class_names


def _component(schema: Any) -> tuple[str | None, bool]:
    """(component name the schema refers to, whether it is an array of it)."""
    if not isinstance(schema, dict):
        return None, False
    is_array = schema.get("type") == "array" and isinstance(schema.get("items"), dict)
    target = schema["items"] if is_array else schema
    ref = target.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_REF_PREFIX):
        parts = pointer_parts(ref)
        if len(parts) == 3:
            return parts[2], is_array
    return None, False


def wrong_bindings(spec_path: Path) -> tuple[int, list[str]]:
    """(bindings checked, the wrong ones described)."""
    api, document, class_names = build(spec_path)
    paths = document.get("paths") or {}
    checked, wrong = 0, []
    for op in api.operations:
        raw = paths[op.path][op.http_method.lower()]
        sides: list[tuple[str, Any, str | None]] = []
        body = deref(document, raw.get("requestBody"))
        media = json_media(body) if isinstance(body, dict) else None
        if media is not None:
            sides.append(("request", media.get("schema"), op.body_model))
        responses = raw.get("responses") or {}
        success = [s for s in sorted(responses, key=str) if str(s).startswith("2")]
        response = deref(document, responses[success[0]]) if success else None
        media = json_media(response) if isinstance(response, dict) else None
        if media is not None:
            sides.append(("response", media.get("schema"), op.return_annotation))
        for side, schema, annotation in sides:
            component, is_array = _component(schema)
            if component is None or component not in class_names:
                continue
            target = deref(document, schema["items"] if is_array else schema)
            expected = expected_properties(document, target)
            if expected is None:
                continue  # a union or a map: no class of its own to check
            checked += 1
            class_name = class_names[component]
            wanted = f"{MODELS_MODULE}.{class_name}"
            if is_array:
                wanted = f"list[{wanted}]"
            model = api.model(class_name)
            fields = {f.alias for f in model.fields} if model is not None else set()
            if side == "request" and annotation is None:
                continue  # sent as a whole `body` value, typed like the response side
            if annotation is None or wanted not in annotation or fields != expected:
                wrong.append(
                    f"{op.http_method} {op.path} {side}: {component!r} -> {annotation} "
                    f"(class {class_name} fields {sorted(fields)[:4]}...)"
                )
    return checked, wrong
