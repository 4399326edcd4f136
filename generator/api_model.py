"""What the API is: one typed, frozen model of the client built once, after the models exist.

Everything the output says about the API comes from here: the templates, the OPERATIONS
table, the generated README and `api.md`, and the client layer of `apigen diff`. Nothing
after this stage reads the spec. The builder is the one place that maps spec shapes onto
client shapes: parameters (location, style, explode), request bodies and responses by media
type, error types, security, pagination, deprecation, and each component schema onto the
class emitted for it (checked: a component whose class lost or gained fields is an error).

Everything spec-derived is already made safe here: identifiers through `naming`,
annotations built from class names and repr'd literals; the templates quote strings.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .config import ApiConfig
from .errors import GenerationError
from .modelgen import MODELS_MODULE, ModelClass, ModelsModule
from .naming import SHADOWABLE_BUILTINS, argument_name, docstring, pascal_case
from .normalize import PreparedSpec
from .openapi import (
    SCHEMA_REF_PREFIX,
    deref,
    json_media,
    media_kind,
    merge_parameters,
    pointer_parts,
    request_media,
)
from .operations import PlannedOperation, ResourceNode

__all__ = [
    "Api",
    "Argument",
    "Content",
    "Field",
    "Model",
    "Operation",
    "Pagination",
    "Resource",
    "SecurityScheme",
    "build_api",
]

_PRIMITIVES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "None",
}
# Parameter serialization defaults (OpenAPI 3, "style" and "explode").
_DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}
# Headers the client sets itself: a spec parameter of that name is left to `extra_headers`.
_CLIENT_HEADERS = frozenset({"authorization", "content-type", "accept"})


# --------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Field:
    """One field of an emitted model class."""

    name: str  # Python attribute name
    alias: str  # name on the wire
    annotation: str  # qualified for use outside the models module (`models.X | None`)
    required: bool
    description: str | None


@dataclass(frozen=True)
class Model:
    """One emitted class of the models module, and the component schema it stands for."""

    class_name: str
    kind: str  # "model" (BaseModel), "root" (RootModel) or "enum"
    component: str | None  # the name under components/schemas in the spec; None: inline
    fields: tuple[Field, ...] = ()
    enum_values: tuple[str | int, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class Argument:
    """One Python parameter of a generated method."""

    name: str  # Python name
    wire_name: str  # name in the spec (path/query/header parameter or body property)
    location: str  # "path", "query", "header", "body"
    annotation: str
    required: bool
    description: str = ""
    key: str = ""  # for body fields: the model's attribute that receives the value
    style: str | None = None  # for parameters: OpenAPI serialization style and explode
    explode: bool | None = None


@dataclass(frozen=True)
class Content:
    """A request body or response in one media type."""

    media_type: str
    kind: str  # "json", "form", "multipart", "text" or "binary" (`openapi.media_kind`)
    annotation: str  # what the body is, as a Python type ("Any" when it cannot be typed)
    status: str | None = None  # for responses: "200", "4XX", "default"


@dataclass(frozen=True)
class Pagination:
    """How to walk a listing: where the items are, and the next cursor (offset: none).

    The listing's method returns a page object (`SyncPage`/`AsyncPage` of the runtime).
    """

    style: str  # "cursor" or "offset"
    position_arg: str  # the method's argument that takes the cursor or offset
    item_annotation: str
    items: tuple[str, ...]  # attribute path from the page to its list of items
    next_cursor: tuple[str, ...] | None
    has_more: tuple[str, ...] | None


@dataclass(frozen=True)
class Operation:
    """One operation of the API and the method that calls it."""

    name: str
    http_method: str  # upper case
    path: str
    attr_path: str  # e.g. "models.deployments.activate"
    operation_id: str | None
    summary: str | None
    description: str | None
    doc: str  # the method's docstring body, already safe
    deprecated: bool
    path_args: tuple[Argument, ...]
    keyword_args: tuple[Argument, ...]  # required first, then spec order
    body_kind: str | None  # "fields" (model kwargs), "value" (one `body` kwarg) or None
    body_model: str | None  # qualified model class for "fields"
    body_required: bool
    request_bodies: tuple[Content, ...]  # every media type the spec accepts
    return_annotation: str  # also what the success response is parsed into
    responses: tuple[Content, ...]  # every status and media type the spec declares
    error_types: tuple[tuple[str, str], ...]  # status ("404", "4XX", "default") -> type
    security: tuple[tuple[str, ...], ...]  # alternatives, each a set of scheme names
    pagination: Pagination | None = None
    body_media_type: str | None = None  # the media type the body is sent as
    statuses: tuple[str, ...] = ()  # every response status the spec declares
    body_styles: tuple[tuple[str, str], ...] = ()  # form/multipart `encoding`: property, style

    @property
    def cookie_args(self) -> list[Argument]:
        return [a for a in self.keyword_args if a.location == "cookie"]

    @property
    def accept(self) -> str:
        """The Accept header: the media types of the success and redirect responses."""
        declared = [c.media_type for c in self.responses if c.status and c.status[0] in "123"] or [
            "application/json"
        ]
        return ", ".join(dict.fromkeys(declared))

    @property
    def redirects(self) -> bool:
        return any(status.startswith("3") for status in self.statuses)

    @property
    def styles(self) -> dict[str, tuple[str, bool]]:
        """Parameters whose style or explode differ from their location's default."""
        found = {}
        for arg in (*self.path_args, *self.keyword_args):
            if arg.location == "body" or arg.style is None:
                continue
            default = (_DEFAULT_STYLE[arg.location], arg.location in ("query", "cookie"))
            if (arg.style, bool(arg.explode)) != default:
                found[f"{arg.location}:{arg.wire_name}"] = (arg.style, bool(arg.explode))
        for name, style in self.body_styles:
            found[f"body:{name}"] = (style, True)
        return found

    @property
    def query_args(self) -> list[Argument]:
        return [a for a in self.keyword_args if a.location == "query"]

    @property
    def header_args(self) -> list[Argument]:
        return [a for a in self.keyword_args if a.location == "header"]

    @property
    def body_args(self) -> list[Argument]:
        return [a for a in self.keyword_args if a.location == "body"]


