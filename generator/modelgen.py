"""Emit the pydantic v2 models with datamodel-code-generator, and index what it produced.

The index (class names, fields, their annotations and aliases) lets the client templates
type their keyword arguments exactly like the models, without guessing the generator's names.
"""

from __future__ import annotations

import ast
import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import datamodel_code_generator as dcg
from datamodel_code_generator.enums import DataModelType, InputFileType, OpenAPIScope
from datamodel_code_generator.format import PythonVersion

from .errors import GenerationError

MODELS_MODULE = "models"
_BUILTIN_NAMES = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "None", "object"}
)


@dataclass(frozen=True)
class ModelField:
    name: str  # Python attribute name
    alias: str  # name on the wire
    annotation: str  # qualified for use outside the models module (`models.X | None`)
    required: bool
    description: str | None


@dataclass(frozen=True)
class ModelClass:
    name: str
    kind: str  # "model" (BaseModel), "root" (RootModel) or "enum"
    fields: tuple[ModelField, ...] = ()
    enum_values: tuple[str | int, ...] = ()  # for enums: the member values


@dataclass
class ModelsModule:
    """The generated `models.py` and what the client templates need to know about it."""

    source: str
    classes: dict[str, ModelClass]
    # name used in annotations -> the import line that provides it (`from pydantic import AnyUrl`)
    imports: dict[str, str] = field(default_factory=dict)

    def qualify(self, name: str) -> str:
        return f"{MODELS_MODULE}.{name}" if name in self.classes else "Any"


def generate_models(document: dict[str, Any], header: str) -> ModelsModule:
    """Run datamodel-code-generator on the component schemas of a prepared spec."""
    schemas_only = {
        "openapi": document.get("openapi", "3.1.0"),
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": document.get("components", {}).get("schemas", {})},
    }
    if not schemas_only["components"]["schemas"]:
        source = f"{header}\n\nfrom __future__ import annotations\n"
        return ModelsModule(source, {})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its deprecation chatter is not the user's concern
            output = dcg.generate(
                json.dumps(schemas_only),
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_310,
                openapi_scopes=[OpenAPIScope.Schemas],
                use_union_operator=True,
                use_standard_collections=True,
                use_annotated=True,
                field_constraints=True,
                use_field_description=True,
                use_schema_description=True,
                strict_nullable=True,
                allow_population_by_field_name=True,
                set_default_enum_member=True,
                use_subclass_enum=True,
                collapse_root_models=True,
                disable_timestamp=True,
                use_double_quotes=True,
                custom_file_header=header,
                # EmailStr needs the optional email-validator; the client needs only pydantic.
                type_mappings=["string+email=string", "string+idn-email=string"],
                formatters=[],
            )
    except Exception as exc:  # the library raises many types; all mean "could not model this"
        message = " ".join(str(exc).split())[:300]
        raise GenerationError(f"datamodel-code-generator failed: {message}") from exc
    if not isinstance(output, str):
        raise GenerationError("datamodel-code-generator returned several modules; expected one")
    return index_models(output)


def index_models(source: str) -> ModelsModule:
    """Read class names, fields, aliases and annotations from the generated source."""
    tree = ast.parse(source)
    imports: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            for alias in node.names:
                local = alias.asname or alias.name
                suffix = f" as {alias.asname}" if alias.asname else ""
                imports[local] = f"from {node.module} import {alias.name}{suffix}"
    class_nodes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    module = ModelsModule(source, {}, {})
    needed_imports: dict[str, str] = {}
    for name, node in class_nodes.items():
        kind = _class_kind(node, class_nodes)
        fields: list[ModelField] = []
        if kind == "model":
            for owner in _lineage(node, class_nodes):
                fields.extend(_fields_of(owner, class_nodes, imports, needed_imports))
            fields = list({f.name: f for f in fields}.values())  # subclass fields win
        values = _enum_values(node) if kind == "enum" else ()
        module.classes[name] = ModelClass(name, kind, tuple(fields), values)
    module.imports = needed_imports
    return module


def _enum_values(node: ast.ClassDef) -> tuple[str | int, ...]:
    values: list[str | int] = []
    for statement in node.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            value = statement.value.value
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                values.append(value)
    return tuple(values)


def _base_names(node: ast.ClassDef) -> list[str]:
    names = []
    for base in node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(target, ast.Name):
            names.append(target.id)
    return names


def _class_kind(node: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> str:
    for base in _base_names(node):
        if base == "RootModel":
            return "root"
        if base == "Enum":
            return "enum"
        if base in classes:
            return _class_kind(classes[base], classes)
    return "model"


def _lineage(node: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> list[ast.ClassDef]:
    """Base classes defined in the module first, then the class itself."""
    chain: list[ast.ClassDef] = []
    for base in _base_names(node):
        if base in classes:
            chain.extend(_lineage(classes[base], classes))
    chain.append(node)
    return chain


def _fields_of(
    node: ast.ClassDef,
    classes: dict[str, ast.ClassDef],
    imports: dict[str, str],
    needed_imports: dict[str, str],
) -> list[ModelField]:
    fields = []
    body = node.body
    for index, statement in enumerate(body):
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        name = statement.target.id
        if name == "model_config":
            continue
        annotation, field_call = _unwrap_annotated(statement.annotation)
        alias = _keyword_value(field_call, "alias") if field_call is not None else None
        description = None
        following = body[index + 1] if index + 1 < len(body) else None
        if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
            description = str(following.value.value).strip() or None
        qualified = _Qualifier(set(classes), imports, needed_imports).visit(annotation)
        fields.append(
            ModelField(
                name=name,
                alias=alias or name,
                annotation=ast.unparse(qualified),
                required=statement.value is None,
                description=description,
            )
        )
    return fields


def _unwrap_annotated(annotation: ast.expr) -> tuple[ast.expr, ast.Call | None]:
    """`Annotated[X, Field(...)]` -> (X, the Field call)."""
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        inner, *extras = annotation.slice.elts
        calls = [e for e in extras if isinstance(e, ast.Call)]
        return inner, calls[0] if calls else None
    return annotation, None


def _keyword_value(call: ast.Call, keyword: str) -> str | None:
    for item in call.keywords:
        if item.arg == keyword and isinstance(item.value, ast.Constant):
            return str(item.value.value)
    return None


class _Qualifier(ast.NodeTransformer):
    """Rewrite model names to `models.Name` and note which imports the rest needs."""

    def __init__(self, classes: set[str], imports: dict[str, str], needed: dict[str, str]) -> None:
        self.classes, self.imports, self.needed = classes, imports, needed

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.classes:
            return ast.Attribute(ast.Name(MODELS_MODULE, ast.Load()), node.id, ast.Load())
        if node.id in self.imports:
            self.needed[node.id] = self.imports[node.id]
        elif node.id not in _BUILTIN_NAMES:
            return ast.Name("Any", ast.Load())  # unknown name: keep the code importable
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if isinstance(node.value, ast.Name) and node.value.id == "Literal":
            self.visit_Name(node.value)
            return node  # its strings are values, not forward references
        return self.generic_visit(node)  # type: ignore[return-value]

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if isinstance(node.value, str) and node.value in self.classes:  # a forward reference
            return ast.Attribute(ast.Name(MODELS_MODULE, ast.Load()), node.value, ast.Load())
        return node
