"""Validation of request bodies (strict) and responses (lenient), for the HTTP client.

Kept apart from `_models` so that importing the client does not build any pydantic class:
the models module is loaded only when a call first needs it.
"""

from __future__ import annotations

from typing import Any, Final

import pydantic
from pydantic import ValidationError

__all__ = ["MODE_KEY", "to_jsonable", "type_adapter", "validate_request", "validate_response"]

# The validation context tells the models' validators which way the data travels.
MODE_KEY: Final = "apigen_mode"
_LENIENT: Final = {MODE_KEY: "response"}
_STRICT_REQUEST: Final = {MODE_KEY: "request"}

_type_adapters: dict[object, pydantic.TypeAdapter[Any]] = {}


def type_adapter(annotation: Any) -> pydantic.TypeAdapter[Any]:
    """A `TypeAdapter` for `annotation`, built once: building one is expensive."""
    try:
        return _type_adapters[annotation]
    except KeyError:
        adapter = _type_adapters[annotation] = pydantic.TypeAdapter(annotation)
        return adapter
    except TypeError:  # unhashable annotation, e.g. Annotated with a dict in its metadata
        return pydantic.TypeAdapter(annotation)


def to_jsonable(value: object, *, by_alias: bool = False) -> Any:
    """JSON-ready data: enums, datetimes, UUIDs, decimals, models... become JSON values."""
    return type_adapter(Any).dump_python(value, mode="json", by_alias=by_alias)


def validate_request(model: type[pydantic.BaseModel], values: dict[str, object]) -> Any:
    """Strict validation of a request body: unknown fields and bad values raise."""
    return model.model_validate(values, context=_STRICT_REQUEST)


def validate_response(annotation: Any, data: object) -> tuple[Any, ValidationError | None]:
    """`data` as `annotation`, and the error when it only fitted leniently.

    First strictly; when that fails, leniently: values that do not fit stay as sent, missing
    required fields become None, and if even the outer shape does not fit, `data` comes
    back unchanged.
    """
    adapter = type_adapter(annotation)
    try:
        return adapter.validate_python(data), None
    except ValidationError as exc:
        try:
            return adapter.validate_python(data, context=_LENIENT), exc
        except ValidationError:
            return data, exc