@dataclass(frozen=True)
class Resource:
    """A namespace of the client (`client.models.deployments`) and what it holds."""

    path: tuple[str, ...]
    class_name: str
    operations: tuple[Operation, ...]
    children: tuple[tuple[str, Resource], ...] = ()

    @property
    def async_class_name(self) -> str:
        return "Async" + self.class_name

    def walk(self) -> list[Resource]:
        """Children before parents, so that each class is defined before it is used."""
        ordered: list[Resource] = []
        for _, child in self.children:
            ordered.extend(child.walk())
        ordered.append(self)
        return ordered


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: str  # "apiKey", "http", "oauth2", "openIdConnect", "mutualTLS"
    location: str | None = None  # apiKey: "header", "query" or "cookie"
    parameter: str | None = None  # apiKey: the header/query/cookie name
    scheme: str | None = None  # http: "bearer", "basic"...


@dataclass(frozen=True)
class Api:
    """The whole client: what the templates, the docs and the differ read."""

    title: str
    version: str
    server_url: str  # the first server with its variables at their defaults
    auth_header: str
    auth_prefix: str
    security_schemes: tuple[SecurityScheme, ...]
    root: Resource
    models: tuple[Model, ...]
    models_source: str  # the emitted models module
    models_imports: tuple[str, ...]  # the import lines that its field annotations need

    @property
    def operations(self) -> list[Operation]:
        """Every operation, sorted by path and method."""
        found = [op for resource in self.root.walk() for op in resource.operations]
        return sorted(found, key=lambda op: (op.path, op.http_method))

    @property
    def uses_basic_auth(self) -> bool:
        return any(s.type == "http" and s.scheme == "basic" for s in self.security_schemes)

    @staticmethod
    def username_env(api_key_env: str) -> str:
        """`ACME_API_KEY` -> `ACME_USERNAME`."""
        return api_key_env.removesuffix("_API_KEY").removesuffix("_KEY") + "_USERNAME"

    @staticmethod
    def password_env(api_key_env: str) -> str:
        return api_key_env.removesuffix("_API_KEY").removesuffix("_KEY") + "_PASSWORD"

    def model(self, class_name: str) -> Model | None:
        return next((m for m in self.models if m.class_name == class_name), None)


