"""Emit the pydantic v2 models with datamodel-code-generator, and index what it produced.

The index (class names, fields, their annotations and aliases) lets the client templates
type their keyword arguments exactly like the models, without guessing the generator's names.

datamodel-code-generator honours keywords with which a schema picks Python code to import or
subclass (`customTypePath`, `x-python-import`...), and switches a model to Python's
backtracking regex engine for a pattern the default (Rust, linear) engine cannot compile.
Spec text is untrusted: such keywords are removed wherever the generator could read a schema,
such patterns are dropped with a warning (`drop_unusable_patterns`), and its output is
refused if it still imports anything but the standard library and pydantic, or uses `re`.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import json
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import datamodel_code_generator as dcg
from datamodel_code_generator.enums import (
    DataModelType,
    InputFileType,
    NamingStrategy,
    OpenAPIScope,
)
from datamodel_code_generator.format import PythonVersion

from .errors import GenerationError
from .loader import KEYWORD_KINDS, LoadedSpec, iter_nodes
from .naming import unique
from .openapi import json_pointer, ref_to, resolve_pointer
from .patterns import unsupported_reason

MODELS_MODULE = "types"
_INDEX_CLASS = "ApigenComponentIndex"
# The generated models derive from the runtime's lenient-response base class (`_models.py`).
_BASE_CLASS_PLACEHOLDER = "apigen_runtime_models.BaseModel"
_BASE_CLASS_IMPORT = "from ._models import BaseModel"
_BUILTIN_NAMES = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "None", "object"}
)
# Schema keywords that datamodel-code-generator turns into imports, base classes or ClassVars,
# and the draft-04 `id`, with which it would resolve references against another base.
_CODE_KEYWORDS = frozenset(
    {"customTypePath", "customBasePath", "x-is-base-class", "x-is-classvar", "id"}
)
_CODE_KEYWORD_PREFIX = "x-python-"
# What the models module may import; `re` would mean patterns on Python's backtracking engine.
_MODELS_IMPORTS = (sys.stdlib_module_names - {"re"}) | {"pydantic", "typing_extensions"}


@dataclass(frozen=True)
class ModelField:
    name: str  # Python attribute name
    alias: str  # name on the wire
    annotation: str  # qualified for use outside the models module (`types.X | None`)
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
    """The generated `types.py` and what the client templates need to know about it."""

    source: str
    classes: dict[str, ModelClass]
    # name used in annotations -> the import line that provides it (`from pydantic import AnyUrl`)
    imports: dict[str, str] = field(default_factory=dict)

    def qualify(self, name: str) -> str:
        return f"{MODELS_MODULE}.{name}" if name in self.classes else "Any"


def generate_models(
    document: dict[str, Any], header: str, secret_fields: tuple[str, ...] = ()
) -> ModelsModule:
    """Run datamodel-code-generator on the component schemas of a prepared spec.

    Fields whose name matches one of the `secret_fields` patterns are hidden from repr().
    """
    schemas = document.get("components", {}).get("schemas", {})
    if not schemas:
        source = f"{header}\n\nfrom __future__ import annotations\n"
        return ModelsModule(source, {})
    index_name = unique(_INDEX_CLASS, set(schemas))
    # The index refers to every component first, so each claims its own name before any
    # inline schema is named after its owner (`PullRequest` + `head`); it is removed after.
    index = {
        "type": "object",
        "properties": {
            f"c{number}": {"$ref": ref_to(("components", "schemas", name))}
            for number, name in enumerate(schemas)
        },
    }
    schemas_only = {
        "openapi": document.get("openapi", "3.1.0"),
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": {index_name: index, **schemas}},
    }
    schemas_only = _without_code_keywords(schemas_only)
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
                naming_strategy=NamingStrategy.FullPath,
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
                base_class=_BASE_CLASS_PLACEHOLDER,
            )
    except Exception as exc:  # the library raises many types; all mean "could not model this"
        message = " ".join(str(exc).split())[:300]
        raise GenerationError(f"datamodel-code-generator failed: {message}") from exc
    if not isinstance(output, str):
        raise GenerationError("datamodel-code-generator returned several modules; expected one")
    source = _use_runtime_base_class(_remove_class(output, index_name))
    _check_models_imports(source)
    source = repair_models_source(source)
    return index_models(hide_secret_fields(source, secret_fields))


def _remove_class(source: str, name: str) -> str:
    """`source` without the top-level class `name` and the statements that mention it."""
    tree = ast.parse(source)
    drop: set[int] = set()
    for node in tree.body:
        mentions = any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))
        if (isinstance(node, ast.ClassDef) and node.name == name) or mentions:
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            drop.update(range(first, (node.end_lineno or node.lineno) + 1))
    lines = source.splitlines(keepends=True)
    kept = "".join(line for number, line in enumerate(lines, 1) if number not in drop)
    return re.sub(r"\n{4,}", "\n\n\n", kept)


def _use_runtime_base_class(source: str) -> str:
    """dcg imports a base class by absolute path; the package's own is relative (vendorable)."""
    module, _, name = _BASE_CLASS_PLACEHOLDER.rpartition(".")
    return source.replace(f"from {module} import {name}\n", _BASE_CLASS_IMPORT + "\n", 1)


