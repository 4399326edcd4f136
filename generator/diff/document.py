"""JSON pointers and internal `$ref` resolution over one loaded OpenAPI document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.errors import InputError
from generator.openapi import (
    PointerNotFound,
    RefError,
    json_pointer,
    pointer_parts,
    resolve_pointer,
    resolve_ref,
)

JsonDict = dict[str, Any]


def join(pointer: str, *tokens: str | int) -> str:
    return pointer + json_pointer(tokens)


def tokens(pointer: str) -> list[str]:
    """The keys of a pointer as the differ writes it (plain, or after a bare `#`)."""
    return list(pointer_parts(pointer.lstrip("#")))


class Document:
    """A spec plus a cache of resolved references. `label` names it in error messages."""

    def __init__(self, root: Mapping[str, Any], label: str) -> None:
        if not isinstance(root, Mapping):
            raise InputError(f"{label}: an OpenAPI document must be a mapping at the top level")
        self.root = root
        self.label = label
        self.is_31 = str(root.get("openapi", "")).startswith("3.1")
        self._refs: dict[str, tuple[str, Any]] = {}

    def get(self, pointer: str) -> Any:
        """The node at `pointer`, or None when the pointer does not lead anywhere."""
        try:
            return resolve_pointer(self.root, pointer)
        except PointerNotFound:
            return None

    def ref(self, ref: object, at: str) -> tuple[str, Any]:
        """Resolve an internal `$ref` found at pointer `at`: (target pointer, target node)."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise InputError(
                f"{self.label}: #{at}: only internal references ('#/...') are supported, "
                f"got {ref!r}; bundle the spec first"
            )
        hit = self._refs.get(ref)
        if hit is None:
            node = self.get(ref)
            if node is None:
                raise InputError(f"{self.label}: #{at}: $ref {ref!r} points nowhere")
            hit = self._refs[ref] = (json_pointer(pointer_parts(ref)), node)
        return hit

    def deref(self, node: Any, pointer: str) -> tuple[str, Any]:
        """Follow a chain of `$ref`s of a non-schema object (parameter, response, ...)."""
        try:
            last, target = resolve_ref(self.root, node)
        except RefError as exc:
            raise InputError(f"{self.label}: #{pointer}: {exc}") from None
        return (pointer if last is None else json_pointer(pointer_parts(last))), target