# --------------------------------------------------------------------------------------------
# Building it


def build_api(
    config: ApiConfig, prepared: PreparedSpec, resources: ResourceNode, models: ModelsModule
) -> Api:
    """The API model of a prepared spec whose models have been emitted."""
    document = prepared.document
    bound = _bind_models(document, prepared.class_names, models)
    builder = _OperationBuilder(document, models)
    info = document.get("info")
    info = info if isinstance(info, dict) else {}
    auth_header, auth_prefix = client_auth(document)
    return Api(
        title=str(info.get("title") or config.name),
        version=str(info.get("version") or ""),
        server_url=config.default_base_url or _server_url(document),
        auth_header=config.auth_header or auth_header,
        auth_prefix=auth_prefix if config.auth_prefix is None else config.auth_prefix,
        security_schemes=_security_schemes(document),
        root=builder.resource(resources),
        models=bound,
        models_source=models.source,
        models_imports=tuple(sorted(set(models.imports.values()))),
    )


def _bind_models(
    document: dict[str, Any], class_names: dict[str, str], models: ModelsModule
) -> tuple[Model, ...]:
    """Every emitted class, each component bound to its class; mismatches are errors."""
    component_of = {class_name: name for name, class_name in class_names.items()}
    schemas = document.get("components", {}).get("schemas", {})
    problems: list[str] = []
    bound: list[Model] = []
    for class_name, emitted in models.classes.items():
        component = component_of.get(class_name)
        schema = schemas.get(class_name)
        if component is not None and isinstance(schema, dict):
            problem = _binding_problem(document, schema, emitted)
            if problem:
                problems.append(f"component {component!r} -> class {class_name}: {problem}")
        description = schema.get("description") if isinstance(schema, dict) else None
        bound.append(
            Model(
                class_name=class_name,
                kind=emitted.kind,
                component=component,
                fields=tuple(Field(**vars(f)) for f in emitted.fields),
                enum_values=emitted.enum_values,
                description=description if isinstance(description, str) else None,
            )
        )
    missing = sorted(set(class_names.values()) - set(models.classes))
    for class_name in missing:
        if expected_properties(document, schemas.get(class_name)) is not None:
            problems.append(f"component {component_of[class_name]!r}: no class {class_name}")
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; ... ({len(problems)} in all)" if len(problems) > 5 else ""
        )
        raise GenerationError(f"models do not match their component schemas: {shown}")
    return tuple(bound)


def expected_properties(document: dict[str, Any], schema: Any, depth: int = 0) -> set[str] | None:
    """The property names an object schema's class must have (allOf merged); None: not an
    object with known properties (unions, maps, refs beyond reach)."""
    if not isinstance(schema, dict) or depth > 32:
        return None
    if "$ref" in schema:
        return expected_properties(document, deref(document, schema), depth + 1)
    if any(key in schema for key in ("oneOf", "anyOf")):
        return None
    names: set[str] = set()
    properties = schema.get("properties")
    if isinstance(properties, dict):
        names |= {str(name) for name in properties}
    for branch in schema.get("allOf") or []:
        found = expected_properties(document, branch, depth + 1)
        if found is None:
            return None
        names |= found
    return names if names or isinstance(properties, dict) else None


