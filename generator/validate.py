"""Validate a loaded spec against OpenAPI 3.0 / 3.1 and report every problem found.

openapi-spec-validator does the checking. Around it we: report all errors (not only the
first), each with a JSON pointer and a line in the root file; replace its vague "not valid
under any of the given schemas" by the specific reason; keep validating after a dangling
`$ref` (the library stops there); and make sure no `$ref` is ever fetched.
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from jsonschema.exceptions import (  # type: ignore[import-untyped]  # no stubs installed
    ValidationError,
    best_match,
)
from jsonschema_path import SchemaPath
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation import keywords
from openapi_spec_validator.validation.exceptions import ExtraParametersError
from openapi_spec_validator.validation.validators import SpecValidator
from referencing.exceptions import NoSuchResource, Unresolvable, Unretrievable

from generator.loader import (
    LoadedSpec,
    PointerNotFound,
    iter_refs,
    json_pointer,
    pointer_parts,
    resolve_pointer,
)

__all__ = ["ValidationIssue", "validate_spec"]

MESSAGE_LIMIT = 300
_RESOLUTION_ERRORS = (Unresolvable, Unretrievable, NoSuchResource)
_LOCATION = "apigen_location"  # attribute set on errors from the library's keyword checks

Parts = tuple[str | int, ...]


@dataclass(frozen=True)
class ValidationIssue:
    """One problem in a spec; `pointer` is an RFC 6901 pointer ("" is the root)."""

    source: str
    pointer: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.pointer or '/'}: {self.message}"


def validate_spec(spec: LoadedSpec, *, max_issues: int = 100) -> list[ValidationIssue]:
    """Every problem of `spec` (at most `max_issues`, in document order; when there are more,
    the last issue says so). An empty list means the spec is valid."""
    document = spec.document
    validator_class = _validator_class(document.get("openapi"))
    if validator_class is None:
        found = document.get("openapi")
        pointer = "/openapi" if "openapi" in document else ""
        message = "unsupported or missing 'openapi' version"
        if found is not None:
            message += f" {found!r} (apigen reads OpenAPI 3.0.x and 3.1.x)"
        return [ValidationIssue(spec.source, pointer, spec.line_of(pointer), message)]

    found_issues: dict[tuple[str, str], None] = {}  # ordered set of (pointer, message)
    for parts, message in _problems(document, validator_class):
        found_issues[json_pointer(parts), _one_line(message)] = None
        if len(found_issues) > max_issues:
            break
    ordered = sorted(found_issues, key=lambda issue: _document_order(document, issue[0]))
    if len(ordered) > max_issues:
        ordered = ordered[: max_issues - 1]
        ordered.append(("", f"more issues not shown (stopped after {max_issues})"))
    return [
        ValidationIssue(spec.source, pointer, spec.line_of(pointer), message)
        for pointer, message in ordered
    ]


def _validator_class(version: Any) -> type[SpecValidator] | None:
    if isinstance(version, str):
        if re.match(r"3\.0(\.|$)", version):
            return _Oas30Validator
        if re.match(r"3\.1(\.|$)", version):
            return _Oas31Validator
    return None


def _problems(
    document: dict[str, Any], validator_class: type[SpecValidator]
) -> Iterator[tuple[Parts, str]]:
    """(location, message) of each problem, lazily (so the caller can stop early)."""
    dangling: set[str] = set()  # refs reported here, not again when the library trips on them
    for ref_parts, ref in iter_refs(document):
        if not ref.startswith("#"):
            dangling.add(ref)
            yield ref_parts, f"$ref {ref!r} is not internal (only '#/...' refs are allowed here)"
            continue
        try:
            resolve_pointer(document, ref)
        except PointerNotFound:
            dangling.add(_normal_pointer(ref))
            yield ref_parts, f"unresolvable $ref {ref!r}: no such location in the document"

    validator = validator_class(document)
    # 1. The document against the OpenAPI JSON schema (plain data: no refs are followed).
    structural: set[Parts] = set()
    for error in validator.schema_validator.iter_errors(document):
        for parts, message in _explain(error, ()):
            structural.add(tuple(str(part) for part in parts))
            yield parts, message
    # 2. The library's semantic checks (schemas, defaults, parameters, operationIds...).
    for error in validator.root_validator(validator.schema_path):
        reference = getattr(error, "apigen_unresolvable", None)
        if reference is not None and (
            reference in dangling or _normal_pointer(reference) in dangling
        ):
            continue  # already reported at the $ref itself
        location = getattr(error, _LOCATION, ())
        for parts, message in _explain(error, location):
            physical = _physical_parts(document, parts)
            # Its schema check repeats step 1 in other words: one issue per place is enough.
            if tuple(str(part) for part in physical) not in structural:
                yield physical, message


# ---------------------------------------------------------------------------------------------
# The library's validators, adapted


def _refuse_fetch(uri: str) -> NoReturn:
    raise PermissionError(f"apigen does not fetch $ref targets ({uri})")


class _NoFetchHandlers(dict[str, Callable[[str], Any]]):
    """Resolver handlers for every URI scheme (even unknown ones, which would otherwise go to
    urllib): each refuses, so validation never reads a file or the network."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __missing__(self, scheme: str) -> Callable[[str], Any]:
        return _refuse_fetch


