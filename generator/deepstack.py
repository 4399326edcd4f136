"""Run a pipeline stage with room for deeply nested specs.

The libraries apigen drives (jsonschema, datamodel-code-generator, `copy.deepcopy`) recurse
several Python frames per nesting level of a schema: with Python's default limit of 1000
frames, 80 levels of nested objects already fail. The loader caps nesting at
`loader.MAX_NESTING`; these stages run in a thread whose stack and recursion limit are sized
for that cap, so a spec the loader accepts never ends in a RecursionError.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["call_with_deep_stack"]

T = TypeVar("T")

RECURSION_LIMIT = 20_000
STACK_BYTES = 512 * 1024 * 1024  # address space only: pages are committed as they are used

_lock = threading.Lock()
_active = 0  # calls running; the first raises the recursion limit, the last restores it
_saved_limit = 0


def call_with_deep_stack(function: Callable[[], T]) -> T:
    """`function()`, run in a thread with a large stack and recursion limit; its result or
    exception is passed on as if it had been called here."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(function())
        except BaseException as exc:  # handed to the calling thread, which raises it
            failure.append(exc)

    worker = threading.Thread(target=run, name="apigen-deep-stack", daemon=True)
    _enter()
    try:
        with _lock:
            previous_size = threading.stack_size(STACK_BYTES)
            try:
                worker.start()
            except RuntimeError:  # no room for such a stack (e.g. an address-space limit)
                pass
            finally:
                threading.stack_size(previous_size)
        if worker.ident is not None:
            worker.join()
    finally:
        _leave()
    if worker.ident is None:  # not started: here, with the usual limits (common depths work)
        return function()
    if failure:
        raise failure[0]
    return outcome[0]


def _enter() -> None:
    global _active, _saved_limit
    with _lock:
        if _active == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_saved_limit, RECURSION_LIMIT))
        _active += 1


def _leave() -> None:
    global _active
    with _lock:
        _active -= 1
        if _active == 0:
            sys.setrecursionlimit(_saved_limit)