def _binding_problem(document: dict[str, Any], schema: dict[str, Any], emitted: ModelClass) -> str:
    expected = expected_properties(document, schema)
    if expected is None:
        return ""
    if emitted.kind != "model":
        return f"an object schema became a {emitted.kind} class"
    actual = {f.alias for f in emitted.fields}
    if actual == expected:
        return ""
    lost, extra = sorted(expected - actual), sorted(actual - expected)
    return f"fields differ (missing {lost[:5]}, unexpected {extra[:5]})"


class _Annotator:
    """Python annotations for parameter and response schemas (bodies come from the models)."""

    def __init__(self, document: dict[str, Any], models: ModelsModule) -> None:
        self.document, self.models = document, models

    def __call__(self, schema: Any, depth: int = 0) -> str:
        if not isinstance(schema, dict) or depth > 20:
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            parts = pointer_parts(ref) if ref.startswith(SCHEMA_REF_PREFIX) else ()
            if len(parts) == 3 and parts[2] in self.models.classes:
                return self.models.qualify(parts[2])
            # A component without a class of its own (collapsed into its users): its type.
            return self(deref(self.document, schema), depth + 1)
        options: list[str] = []
        if "const" in schema:
            options.append(_literal([schema["const"]]))
        elif isinstance(schema.get("enum"), list) and schema["enum"]:
            values = [v for v in schema["enum"] if v is not None]
            options.append(_literal(values) if values else "None")
            if None in schema["enum"]:
                options.append("None")
        else:
            for keyword in ("oneOf", "anyOf"):
                if isinstance(schema.get(keyword), list):
                    options.extend(self(branch, depth + 1) for branch in schema[keyword])
            all_of = schema.get("allOf")
            if isinstance(all_of, list) and len(all_of) == 1:
                options.append(self(all_of[0], depth + 1))
            types = schema.get("type")
            for type_name in types if isinstance(types, list) else [types]:
                if isinstance(type_name, str):
                    options.append(self._typed(type_name, schema, depth))
        if schema.get("nullable") is True:
            options.append("None")
        unique_options = list(dict.fromkeys(o for o in options if o))
        if not unique_options or "Any" in unique_options:
            return "Any"
        return " | ".join(unique_options)

    def _typed(self, type_name: str, schema: dict[str, Any], depth: int) -> str:
        if type_name == "array":
            return f"list[{self(schema.get('items'), depth + 1)}]"
        if type_name == "object":
            extra = schema.get("additionalProperties")
            value = self(extra, depth + 1) if isinstance(extra, dict) else "Any"
            return f"dict[str, {value}]"
        if type_name == "string" and schema.get("format") == "binary":
            return "bytes"
        return _PRIMITIVES.get(type_name, "Any")


def _literal(values: list[Any]) -> str:
    safe = [v for v in values if isinstance(v, (str, int, bool)) and not isinstance(v, float)]
    if not safe:
        return "Any"
    return "Literal[" + ", ".join(repr(v) for v in safe) + "]"


def _content_annotation(annotate: _Annotator, kind: str, media: Any) -> str:
    if kind == "json":
        return annotate(media.get("schema") if isinstance(media, dict) else None)
    return "str" if kind == "text" else "bytes"


def _contents(
    document: dict[str, Any], container: Any, annotate: _Annotator, status: str | None = None
) -> tuple[Content, ...]:
    content = container.get("content") if isinstance(container, dict) else None
    found = []
    for media_type, media in (content if isinstance(content, dict) else {}).items():
        kind = media_kind(str(media_type))
        found.append(
            Content(str(media_type), kind, _content_annotation(annotate, kind, media), status)
        )
    return tuple(found)


def _status_key(status: object) -> str:
    text = str(status).upper()
    return "default" if text == "DEFAULT" else text


