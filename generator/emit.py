"""Render the client package: Jinja templates fed with views of each operation.

Everything spec-derived enters the templates already made safe: identifiers through
`naming`, strings through the `py` filter (repr), prose through `naming.docstring`,
and annotations built here from class names and repr'd literals.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .config import ApiConfig
from .modelgen import MODELS_MODULE, ModelClass, ModelsModule
from .naming import (
    METHOD_LOCALS,
    SHADOWABLE_BUILTINS,
    argument_name,
    docstring,
    pascal_case,
)
from .openapi import SCHEMA_REF_PREFIX, deref, json_media, merge_parameters
from .operations import PlannedOperation, ResourceNode

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
RUNTIME_FILES = (
    "_base_client.py",
    "_errors.py",
    "_logs.py",
    "_models.py",
    "_pagination.py",
    "_resource.py",
    "_response.py",
    "_retry.py",
    "_validation.py",
)
_PRIMITIVES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "None",
}


@dataclass
class Argument:
    """One Python parameter of a generated method."""

    name: str  # Python name
    wire_name: str  # name in the spec (path/query/header parameter or body property)
    location: str  # "path", "query", "header", "body"
    annotation: str
    required: bool
    description: str = ""
    key: str = ""  # for body fields: the model's attribute that receives the value


@dataclass
class Pagination:
    """How to walk a listing: where the items are, and the next cursor (offset: none)."""

    style: str  # "cursor" or "offset"
    position_arg: str  # the method's argument that takes the cursor or offset
    item_annotation: str
    items: tuple[str, ...]  # attribute path from the page to its list of items
    next_cursor: tuple[str, ...] | None
    has_more: tuple[str, ...] | None


@dataclass
class OperationView:
    """What the templates need to render one method."""

    name: str
    http_method: str
    path: str
    attr_path: str
    doc: str
    path_args: list[Argument]
    keyword_args: list[Argument]
    body_kind: str | None  # "fields" (model kwargs), "value" (one `body` kwarg) or None
    body_model: str | None  # qualified model class for "fields"
    body_required: bool
    return_annotation: str  # also what the response is parsed into
    error_types: dict[str, str]
    summary: str | None
    deprecated: bool
    pagination: Pagination | None = None

    @property
    def query_args(self) -> list[Argument]:
        return [a for a in self.keyword_args if a.location == "query"]

    @property
    def header_args(self) -> list[Argument]:
        return [a for a in self.keyword_args if a.location == "header"]

    @property
    def body_args(self) -> list[Argument]:
        return [a for a in self.keyword_args if a.location == "body"]


@dataclass
class ResourceView:
    path: tuple[str, ...]
    class_name: str
    operations: list[OperationView]
    children: list[tuple[str, ResourceView]] = field(default_factory=list)

    @property
    def async_class_name(self) -> str:
        return "Async" + self.class_name


class _Annotator:
    """Python annotations for parameter and response schemas (bodies come from the models)."""

    def __init__(self, document: dict[str, Any], models: ModelsModule) -> None:
        self.document, self.models = document, models

    def __call__(self, schema: Any, depth: int = 0) -> str:
        if not isinstance(schema, dict) or depth > 20:
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref.startswith(SCHEMA_REF_PREFIX) and "/" not in ref[len(SCHEMA_REF_PREFIX) :]:
                return self.models.qualify(ref[len(SCHEMA_REF_PREFIX) :])
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


def _parameters(document: dict[str, Any], op: PlannedOperation) -> list[dict[str, Any]]:
    path_item = document["paths"][op.path]
    return [param for _, param in merge_parameters(document, path_item, path_item[op.method])]


def _success_response(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    """The first 2xx response (`200` before `201`... before `2XX`)."""
    responses = operation.get("responses")
    if not isinstance(responses, dict):
        return None
    for status in sorted(responses, key=str):
        if str(status).startswith("2"):
            found = deref(document, responses[status])
            return found if isinstance(found, dict) else None
    return None


def build_operation_view(
    document: dict[str, Any], op: PlannedOperation, models: ModelsModule
) -> OperationView:
    annotate = _Annotator(document, models)
    operation = document["paths"][op.path][op.method]  # the prepared copy, not op.operation
    taken = set(METHOD_LOCALS)
    path_args: list[Argument] = []
    keyword_args: list[Argument] = []
    path_order = {name: i for i, name in enumerate(_path_param_names(op.path))}
    for param in _parameters(document, op):
        location = str(param.get("in"))
        if location not in ("path", "query", "header"):
            continue  # cookie parameters are not supported: set them with extra_headers
        if location == "header" and param["name"].lower() in (
            "authorization",
            "content-type",
            "accept",
        ):
            continue  # the client sets these itself
        arg = Argument(
            name=argument_name(param["name"], taken),
            wire_name=param["name"],
            location=location,
            annotation=annotate(param.get("schema")),
            required=location == "path" or param.get("required") is True,
            description=str(param.get("description") or ""),
        )
        (path_args if location == "path" else keyword_args).append(arg)
    path_args.sort(key=lambda a: path_order.get(a.wire_name, len(path_order)))

    body_kind, body_model, body_required = None, None, False
    request_body = deref(document, operation.get("requestBody"))
    media = json_media(request_body) if isinstance(request_body, dict) else None
    if media is not None and isinstance(request_body, dict):
        body_required = request_body.get("required") is True
        schema = media.get("schema")
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        model = models.classes.get(ref[len(SCHEMA_REF_PREFIX) :]) if isinstance(ref, str) else None
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
            keyword_args.append(Argument("body", "body", "body", annotate(schema), body_required))
    keyword_args.sort(key=lambda a: not a.required)  # stable: required first, spec order kept

    response = _success_response(document, operation)
    return_annotation = "None"
    if response is not None and isinstance(response.get("content"), dict) and response["content"]:
        response_media = json_media(response)
        if response_media is not None:
            return_annotation = annotate(response_media.get("schema"))
        elif any(str(t).startswith("text/") for t in response["content"]):
            return_annotation = "str"
        else:
            return_annotation = "bytes"

    summary = operation.get("summary")
    description = operation.get("description")
    deprecated = operation.get("deprecated") is True
    view = OperationView(
        name=op.name,
        http_method=op.method.upper(),
        path=op.path,
        attr_path=op.attr_path,
        doc=_method_doc(summary, description, path_args + keyword_args, deprecated),
        path_args=path_args,
        keyword_args=keyword_args,
        body_kind=body_kind,
        body_model=body_model,
        body_required=body_required,
        return_annotation=return_annotation,
        error_types=_error_types(document, operation, annotate),
        summary=summary if isinstance(summary, str) else None,
        deprecated=deprecated,
    )
    view.pagination = _pagination(view, models)
    for arg in view.path_args + view.keyword_args:
        arg.annotation = _accept_enum_values(arg.annotation, models)
    return view


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


def _pagination(view: OperationView, models: ModelsModule) -> Pagination | None:
    """A listing: a GET with a cursor (or offset) parameter whose page holds a list of items.

    Cursor listings also need a next-cursor field in the page (or in a model it nests).
    """
    cursor_args = [a for a in view.query_args if a.wire_name in _CURSOR_PARAMETERS]
    offset_args = [a for a in view.query_args if a.wire_name in _OFFSET_PARAMETERS]
    page = _model_of(view.return_annotation, models)
    if view.http_method != "GET" or page is None or page.kind != "model":
        return None
    items = next(((f.name, item) for f in page.fields if (item := _list_item(f.annotation))), None)
    if items is None:
        return None
    candidates: list[tuple[tuple[str, ...], ModelClass]] = [((), page)]
    candidates += [
        ((f.name,), nested) for f in page.fields if (nested := _model_of(f.annotation, models))
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
            item_annotation=items[1],
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
            item_annotation=items[1],
            items=(items[0],),
            next_cursor=None,
            has_more=(has_more,) if has_more else None,
        )
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


def _error_types(
    document: dict[str, Any], operation: dict[str, Any], annotate: _Annotator
) -> dict[str, str]:
    responses = operation.get("responses")
    found: dict[str, str] = {}
    for status, raw in (responses or {}).items() if isinstance(responses, dict) else []:
        status_text = str(status).upper()
        if status_text.startswith(("4", "5")) or status_text == "DEFAULT":
            response = deref(document, raw)
            media = json_media(response) if isinstance(response, dict) else None
            if media is not None and isinstance(media.get("schema"), dict):
                annotation = annotate(media["schema"])
                if annotation != "Any":
                    found[status_text.lower() if status_text == "DEFAULT" else status_text] = (
                        annotation
                    )
    return dict(sorted(found.items()))


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


def build_resource_views(
    root: ResourceNode, document: dict[str, Any], models: ModelsModule
) -> ResourceView:
    def build(node: ResourceNode) -> ResourceView:
        view = ResourceView(
            path=node.path,
            class_name=pascal_case("_".join(node.path), fallback="Root") + "Resource",
            operations=[build_operation_view(document, op, models) for op in node.operations],
        )
        members = {op.name for op in view.operations} | set(node.children)
        shadowed = members & SHADOWABLE_BUILTINS
        for op in view.operations:
            if op.pagination is not None:
                op.pagination.item_annotation = _qualify_builtins(
                    op.pagination.item_annotation, shadowed
                )
            for arg in op.path_args + op.keyword_args:
                arg.annotation = _qualify_builtins(arg.annotation, shadowed)
            op.return_annotation = _qualify_builtins(op.return_annotation, shadowed)
        view.children = [(name, build(child)) for name, child in sorted(node.children.items())]
        return view

    return build(root)


def _flatten(view: ResourceView) -> list[ResourceView]:
    """Children before parents, so each class is defined before it is used."""
    ordered: list[ResourceView] = []
    for _, child in view.children:
        ordered.extend(_flatten(child))
    ordered.append(view)
    return ordered


def _environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the output is Python: escaped with `py`, `doc` and naming instead
    )
    env.filters["py"] = repr
    env.filters["doc"] = docstring
    return env


def render_package(
    config: ApiConfig,
    document: dict[str, Any],
    resources: ResourceNode,
    models: ModelsModule,
    header: str,
    templates_dir: Path = TEMPLATES_DIR,
) -> dict[str, str]:
    """All files of the package, by relative path, before formatting."""
    env = _environment(templates_dir)
    root = build_resource_views(resources, document, models)
    info = document.get("info")
    info = info if isinstance(info, dict) else {}
    title = str(info.get("title") or config.name)
    auth_header, auth_prefix = _auth(document)
    context: dict[str, Any] = {
        "header": header,
        "config": config,
        "title": title,
        "title_doc": docstring(title),
        "api_version": str(info.get("version") or ""),
        "default_base_url": config.default_base_url or _server_url(document),
        "auth_header": config.auth_header or auth_header,
        "auth_prefix": auth_prefix if config.auth_prefix is None else config.auth_prefix,
        "generator_version": __version__,
        "root": root,
        "models_imports": sorted(set(models.imports.values())),
    }
    files: dict[str, str] = {}
    top_level = [(name, child) for name, child in root.children]
    for name, child in top_level:
        files[f"resources/{name}.py"] = env.get_template("resource_module.py.jinja").render(
            context, module_name=name, resources=_flatten(child), top=child
        )
    files["resources/__init__.py"] = env.get_template("resources_init.py.jinja").render(
        context, top_level=top_level
    )
    all_operations = [op for view in _flatten(root) for op in view.operations]
    files["_client.py"] = env.get_template("client.py.jinja").render(context, top_level=top_level)
    files["_operations.py"] = env.get_template("operations.py.jinja").render(
        context, operations=sorted(all_operations, key=lambda o: (o.path, o.http_method))
    )
    files["__init__.py"] = env.get_template("package_init.py.jinja").render(context)
    files["README.md"] = env.get_template("README.md.jinja").render(
        context,
        operation_count=len(all_operations),
        example=_example(root),
        listing_example=next((op.attr_path for op in all_operations if op.pagination), None),
        download_example=next(
            (op.attr_path for op in all_operations if op.return_annotation == "bytes"), None
        ),
    )
    files[f"{MODELS_MODULE}.py"] = models.source
    files["py.typed"] = ""
    for runtime_file in RUNTIME_FILES:
        files[runtime_file] = (RUNTIME_DIR / runtime_file).read_text(encoding="utf-8")
    return files


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


def _auth(document: dict[str, Any]) -> tuple[str, str]:
    """(header, prefix) for the API key, from the first security scheme the spec requires."""
    schemes = document.get("components", {}).get("securitySchemes") or {}
    requirements = document.get("security") or [{name: []} for name in schemes]
    for requirement in requirements if isinstance(requirements, list) else []:
        for name in requirement if isinstance(requirement, dict) else []:
            scheme = deref(document, schemes.get(name))
            if not isinstance(scheme, dict):
                continue
            if (
                scheme.get("type") == "apiKey"
                and scheme.get("in") == "header"
                and scheme.get("name")
            ):
                return str(scheme["name"]), ""
            if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                return "Authorization", "Bearer "
    return "Authorization", "Bearer "


def _example(root: ResourceView) -> str | None:
    """A call for the README: the first list-like GET without path parameters."""
    for view in _flatten(root):
        for op in view.operations:
            if (
                op.http_method == "GET"
                and not op.path_args
                and not any(a.required for a in op.keyword_args)
            ):
                return op.attr_path
    return None