def _locating(validator_class: type[keywords.KeywordValidator], *suffix: str) -> type[Any]:
    """Subclass of a keyword validator that records where its errors are.

    The library's semantic errors carry no location; the innermost validator that yields
    an error knows it (the first SchemaPath argument, plus `suffix`), outer ones keep it.
    """

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
        location = next((arg.parts for arg in args if isinstance(arg, SchemaPath)), None)
        for error in validator_class.__call__(self, *args, **kwargs):
            if location is not None and not hasattr(error, _LOCATION):
                setattr(error, _LOCATION, (*location, *suffix))
            yield error

    return type(validator_class.__name__, (validator_class,), {"__call__": __call__})


class _ResilientRootValidator(keywords.RootValidator):
    """Like the library's root check, but one unresolvable $ref only stops the check of the
    path item or component schema it is in, not the whole validation."""

    def __call__(self, spec: SchemaPath) -> Iterator[ValidationError]:
        if "tags" in spec and "tags" in self.registry.keyword_validators:
            tags = spec / "tags"
            yield from _guarded(self.registry["tags"](tags), tags)  # type: ignore[operator]
        if "paths" in spec:
            path_validator = self.paths_validator.path_validator
            for url, path_item in (spec / "paths").items():
                yield from _guarded(path_validator(str(url), path_item), path_item)
        if "components" in spec:
            components = spec / "components"
            if "schemas" in components:
                schema_validator = self.components_validator.schemas_validator.schema_validator
                for _, schema in (components / "schemas").items():
                    yield from _guarded(schema_validator(schema), schema)


def _guarded(errors: Iterator[ValidationError], location: SchemaPath) -> Iterator[ValidationError]:
    """`errors`, then, if a $ref could not be resolved, one error saying so."""
    try:
        yield from errors
    except _RESOLUTION_ERRORS as exc:
        reference = str(getattr(exc, "ref", "?"))
        # str(exc) would print the whole document: name the reference only.
        error = ValidationError(
            f"cannot resolve $ref {reference!r}: the check of this part stopped"
        )
        error.apigen_unresolvable = reference
        setattr(error, _LOCATION, location.parts)
        yield error


def _with_locations(
    validators: Mapping[str, type[keywords.KeywordValidator]],
) -> dict[str, type[keywords.KeywordValidator]]:
    located = {name: _locating(cls) for name, cls in validators.items()}
    # A default value's errors are located inside the value, under the schema's "default".
    located["default"] = _locating(validators["default"], "default")
    located["__root__"] = _ResilientRootValidator
    return located


class _Oas30Validator(OpenAPIV30SpecValidator):
    resolver_handlers = _NoFetchHandlers()  # type: ignore[assignment]
    keyword_validators = _with_locations(OpenAPIV30SpecValidator.keyword_validators)


class _Oas31Validator(OpenAPIV31SpecValidator):
    resolver_handlers = _NoFetchHandlers()  # type: ignore[assignment]
    keyword_validators = _with_locations(OpenAPIV31SpecValidator.keyword_validators)


# ---------------------------------------------------------------------------------------------
# Messages and locations


