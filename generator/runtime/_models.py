"""The base class of the generated models (`types.py`): strict requests, lenient responses.

A vendored client outlives the API version it was generated from, so a response is read
the way the best SDKs read it: fields the server added are kept (`model_extra`), and a
value that no longer fits its declared type (an enum member added upstream, a field that
became nullable) is kept as the server sent it instead of failing a call that succeeded.
Request bodies are validated strictly: unknown fields and wrong values are errors.
"""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
from pydantic import ConfigDict, ValidationError, ValidationInfo

from ._validation import MODE_KEY

__all__ = ["BaseModel"]


def _mode(info: ValidationInfo) -> object:
    """ "request" or "response" (see `_validation`), None for direct use of a model."""
    context = info.context
    return context.get(MODE_KEY) if isinstance(context, dict) else None


class BaseModel(pydantic.BaseModel):
    """A model of the API; unknown response fields are kept in `model_extra`."""

    # defer_build: the validator is built on first use, not at import (most are never used).
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    @pydantic.model_validator(mode="wrap")
    @classmethod
    def _check_direction(
        cls, data: Any, handler: pydantic.ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        mode = _mode(info)
        if mode == "request" and isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in _known_keys(cls))
            if unknown:
                raise ValueError(f"unknown field(s) for {cls.__name__}: {', '.join(unknown)}")
        try:
            return handler(data)
        except ValidationError:
            if mode != "response" or not isinstance(data, dict):
                raise
            return _lenient_construct(cls, data, info.context)


def _lenient_construct(
    model: type[pydantic.BaseModel], data: dict[Any, Any], context: object
) -> pydantic.BaseModel:
    """`model` from `data`, field by field: what fits is validated, what does not is kept.

    A required field the server left out reads as None; unknown fields go to `model_extra`.
    """
    values: dict[str, Any] = {}
    used: set[Any] = set()
    for name, field in model.model_fields.items():
        key = field.alias if field.alias is not None and field.alias in data else name
        if key not in data:
            if field.is_required():
                values[name] = None
            continue
        used.add(key)
        try:
            values[name] = _field_adapter(model, name).validate_python(data[key], context=context)
        except ValidationError:
            values[name] = data[key]  # e.g. an enum value added upstream stays a plain str
    extra = {str(key): value for key, value in data.items() if key not in used}
    return model.model_construct(**values, **extra)


_field_adapters: dict[tuple[type[pydantic.BaseModel], str], pydantic.TypeAdapter[Any]] = {}


def _field_adapter(model: type[pydantic.BaseModel], name: str) -> pydantic.TypeAdapter[Any]:
    adapter = _field_adapters.get((model, name))
    if adapter is None:
        field = model.model_fields[name]
        # The FieldInfo carries the constraints and the discriminator of the field.
        annotated = Annotated[field.annotation, field]  # type: ignore[name-defined]
        adapter = _field_adapters[(model, name)] = pydantic.TypeAdapter(annotated)
    return adapter


_known_keys_cache: dict[type[pydantic.BaseModel], frozenset[str]] = {}


def _known_keys(model: type[pydantic.BaseModel]) -> frozenset[str]:
    """Field names and aliases a request body of `model` may use."""
    known = _known_keys_cache.get(model)
    if known is None:
        names = {name for name in model.model_fields}
        names |= {field.alias for field in model.model_fields.values() if field.alias}
        known = _known_keys_cache[model] = frozenset(names)
    return known