def drop_unusable_patterns(spec: LoadedSpec, warn: Callable[[str], None]) -> dict[str, Any]:
    """The spec's document, or a copy without the patterns generated clients cannot compile
    (pydantic's Rust engine: no look-around, back-references, or huge compiled sizes), each
    dropped from its schema with a warning naming its JSON pointer."""
    dropped: list[tuple[str, ...]] = []
    for node, kind, parts in iter_nodes(spec.document):
        if kind not in KEYWORD_KINDS:
            continue
        found: list[tuple[tuple[str, ...], Any]] = []
        if "pattern" in node:
            found.append((("pattern",), node["pattern"]))
        pattern_properties = node.get("patternProperties")
        if isinstance(pattern_properties, dict):
            found += [(("patternProperties", key), key) for key in pattern_properties]
        for keys, pattern in found:
            reason = "not a string" if not isinstance(pattern, str) else unsupported_reason(pattern)
            if reason is not None:
                pointer = json_pointer((*parts, *keys))
                line = spec.line_of(pointer)
                where = spec.source if line is None else f"{spec.source}:{line}"
                shown = " ".join(repr(pattern).split())[:80]
                warn(
                    f"warning: {where}: {pointer}: pattern {shown} left out of the client ({reason})"
                )
                dropped.append((*parts, *keys))
    if not dropped:
        return spec.document
    document = copy.deepcopy(spec.document)
    for parts in dropped:
        del resolve_pointer(document, json_pointer(parts[:-1]))[parts[-1]]
    return document


