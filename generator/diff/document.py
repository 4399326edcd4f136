"""JSON pointers and internal `$ref` resolution over one loaded OpenAPI document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.errors import InputError

JsonDict = dict[str, Any]


def escape_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: object) -> str:
    return pointer + "".join("/" + escape_token(token) for token in tokens)


def tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [unescape_token(token) for token in pointer.lstrip("#").split("/")[1:]]


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
        node: Any = self.root
        for token in tokens(pointer):
            if isinstance(node, Mapping):
                node = _lookup(node, token)
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
            if node is None:
                return None
        return node

    def ref(self, ref: object, at: str) -> tuple[str, Any]:
        """Resolve an internal `$ref` found at pointer `at`: (target pointer, target node)."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise InputError(
                f"{self.label}: #{at}: only internal references ('#/...') are supported, "
                f"got {ref!r}; bundle the spec first"
            )
        hit = self._refs.get(ref)
        if hit is None:
            pointer = ref[1:]
            node = self.get(pointer)
            if node is None:
                raise InputError(f"{self.label}: #{at}: $ref {ref!r} points nowhere")
            hit = self._refs[ref] = (pointer, node)
        return hit

    def deref(self, node: Any, pointer: str) -> tuple[str, Any]:
        """Follow a chain of `$ref`s of a non-schema object (parameter, response, ...)."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            if pointer in seen:
                raise InputError(f"{self.label}: #{pointer}: $ref cycle")
            seen.add(pointer)
            pointer, node = self.ref(node["$ref"], pointer)
        return pointer, node


def _lookup(mapping: Mapping[Any, Any], token: str) -> Any:
    # YAML may load keys such as response codes as ints: a pointer token is always text.
    if token in mapping:
        return mapping[token]
    for key, value in mapping.items():
        if not isinstance(key, str) and str(key) == token:
            return value
    return None