class _OperationBuilder:
    def __init__(self, document: dict[str, Any], models: ModelsModule) -> None:
        self.document, self.models = document, models
        self.annotate = _Annotator(document, models)
        security = document.get("security")
        self.default_security = _requirements(security) if isinstance(security, list) else ()

    def resource(self, node: ResourceNode) -> Resource:
        members = {op.name for op in node.operations} | set(node.children)
        shadowed = members & SHADOWABLE_BUILTINS
        operations = tuple(self.operation(op, shadowed) for op in node.operations)
        return Resource(
            path=node.path,
            class_name=pascal_case("_".join(node.path), fallback="Root") + "Resource",
            operations=operations,
            children=tuple(
                (name, self.resource(child)) for name, child in sorted(node.children.items())
            ),
        )

    def _arguments(self, op: PlannedOperation) -> tuple[list[Argument], list[Argument], set[str]]:
        taken: set[str] = set()
        path_args: list[Argument] = []
        keyword_args: list[Argument] = []
        path_item = self.document["paths"][op.path]
        operation = path_item[op.method]
        path_order = {name: i for i, name in enumerate(_path_param_names(op.path))}
        for _, param in merge_parameters(self.document, path_item, operation):
            location = str(param.get("in"))
            if location not in ("path", "query", "header", "cookie"):
                continue
            if location == "header" and param["name"].lower() in _CLIENT_HEADERS:
                continue  # the client sets these itself
            style = param.get("style")
            explode = param.get("explode")
            style = style if isinstance(style, str) else _DEFAULT_STYLE[location]
            arg = Argument(
                name=argument_name(param["name"], taken),
                wire_name=param["name"],
                location=location,
                annotation=self.annotate(param.get("schema")),
                required=location == "path" or param.get("required") is True,
                description=str(param.get("description") or ""),
                style=style,
                explode=explode if isinstance(explode, bool) else style == "form",
            )
            (path_args if location == "path" else keyword_args).append(arg)
        path_args.sort(key=lambda a: path_order.get(a.wire_name, len(path_order)))
        return path_args, keyword_args, taken

    def operation(self, op: PlannedOperation, shadowed: set[str]) -> Operation:
        operation = self.document["paths"][op.path][op.method]  # the prepared copy
        path_args, keyword_args, taken = self._arguments(op)

        body_kind, body_model, body_required = None, None, False
        request_body = deref(self.document, operation.get("requestBody"))
        chosen = request_media(request_body) if isinstance(request_body, dict) else None
        body_media_type, media = chosen if chosen is not None else (None, None)
        if media is not None and isinstance(request_body, dict):
            body_required = request_body.get("required") is True
            schema = media.get("schema")
            ref = schema.get("$ref") if isinstance(schema, dict) else None
            model = None
            if isinstance(ref, str) and ref.startswith(SCHEMA_REF_PREFIX):
                model = self.models.classes.get(pointer_parts(ref)[-1])
            if model is not None and model.kind == "model":
                body_kind, body_model = "fields", f"{MODELS_MODULE}.{model.name}"
                for model_field in model.fields:
                    keyword_args.append(
                        Argument(
                            name=argument_name(model_field.name, taken),
                            wire_name=model_field.alias,
                            key=model_field.name,
                            location="body",
                            annotation=model_field.annotation,
                            required=body_required and model_field.required,
                            description=model_field.description or "",
                        )
                    )
            else:
                body_kind = "value"
                kind = media_kind(str(body_media_type))
                annotation = _content_annotation(self.annotate, kind, media)
                if kind in ("form", "multipart"):
                    annotation = self.annotate(schema)
                # `body` is one of METHOD_LOCALS, so no spec parameter took it.
                keyword_args.append(Argument("body", "body", "body", annotation, body_required))
        keyword_args.sort(key=lambda a: not a.required)  # stable: required first

        return_annotation, responses, error_types = self._responses(operation)
        pagination = self._pagination(op, keyword_args, return_annotation, shadowed)

        def finish(annotation: str) -> str:
            return _qualify_builtins(_accept_enum_values(annotation, self.models), shadowed)

        path_args = [_with_annotation(a, finish(a.annotation)) for a in path_args]
        keyword_args = [_with_annotation(a, finish(a.annotation)) for a in keyword_args]
        summary = operation.get("summary")
        description = operation.get("description")
        deprecated = operation.get("deprecated") is True
        security = operation.get("security")
        operation_id = operation.get("operationId")
        return Operation(
            name=op.name,
            http_method=op.method.upper(),
            path=op.path,
            attr_path=op.attr_path,
            operation_id=operation_id if isinstance(operation_id, str) else None,
            summary=summary if isinstance(summary, str) else None,
            description=description if isinstance(description, str) else None,
            doc=_method_doc(summary, description, path_args + keyword_args, deprecated),
            deprecated=deprecated,
            path_args=tuple(path_args),
            keyword_args=tuple(keyword_args),
            body_kind=body_kind,
            body_model=body_model,
            body_required=body_required,
            body_media_type=body_media_type,
            statuses=tuple(_status_key(status) for status in operation.get("responses") or {}),
            body_styles=_body_styles(media),
            request_bodies=_contents(self.document, request_body, self.annotate),
            return_annotation=_qualify_builtins(return_annotation, shadowed),
            responses=responses,
            error_types=error_types,
            security=_requirements(security)
            if isinstance(security, list)
            else self.default_security,
            pagination=pagination,
        )

    def _responses(
        self, operation: dict[str, Any]
    ) -> tuple[str, tuple[Content, ...], tuple[tuple[str, str], ...]]:
        raw = operation.get("responses")
        responses = raw if isinstance(raw, dict) else {}
        contents: list[Content] = []
        success: Any = None
        errors: dict[str, str] = {}
        for status in sorted(responses, key=str):  # `200` before `201`... before `2XX`
            response = deref(self.document, responses[status])
            if not isinstance(response, dict):
                continue
            key = _status_key(status)
            contents.extend(_contents(self.document, response, self.annotate, key))
            if key.startswith("2") and success is None:
                success = response
            elif key.startswith(("4", "5")) or key == "default":
                media = json_media(response)
                if media is not None and isinstance(media.get("schema"), dict):
                    annotation = self.annotate(media["schema"])
                    if annotation != "Any":
                        errors[key] = annotation
        return_annotation = "None"
        if isinstance(success, dict) and isinstance(success.get("content"), dict):
            content = success["content"]
            media = json_media(success)
            if media is not None:
                return_annotation = self.annotate(media.get("schema"))
            elif any(media_kind(str(t)) == "text" for t in content):
                return_annotation = "str"
            elif content:
                return_annotation = "bytes"
        return return_annotation, tuple(contents), tuple(sorted(errors.items()))

    def _pagination(
        self,
        op: PlannedOperation,
        keyword_args: list[Argument],
        return_annotation: str,
        shadowed: set[str],
    ) -> Pagination | None:
        """A listing: a GET with a cursor (or offset) parameter whose page holds a list.

        Cursor listings also need a next-cursor field in the page (or in a model it nests).
        """
        query = [a for a in keyword_args if a.location == "query"]
        cursor_args = [a for a in query if a.wire_name in _CURSOR_PARAMETERS]
        offset_args = [a for a in query if a.wire_name in _OFFSET_PARAMETERS]
        page = _model_of(return_annotation, self.models)
        if op.method != "get" or page is None or page.kind != "model":
            return None
        items = next(
            ((f.name, item) for f in page.fields if (item := _list_item(f.annotation))), None
        )
        if items is None:
            return None
        item_annotation = _qualify_builtins(items[1], shadowed)
        candidates: list[tuple[tuple[str, ...], ModelClass]] = [((), page)]
        candidates += [
            ((f.name,), nested)
            for f in page.fields
            if (nested := _model_of(f.annotation, self.models))
        ]
        for prefix, model in candidates if cursor_args else []:
            names = {f.name for f in model.fields}
            cursor = next((name for name in _NEXT_CURSOR_FIELDS if name in names), None)
            if cursor is None:
                continue
            has_more = next((name for name in _HAS_MORE_FIELDS if name in names), None)
            return Pagination(
                style="cursor",
                position_arg=cursor_args[0].name,
                item_annotation=item_annotation,
                items=(items[0],),
                next_cursor=(*prefix, cursor),
                has_more=(*prefix, has_more) if has_more else None,
            )
        if offset_args:
            names = {f.name for f in page.fields}
            has_more = next((name for name in _HAS_MORE_FIELDS if name in names), None)
            return Pagination(
                style="offset",
                position_arg=offset_args[0].name,
                item_annotation=item_annotation,
                items=(items[0],),
                next_cursor=None,
                has_more=(has_more,) if has_more else None,
            )
        return None