def _without_code_keywords(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` without `_CODE_KEYWORDS` in any mapping the generator could read
    as a schema (a `$ref` may name any of them; example and extension data it may not)."""
    document = copy.deepcopy(document)
    for node, kind, _ in iter_nodes(document):
        if kind in KEYWORD_KINDS:
            for key in [k for k in node if _is_code_keyword(k, node[k])]:
                del node[key]
    return document


def _is_code_keyword(key: str, value: Any) -> bool:
    if key == "id":
        return isinstance(value, str)
    return key in _CODE_KEYWORDS or key.startswith(_CODE_KEYWORD_PREFIX)


def _check_models_imports(source: str) -> None:
    """Refuse generated models that import anything but the standard library (not `re`),
    pydantic and their own package, or that set pydantic's regex engine to Python's."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module or ""]
        elif isinstance(node, ast.keyword) and node.arg == "regex_engine":
            raise GenerationError(
                "datamodel-code-generator output chose a regex engine (Python's backtracks)"
            )
        else:
            continue
        for module in modules:
            if module.split(".")[0] not in _MODELS_IMPORTS:
                raise GenerationError(
                    f"datamodel-code-generator output imports {module!r}: generated models "
                    "may only import the standard library (not re) and pydantic"
                )


def repair_models_source(source: str) -> str:
    """Patch the spots of datamodel-code-generator's output that fail `mypy --strict` or ruff.

    - A bare `list`/`dict` type becomes `list[Any]`/`dict[str, Any]`.
    - A field that a subclass (allOf, discriminator) redeclares with another type is how JSON
      Schema's intersection maps onto pydantic, but mypy calls it an incompatible override:
      the line gets `# type: ignore[assignment, unused-ignore]`.
    - A `None` default on a non-nullable field makes it `X | None` (it is None until set).
    - Another default the annotation does not take (`url: AnyUrl = "..."`, a raw value for an
      enum or root model) keeps its runtime meaning and gets the same ignore comment.
    - Enum members with list values get `# noqa: RUF012` (they are values, not class state).
    """
    return _repair_fields(_parametrize_bare_generics(source))


_IGNORE_ASSIGNMENT = "# type: ignore[assignment, unused-ignore]"
_PARAMETRIZED = {"list": "list[Any]", "dict": "dict[str, Any]"}
_DEFAULT_TYPES = {bool: {"bool"}, int: {"int", "float"}, float: {"float"}, str: {"str"}}
_Splice = tuple[int, int, int, int, str]  # line, column, end line, end column, new text


def _parametrize_bare_generics(source: str) -> str:
    tree = ast.parse(source)
    types: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign):
            types.append(node.annotation)
        elif isinstance(node, ast.ClassDef):
            types.extend(node.bases)
    found = {(n.lineno, n.col_offset): n for t in types for n in _bare_generics(t)}
    if not found:
        return source
    repaired = _apply(source, [_span(n, _PARAMETRIZED[n.id]) for n in found.values()], {})
    if not _imports_name(tree, "Any"):
        repaired = repaired.replace(
            "from __future__ import annotations\n",
            "from __future__ import annotations\n\nfrom typing import Any\n",
            1,
        )
    return repaired


def _repair_fields(source: str) -> str:
    tree = ast.parse(source)
    splices: list[_Splice] = []
    comments: dict[int, list[str]] = {}
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    for node in classes.values():
        inherited: dict[str, str] = {}
        for owner in _lineage(node, classes)[:-1]:
            inherited.update(_annotations(owner))
        is_enum = _class_kind(node, classes) == "enum"
        for statement in node.body:
            line = statement.end_lineno or statement.lineno
            if (
                is_enum
                and isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.List)
            ):
                comments.setdefault(line, []).append("# noqa: RUF012")
            if not (
                isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
            ):
                continue
            inner, _ = _unwrap_annotated(statement.annotation)
            declared = ast.unparse(inner)
            needs_ignore = False
            default = statement.value
            if isinstance(default, ast.Constant) and not _accepts(inner, default.value):
                if default.value is None:
                    text = ast.get_source_segment(source, inner) or declared
                    splices.append(_span(inner, f"{text} | None"))
                    declared = f"{declared} | None"
                else:
                    needs_ignore = True
            base_annotation = inherited.get(statement.target.id)
            if base_annotation is not None and base_annotation != declared:
                needs_ignore = True
            if needs_ignore:
                comments.setdefault(line, []).append(_IGNORE_ASSIGNMENT)
    return _apply(source, splices, comments) if splices or comments else source


def _apply(source: str, splices: list[_Splice], comments: dict[int, list[str]]) -> str:
    """Replace spans (positions as `ast` gives them: UTF-8 offsets) and append line comments."""
    lines = source.encode().splitlines(keepends=True)
    for line, texts in comments.items():  # first: splices may join lines
        body = lines[line - 1].rstrip(b"\r\n")
        lines[line - 1] = body + b"  " + "  ".join(texts).encode() + b"\n"
    for line, col, end_line, end_col, text in sorted(splices, reverse=True):
        first, last = lines[line - 1], lines[end_line - 1]
        lines[line - 1 : end_line] = [first[:col] + text.encode() + last[end_col:]]
    return b"".join(lines).decode()


def _annotations(node: ast.ClassDef) -> dict[str, str]:
    """Field name -> its type (without `Annotated` metadata) as declared in `node` itself."""
    return {
        statement.target.id: ast.unparse(_unwrap_annotated(statement.annotation)[0])
        for statement in node.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    }


def _union_members(annotation: ast.expr) -> list[ast.expr]:
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _union_members(annotation.left) + _union_members(annotation.right)
    return [annotation]


def _accepts(annotation: ast.expr, value: object) -> bool:
    """Whether mypy takes the constant `value` as a default for `annotation` (a safe guess)."""
    for member in _union_members(annotation):
        if isinstance(member, ast.Constant) and member.value is None:
            if value is None:
                return True
        elif isinstance(member, ast.Name):
            if member.id in ("Any", "object") or member.id in _DEFAULT_TYPES.get(type(value), ()):
                return True
        elif isinstance(member, ast.Subscript):
            generic = ast.unparse(member.value)
            if generic == "Optional" or (generic == "Literal" and value is not None):
                return True  # a Literal's default is one of its values
    return False


def _bare_generics(annotation: ast.expr) -> list[ast.Name]:
    """`list` and `dict` used as types without parameters (not inside `Literal[...]`)."""
    found: list[ast.Name] = []
    stack: list[ast.AST] = [annotation]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id in _PARAMETRIZED:
            found.append(node)
        elif isinstance(node, ast.Subscript):
            generic = ast.unparse(node.value)
            if generic == "Annotated" and isinstance(node.slice, ast.Tuple):
                stack.append(node.slice.elts[0])
            elif generic not in ("Literal", "Annotated"):
                stack.append(node.slice)
        elif isinstance(node, (ast.BinOp, ast.Tuple)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _span(node: ast.expr, text: str) -> _Splice:
    end_line = node.end_lineno or node.lineno
    end_col = node.col_offset if node.end_col_offset is None else node.end_col_offset
    return node.lineno, node.col_offset, end_line, end_col, text


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
        # On a copy: a base class is read again for each subclass, and the visit edits in place.
        qualifier = _Qualifier(set(classes), imports, needed_imports)
        qualified = qualifier.visit(copy.deepcopy(annotation))
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
    """Rewrite model names to `types.Name` and note which imports the rest needs."""

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


def hide_secret_fields(source: str, patterns: tuple[str, ...]) -> str:
    """Add `repr=False` to model fields named like a secret (`aws_secret_access_key`).

    `patterns` are shell-style, matched against the lower-cased Python field name.
    """
    if not patterns:
        return source
    tree = ast.parse(source)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    splices: list[_Splice] = []
    for node in classes.values():
        if _class_kind(node, classes) != "model":
            continue
        for statement in node.body:
            if not (
                isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
            ):
                continue
            name = statement.target.id.lower()
            if not any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in patterns):
                continue
            inner, field_call = _unwrap_annotated(statement.annotation)
            if field_call is not None:
                hidden = copy.deepcopy(field_call)
                hidden.keywords = [k for k in hidden.keywords if k.arg != "repr"]
                hidden.keywords.append(ast.keyword("repr", ast.Constant(False)))
                splices.append(_span(field_call, ast.unparse(hidden)))
            else:
                text = ast.get_source_segment(source, statement.annotation) or ast.unparse(inner)
                splices.append(_span(statement.annotation, f"Annotated[{text}, Field(repr=False)]"))
    if not splices:
        return source
    hidden_source = _apply(source, splices, {})
    for name, module in (("Annotated", "typing"), ("Field", "pydantic")):
        if not _imports_name(tree, name):
            hidden_source = hidden_source.replace(
                "from __future__ import annotations\n",
                f"from __future__ import annotations\n\nfrom {module} import {name}\n",
                1,
            )
    return hidden_source


def _imports_name(tree: ast.Module, name: str) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names)
        for node in tree.body
    )
