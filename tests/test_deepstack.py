"""Pipeline stages run with room for the nesting the loader accepts."""

from __future__ import annotations

import sys
import threading

import pytest

from generator.deepstack import call_with_deep_stack


def _depth(levels: int) -> int:
    return 0 if levels == 0 else 1 + _depth(levels - 1)


def test_deep_recursion_works_and_the_limit_is_restored() -> None:
    limit = sys.getrecursionlimit()
    assert call_with_deep_stack(lambda: _depth(10_000)) == 10_000
    assert sys.getrecursionlimit() == limit


def test_exceptions_reach_the_caller() -> None:
    def broken() -> None:
        raise KeyError("inner")

    with pytest.raises(KeyError, match="inner"):
        call_with_deep_stack(broken)


def test_without_room_for_a_thread_it_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    assert call_with_deep_stack(threading.current_thread) is threading.current_thread()
