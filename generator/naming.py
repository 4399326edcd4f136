"""Turn untrusted spec text into safe Python identifiers and docstrings.

Every name or description that reaches generated code goes through this module.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

_WORD_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Names a generated module defines or imports itself; a spec name equal to one of them is renamed.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Any", "Annotated", "BaseModel", "ConfigDict", "Enum", "Field", "Literal", "RootModel",
        "AwareDatetime", "AnyUrl", "NotGiven", "Optional", "Union", "List", "Dict", "Model",
    }
)  # fmt: skip
# Builtins that a method or attribute name must not shadow inside generated classes.
_RESERVED_ATTRIBUTES = frozenset({"self", "cls", "with_options", "_client", "_post", "_get"})


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
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _RESERVED_ATTRIBUTES:
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
