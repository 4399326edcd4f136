"""Readable subjects for JSON pointers: `Model.items[].name`, query parameter `limit`, ..."""

from __future__ import annotations

from collections.abc import Mapping

from generator.diff.document import Document, join, tokens


def clean(text: object) -> str:
    """One line without backticks, so spec text cannot break out of a code span."""
    return " ".join(str(text).replace("`", "'").split())


def subject(doc: Document, pointer: str) -> str:
    """A short name for what `pointer` designates, already wrapped in backticks."""
    parts = [clean(part) for part in tokens(pointer)]
    if parts[:2] == ["components", "securitySchemes"] and len(parts) > 2:
        return f"`{parts[2]}`"
    if len(parts) > 2 and parts[0] == "paths" and parts[-2:-1] == ["security"]:
        return f"`{parts[-1]}`"
    if parts[:2] == ["components", "schemas"] and len(parts) > 2:
        return _schema_path(doc, parts[2], parts, 3)
    if "callbacks" in parts[:-1]:
        at = parts.index("callbacks")
        return f"`{' '.join(parts[at + 1 :][:3])}`"  # name, expression, method
    header = _header_end(parts)
    if header is not None:
        text = f"header `{parts[header - 1]}`"
        if header >= 4 and parts[header - 4] == "responses":
            text += f" (response {parts[header - 3]})"
        if len(parts) > header + 1:  # inside the header's schema
            text += " " + _schema_path(doc, parts[header - 1], parts, header + 1)
        return text
    parameter = _parameter_end(parts)
    if parameter is not None:
        return _parameter(doc, parts[:parameter], parts[parameter:])
    if parts[:1] in (["paths"], ["webhooks"]) and len(parts) > 4:
        # /paths/<path>/<method>/requestBody/... or /paths/<path>/<method>/responses/<code>/...
        if parts[3] == "requestBody":
            return _body(doc, "body", parts, 5)
        if parts[3] == "responses":
            return _body(doc, f"response[{parts[4]}]", parts, 6)
    if parts[:2] == ["components", "requestBodies"] and len(parts) > 2:
        return _body(doc, parts[2], parts, 4)
    if parts[:2] == ["components", "responses"] and len(parts) > 2:
        return _body(doc, parts[2], parts, 4)
    return f"`{pointer}`"


def _header_end(parts: list[str]) -> int | None:
    """How many tokens lead to a response header object, if the pointer is in one."""
    if parts[:2] == ["components", "headers"] and len(parts) > 2:
        return 3
    for at in range(len(parts) - 1):
        if parts[at] == "headers" and at >= 1:
            return at + 2
    return None


def _parameter_end(parts: list[str]) -> int | None:
    """How many tokens lead to the parameter object itself, if the pointer is in one."""
    if parts[:2] == ["components", "parameters"] and len(parts) > 2:
        return 3
    if parts[:1] == ["paths"]:
        # path-level /paths/<path>/parameters/<i> or operation-level /paths/<path>/<m>/...
        for at in (2, 3):
            if len(parts) > at + 1 and parts[at] == "parameters":
                return at + 2
    return None


def _parameter(doc: Document, own: list[str], rest: list[str]) -> str:
    pointer = join("", *own)
    node = doc.get(pointer)
    if isinstance(node, Mapping) and "$ref" in node:
        node = doc.deref(node, pointer)[1]
    if not isinstance(node, Mapping):
        return f"parameter `{own[-1]}`"
    name = clean(node.get("name", ""))
    text = f"{clean(node.get('in', ''))} parameter `{name}`".lstrip()
    # rest starts with "schema" (or content/<type>/schema) before any nested path.
    while rest and rest[0] != "schema":
        rest = rest[1:]
    if len(rest) > 1:
        text += " " + _schema_path(doc, name, [*own, *rest], len(own) + 1)
    return text


def _body(doc: Document, root: str, parts: list[str], start: int) -> str:
    # parts[start:]: <media type>/schema/... ; the media type only matters when it is the subject.
    rest = parts[start:]
    if len(rest) <= 2:
        return f"`{root}`"
    return _schema_path(doc, root, parts, start + 2)


def _wrappers(doc: Document, parts: list[str], start: int) -> set[int]:
    """Indexes (relative to `start`) of anyOf/oneOf/allOf tokens that only wrap one
    non-null schema: `x.anyOf[0]` is just `x` made nullable, not worth naming."""
    found: set[int] = set()
    for index in range(start, len(parts) - 1):
        if parts[index] not in ("anyOf", "oneOf", "allOf"):
            continue
        members = doc.get(join("", *parts[: index + 1]))
        if isinstance(members, list) and sum(not _is_null(member) for member in members) == 1:
            found.add(index - start)
    return found


def _is_null(node: object) -> bool:
    return isinstance(node, Mapping) and node.get("type") in ("null", ["null"])


def variant_name(member: object, parent: object = None) -> str | None:
    """How to name one member of an anyOf/oneOf: its title, its `$ref`'s name or the
    discriminator value that selects it; None when it has none of these."""
    if not isinstance(member, Mapping):
        return None
    if isinstance(member.get("title"), str) and member["title"]:
        return clean(member["title"])
    ref = member.get("$ref")
    if isinstance(ref, str):
        return clean(ref.rsplit("/", 1)[-1])
    discriminator = parent.get("discriminator") if isinstance(parent, Mapping) else None
    if isinstance(discriminator, Mapping):
        selector = member.get("properties", {}).get(discriminator.get("propertyName"))
        if isinstance(selector, Mapping) and "const" in selector:
            return clean(selector["const"])
        if isinstance(selector, Mapping) and isinstance(selector.get("enum"), list):
            return clean("|".join(str(value) for value in selector["enum"]))
    return None


def _schema_path(doc: Document, root: str, parts: list[str], start: int) -> str:
    """`root` followed by the schema path in `parts[start:]`: `Pet.owner.tags[]`,
    union members by name (`Pet.oneOf(Cat)`), single-member wrappers left out."""
    rest = parts[start:]
    skip = _wrappers(doc, parts, start)
    text = root
    index = 0
    while index < len(rest):
        if index in skip:
            index += 2
            continue
        token = rest[index]
        following = rest[index + 1] if index + 1 < len(rest) else None
        if token == "properties" and following is not None:
            text += "." + following
            index += 2
            continue
        if token == "items":
            text += "[]"
        elif token == "additionalProperties":
            text += "{}"
        elif token in ("allOf", "anyOf", "oneOf") and following is not None:
            parent = doc.get(join("", *parts[: start + index]))
            member = doc.get(join("", *parts[: start + index + 2]))
            name = variant_name(member, parent)
            if name is None and isinstance(member, Mapping) and isinstance(member.get("type"), str):
                name = clean(member["type"])
            text += f".{token}({name})" if name else f".{token}[{following}]"
            index += 2
            continue
        elif token != "$ref":
            text += "/" + token
        index += 1
    return f"`{text}`"
