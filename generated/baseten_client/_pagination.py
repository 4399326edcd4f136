"""Cursor pagination: iterate over every item of a listing, fetching pages on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

FieldPath = tuple[str, ...]


def _lookup(page: object, path: FieldPath) -> Any:
    value: Any = page
    for name in path:
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


class _Cursor:
    """Tracks the next cursor; stops at the end, or when a server repeats a cursor."""

    def __init__(self, next_cursor: FieldPath, has_more: FieldPath | None) -> None:
        self._next_cursor, self._has_more = next_cursor, has_more
        self._seen: set[str] = set()
        self.value: Any = None

    def advance(self, page: object) -> bool:
        """Read the next cursor from `page`; False when there is no further page."""
        self.value = _lookup(page, self._next_cursor)
        if self.value is None or self.value == "":
            return False
        if self._has_more is not None and _lookup(page, self._has_more) is False:
            return False
        key = repr(self.value)
        if key in self._seen:
            return False  # the same cursor again would loop forever
        self._seen.add(key)
        return True


def iterate_pages(
    fetch: Callable[[Any], object],
    *,
    items: FieldPath,
    next_cursor: FieldPath,
    has_more: FieldPath | None = None,
) -> Iterator[Any]:
    """Yield the items of every page; `fetch(cursor)` gets one page (cursor None: the first)."""
    cursor = _Cursor(next_cursor, has_more)
    while True:
        page = fetch(cursor.value)
        yield from _lookup(page, items) or ()
        if not cursor.advance(page):
            return


async def aiterate_pages(
    fetch: Callable[[Any], Awaitable[object]],
    *,
    items: FieldPath,
    next_cursor: FieldPath,
    has_more: FieldPath | None = None,
) -> AsyncIterator[Any]:
    """The async twin of `iterate_pages`."""
    cursor = _Cursor(next_cursor, has_more)
    while True:
        page = await fetch(cursor.value)
        for item in _lookup(page, items) or ():
            yield item
        if not cursor.advance(page):
            return
