"""The naming policy: safe Python identifiers, reserved words and collision rules.

Every name or description from a spec that reaches generated code goes through this module.

- Identifiers: any text becomes ASCII words, joined as snake_case or PascalCase; a leading
  digit gets a prefix, a Python keyword a trailing underscore.
- Reserved words come from what the generated package really defines: the members of the
  runtime's client and resource classes (introspected), the names every generated method's
  body uses, and the names the models module imports.
- Collisions: the first claimant keeps a name; later ones get a more specific name from the
  caller (owner, verb) and, only when that is taken too, a number (`unique`).
"""

from __future__ import annotations

import builtins
import functools
import keyword
import re
import unicodedata

_WORD_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Builtins that every generated method signature spells (`Mapping[str, object]`, `float`):
# a method of that name would shadow them inside its class.
SIGNATURE_BUILTINS = frozenset({"object", "str", "int", "float"})


@functools.cache
def resource_members() -> frozenset[str]:
    """Attributes the runtime's clients and resources define: a method or sub-resource of the
    same name would replace them. Imported on first use: the runtime pulls in httpx and
    pydantic, which the CLI's no-op path must not pay for."""
    from .runtime._base_client import AsyncAPIClient, SyncAPIClient
    from .runtime._resource import AsyncAPIResource, SyncAPIResource

    return (
        frozenset(
            name
            for cls in (SyncAPIClient, AsyncAPIClient, SyncAPIResource, AsyncAPIResource)
            for name in dir(cls)
            if not name.startswith("__")
        )
        | {"_client"}  # set in `__init__`, so not visible on the class
        | {"with_raw_response", "with_streaming_response"}  # defined by the client template
        | SIGNATURE_BUILTINS
    )


# Other builtin types a method may be named after (`list`): annotations in its class then
# spell them `builtins.list[...]`.
SHADOWABLE_BUILTINS = frozenset(
    name
    for name in dir(builtins)
    if name.isidentifier()
    and name.islower()
    and not name.startswith("_")
    and isinstance(getattr(builtins, name), type)
    and name not in SIGNATURE_BUILTINS
)
# Names a generated method body uses besides its arguments (its fixed keyword arguments and
# the module's imports): a spec parameter with one of them gets a trailing underscore.
METHOD_LOCALS = frozenset(
    {"self", "timeout", "extra_headers", "extra_query", "extra_body", "body", "types", "httpx",
     "cast", "build_body", "builtins", "Any", "Literal", "Mapping", "NOT_GIVEN", "NotGiven",
     "fetch_page", "position", "SyncPage", "AsyncPage", "PageStyle", "max_retries"}
)  # fmt: skip
# Names a generated models module defines or imports itself; a schema named so is renamed.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Any", "Annotated", "BaseModel", "ConfigDict", "Enum", "Field", "Literal", "RootModel",
        "AwareDatetime", "AnyUrl", "NotGiven", "Optional", "Union", "List", "Dict", "Model",
    }
)  # fmt: skip


def _ascii_words(text: str) -> list[str]:
    """Split any text into ASCII words: `getHTTPResponse v2` -> [get, HTTP, Response, v2]."""
    normalized = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words: list[str] = []
    for chunk in _WORD_SPLIT.split(normalized):
        if chunk:
            words.extend(part for part in _CAMEL_BOUNDARY.split(chunk) if part)
    return words


def snake_case(text: str, *, fallback: str = "value") -> str:
    """A valid, non-keyword snake_case identifier for any text."""
    name = "_".join(word.lower() for word in _ascii_words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_"
    return name


def pascal_case(text: str, *, fallback: str = "Model") -> str:
    """A valid PascalCase class name for any text (`deployment_v1` -> `DeploymentV1`)."""
    name = "".join(word[:1].upper() + word[1:] for word in _ascii_words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}{name}"
    if name in RESERVED_CLASS_NAMES:
        name = f"{name}Model"
    return name


def argument_name(wire_name: str, taken: set[str]) -> str:
    """A method argument for a spec name: snake_case, not shadowing `METHOD_LOCALS`, unique."""
    name = snake_case(wire_name)
    return unique(f"{name}_" if name in METHOD_LOCALS else name, taken)


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name2`, `name3`... whichever is not taken yet; records the result."""
    candidate, counter = name, 2
    while candidate in taken:
        candidate = f"{name}{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def docstring(*parts: str | None) -> str:
    """Docstring body text from spec prose: safe inside triple quotes, no trailing spaces.

    The result is embedded by the templates between `\"\"\"` delimiters, so backslashes and
    quotes are neutralised; control characters are dropped.
    """
    paragraphs = [part.strip() for part in parts if part and part.strip()]
    text = "\n\n".join(dict.fromkeys(paragraphs))  # summary often repeats the description
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = [line.rstrip() for line in text.expandtabs(4).splitlines()]
    text = "\n".join(lines).strip()
    if text.endswith('"'):
        text += " "  # a trailing quote would merge with the closing delimiter
    return text
