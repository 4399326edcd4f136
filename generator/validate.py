"""Validate a loaded spec against OpenAPI 3.0 / 3.1 and report every problem found.

openapi-spec-validator does the checking. Around it we: report all errors (not only the
first), each with a JSON pointer and a line in the root file; replace its vague "not valid
under any of the given schemas" by the specific reason; keep validating the other parts
after a dangling `$ref` or a structure the library trips on (it raises there); and make sure
no `$ref` is ever fetched, and no pattern of the spec runs on a backtracking regex engine.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from jsonschema.exceptions import (  # type: ignore[import-untyped]  # no stubs installed
    SchemaError,
    ValidationError,
    best_match,
)
from jsonschema.validators import extend, validator_for  # type: ignore[import-untyped]
from jsonschema_path import SchemaPath
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_schema_validator._specifications import (  # the metaschemas, crawled
    REGISTRY as OPENAPI_METASCHEMAS,
)
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.schemas import schema_v30, schema_v31
from openapi_spec_validator.validation import keywords
from openapi_spec_validator.validation.exceptions import ExtraParametersError
from referencing import Resource
from referencing.exceptions import NoSuchResource, Unresolvable, Unretrievable
from referencing.jsonschema import DRAFT202012

from generator.loader import LoadedSpec, iter_refs
from generator.openapi import (
    PointerNotFound,
    RefError,
    json_pointer,
    pointer_parts,
    resolve_pointer,
    resolve_ref,
)
from generator.patterns import linear_search

__all__ = ["ValidationIssue", "validate_spec"]

MESSAGE_LIMIT = 300
_RESOLUTION_ERRORS: tuple[type[Exception], ...] = (Unresolvable, Unretrievable, NoSuchResource)
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


def _validator_class(version: Any) -> type[_Oas30Validator | _Oas31Validator] | None:
    if isinstance(version, str):
        if re.match(r"3\.0(\.|$)", version):
            return _Oas30Validator
        if re.match(r"3\.1(\.|$)", version):
            return _Oas31Validator
    return None


def _problems(
    document: dict[str, Any], validator_class: type[_Oas30Validator | _Oas31Validator]
) -> Iterator[tuple[Parts, str]]:
    """(location, message) of each problem, lazily (so the caller can stop early)."""
    ref_problems = False
    for ref_parts, ref in iter_refs(document):
        problem = _ref_problem(document, ref)
        if problem is not None:
            ref_problems = True
            yield ref_parts, problem

    validator = validator_class(document)
    # 1. The document against the OpenAPI JSON schema (plain data: no refs are followed).
    structural: set[Parts] = set()
    for error in _document_validator(validator_class.version).iter_errors(document):
        for parts, message in _explain(error, ()):
            structural.add(tuple(str(part) for part in parts))
            yield parts, message
    # 2. The library's semantic checks (schemas, defaults, parameters, operationIds...).
    for error in validator.root_validator(validator.schema_path):
        stopped = getattr(error, "apigen_stopped", None)
        if stopped is not None and (structural or (stopped and ref_problems)):
            continue  # the check tripped on a problem that is already reported
        location = getattr(error, _LOCATION, ())
        for parts, message in _explain(error, location):
            physical = _physical_parts(document, parts)
            # Its schema check repeats step 1 in other words: one issue per place is enough.
            if tuple(str(part) for part in physical) not in structural:
                yield physical, message


def _ref_problem(document: Any, ref: str) -> str | None:
    """What is wrong with an internal `ref`: not internal, dangling, or a cycle of refs."""
    if not ref.startswith("#"):
        return f"$ref {ref!r} is not internal (only '#/...' refs are allowed here)"
    seen = [ref]
    while True:
        try:
            target = resolve_pointer(document, ref)
        except PointerNotFound:
            if len(seen) == 1:
                return f"unresolvable $ref {ref!r}: no such location in the document"
            return None  # reported at the ref that dangles
        next_ref = target.get("$ref") if isinstance(target, dict) else None
        if not isinstance(next_ref, str) or not next_ref.startswith("#"):
            return None  # content, or a ref reported where it is
        if next_ref in seen:
            if next_ref != seen[0]:
                return None  # the cycle is reported at the refs that form it
            return "circular $ref: " + " -> ".join([*seen, next_ref])
        seen.append(next_ref)
        ref = next_ref


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
    """The library's root check, made to survive bad input: its semantic checks assume a
    structurally valid document with resolvable refs, and raise (KeyError, AssertionError,
    PointerToNowhere, RecursionError...) otherwise. Here such a failure only ends the check
    of the path item or component schema it happens in, as one error saying so."""

    def __call__(self, spec: SchemaPath) -> Iterator[ValidationError]:
        units = self._units(spec)
        while True:
            try:
                errors, location = next(units)
            except StopIteration:
                return
            except Exception as exc:  # e.g. "paths" is a list: nothing more can be checked
                yield _stopped_error(exc, spec)
                return
            try:
                yield from errors
            except Exception as exc:
                yield _stopped_error(exc, location)

    def _units(self, spec: SchemaPath) -> Iterator[tuple[Iterator[ValidationError], SchemaPath]]:
        """The separately checked parts: the tags, each path item, each component schema."""
        if "tags" in spec and "tags" in self.registry.keyword_validators:
            tags = spec / "tags"
            yield self.registry["tags"](tags), tags  # type: ignore[operator]
        if "paths" in spec:
            path_validator = self.paths_validator.path_validator
            for url, path_item in (spec / "paths").items():
                yield path_validator(str(url), path_item), path_item
        if "components" in spec:
            components = spec / "components"
            if "schemas" in components:
                schema_validator = self.components_validator.schemas_validator.schema_validator
                for _, schema in (components / "schemas").items():
                    yield schema_validator(schema), schema


def _stopped_error(exc: Exception, location: SchemaPath) -> ValidationError:
    if isinstance(exc, _RESOLUTION_ERRORS):
        # str(exc) would print the whole document: name the reference only.
        reason = f"cannot resolve $ref {str(getattr(exc, 'ref', '?'))!r}"
    elif isinstance(exc, RecursionError):
        reason = "circular $ref"
    else:
        reason = f"unexpected structure ({type(exc).__name__}: {exc})"
    error = ValidationError(f"{reason}: the check of this part stopped")
    error.apigen_stopped = isinstance(exc, (*_RESOLUTION_ERRORS, RecursionError))
    setattr(error, _LOCATION, location.parts)
    return error


# The library checks the document, and every schema in it, with jsonschema validators whose
# registry is crawled again at each $dynamicRef lookup (OAS 3.1): most of the time went there.
# These validators get a registry crawled once, up front, from the local metaschemas only.


def _crawled_validator(schema: Mapping[str, Any], validator_class: Any, format_checker: Any) -> Any:
    """A `validator_class` for `schema` whose registry (`schema` and the local OpenAPI and
    JSON Schema metaschemas) is crawled once: fast, and it never fetches anything."""
    resource = Resource.from_contents(dict(schema), default_specification=DRAFT202012)
    uri = resource.id() or ""
    registry = OPENAPI_METASCHEMAS.with_resource(uri, resource).crawl()
    resolver = registry.resolver(base_uri=uri)
    return validator_class(schema, format_checker=format_checker, _resolver=resolver)


@functools.cache
def _document_validator(version: str) -> Any:
    """Checks a whole document against the OpenAPI schema of its version ("3.0", "3.1")."""
    schema = {"3.0": schema_v30, "3.1": schema_v31}[version]
    return _crawled_validator(schema, validator_for(schema), None)


@functools.cache
def _meta_validator(validator_class: Any, format_checker: Any) -> Any:
    """Checks a schema in the document against its dialect, like `check_schema` does."""
    metaschema = validator_class.META_SCHEMA
    return _crawled_validator(
        metaschema, validator_for(metaschema, default=validator_class), format_checker
    )


def _meta_checker(validator_class: Any, format_checker: Any) -> Callable[[Any], None]:
    """Does what `validator_class.check_schema` does: raise SchemaError for the first error."""
    validator = _meta_validator(validator_class, format_checker)

    def check(schema: Any) -> None:
        for error in validator.iter_errors(schema):
            raise SchemaError.create_from(error)

    return check


class _Oas30SchemaValidator(keywords.OpenAPIV30SchemaValidator):
    def _get_schema_checker(self, schema: SchemaPath, schema_value: Any) -> Callable[[Any], None]:
        validator_class = self.schema_validator_cls
        return _meta_checker(validator_class, validator_class.FORMAT_CHECKER)


class _Oas31SchemaValidator(keywords.OpenAPIV31SchemaValidator):
    def _get_schema_checker(self, schema: SchemaPath, schema_value: Any) -> Callable[[Any], None]:
        dialect_id = self._get_schema_dialect_id(schema, schema_value)
        validator_class = self._get_validator_class_for_dialect(dialect_id)
        if validator_class is None:
            raise ValueError(f"Unknown JSON Schema dialect: {dialect_id!r}")
        return _meta_checker(validator_class, self.schema_validator_format_checker)


# Defaults are checked against their schema with jsonschema, whose `pattern`,
# `patternProperties` and `additionalProperties` run the spec's regexes with `re` (which
# backtracks: `^(a+)+$` hangs). Here they run on the linear engine of patterns.py; a pattern
# that engine cannot compile (look-around, back-reference) is not checked.


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if (
        isinstance(pattern, str)
        and validator.is_type(instance, "string")
        and linear_search(pattern, instance) is False
    ):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not (validator.is_type(instance, "object") and isinstance(patterns, dict)):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if linear_search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties") or {}
    patterns = list(schema.get("patternProperties") or {})
    extras = [
        name
        for name in instance
        if name not in properties
        and not any(linear_search(pattern, name) is not False for pattern in patterns)
    ]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif additional is False and extras:
        verb = "was" if len(extras) == 1 else "were"
        listed = ", ".join(repr(extra) for extra in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({listed} {verb} unexpected)")


def _not_checked(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
    # jsonschema's unevaluatedProperties runs patternProperties with `re`: not on defaults.
    return iter(())


_LINEAR_KEYWORDS = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "unevaluatedProperties": _not_checked,
}


def _linear_patterns(validator_class: Any) -> Any:
    """`validator_class` with the regex-running keywords it has replaced by linear ones."""
    replaced = {k: v for k, v in _LINEAR_KEYWORDS.items() if k in validator_class.VALIDATORS}
    return extend(validator_class, replaced)


class _Oas30ValueValidator(keywords.OpenAPIV30ValueValidator):
    value_validator_cls = _linear_patterns(OAS30Validator)


class _Oas31ValueValidator(keywords.OpenAPIV31ValueValidator):
    value_validator_cls = _linear_patterns(OAS31Validator)


def _with_locations(
    validators: Mapping[str, type[keywords.KeywordValidator]],
    schema_validator: type[keywords.SchemaValidator],
    value_validator: type[keywords.ValueValidator],
) -> dict[str, type[keywords.KeywordValidator]]:
    located = {name: _locating(cls) for name, cls in validators.items()}
    located["schema"] = _locating(schema_validator)
    # A default value's errors are located inside the value, under the schema's "default".
    located["default"] = _locating(value_validator, "default")
    located["__root__"] = _ResilientRootValidator
    return located


class _Oas30Validator(OpenAPIV30SpecValidator):
    resolver_handlers = _NoFetchHandlers()  # type: ignore[assignment]
    keyword_validators = _with_locations(
        OpenAPIV30SpecValidator.keyword_validators, _Oas30SchemaValidator, _Oas30ValueValidator
    )
    version = "3.0"


class _Oas31Validator(OpenAPIV31SpecValidator):
    resolver_handlers = _NoFetchHandlers()  # type: ignore[assignment]
    keyword_validators = _with_locations(
        OpenAPIV31SpecValidator.keyword_validators, _Oas31SchemaValidator, _Oas31ValueValidator
    )
    version = "3.1"


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
    if error.validator == "oneOf" and not error.context:
        # The library's message prints every matching alternative in full.
        return f"{_short_repr(error.instance)} matches more than one 'oneOf' alternative"
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


def _physical_parts(document: Any, parts: Parts) -> Parts:
    """Where `parts` really is: the library walks through $refs, so its paths can go
    through a ref into the component it names; follow internal refs the same way."""
    node = document
    physical: list[str | int] = []
    for part in (*parts, None):  # None: also follow a ref at the very end
        if isinstance(node, dict) and "$ref" in node and part not in node:
            try:
                last, node = resolve_ref(document, node)
            except RefError:
                node = None  # dangling or a cycle: reported on its own
            else:
                physical = list(pointer_parts(last or ""))
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
        elif isinstance(node, list) and part.isascii() and part.isdigit() and int(part) < len(node):
            positions.append(int(part))
            node = node[int(part)]
        else:
            break
    return tuple(positions)
