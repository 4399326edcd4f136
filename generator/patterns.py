"""Regular expressions from a spec, run only on a linear-time engine.

A spec's `pattern` comes from whoever wrote the spec: Python's `re` backtracks, so
`^(a+)+$` against 34 "a"s and a "!" takes minutes. Every spec-supplied pattern apigen
evaluates (validating defaults) goes through pydantic-core's Rust engine instead, the one
generated clients use: linear time, and no look-around or back-references, which it
refuses to compile. Such a pattern is not evaluated (validation) or dropped (client models).
"""

from __future__ import annotations

import functools

from pydantic_core import SchemaError, SchemaValidator, ValidationError, core_schema

__all__ = ["linear_search", "unsupported_reason"]


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> SchemaValidator | str:
    """A validator matching `pattern` anywhere in a string (like `re.search`), or why the
    Rust engine cannot compile it."""
    try:
        return SchemaValidator(core_schema.str_schema(pattern=pattern, regex_engine="rust-regex"))
    except SchemaError as exc:
        # "Error building "str" validator:\n  SchemaError: regex parse error:\n ... error: x"
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[-1].removeprefix("SchemaError: ").removeprefix("error: ")
        return reason.rstrip(".") or "cannot be compiled"


def unsupported_reason(pattern: str) -> str | None:
    """Why generated clients (pydantic's Rust regex engine) cannot use `pattern`, or None."""
    compiled = _compiled(pattern)
    return compiled if isinstance(compiled, str) else None


def linear_search(pattern: str, text: str) -> bool | None:
    """Whether `pattern` matches somewhere in `text` (`re.search` semantics), in time
    linear in `text`; None when the linear engine cannot compile `pattern`."""
    compiled = _compiled(pattern)
    if isinstance(compiled, str):
        return None
    try:
        compiled.validate_python(text)
    except ValidationError:
        return False
    return True
