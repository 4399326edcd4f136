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
    # A deprecated operation may go once its sunset date (`x-sunset`, or a `Sunset` response
    # header's example) has passed, or when it named none; before that date it is a break.
    Rule(
        "operation-removed-before-sunset",
        _B,
        "deprecated operation removed before its sunset `{old}`",
    ),
    Rule(
        "operation-removed-after-sunset",
        _I,
        "deprecated operation removed after its sunset `{old}`",
    ),
    Rule("operation-removed-after-deprecation", _W, "deprecated operation removed"),
    Rule("operation-sunset-moved-earlier", _B, "sunset moved earlier from `{old}` to `{new}`"),
    Rule("operation-stability-decreased", _B, "stability lowered from `{old}` to `{new}`"),
    Rule("operation-stability-increased", _I, "stability raised from `{old}` to `{new}`"),
    Rule("webhook-added", _I, "webhook added"),
    Rule("webhook-removed", _B, "webhook removed"),
    Rule("callback-added", _I, "callback {subject} added"),
    Rule("callback-removed", _B, "callback {subject} removed"),
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
    # A parameter left out is filled in by the server: its default is part of the contract.
    Rule(
        "request-parameter-default-value-changed",
        _B,
        "{subject} default changed from `{old}` to `{new}`",
    ),
    Rule("request-parameter-default-value-added", _B, "{subject} default `{new}` added"),
    Rule("request-parameter-default-value-removed", _B, "{subject} default `{old}` removed"),
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
    Rule("request-media-type-schema-added", _B, "request media type `{new}` now has a schema"),
    Rule(
        "request-media-type-schema-removed", _I, "request media type `{old}` no longer has a schema"
    ),
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
        "request-constraint-added",
        _W,
        "request {subject} gained a first limit: `{old}` -> `{new}`",
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
    Rule("request-const-added", _B, "request {subject} fixed to the value `{new}`"),
    Rule("request-const-removed", _I, "request {subject} no longer fixed to `{old}`"),
    Rule(
        "request-const-changed", _B, "request {subject} fixed value changed from `{old}` to `{new}`"
    ),
    Rule(
        "request-extensible-enum-value-removed",
        _B,
        "request {subject} no longer accepts the x-extensible-enum value(s) `{old}`",
    ),
    Rule(
        "request-extensible-enum-value-added",
        _I,
        "request {subject} accepts new x-extensible-enum value(s) `{new}`",
    ),
    Rule(
        "request-discriminator-mapping-removed",
        _W,
        "request {subject} no longer accepts the discriminator value(s) `{old}`",
    ),
    Rule(
        "request-discriminator-mapping-added",
        _I,
        "request {subject} accepts new discriminator value(s) `{new}`",
    ),
    Rule(
        "request-discriminator-mapping-changed",
        _W,
        "request {subject} discriminator value(s) map to other schemas: `{new}`",
    ),
    Rule(
        "request-discriminator-property-changed",
        _W,
        "request {subject} discriminator property changed from `{old}` to `{new}`",
    ),
    Rule(
        "request-required-property-became-not-read-only",
        _B,
        "required request property {subject} is no longer read-only: callers must send it",
    ),
    Rule(
        "request-required-property-became-read-only",
        _I,
        "required request property {subject} became read-only",
    ),
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
    Rule("response-media-type-schema-added", _I, "{subject} media type `{new}` now has a schema"),
    Rule(
        "response-media-type-schema-removed",
        _W,
        "{subject} media type `{old}` no longer has a schema",
    ),
    # --- response headers -------------------------------------------------------------------
    Rule("response-header-removed", _B, "required response {subject} removed"),
    Rule("response-optional-header-removed", _W, "optional response {subject} removed"),
    Rule("response-header-became-optional", _B, "response {subject} became optional"),
    Rule("response-header-added", _I, "new response {subject}"),
    # --- response schemas -------------------------------------------------------------------
    Rule("response-property-removed", _B, "required response property {subject} removed"),
    Rule("response-optional-property-removed", _W, "optional response property {subject} removed"),
    Rule("response-property-added", _I, "new response property {subject}"),
    Rule("response-property-became-optional", _B, "response property {subject} became optional"),
    Rule("response-property-became-required", _I, "response property {subject} became required"),
    Rule("response-type-changed", _B, "response {subject} type changed from `{old}` to `{new}`"),
    Rule("response-type-narrowed", _I, "response {subject} type narrowed from `{old}` to `{new}`"),
    Rule("response-type-widened", _B, "response {subject} type widened from `{old}` to `{new}`"),
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
        _B,
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
    Rule("response-variant-added", _B, "response {subject} may return a new variant `{new}`"),
    # Object members of an anyOf often overlap: old payloads may well match the new one too.
    Rule(
        "response-any-of-variant-added",
        _W,
        "response {subject} may return a new anyOf variant `{new}`",
    ),
    Rule(
        "response-variant-removed", _I, "response {subject} no longer returns the variant `{old}`"
    ),
    Rule("response-const-added", _I, "response {subject} fixed to the value `{new}`"),
    Rule("response-const-removed", _B, "response {subject} no longer fixed to `{old}`"),
    Rule(
        "response-const-changed",
        _B,
        "response {subject} fixed value changed from `{old}` to `{new}`",
    ),
    # x-extensible-enum (Zalando guidelines): clients must expect unknown values anyway.
    Rule(
        "response-extensible-enum-value-added",
        _I,
        "response {subject} may return new x-extensible-enum value(s) `{new}`",
    ),
    Rule(
        "response-extensible-enum-value-removed",
        _I,
        "response {subject} no longer returns the x-extensible-enum value(s) `{old}`",
    ),
    Rule(
        "response-discriminator-mapping-added",
        _W,
        "response {subject} may return new discriminator value(s) `{new}`",
    ),
    Rule(
        "response-discriminator-mapping-removed",
        _I,
        "response {subject} no longer returns the discriminator value(s) `{old}`",
    ),
    Rule(
        "response-discriminator-mapping-changed",
        _W,
        "response {subject} discriminator value(s) map to other schemas: `{new}`",
    ),
    Rule(
        "response-discriminator-property-changed",
        _W,
        "response {subject} discriminator property changed from `{old}` to `{new}`",
    ),
    Rule(
        "response-required-property-became-write-only",
        _B,
        "required response property {subject} became write-only: no longer returned",
    ),
    Rule(
        "response-required-property-became-not-write-only",
        _I,
        "required response property {subject} is no longer write-only",
    ),
    # --- security ---------------------------------------------------------------------------
    Rule("security-requirement-changed", _B, "security changed from `{old}` to `{new}`"),
    Rule("security-requirement-removed", _B, "security alternative `{old}` no longer accepted"),
    Rule("security-requirement-added", _I, "security alternative `{new}` added"),
    Rule("security-no-longer-required", _I, "security no longer required (was `{old}`)"),
    # Callers that sent no credentials fail; clients configured with credentials do not.
    Rule("security-now-required", _W, "authentication now required: `{new}`"),
    Rule("security-scope-added", _W, "security scheme {subject} requires new scope(s) `{new}`"),
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