def _body_styles(media: Any) -> tuple[tuple[str, str], ...]:
    """The non-default styles of a form or multipart body's properties (its `encoding`)."""
    encoding = media.get("encoding") if isinstance(media, dict) else None
    found = []
    for name, rule in (encoding if isinstance(encoding, dict) else {}).items():
        style = rule.get("style") if isinstance(rule, dict) else None
        if isinstance(style, str) and style != "form":
            found.append((str(name), style))
    return tuple(found)


def _with_annotation(arg: Argument, annotation: str) -> Argument:
    return Argument(**{**vars(arg), "annotation": annotation})


def _requirements(security: list[Any]) -> tuple[tuple[str, ...], ...]:
    """Security requirement alternatives, each the scheme names it needs (`()`: no auth)."""
    return tuple(
        tuple(str(name) for name in requirement)
        for requirement in security
        if isinstance(requirement, dict)
    )


_CURSOR_PARAMETERS = (
    "cursor",
    "page_token",
    "next_token",
    "starting_after",
    "after",
    "continuation_token",
)
_NEXT_CURSOR_FIELDS = (
    "next_cursor",
    "next_page_token",
    "next_token",
    "cursor",
    "continuation_token",
)
_HAS_MORE_FIELDS = ("has_more", "has_next_page", "has_next")
_OFFSET_PARAMETERS = ("offset", "skip")