def _explain(error: ValidationError, prefix: Parts) -> list[tuple[Parts, str]]:
    """The specific problem(s) behind `error`, located under `prefix`.

    For oneOf/anyOf the alternatives that the value was clearly not meant to match are set
    aside (a Reference when there is no "$ref"); with one alternative left, its own errors
    are the problems; with several, one message names each alternative's problem.
    """
    here = (*prefix, *error.absolute_path)
    if not error.context:
        return [(here, _message(error))]
    branches: dict[Any, list[ValidationError]] = {}
    for sub_error in error.context:
        branch = sub_error.relative_schema_path[0] if sub_error.relative_schema_path else None
        branches.setdefault(branch, []).append(sub_error)
    candidates = [
        errors for errors in branches.values() if not _is_unwanted_reference(errors, error.instance)
    ] or list(branches.values())
    if len(candidates) == 1:
        return [found for sub_error in candidates[0] for found in _explain(sub_error, prefix)]
    merged = _merged_enum(candidates, prefix)
    if merged is not None:
        return [merged]
    reasons = dict.fromkeys(_message(best_match(errors)) for errors in candidates)
    return [(here, "matches none of the alternatives: " + "; or ".join(reasons))]


def _is_unwanted_reference(errors: Sequence[ValidationError], instance: Any) -> bool:
    """The alternative is a Reference Object, and the value has no "$ref"."""
    return (
        isinstance(instance, dict)
        and "$ref" not in instance
        and any(error.validator == "required" and "'$ref'" in error.message for error in errors)
    )


def _merged_enum(
    candidates: Sequence[Sequence[ValidationError]], prefix: Parts
) -> tuple[Parts, str] | None:
    """When every alternative rejects the same value by enum/const, one merged message:
    "'qry' is not one of ['path', 'query', 'header', 'cookie']"."""
    allowed: list[Any] = []
    where: Parts | None = None
    instance: Any = None
    for errors in candidates:
        enum_errors = [error for error in errors if error.validator in ("enum", "const")]
        if len(enum_errors) != 1:
            return None
        error = enum_errors[0]
        path = (*prefix, *error.absolute_path)
        if where not in (None, path):
            return None
        where, instance = path, error.instance
        values = error.validator_value if error.validator == "enum" else [error.validator_value]
        allowed.extend(value for value in values if value not in allowed)
    assert where is not None
    return where, f"{_short_repr(instance)} is not one of {allowed!r}"


def _message(error: ValidationError) -> str:
    message = str(error.message)
    if isinstance(error, ExtraParametersError):
        # The library builds this list from a set: sort it so output is deterministic.
        head, _, names = message.partition(": ")
        with contextlib.suppress(ValueError, SyntaxError):
            message = f"{head}: {sorted(ast.literal_eval(names))!r}"
    instance_repr = repr(error.instance)
    if len(instance_repr) > 60 and message.startswith(instance_repr):
        message = _short_repr(error.instance) + message[len(instance_repr) :]
    return message


def _short_repr(value: Any) -> str:
    text = repr(value)
    if len(text) <= 60:
        return text
    if isinstance(value, dict):
        return "{" + ", ".join(repr(key) for key in list(value)[:4]) + ", ...: ...}"
    return text[:57] + "..."


def _one_line(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 1] + "…"


def _normal_pointer(reference: str) -> str:
    """ "#/a/b%20c", "/a/b c" -> "/a/b c" (so both spellings of a ref compare equal)."""
    try:
        return json_pointer(
            pointer_parts(reference if reference.startswith("#") else "#" + reference)
        )
    except PointerNotFound:
        return reference


def _physical_parts(document: Any, parts: Parts) -> Parts:
    """Where `parts` really is: the library walks through $refs, so its paths can go
    through a ref into the component it names; follow internal refs the same way."""
    node = document
    physical: list[str | int] = []
    for part in (*parts, None):  # None: also follow a ref at the very end
        for _ in range(20):  # a ref to a ref to ...; a cycle of refs ends here
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str) or not ref.startswith("#") or part in node:
                break
            try:
                node = resolve_pointer(document, ref)
            except PointerNotFound:
                break
            physical = list(pointer_parts(ref))
        if part is None:
            break
        is_index = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        node = node[part] if is_index or (isinstance(node, dict) and part in node) else None
        physical.append(part)
    return tuple(physical)


def _document_order(document: Any, pointer: str) -> tuple[int, ...]:
    """Sort key: the position of each key of `pointer` among its siblings."""
    positions: list[int] = []
    node = document
    for part in pointer_parts(pointer):
        if isinstance(node, dict) and part in node:
            positions.append(list(node).index(part))
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            positions.append(int(part))
            node = node[int(part)]
        else:
            break
    return tuple(positions)