# JSON Schema 2020-12 keywords (OpenAPI 3.1), by rule-id fragment. Adding one constrains
# what is valid: breaking for what the client sends, compatible for what it receives;
# removing one is the reverse (for prefixItems too, the other way round: it frees the first
# items from `items`). Subschemas inside these keywords are compared like any schema; an
# entry of patternProperties or dependentSchemas added or removed is the keyword added or
# removed; `not`, plain values (dependentRequired, contentMediaType...) and a boolean schema
# replaced by an object are reported as changed.
SCHEMA_KEYWORDS = {
    "if": "if",
    "then": "then",
    "else": "else",
    "prefixItems": "prefix-items",
    "contains": "contains",
    "dependentRequired": "dependent-required",
    "dependentSchemas": "dependent-schemas",
    "unevaluatedProperties": "unevaluated-properties",
    "unevaluatedItems": "unevaluated-items",
    "patternProperties": "pattern-properties",
    "propertyNames": "property-names",
    "not": "not",
    "contentMediaType": "content-media-type",
    "contentEncoding": "content-encoding",
    "contentSchema": "content-schema",
}


def keyword_rule(direction: str, keyword: str, action: str) -> str:
    """The id of the rule for `keyword` `action`ed ("added", "removed", "changed")."""
    return f"{direction}-{SCHEMA_KEYWORDS[keyword]}-{action}"


def _keyword_rules() -> list[Rule]:
    found = []
    for keyword in SCHEMA_KEYWORDS:
        for direction, added, removed in (("request", _B, _I), ("response", _I, _B)):
            if keyword == "prefixItems":
                added, removed = removed, added
            found += [
                Rule(
                    keyword_rule(direction, keyword, "added"),
                    added,
                    f"{direction} {{subject}} gained `{keyword}`: `{{new}}`",
                ),
                Rule(
                    keyword_rule(direction, keyword, "removed"),
                    removed,
                    f"{direction} {{subject}} lost `{keyword}`: `{{old}}`",
                ),
            ]
            if keyword not in ("dependentSchemas", "patternProperties"):  # compared per entry
                found.append(
                    Rule(
                        keyword_rule(direction, keyword, "changed"),
                        _B,
                        f"{direction} {{subject}} `{keyword}` changed from `{{old}}` to `{{new}}`",
                    )
                )
    return found


_RULE_LIST += _keyword_rules()

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULE_LIST}