def _model_of(annotation: str, models: ModelsModule) -> ModelClass | None:
    """The model class of `models.X` or `models.X | None`, if that is what `annotation` is."""
    names = [part.strip() for part in annotation.split("|") if part.strip() != "None"]
    if len(names) == 1 and names[0].startswith(f"{MODELS_MODULE}."):
        return models.classes.get(names[0][len(MODELS_MODULE) + 1 :])
    return None


def _list_item(annotation: str) -> str | None:
    """`list[X]` (or `list[X] | None`) -> `X`."""
    tree = ast.parse(annotation, mode="eval").body
    if isinstance(tree, ast.BinOp):  # `list[X] | None`
        tree = tree.left if ast.unparse(tree.right) == "None" else tree
    if isinstance(tree, ast.Subscript) and ast.unparse(tree.value) in ("list", "builtins.list"):
        return ast.unparse(tree.slice)
    return None


def _accept_enum_values(annotation: str, models: ModelsModule) -> str:
    """`models.Color` -> `models.Color | Literal["red", "blue"]`: callers may pass plain values."""

    class Widen(ast.NodeTransformer):
        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
            if isinstance(node.value, ast.Name) and node.value.id == "Literal":
                return node
            return self.generic_visit(node)

        def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
            model = models.classes.get(node.attr)
            is_model = isinstance(node.value, ast.Name) and node.value.id == MODELS_MODULE
            if is_model and model is not None and model.kind == "enum" and model.enum_values:
                literal = ast.parse(_literal(list(model.enum_values)), mode="eval").body
                return ast.BinOp(node, ast.BitOr(), literal)
            return node

    tree = ast.parse(annotation, mode="eval")
    return ast.unparse(_FlattenUnions().visit(Widen().visit(tree)))


