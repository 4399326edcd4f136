"""Match operations between two specs and compare everything a caller depends on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from generator.diff.document import Document, JsonDict, join
from generator.diff.graph import Graph
from generator.diff.schema import Direction, SchemaDiffer, show
from generator.openapi import HTTP_METHODS, media_base, parameter_key

_TEMPLATE = re.compile(r"\{([^}]*)\}")

# A security requirement alternative: the set of (scheme, scopes) it demands together.
Alternative = frozenset[tuple[str, frozenset[str]]]

# `x-stability-level` (oasdiff's convention) and `x-stability` values, least stable first.
# Operations at rank <= _UNSTABLE promise nothing: their changes are reported as compatible.
_STABILITY_RANK = {
    "draft": 0,
    "alpha": 1,
    "unstable": 1,
    "experimental": 1,
    "preview": 1,
    "beta": 2,
    "stable": 3,
}
_UNSTABLE = 1


def operation_name(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def normalise_path(path: str) -> str:
    """`/a/{x}/b` and `/a/{y}/b` are the same endpoint: compare them as `/a/{}/b`."""
    return _TEMPLATE.sub("{}", path)


def _mapping(node: Any) -> Mapping[str, Any]:
    return node if isinstance(node, Mapping) else {}


def _media_key(media_type: str) -> str:
    # `application/json; charset=utf-8` serves the same client as `application/json`.
    return media_base(media_type)


class SpecDiffer:
    def __init__(self, old: Document, new: Document, today: date | None = None) -> None:
        self.old = old
        self.new = new
        self.today = today or date.today()
        # Operations whose old version was marked unstable (draft, alpha, `x-stability: unstable`).
        self.unstable: set[str] = set()
        self.graph = Graph()
        self.schemas = SchemaDiffer(old, new, self.graph)
        self.roots: dict[str, int] = {}
        # Operations that use the top-level `security` in the new spec (or old, if removed).
        self.inheriting_security: list[str] = []

    def run(self) -> Graph:
        for old_path, new_path in self._match_paths():
            self._compare_path(old_path, new_path)
        self._compare_webhooks()
        self._compare_global_security()
        self._compare_security_schemes()
        self.schemas.drain()
        self.graph.attribute(self.roots)
        return self.graph

    # --- paths and operations -----------------------------------------------------------

    def _match_paths(self) -> list[tuple[str | None, str | None]]:
        old_paths = [str(path) for path in _mapping(self.old.root.get("paths"))]
        new_paths = [str(path) for path in _mapping(self.new.root.get("paths"))]
        pairs: list[tuple[str | None, str | None]] = []
        new_left = set(new_paths)
        old_left: list[str] = []
        for path in old_paths:
            if path in new_left:
                pairs.append((path, path))
                new_left.discard(path)
            else:
                old_left.append(path)
        # Then match across path-parameter renames, when the normalised form is unambiguous.
        by_shape: dict[str, list[str]] = {}
        for path in new_paths:
            if path in new_left:
                by_shape.setdefault(normalise_path(path), []).append(path)
        for path in old_left:
            candidates = by_shape.get(normalise_path(path), [])
            if len(candidates) == 1:
                pairs.append((path, candidates.pop()))
                new_left.discard(pairs[-1][1] or "")
            else:
                pairs.append((path, None))
        pairs += [(None, path) for path in new_paths if path in new_left]
        return pairs

    def _compare_path(self, old_path: str | None, new_path: str | None) -> None:
        old_item = self._path_item(self.old, old_path)
        new_item = self._path_item(self.new, new_path)
        for method in HTTP_METHODS:
            old_op = old_item[1].get(method)
            new_op = new_item[1].get(method)
            if isinstance(old_op, Mapping) and isinstance(new_op, Mapping):
                assert old_path is not None and new_path is not None
                name = operation_name(method, new_path)
                self.graph.current = self.roots[name] = self.graph.new_node()
                self._compare_operation(
                    name, (old_path, old_item, method, old_op), (new_path, new_item, method, new_op)
                )
            elif isinstance(old_op, Mapping):
                assert old_path is not None
                name = operation_name(method, old_path)
                if _stability(old_op) <= _UNSTABLE:
                    self.unstable.add(name)
                self.graph.current = 0
                rule, sunset = self._removal(old_op)
                self.graph.record(
                    rule, join("/paths", old_path, method), side="old", old=sunset, operation=name
                )
            elif isinstance(new_op, Mapping):
                assert new_path is not None
                name = operation_name(method, new_path)
                self.graph.current = 0
                self.graph.record(
                    "operation-added", join("/paths", new_path, method), operation=name
                )

    @staticmethod
    def _path_item(doc: Document, path: str | None) -> tuple[str, Mapping[str, Any]]:
        if path is None:
            return "", {}
        pointer, item = doc.deref(_mapping(doc.root.get("paths")).get(path), join("/paths", path))
        return pointer, _mapping(item)

    def _compare_operation(
        self,
        name: str,
        old: tuple[str, tuple[str, Mapping[str, Any]], str, Mapping[str, Any]],
        new: tuple[str, tuple[str, Mapping[str, Any]], str, Mapping[str, Any]],
    ) -> None:
        old_path, (old_item_ptr, old_item), method, old_op = old
        new_path, (new_item_ptr, new_item), _, new_op = new
        old_ptr = join(old_item_ptr, method)
        new_ptr = join(new_item_ptr, method)
        record = self.graph.record
        self._compare_lifecycle(name, old_op, new_ptr, new_op)
        if bool(old_op.get("deprecated")) != bool(new_op.get("deprecated")):
            rule = "operation-deprecated" if new_op.get("deprecated") else "operation-undeprecated"
            record(rule, join(new_ptr, "deprecated"))
        old_id, new_id = old_op.get("operationId"), new_op.get("operationId")
        if old_id and new_id and old_id != new_id:
            record("operation-id-changed", join(new_ptr, "operationId"), old=old_id, new=new_id)
        self._compare_parameters(
            (old_path, old_item_ptr, old_item, old_ptr, old_op),
            (new_path, new_item_ptr, new_item, new_ptr, new_op),
        )
        self._compare_request_body(old_ptr, old_op, new_ptr, new_op)
        self._compare_responses(old_ptr, old_op, new_ptr, new_op)
        self._compare_callbacks(old_ptr, old_op, new_ptr, new_op)
        if "security" in old_op or "security" in new_op:
            self._compare_security(
                self._security(self.old, old_op),
                self._security(self.new, new_op),
                join(new_ptr, "security"),
            )
        else:
            self.inheriting_security.append(name)

    # --- parameters ---------------------------------------------------------------------

    def _parameters(
        self,
        doc: Document,
        path: str,
        item_ptr: str,
        item: Mapping[str, Any],
        op_ptr: str,
        op: Mapping[str, Any],
    ) -> dict[tuple[str, str], tuple[str, JsonDict]]:
        """Effective parameters keyed by location: path parameters by position, so that a
        rename matches, the others by name (header names ignore case)."""
        positions = {name: str(index) for index, name in enumerate(_TEMPLATE.findall(path))}
        found: dict[tuple[str, str], tuple[str, JsonDict]] = {}
        for owner_ptr, owner in ((item_ptr, item), (op_ptr, op)):
            parameters = owner.get("parameters")
            if not isinstance(parameters, list):
                continue
            for index, raw in enumerate(parameters):
                pointer, parameter = doc.deref(raw, join(owner_ptr, "parameters", index))
                if not isinstance(parameter, Mapping):
                    continue
                location, name = parameter_key(parameter)
                key = (location, positions.get(name, name) if location == "path" else name)
                found[key] = (pointer, dict(parameter))  # operation level overrides path level
        return found

    def _compare_parameters(
        self,
        old: tuple[str, str, Mapping[str, Any], str, Mapping[str, Any]],
        new: tuple[str, str, Mapping[str, Any], str, Mapping[str, Any]],
    ) -> None:
        before = self._parameters(self.old, *old)
        after = self._parameters(self.new, *new)
        record = self.graph.record
        for key, (old_ptr, old_param) in before.items():
            found = after.get(key)
            if found is None:
                if key[0] != "path":  # the value is still sent, as part of the path
                    record("request-parameter-removed", old_ptr, side="old")
                continue
            new_ptr, new_param = found
            if key[0] == "path" and old_param.get("name") != new_param.get("name"):
                record(
                    "path-parameter-renamed",
                    join(new_ptr, "name"),
                    old=old_param.get("name"),
                    new=new_param.get("name"),
                )
            was_required = old_param.get("required") is True or key[0] == "path"
            is_required = new_param.get("required") is True or key[0] == "path"
            if was_required != is_required:
                became = "required" if is_required else "optional"
                record(f"request-parameter-became-{became}", new_ptr)
            old_schema = self._parameter_schema(old_ptr, old_param)
            new_schema = self._parameter_schema(new_ptr, new_param)
            if old_schema and new_schema:
                self.graph.context = f"{key[0]} parameter {new_param.get('name')}"
                self.schemas.compare(*old_schema, *new_schema, "request", parameter=True)
        for key, (new_ptr, new_param) in after.items():
            if key in before:
                continue
            if key[0] == "path":
                continue  # the template always had it: declaring it changes nothing
            if new_param.get("required") is True:
                record("request-parameter-added-required", new_ptr)
            else:
                record("request-parameter-added", new_ptr)

    @staticmethod
    def _parameter_schema(pointer: str, parameter: Mapping[str, Any]) -> tuple[Any, str] | None:
        if "schema" in parameter:
            return parameter["schema"], join(pointer, "schema")
        for media_type, media in _mapping(parameter.get("content")).items():
            if isinstance(media, Mapping) and "schema" in media:
                return media["schema"], join(pointer, "content", media_type, "schema")
        return None

    # --- request bodies and responses ---------------------------------------------------

    def _compare_request_body(
        self, old_ptr: str, old_op: Mapping[str, Any], new_ptr: str, new_op: Mapping[str, Any]
    ) -> None:
        record = self.graph.record
        old_body_ptr, old_body = self.old.deref(
            old_op.get("requestBody"), join(old_ptr, "requestBody")
        )
        new_body_ptr, new_body = self.new.deref(
            new_op.get("requestBody"), join(new_ptr, "requestBody")
        )
        if not isinstance(old_body, Mapping) and not isinstance(new_body, Mapping):
            return
        if not isinstance(new_body, Mapping):
            record("request-body-removed", old_body_ptr, side="old")
            return
        is_required = new_body.get("required") is True
        if not isinstance(old_body, Mapping):
            record(
                "request-body-added-required" if is_required else "request-body-added", new_body_ptr
            )
            return
        if (old_body.get("required") is True) != is_required:
            became = "required" if is_required else "optional"
            record(f"request-body-became-{became}", new_body_ptr)
        self._compare_content(
            old_body_ptr, old_body, new_body_ptr, new_body, "request", "request body"
        )

    def _compare_content(
        self,
        old_ptr: str,
        old: Mapping[str, Any],
        new_ptr: str,
        new: Mapping[str, Any],
        direction: Direction,
        where: str,
    ) -> None:
        """Compare the `content` maps (media type -> schema) of a body or response;
        `where` names it for messages ("request body", "response 200")."""
        old_media = self._media_types(old, old_ptr)
        new_media = self._media_types(new, new_ptr)
        replacements: set[str] = set()
        for key, (old_type, old_schema_ptr, old_schema) in old_media.items():
            new_key: str | None = key
            if key not in new_media:
                new_key, rule = _replacement(key, new_media, direction)
                record_at = join(old_ptr, "content", old_type)
                if new_key is None:
                    self.graph.record(rule, record_at, side="old", old=old_type)
                    continue
                replacements.add(new_key)
                self.graph.record(
                    rule, record_at, side="old", old=old_type, new=new_media[new_key][0]
                )
            new_type, new_schema_ptr, new_schema = new_media[str(new_key)]
            if old_schema is None and new_schema is not None and new_key == key:
                self.graph.record(
                    f"{direction}-media-type-schema-added",
                    join(new_ptr, "content", new_type),
                    new=new_type,
                )
            elif old_schema is not None and new_schema is None and new_key == key:
                self.graph.record(
                    f"{direction}-media-type-schema-removed",
                    join(old_ptr, "content", old_type),
                    side="old",
                    old=old_type,
                )
            elif old_schema is not None and new_schema is not None:
                if not _is_json(key) and (_is_text(old_schema) or _is_text(new_schema)):
                    continue  # XML or text carried as a string: not a typed change
                self.graph.context = f"{where}, {new_type}"
                self.schemas.compare(
                    old_schema, old_schema_ptr, new_schema, new_schema_ptr, direction
                )
        for key, (new_type, _, _) in new_media.items():
            if key not in old_media and key not in replacements:
                self.graph.record(
                    f"{direction}-media-type-added",
                    join(new_ptr, "content", new_type),
                    new=new_type,
                )

    @staticmethod
    def _media_types(owner: Mapping[str, Any], pointer: str) -> dict[str, tuple[str, str, Any]]:
        found: dict[str, tuple[str, str, Any]] = {}
        for media_type, media in _mapping(owner.get("content")).items():
            schema = media.get("schema") if isinstance(media, Mapping) else None
            if schema == {}:
                schema = None  # `{}` accepts anything, like no schema at all
            schema_ptr = join(pointer, "content", media_type, "schema")
            found.setdefault(_media_key(media_type), (str(media_type), schema_ptr, schema))
        return found

    def _compare_responses(
        self, old_ptr: str, old_op: Mapping[str, Any], new_ptr: str, new_op: Mapping[str, Any]
    ) -> None:
        old_responses = {
            str(code).upper(): value for code, value in _mapping(old_op.get("responses")).items()
        }
        new_responses = {
            str(code).upper(): value for code, value in _mapping(new_op.get("responses")).items()
        }
        record = self.graph.record
        for code, old_raw in old_responses.items():
            old_code_ptr = join(old_ptr, "responses", _original_key(old_op, code))
            if code not in new_responses:
                success = code.startswith("2")
                rule = (
                    "response-success-status-removed"
                    if success
                    else "response-non-success-status-removed"
                )
                record(rule, old_code_ptr, side="old", old=code)
                continue
            new_code_ptr = join(new_ptr, "responses", _original_key(new_op, code))
            old_resp_ptr, old_resp = self.old.deref(old_raw, old_code_ptr)
            new_resp_ptr, new_resp = self.new.deref(new_responses[code], new_code_ptr)
            if isinstance(old_resp, Mapping) and isinstance(new_resp, Mapping):
                self._compare_content(
                    old_resp_ptr, old_resp, new_resp_ptr, new_resp, "response", f"response {code}"
                )
                self._compare_headers(old_resp_ptr, old_resp, new_resp_ptr, new_resp, code)
        for code in new_responses:
            if code not in old_responses:
                record(
                    "response-status-added",
                    join(new_ptr, "responses", _original_key(new_op, code)),
                    new=code,
                )

    def _compare_headers(
        self,
        old_ptr: str,
        old: Mapping[str, Any],
        new_ptr: str,
        new: Mapping[str, Any],
        code: str,
    ) -> None:
        """Response headers, by case-insensitive name (`Content-Type` is the media type's)."""
        before = _headers(self.old, old_ptr, old)
        after = _headers(self.new, new_ptr, new)
        record = self.graph.record
        for key, (old_header_ptr, old_header) in before.items():
            required = old_header.get("required") is True
            if key not in after:
                rule = "response-header-removed" if required else "response-optional-header-removed"
                record(rule, old_header_ptr, side="old")
                continue
            new_header_ptr, new_header = after[key]
            if required and new_header.get("required") is not True:
                record("response-header-became-optional", new_header_ptr)
            old_schema = self._parameter_schema(old_header_ptr, old_header)
            new_schema = self._parameter_schema(new_header_ptr, new_header)
            if old_schema and new_schema:
                self.graph.context = f"response {code}, header {key}"
                self.schemas.compare(*old_schema, *new_schema, "response")
        for key, (new_header_ptr, _) in after.items():
            if key not in before:
                record("response-header-added", new_header_ptr)

    # --- webhooks and callbacks: requests the API sends to the client -------------------

    def _compare_webhooks(self) -> None:
        old_hooks = _mapping(self.old.root.get("webhooks"))
        new_hooks = _mapping(self.new.root.get("webhooks"))
        for name in [*old_hooks, *(name for name in new_hooks if name not in old_hooks)]:
            old_ptr, old_item = self.old.deref(old_hooks.get(name), join("/webhooks", name))
            new_ptr, new_item = self.new.deref(new_hooks.get(name), join("/webhooks", name))
            for method in HTTP_METHODS:
                old_op = _mapping(old_item).get(method)
                new_op = _mapping(new_item).get(method)
                operation = f"{method.upper()} webhook:{name}"
                if isinstance(old_op, Mapping) and isinstance(new_op, Mapping):
                    self.graph.current = self.roots[operation] = self.graph.new_node()
                    self._compare_hook(join(old_ptr, method), old_op, join(new_ptr, method), new_op)
                elif isinstance(old_op, Mapping) or isinstance(new_op, Mapping):
                    self.graph.current = 0
                    removed = isinstance(old_op, Mapping)
                    self.graph.record(
                        "webhook-removed" if removed else "webhook-added",
                        join(old_ptr if removed else new_ptr, method),
                        side="old" if removed else "new",
                        operation=operation,
                    )

    def _compare_callbacks(
        self, old_ptr: str, old_op: Mapping[str, Any], new_ptr: str, new_op: Mapping[str, Any]
    ) -> None:
        """Callbacks of one operation; what they find belongs to that operation."""
        old_callbacks = _mapping(old_op.get("callbacks"))
        new_callbacks = _mapping(new_op.get("callbacks"))
        for name in [*old_callbacks, *(n for n in new_callbacks if n not in old_callbacks)]:
            old_cb_ptr, old_cb = self.old.deref(
                old_callbacks.get(name), join(old_ptr, "callbacks", name)
            )
            new_cb_ptr, new_cb = self.new.deref(
                new_callbacks.get(name), join(new_ptr, "callbacks", name)
            )
            old_cb, new_cb = _mapping(old_cb), _mapping(new_cb)
            for expression in [*old_cb, *(e for e in new_cb if e not in old_cb)]:
                old_item_ptr, old_item = self.old.deref(
                    old_cb.get(expression), join(old_cb_ptr, expression)
                )
                new_item_ptr, new_item = self.new.deref(
                    new_cb.get(expression), join(new_cb_ptr, expression)
                )
                for method in HTTP_METHODS:
                    old_hook = _mapping(old_item).get(method)
                    new_hook = _mapping(new_item).get(method)
                    if isinstance(old_hook, Mapping) and isinstance(new_hook, Mapping):
                        self._compare_hook(
                            join(old_item_ptr, method),
                            old_hook,
                            join(new_item_ptr, method),
                            new_hook,
                        )
                    elif isinstance(old_hook, Mapping):
                        self.graph.record(
                            "callback-removed", join(old_item_ptr, method), side="old"
                        )
                    elif isinstance(new_hook, Mapping):
                        self.graph.record("callback-added", join(new_item_ptr, method))

    def _compare_hook(
        self, old_ptr: str, old_op: Mapping[str, Any], new_ptr: str, new_op: Mapping[str, Any]
    ) -> None:
        """A request the API sends: the client receives its body (response direction) and
        sends back its responses (request direction)."""
        old_body_ptr, old_body = self.old.deref(
            old_op.get("requestBody"), join(old_ptr, "requestBody")
        )
        new_body_ptr, new_body = self.new.deref(
            new_op.get("requestBody"), join(new_ptr, "requestBody")
        )
        if isinstance(old_body, Mapping) and isinstance(new_body, Mapping):
            self._compare_content(
                old_body_ptr, old_body, new_body_ptr, new_body, "response", "callback body"
            )
        old_responses = _mapping(old_op.get("responses"))
        new_responses = _mapping(new_op.get("responses"))
        for code, old_raw in old_responses.items():
            if code not in new_responses:
                continue
            old_resp_ptr, old_resp = self.old.deref(old_raw, join(old_ptr, "responses", code))
            new_resp_ptr, new_resp = self.new.deref(
                new_responses[code], join(new_ptr, "responses", code)
            )
            if isinstance(old_resp, Mapping) and isinstance(new_resp, Mapping):
                self._compare_content(
                    old_resp_ptr, old_resp, new_resp_ptr, new_resp, "request", f"reply {code}"
                )

    # --- lifecycle: deprecation, sunset, stability --------------------------------------

    def _removal(self, old_op: Mapping[str, Any]) -> tuple[str, str | None]:
        """The rule for removing `old_op`, and its sunset date as text."""
        if not old_op.get("deprecated"):
            return "operation-removed", None
        raw = _sunset(old_op)
        if raw is None:
            return "operation-removed-after-deprecation", None
        when = _parse_date(raw)
        if when is not None and when <= self.today:
            return "operation-removed-after-sunset", when.isoformat()
        return "operation-removed-before-sunset", when.isoformat() if when else str(raw)

    def _compare_lifecycle(
        self, name: str, old_op: Mapping[str, Any], new_ptr: str, new_op: Mapping[str, Any]
    ) -> None:
        old_rank, new_rank = _stability(old_op), _stability(new_op)
        if old_rank <= _UNSTABLE:
            self.unstable.add(name)
        if old_rank != new_rank:
            self.graph.record(
                "operation-stability-decreased"
                if new_rank < old_rank
                else "operation-stability-increased",
                new_ptr,
                old=_stability_name(old_op),
                new=_stability_name(new_op),
            )
        old_sunset, new_sunset = _sunset(old_op), _sunset(new_op)
        if old_sunset is None or new_sunset is None or not new_op.get("deprecated"):
            return
        before, after = _parse_date(old_sunset), _parse_date(new_sunset)
        if before and after and after < before:
            self.graph.record(
                "operation-sunset-moved-earlier",
                new_ptr,
                old=before.isoformat(),
                new=after.isoformat(),
            )

    # --- security -----------------------------------------------------------------------

    @staticmethod
    def _security(doc: Document, owner: Mapping[str, Any]) -> set[Alternative]:
        """Accepted alternatives; no requirement at all means anonymous access (the empty
        alternative), which makes adding authentication a change like any other."""
        requirements = owner.get("security", doc.root.get("security"))
        alternatives: set[Alternative] = set()
        for requirement in requirements if isinstance(requirements, list) else []:
            alternatives.add(
                frozenset(
                    (str(scheme), frozenset(str(scope) for scope in scopes or []))
                    for scheme, scopes in _mapping(requirement).items()
                )
            )
        return alternatives or {frozenset()}

    def _compare_security(
        self, before: set[Alternative], after: set[Alternative], pointer: str
    ) -> None:
        record = self.graph.record
        removed = before - after
        added = after - before
        # The same schemes with other scopes is a scope change, not a new alternative.
        by_schemes = {frozenset(scheme for scheme, _ in alt): alt for alt in added}
        for alternative in sorted(removed, key=_security_text):
            schemes = frozenset(scheme for scheme, _ in alternative)
            match = by_schemes.pop(schemes, None)
            if match is None:
                continue
            removed.discard(alternative)
            added.discard(match)
            old_scopes, new_scopes = dict(alternative), dict(match)
            for scheme in sorted(schemes):
                more = new_scopes[scheme] - old_scopes[scheme]
                fewer = old_scopes[scheme] - new_scopes[scheme]
                if more:
                    record("security-scope-added", join(pointer, scheme), new=_names(more))
                if fewer:
                    record("security-scope-removed", join(pointer, scheme), old=_names(fewer))
        if not removed and not added:
            return
        old_text = _alternatives_text(before)
        new_text = _alternatives_text(after)
        if frozenset() in after:
            rule = "security-no-longer-required" if removed else "security-requirement-added"
        elif frozenset() in before:
            rule = "security-now-required"
        elif removed and added:
            rule = "security-requirement-changed"
        elif removed:
            rule = "security-requirement-removed"
            old_text = _alternatives_text(removed)
        else:
            rule = "security-requirement-added"
            new_text = _alternatives_text(added)
        record(rule, pointer, old=old_text, new=new_text)

    def _compare_global_security(self) -> None:
        before = self._security(self.old, {})
        after = self._security(self.new, {})
        if before == after:
            return
        self.graph.current = node = self.graph.new_node()
        self.graph.context = None
        self._compare_security(before, after, "/security")
        for name in self.inheriting_security:
            self.roots.setdefault(name, node)
            self.graph.current = self.roots[name]
            self.graph.edge(node)

    def _compare_security_schemes(self) -> None:
        self.graph.current = 0
        old_schemes = _mapping(_mapping(self.old.root.get("components")).get("securitySchemes"))
        new_schemes = _mapping(_mapping(self.new.root.get("components")).get("securitySchemes"))
        for name, raw in old_schemes.items():
            pointer = join("/components/securitySchemes", name)
            if name not in new_schemes:
                self.graph.record("security-scheme-removed", pointer, side="old")
                continue
            old_text = _scheme_text(self.old.deref(raw, pointer)[1])
            new_text = _scheme_text(self.new.deref(new_schemes[name], pointer)[1])
            if old_text != new_text:
                self.graph.record("security-scheme-changed", pointer, old=old_text, new=new_text)
        for name in new_schemes:
            if name not in old_schemes:
                self.graph.record(
                    "security-scheme-added", join("/components/securitySchemes", name)
                )


def _replacement(
    media_type: str, candidates: Mapping[str, Any], direction: str
) -> tuple[str | None, str]:
    """For a media type gone from `content`: the new one that takes its place, if any, and
    the rule to report. A wildcard (`*/*`, `application/*`) still covers it; another JSON
    type (`application/merge-patch+json` for `application/json`) is a possible break."""
    major = media_type.split("/", 1)[0]
    for wildcard in ("*/*", f"{major}/*"):
        if wildcard in candidates:
            return wildcard, f"{direction}-media-type-generalized"
    if _is_json(media_type):
        for key in sorted(candidates):
            if _is_json(key):
                return key, f"{direction}-media-type-changed"
    return None, f"{direction}-media-type-removed"


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _is_text(schema: Any) -> bool:
    """A bare `type: string` schema: how XML or plain-text bodies are often typed."""
    return (
        isinstance(schema, Mapping)
        and schema.get("type") == "string"
        and not set(schema) - {"type", "format", "description", "example", "title"}
    )


def _headers(doc: Document, pointer: str, response: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for name, raw in _mapping(response.get("headers")).items():
        if str(name).lower() == "content-type":
            continue
        header_ptr, header = doc.deref(raw, join(pointer, "headers", name))
        found[str(name).lower()] = (header_ptr, _mapping(header))
    return found


def _stability_name(op: Mapping[str, Any]) -> str:
    for key in ("x-stability-level", "x-stability"):
        value = op.get(key)
        if isinstance(value, str) and value.lower() in _STABILITY_RANK:
            return value.lower()
    return "stable"


def _stability(op: Mapping[str, Any]) -> int:
    return _STABILITY_RANK[_stability_name(op)]


def _sunset(op: Mapping[str, Any]) -> Any:
    """The sunset date an operation announces: `x-sunset`, or its `Sunset` response
    header's example (RFC 8594), as written in the spec."""
    if op.get("x-sunset") is not None:
        return op["x-sunset"]
    for response in _mapping(op.get("responses")).values():
        for name, header in _mapping(_mapping(response).get("headers")).items():
            if str(name).lower() != "sunset":
                continue
            header = _mapping(header)
            schema = _mapping(header.get("schema"))
            for value in (header.get("example"), schema.get("example"), schema.get("default")):
                if value is not None:
                    return value
    return None


def _parse_date(value: Any) -> date | None:
    """ISO 8601 dates and date-times (YAML may load them as such) and HTTP dates."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _original_key(owner: Mapping[str, Any], code: str) -> str:
    for key in _mapping(owner.get("responses")):
        if str(key).upper() == code:
            return str(key)
    return code


def _names(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def _security_text(alternative: Alternative) -> str:
    if not alternative:
        return "(none)"
    parts = []
    for scheme, scopes in sorted(alternative):
        parts.append(f"{scheme}[{_names(scopes)}]" if scopes else scheme)
    return " + ".join(parts)


def _alternatives_text(alternatives: Iterable[Alternative]) -> str:
    return " or ".join(sorted(_security_text(alternative) for alternative in alternatives))


def _scheme_text(scheme: Any) -> str:
    """What a client must do to authenticate with a scheme (descriptions do not count)."""
    scheme = _mapping(scheme)
    kind = str(scheme.get("type", ""))
    if kind == "apiKey":
        return f"apiKey in {scheme.get('in')} {str(scheme.get('name', '')).lower()}"
    if kind == "http":
        return f"http {str(scheme.get('scheme', '')).lower()}"
    if kind == "openIdConnect":
        return f"openIdConnect {scheme.get('openIdConnectUrl')}"
    if kind == "oauth2":
        flows = _mapping(scheme.get("flows"))
        parts = []
        for flow in sorted(flows):
            urls = _mapping(flows[flow])
            parts.append(
                f"{flow}({urls.get('authorizationUrl', '')} {urls.get('tokenUrl', '')})".replace(
                    " )", ")"
                )
            )
        return "oauth2 " + ", ".join(parts)
    return show(dict(scheme))
