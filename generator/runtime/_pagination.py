"""Page objects of cursor and offset listings: iterate items across pages, fetched on demand.

    page = client.users.list(limit=50)
    for user in page:                  # every user, requesting further pages as needed
        ...
    if page.has_next_page():
        following = page.next_page()
    for each_page in page.iter_pages():
        print(len(each_page.items))

The parsed response body stays reachable as `page.body`, and its fields as attributes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # typing.Self is Python 3.11+; the client supports 3.10
    from typing_extensions import Self


__all__ = ["AsyncPage", "PageStyle", "SyncPage"]

_ItemT = TypeVar("_ItemT")
_BodyT = TypeVar("_BodyT")

FieldPath = tuple[str, ...]


@dataclass(frozen=True)
class PageStyle:
    """Where a page keeps its items and how to ask for the next one.

    Cursor listings name the field holding the next cursor; offset listings have none:
    the next offset is this page's offset plus its number of items.
    """

    items: FieldPath
    next_cursor: FieldPath | None = None
    has_more: FieldPath | None = None


def _lookup(body: object, path: FieldPath) -> Any:
    value: Any = body
    for name in path:
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


class _Page(Generic[_ItemT, _BodyT]):
    def __init__(
        self,
        body: _BodyT,
        *,
        style: PageStyle,
        fetch: Callable[[Any], Any],
        position: Any = None,
    ) -> None:
        self.body = body
        self._style = style
        self._fetch = fetch
        self._position = position  # the cursor or offset this page was requested with
        self._seen: frozenset[str] = frozenset()  # cursors already followed, against loops

    @property
    def items(self) -> list[_ItemT]:
        """The items of this page only."""
        return list(_lookup(self.body, self._style.items) or ())

    def __getattr__(self, name: str) -> Any:
        # Only called for names the page object lacks: the body's own fields.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.body, name)

    def has_next_page(self) -> bool:
        return self._next_position() is not None

    def _next_position(self) -> Any:
        style = self._style
        if style.has_more is not None and _lookup(self.body, style.has_more) is False:
            return None
        if style.next_cursor is None:
            count = len(self.items)
            return (self._position or 0) + count if count else None
        cursor = _lookup(self.body, style.next_cursor)
        if cursor is None or cursor == "" or cursor == self._position or repr(cursor) in self._seen:
            return None  # a repeated cursor would loop forever
        return cursor

    def _following(self, page: Self) -> Self:
        page._seen = self._seen | {repr(self._position)}
        return page

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items={len(self.items)}, body={self.body!r})"

    @classmethod
    def wrapper(
        cls, style: PageStyle, fetch: Callable[[Any], Any], position: Any
    ) -> Callable[[_BodyT], Self]:
        """What the client applies to the parsed body of a listing's response."""
        return lambda body: cls(body, style=style, fetch=fetch, position=position)


class SyncPage(_Page[_ItemT, _BodyT]):
    """One page of a listing; iterating it yields the items of this and all later pages."""

    def next_page(self) -> Self:
        """Request the following page; raises `LookupError` when `has_next_page()` is False."""
        position = self._next_position()
        if position is None:
            raise LookupError("No next page: check has_next_page() first")
        page: Self = self._fetch(position)
        return self._following(page)

    def iter_pages(self) -> Iterator[Self]:
        """This page, then each following one as the iteration asks for it."""
        page = self
        yield page
        while page.has_next_page():
            page = page.next_page()
            yield page

    def __iter__(self) -> Iterator[_ItemT]:
        for page in self.iter_pages():
            yield from page.items


class AsyncPage(_Page[_ItemT, _BodyT]):
    """The async twin of `SyncPage`: `async for item in page`, `await page.next_page()`."""

    async def next_page(self) -> Self:
        position = self._next_position()
        if position is None:
            raise LookupError("No next page: check has_next_page() first")
        fetch: Callable[[Any], Awaitable[Self]] = self._fetch
        return self._following(await fetch(position))

    async def iter_pages(self) -> AsyncIterator[Self]:
        page = self
        yield page
        while page.has_next_page():
            page = await page.next_page()
            yield page

    async def __aiter__(self) -> AsyncIterator[_ItemT]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item