class _FlattenUnions(ast.NodeTransformer):
    """`A | (B | C)` -> `A | B | C`: no parentheses, so ruff can move `None` last."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.BitOr):
            return node
        members: list[ast.expr] = []
        stack: list[ast.expr] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitOr):
                stack.extend((current.right, current.left))
            else:
                members.append(current)
        union = members[0]
        for member in members[1:]:
            union = ast.BinOp(union, ast.BitOr(), member)
        return union


def _qualify_builtins(annotation: str, shadowed: set[str]) -> str:
    """`list[int]` -> `builtins.list[int]` when the class has a member called `list`."""
    if not shadowed:
        return annotation

    class Qualify(ast.NodeTransformer):
        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
            if isinstance(node.value, ast.Name) and node.value.id == "Literal":
                return node  # string values, not names
            return self.generic_visit(node)

        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in shadowed:
                return ast.Attribute(ast.Name("builtins", ast.Load()), node.id, ast.Load())
            return node

    return ast.unparse(Qualify().visit(ast.parse(annotation, mode="eval")))


def _path_param_names(path: str) -> list[str]:
    return [
        segment[1:-1]
        for segment in path.split("/")
        if segment.startswith("{") and segment.endswith("}")
    ]


def _method_doc(summary: Any, description: Any, arguments: list[Argument], deprecated: bool) -> str:
    parts = [summary if isinstance(summary, str) else None]
    parts.append(description if isinstance(description, str) else None)
    if deprecated:
        parts.append("Deprecated: the API marks this operation as deprecated.")
    documented = [a for a in arguments if a.description.strip()]
    if documented:
        lines = ["Args:"]
        for arg in documented:
            text = " ".join(arg.description.split())
            lines.append(
                textwrap.fill(
                    f"{arg.name}: {text}",
                    88,
                    initial_indent="    ",
                    subsequent_indent="        ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        parts.append("\n".join(lines))
    return docstring(*parts) or "Send the request."


def _server_url(document: dict[str, Any]) -> str:
    """The first server's URL with its variables at their defaults (relative: on localhost)."""
    servers = document.get("servers")
    server = servers[0] if isinstance(servers, list) and servers else None
    if not isinstance(server, dict) or not isinstance(server.get("url"), str):
        return "http://localhost"
    url = str(server["url"])
    variables = server.get("variables")
    for name, variable in (variables if isinstance(variables, dict) else {}).items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + str(name) + "}", str(variable["default"]))
    return url if "://" in url else "http://localhost" + ("" if url.startswith("/") else "/") + url


def _security_schemes(document: dict[str, Any]) -> tuple[SecurityScheme, ...]:
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    found = []
    for name, raw in (schemes if isinstance(schemes, Mapping) else {}).items():
        scheme = deref(document, raw)
        if not isinstance(scheme, dict):
            continue

        def text(key: str, scheme: dict[str, Any] = scheme) -> str | None:
            value = scheme.get(key)
            return value if isinstance(value, str) else None

        found.append(
            SecurityScheme(
                name=str(name),
                type=text("type") or "",
                location=text("in"),
                parameter=text("name"),
                scheme=(text("scheme") or "").lower() or None,
            )
        )
    return tuple(found)


def client_auth(document: dict[str, Any]) -> tuple[str, str]:
    """(header, prefix) for the API key, from the first security scheme the spec requires."""
    schemes = {scheme.name: scheme for scheme in _security_schemes(document)}
    security = document.get("security")
    requirements = _requirements(security) if isinstance(security, list) else ((*schemes,),)
    for requirement in requirements:
        for name in requirement:
            scheme = schemes.get(name)
            if scheme is None:
                continue
            if scheme.type == "apiKey" and scheme.location == "header" and scheme.parameter:
                return scheme.parameter, ""
            if scheme.type == "http" and scheme.scheme == "bearer":
                return "Authorization", "Bearer "
    return "Authorization", "Bearer "
