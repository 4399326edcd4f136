"""Compare the public Python API of two generated client packages (griffe, no import).

griffe reads both packages statically. Its own `find_breaking_changes` does not compare
annotations yet, and retyped model fields are what callers of a generated client trip on
most, so the walk is ours: modules, classes, functions (parameters, return types) and
attributes (model fields: type and whether they are required). Names that are not public
(griffe's rules: `_private`, imports not re-exported) are skipped, but private modules are
walked because the client re-exports their classes (`Baseten` lives in `_client`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import griffe

from generator.diff.changes import Change
from generator.diff.describe import clean
from generator.diff.graph import Side
from generator.diff.rules import RULES
from generator.errors import InputError

_KIND_NAMES = {
    griffe.Kind.MODULE: "module",
    griffe.Kind.CLASS: "class",
    griffe.Kind.FUNCTION: "function",
    griffe.Kind.ATTRIBUTE: "attribute",
    griffe.Kind.TYPE_ALIAS: "type alias",
}
_POSITIONAL = {griffe.ParameterKind.positional_only, griffe.ParameterKind.positional_or_keyword}
_KEYWORD = {griffe.ParameterKind.keyword_only, griffe.ParameterKind.positional_or_keyword}


def compare_packages(old_dir: Path, new_dir: Path, package: str) -> list[Change]:
    """Changes to the public API of `package` from `old_dir/<package>` to `new_dir/<package>`."""
    old = _load(old_dir, package)
    new = _load(new_dir, package)
    walker = _Walker(package)
    walker.module(old, new)
    return sorted(
        walker.changes, key=lambda change: (change.level.rank, change.pointer, change.rule)
    )


def public_name(path: str, package: str) -> str:
    """How a user reaches `path`: without the package and the private modules whose public
    classes the package re-exports (`pkg._client.Client.x` -> `Client.x`)."""
    parts = path.removeprefix(package + ".").split(".")
    return ".".join(part for part in parts if not (part.startswith("_") and part[1:2] != "_"))


def _load(folder: Path, package: str) -> griffe.Object:
    if not (folder / package).is_dir():
        raise InputError(f"{folder / package}: no such generated package")
    try:
        # A fresh modules collection per load: the two versions share the package name.
        loaded = griffe.load(
            package,
            search_paths=[str(folder)],
            try_relative_path=False,
            allow_inspection=False,
            store_source=False,
            modules_collection=griffe.ModulesCollection(),
            lines_collection=griffe.LinesCollection(),
        )
    except (ImportError, SyntaxError) as error:
        raise InputError(f"{folder / package}: cannot read the package: {error}") from None
    if isinstance(loaded, griffe.Alias):
        raise InputError(f"{folder / package}: not a package")
    return loaded


@dataclass(frozen=True, slots=True)
class _Param:
    index: int
    name: str
    kind: griffe.ParameterKind
    type: str
    default: str | None
    required: bool


class _Walker:
    def __init__(self, package: str) -> None:
        self.package = package
        self.changes: list[Change] = []

    def record(
        self,
        rule_id: str,
        obj: griffe.Object | griffe.Alias,
        *,
        side: Side = "new",
        old: object = None,
        new: object = None,
    ) -> None:
        rule = RULES[rule_id]
        path = obj.path
        relative = public_name(path, self.package)
        subject = f"{self._kind(obj)} `{clean(relative)}`"
        text = rule.template.format(subject=subject, old=clean(old), new=clean(new))
        self.changes.append(
            Change(
                rule=rule.id,
                level=rule.level,
                operation=None,
                pointer=path,
                message=f"Python client: {text}",
                text=text,
                side=side,
                old=old,
                new=new,
            )
        )

    @staticmethod
    def _kind(obj: griffe.Object | griffe.Alias) -> str:
        if obj.is_alias:
            return "name"
        if obj.is_function and obj.parent is not None and obj.parent.is_class:
            return "method"
        if obj.is_attribute and obj.parent is not None and obj.parent.is_class:
            return "field"
        return _KIND_NAMES.get(obj.kind, "object")

    # --- containers ---------------------------------------------------------------------

    def module(self, old: griffe.Object, new: griffe.Object) -> None:
        self._members(old, new)

    def _members(self, old: griffe.Object, new: griffe.Object) -> None:
        old_members = _visible(old)
        new_members = _visible(new)
        for name, old_member in old_members.items():
            new_member = new_members.get(name)
            if new_member is None:
                if old_member.is_public:
                    self.record("client-object-removed", old_member, side="old")
                continue
            self._compare(old_member, new_member)
        for name, new_member in new_members.items():
            if name not in old_members and new_member.is_public:
                self.record("client-object-added", new_member)

    def _compare(
        self, old: griffe.Object | griffe.Alias, new: griffe.Object | griffe.Alias
    ) -> None:
        if old.is_alias or new.is_alias:
            return  # a re-export: its target is compared where it is defined
        assert isinstance(old, griffe.Object) and isinstance(new, griffe.Object)
        if old.kind is not new.kind:
            self.record("client-object-kind-changed", new, old=self._kind(old), new=self._kind(new))
        elif isinstance(old, griffe.Module) and isinstance(new, griffe.Module):
            self._members(old, new)
        elif isinstance(old, griffe.Class) and isinstance(new, griffe.Class):
            removed = {str(base) for base in old.bases} - {str(base) for base in new.bases}
            if removed:
                self.record("client-class-base-removed", new, old=", ".join(sorted(removed)))
            self._members(old, new)
        elif isinstance(old, griffe.Function) and isinstance(new, griffe.Function):
            self._function(old, new)
        elif isinstance(old, griffe.Attribute) and isinstance(new, griffe.Attribute):
            self._attribute(old, new)

    # --- functions and attributes -------------------------------------------------------

    def _function(self, old: griffe.Function, new: griffe.Function) -> None:
        before = _parameters(old)
        after = _parameters(new)
        accepts_any_keyword = any(
            param.kind is griffe.ParameterKind.var_keyword for param in after.values()
        )
        removed = [param for name, param in before.items() if name not in after]
        added = [param for name, param in after.items() if name not in before]
        for old_param in removed:
            # Same place, same kind: a rename (a path parameter renamed upstream, say).
            renamed = next(
                (
                    param
                    for param in added
                    if param.index == old_param.index and param.kind is old_param.kind
                ),
                None,
            )
            if renamed is not None:
                added.remove(renamed)
                self.record("client-parameter-renamed", new, old=old_param.name, new=renamed.name)
            elif not (accepts_any_keyword and old_param.kind in _KEYWORD):
                self.record("client-parameter-removed", new, old=old_param.name)
        for new_param in added:
            rule = (
                "client-parameter-added-required"
                if new_param.required
                else "client-parameter-added"
            )
            self.record(rule, new, new=new_param.name)
        for name, old_param in before.items():
            kept = after.get(name)
            if kept is not None:
                self._parameter(new, old_param, kept)
        old_returns, new_returns = _type_text(old.returns), _type_text(new.returns)
        if old_returns and new_returns and old_returns != new_returns:
            narrowed = _union(new_returns) <= _union(old_returns)
            rule = "client-return-type-narrowed" if narrowed else "client-return-type-changed"
            self.record(rule, new, old=old_returns, new=new_returns)

    def _parameter(self, function: griffe.Function, old: _Param, new: _Param) -> None:
        if new.required and not old.required:
            self.record("client-parameter-became-required", function, new=new.name)
        lost_keyword = old.kind in _KEYWORD and new.kind not in _KEYWORD
        lost_positional = old.kind in _POSITIONAL and new.kind not in _POSITIONAL
        if lost_keyword or lost_positional:
            self.record(
                "client-parameter-kind-changed",
                function,
                old=f"{old.name} ({old.kind.value})",
                new=f"{new.name} ({new.kind.value})",
            )
        elif old.kind in _POSITIONAL and new.kind in _POSITIONAL and old.index != new.index:
            self.record("client-parameter-moved", function, old=old.name, new=new.index)
        if old.type and new.type and old.type != new.type:
            widened = _union(old.type) <= _union(new.type)
            rule = "client-parameter-type-widened" if widened else "client-parameter-type-changed"
            self.record(
                rule, function, old=f"{old.name}: {old.type}", new=f"{new.name}: {new.type}"
            )
        if not old.required and not new.required and old.default != new.default:
            self.record(
                "client-parameter-default-changed",
                function,
                old=f"{old.name}={old.default}",
                new=f"{new.name}={new.default}",
            )

    def _attribute(self, old: griffe.Attribute, new: griffe.Attribute) -> None:
        old_type, new_type = _type_text(old.annotation), _type_text(new.annotation)
        if old_type and new_type and old_type != new_type:
            self.record("client-field-type-changed", new, old=old_type, new=new_type)
        in_class = new.parent is not None and new.parent.is_class
        # A model field without a value (pydantic: no default) must be given.
        if in_class and old.annotation is not None and new.annotation is not None:
            if old.value is not None and new.value is None:
                self.record("client-field-became-required", new)
            elif old.value is None and new.value is not None:
                self.record("client-field-became-optional", new)


def _visible(obj: griffe.Object) -> dict[str, griffe.Object | griffe.Alias]:
    """Members worth comparing: public ones, and modules (private ones hold public classes)."""
    found: dict[str, griffe.Object | griffe.Alias] = {}
    for name, member in obj.members.items():
        if name.startswith("__") and (member.is_alias or not member.is_function):
            continue  # __all__, __version__: bookkeeping, not API (aliases: not resolved)
        if member.is_alias:
            if member.is_public:
                found[name] = member
        elif member.is_module or member.is_public:
            found[name] = member
    return found


def _parameters(function: griffe.Function) -> dict[str, _Param]:
    found: dict[str, _Param] = {}
    for index, param in enumerate(function.parameters):
        found.setdefault(
            param.name,
            _Param(
                index=index,
                name=param.name,
                kind=param.kind or griffe.ParameterKind.positional_or_keyword,
                type=_type_text(param.annotation),
                default=None if param.default is None else str(param.default),
                required=param.required,
            ),
        )
    return found


def _type_text(annotation: object) -> str:
    """An annotation as text, without `Annotated[...]` metadata (pydantic Field titles,
    examples and descriptions are documentation, not type)."""
    if annotation is None:
        return ""
    if isinstance(annotation, griffe.ExprSubscript) and str(annotation.left) == "Annotated":
        arguments = annotation.slice
        if isinstance(arguments, griffe.ExprTuple) and arguments.elements:
            return _type_text(arguments.elements[0])
    return re.sub(r"\s+", " ", str(annotation)).strip()


def _union(text: str) -> frozenset[str]:
    """Members of a top-level `A | B | None` union (brackets respected)."""
    members: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == "|" and depth == 0:
            members.append(current.strip())
            current = ""
        else:
            current += char
    members.append(current.strip())
    return frozenset(members)
