"""The rule catalogue: every change the spec diff reports, with a stable id and a level.

Ids are kebab-case and never change meaning once published (CI configs and reviewers rely
on them). Levels follow oasdiff's ERR/WARN/INFO, seen from a caller of the generated client,
named the same in every report (text, markdown, JSON, CHANGES.md, `sync --json`):
`breaking` will break working callers, `possibly-breaking` may break some, `compatible`
breaks none. Request-side rules judge what the client sends, response-side rules what it
receives, so the same edit (say, a new enum value) can be harmless in one direction and
breaking in the other.

Templates use `{subject}` (a readable name derived from the JSON pointer, e.g.
`Model.name`, query parameter `limit`), `{old}` and `{new}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """How a change affects existing callers; ordered from worst to harmless."""

    BREAKING = "breaking"
    POSSIBLY_BREAKING = "possibly-breaking"
    COMPATIBLE = "compatible"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @property
    def heading(self) -> str:
        return _LEVEL_TITLE[self]


_LEVEL_RANK = {Level.BREAKING: 0, Level.POSSIBLY_BREAKING: 1, Level.COMPATIBLE: 2}
_LEVEL_TITLE = {
    Level.BREAKING: "Breaking",
    Level.POSSIBLY_BREAKING: "Possibly breaking",
    Level.COMPATIBLE: "Compatible",
}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level
    template: str


_B, _W, _I = Level.BREAKING, Level.POSSIBLY_BREAKING, Level.COMPATIBLE

_RULE_LIST = [
    # --- operations -------------------------------------------------------------------------
    Rule("operation-added", _I, "operation added"),
    Rule("operation-removed", _B, "operation removed"),
    Rule("operation-deprecated", _W, "operation deprecated"),
    Rule("operation-undeprecated", _I, "operation no longer deprecated"),
    Rule("operation-id-changed", _W, "operationId changed from `{old}` to `{new}`"),
    Rule("path-parameter-renamed", _I, "path parameter `{old}` renamed to `{new}`"),
    # --- request parameters -----------------------------------------------------------------
    Rule("request-parameter-added-required", _B, "new required {subject}"),
    Rule("request-parameter-added", _I, "new optional {subject}"),
    Rule("request-parameter-removed", _W, "{subject} removed"),
    Rule("request-parameter-became-required", _B, "{subject} became required"),
    Rule("request-parameter-became-optional", _I, "{subject} became optional"),
    # --- request body -----------------------------------------------------------------------
    Rule("request-body-added-required", _B, "required request body added"),
    Rule("request-body-added", _I, "optional request body added"),
    Rule("request-body-removed", _B, "request body removed"),
    Rule("request-body-became-required", _B, "request body became required"),
    Rule("request-body-became-optional", _I, "request body became optional"),
    Rule("request-media-type-removed", _B, "request media type `{old}` removed"),
    Rule("request-media-type-added", _I, "request media type `{new}` added"),
    Rule("request-media-type-generalized", _I, "request media type `{old}` generalized to `{new}`"),
    Rule("request-media-type-changed", _W, "request media type `{old}` replaced by `{new}`"),
    # --- request schemas (bodies and parameters) --------------------------------------------
    Rule("request-property-added-required", _B, "new required request property {subject}"),
    Rule("request-property-added", _I, "new optional request property {subject}"),
    Rule("request-property-removed", _W, "request property {subject} removed"),
    Rule("request-property-became-required", _B, "request property {subject} became required"),
    Rule("request-property-became-optional", _I, "request property {subject} became optional"),
    Rule("request-type-changed", _B, "request {subject} type changed from `{old}` to `{new}`"),
    Rule("request-type-widened", _I, "request {subject} type widened from `{old}` to `{new}`"),
    Rule("request-format-changed", _W, "request {subject} format changed from `{old}` to `{new}`"),
    Rule("request-became-nullable", _I, "request {subject} became nullable"),
    Rule("request-became-not-nullable", _B, "request {subject} no longer accepts null"),
    Rule("request-enum-value-removed", _B, "request {subject} no longer accepts `{old}`"),
    Rule("request-enum-value-added", _I, "request {subject} accepts new value(s) `{new}`"),
    Rule("request-became-enum", _B, "request {subject} restricted to the values `{new}`"),
    Rule("request-enum-removed", _I, "request {subject} no longer restricted to an enum"),
    Rule(
        "request-constraint-tightened",
        _B,
        "request {subject} constraint tightened: `{old}` -> `{new}`",
    ),
    Rule(
        "request-constraint-relaxed", _I, "request {subject} constraint relaxed: `{old}` -> `{new}`"
    ),
    Rule(
        "request-pattern-changed", _W, "request {subject} pattern changed from `{old}` to `{new}`"
    ),
    Rule(
        "request-default-value-changed",
        _W,
        "request {subject} default changed from `{old}` to `{new}`",
    ),
    Rule("request-default-value-removed", _W, "request {subject} default `{old}` removed"),
    Rule("request-default-value-added", _I, "request {subject} default `{new}` added"),
    Rule("request-variant-removed", _B, "request {subject} no longer accepts the variant `{old}`"),
    Rule("request-variant-added", _I, "request {subject} accepts a new variant `{new}`"),
    # --- responses --------------------------------------------------------------------------
    Rule("response-success-status-removed", _B, "success response `{old}` removed"),
    Rule("response-non-success-status-removed", _I, "non-success response `{old}` removed"),
    Rule("response-status-added", _I, "response `{new}` added"),
    Rule("response-media-type-removed", _B, "{subject} media type `{old}` removed"),
    Rule("response-media-type-added", _I, "{subject} media type `{new}` added"),
    Rule(
        "response-media-type-generalized",
        _W,
        "{subject} media type `{old}` generalized to `{new}`",
    ),
    Rule("response-media-type-changed", _W, "{subject} media type `{old}` replaced by `{new}`"),
    # --- response schemas -------------------------------------------------------------------
    Rule("response-property-removed", _B, "response property {subject} removed"),
    Rule("response-property-added", _I, "new response property {subject}"),
    Rule("response-property-became-optional", _B, "response property {subject} became optional"),
    Rule("response-property-became-required", _I, "response property {subject} became required"),
    Rule("response-type-changed", _B, "response {subject} type changed from `{old}` to `{new}`"),
    Rule("response-type-narrowed", _I, "response {subject} type narrowed from `{old}` to `{new}`"),
    Rule(
        "response-format-changed", _W, "response {subject} format changed from `{old}` to `{new}`"
    ),
    Rule("response-became-nullable", _B, "response {subject} became nullable"),
    Rule("response-became-not-nullable", _I, "response {subject} is no longer nullable"),
    Rule("response-enum-value-added", _W, "response {subject} may return new value(s) `{new}`"),
    Rule("response-enum-value-removed", _I, "response {subject} no longer returns `{old}`"),
    Rule(
        "response-enum-removed", _W, "response {subject} no longer restricted to the values `{old}`"
    ),
    Rule("response-became-enum", _I, "response {subject} restricted to the values `{new}`"),
    Rule(
        "response-constraint-relaxed",
        _W,
        "response {subject} constraint relaxed: `{old}` -> `{new}`",
    ),
    Rule(
        "response-constraint-tightened",
        _I,
        "response {subject} constraint tightened: `{old}` -> `{new}`",
    ),
    Rule(
        "response-pattern-changed", _W, "response {subject} pattern changed from `{old}` to `{new}`"
    ),
    Rule("response-variant-added", _W, "response {subject} may return a new variant `{new}`"),
    Rule(
        "response-variant-removed", _I, "response {subject} no longer returns the variant `{old}`"
    ),
    # --- security ---------------------------------------------------------------------------
    Rule("security-requirement-changed", _B, "security changed from `{old}` to `{new}`"),
    Rule("security-requirement-removed", _B, "security alternative `{old}` no longer accepted"),
    Rule("security-requirement-added", _I, "security alternative `{new}` added"),
    Rule("security-no-longer-required", _I, "security no longer required (was `{old}`)"),
    Rule("security-scope-added", _B, "security scheme {subject} requires new scope(s) `{new}`"),
    Rule(
        "security-scope-removed",
        _I,
        "security scheme {subject} no longer requires scope(s) `{old}`",
    ),
    Rule("security-scheme-removed", _I, "security scheme {subject} removed"),
    Rule("security-scheme-added", _I, "security scheme {subject} added"),
    Rule(
        "security-scheme-changed", _B, "security scheme {subject} changed from `{old}` to `{new}`"
    ),
    # --- the generated Python client (generator/diff/client_api.py) -------------------------
    # {subject} is e.g. method `resources.secrets.SecretsResource.delete`.
    Rule("client-object-removed", _B, "{subject} removed"),
    Rule("client-object-added", _I, "new {subject}"),
    Rule("client-object-kind-changed", _B, "{subject} changed from a {old} to a {new}"),
    Rule("client-class-base-removed", _W, "{subject} no longer derives from `{old}`"),
    Rule("client-parameter-removed", _B, "{subject}: parameter `{old}` removed"),
    Rule("client-parameter-renamed", _B, "{subject}: parameter `{old}` renamed to `{new}`"),
    Rule("client-parameter-added-required", _B, "{subject}: new required parameter `{new}`"),
    Rule("client-parameter-added", _I, "{subject}: new optional parameter `{new}`"),
    Rule("client-parameter-became-required", _B, "{subject}: parameter `{new}` became required"),
    Rule("client-parameter-kind-changed", _B, "{subject}: parameter `{old}` became `{new}`"),
    Rule("client-parameter-moved", _B, "{subject}: positional parameter `{old}` moved to {new}"),
    Rule("client-parameter-type-changed", _B, "{subject}: parameter `{old}` retyped as `{new}`"),
    Rule("client-parameter-type-widened", _I, "{subject}: parameter `{old}` widened to `{new}`"),
    Rule("client-parameter-default-changed", _W, "{subject}: default `{old}` changed to `{new}`"),
    Rule("client-return-type-changed", _B, "{subject}: return type `{old}` changed to `{new}`"),
    Rule("client-return-type-narrowed", _I, "{subject}: return type `{old}` narrowed to `{new}`"),
    Rule("client-field-type-changed", _B, "{subject}: type `{old}` changed to `{new}`"),
    Rule("client-field-became-required", _B, "{subject} became required"),
    Rule("client-field-became-optional", _I, "{subject} became optional"),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULE_LIST}
