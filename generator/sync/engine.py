"""One sync run: index -> pages -> documents -> merged spec -> overlays -> snapshot.

Every page is revalidated with a conditional request (ETag / Last-Modified from the lock
file), because an edited page rarely changes the index (Mintlify's llms.txt lists titles and
URLs, not content); when every page answers 304 and nothing else changed, the run writes
nothing. `index_only=True` asks about the index alone: when it is unchanged (304, or the same
sha256), the page selection settings and the overlays are those of the last run, and the spec
file is the one the last run wrote, the run returns at once and touches nothing. An unchanged
index with changed overlays or settings rebuilds from the stored pages.

A listed page without an OpenAPI block keeps its operation (unfenced.py): from the whole
published spec when `spec_url` names one, else from the last snapshot; operations only the
whole spec has are added too, each stored as a page file under a `<spec_url>#METHOD /path` key.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ApigenError, GenerationError, InputError, UpstreamError
from ..loader import parse_document
from ..workarea import WORK_DIR_NAME, WorkArea
from .extract import (
    NO_BLOCK,
    ApiFilter,
    Fence,
    PageDocument,
    Skipped,
    dropped_notice,
    extract_page,
    parse_fence,
)
from .fetch import Fetched, Fetcher, Sleep, UrlPolicy, Validators, open_client
from .index import parse_index, select_pages
from .merge import merge_documents
from .overlay import apply_overlays, overlay_files, overlays_digest
from .store import (
    LOCK_FILE,
    LockState,
    PageRecord,
    owned_files,
    page_file_name,
    recover_interrupted_swap,
    sha256,
    write_snapshot,
)
from .summary import compare_specs
from .unfenced import (
    Operation,
    describe,
    has_operation,
    identify_operation,
    operation_document,
    operations_of,
)
from .urls import normalise_url

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SyncSettings:
    """Where the upstream pages are and how carefully to fetch them."""

    api_dir: Path  # specs/<api>
    index_url: str
    page_prefixes: tuple[str, ...]
    allowed_hosts: tuple[str, ...] = ()
    api_title: str | None = None  # keep only documents with this info.title ...
    server_url: str | None = None  # ... and this server URL
    spec_url: str | None = None  # the whole published spec: the source of unfenced operations
    spec_file: str = "openapi.json"
    max_pages: int = 2000
    max_page_bytes: int = 5 * 1024 * 1024
    max_spec_bytes: int = 50 * 1024 * 1024
    concurrency: int = 8
    timeout: float = 30.0  # seconds per attempt
    retries: int = 4
    lock_timeout: float = 600.0  # seconds to wait for another sync of the same API
    work_dir: Path | None = None  # the project's .apigen/ (default: beside specs/)
    index_only: bool = False  # an unchanged index means unchanged pages (no page requests)

    def __post_init__(self) -> None:
        if "/" in self.spec_file or self.spec_file.startswith(".") or not self.spec_file:
            raise InputError(f"spec file {self.spec_file!r} must be a plain file name")
        if self.spec_file in (LOCK_FILE, "pages"):
            raise InputError(f"spec file {self.spec_file!r} clashes with the sync snapshot")
        if not self.page_prefixes:
            raise InputError("sync: no page prefixes configured")
        for name in ("max_pages", "max_page_bytes", "concurrency"):
            if getattr(self, name) < 1:
                raise InputError(f"sync: {name} must be at least 1")
        if self.retries < 0 or self.timeout <= 0:
            raise InputError("sync: retries must be >= 0 and timeout > 0")

    @property
    def work_area(self) -> WorkArea:
        root = self.work_dir or self.api_dir.absolute().parent.parent / WORK_DIR_NAME
        return WorkArea(root, self.api_dir.name)

    def selection(self) -> dict[str, Any]:
        return {
            "page_prefixes": list(self.page_prefixes),
            "allowed_hosts": list(self.allowed_hosts),
            "api_title": self.api_title,
            "server_url": self.server_url,
            **({"spec_url": self.spec_url} if self.spec_url else {}),
        }


@dataclass(frozen=True)
class SyncResult:
    """What a sync found and did."""

    changed: bool  # the merged spec differs (as data) from the spec file that was on disk
    snapshot_changed: bool  # some file sync owns differs (rewritten unless check_only)
    written: bool
    spec_path: Path
    snapshot_date: str | None  # of the snapshot on disk after this run (UTC, ISO 8601)
    index_unchanged: bool
    pages_total: int = 0
    pages_downloaded: int = 0
    pages_not_modified: int = 0
    operations_added: list[str] = field(default_factory=list)
    operations_removed: list[str] = field(default_factory=list)
    operations_changed: list[str] = field(default_factory=list)
    schemas_added: list[str] = field(default_factory=list)
    schemas_removed: list[str] = field(default_factory=list)
    schemas_changed: list[str] = field(default_factory=list)
    security_changed: bool = False
    security_old: list[str] = field(default_factory=list)
    security_new: list[str] = field(default_factory=list)
    pages_without_openapi: list[str] = field(default_factory=list)  # "URL: METHOD /path from ..."
    operations_only_in_whole_spec: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["spec_path"] = str(self.spec_path)
        return data

    def summary_lines(self) -> list[str]:
        """A short human-readable change summary (empty when the spec did not change)."""
        if not self.changed:
            return []
        lines = []
        for label, items in (
            ("operations added", self.operations_added),
            ("operations removed", self.operations_removed),
            ("operations changed", self.operations_changed),
            ("schemas added", self.schemas_added),
            ("schemas removed", self.schemas_removed),
            ("schemas changed", self.schemas_changed),
        ):
            if items:
                lines.append(f"{label} ({len(items)}): {', '.join(items)}")
        if self.security_changed:
            old, new = ", ".join(self.security_old), ", ".join(self.security_new)
            lines.append(f"authentication changed: {old or '(none)'} -> {new or '(none)'}")
        return lines


def run_sync(
    settings: SyncSettings,
    *,
    check_only: bool = False,
    offline: bool = False,
    progress: Progress | None = None,
    sleep: Sleep = asyncio.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_wait: Callable[[str], None] = lambda message: None,
) -> SyncResult:
    """Bring `settings.api_dir` up to date with upstream (see the module docstring).

    check_only: fetch and compare, write nothing. offline: no network; rebuild the spec from
    the stored pages (useful after editing overlays). Raises UpstreamUnreachable when the index
    cannot be fetched, UpstreamError for any other upstream fault, Busy when another run holds
    the API's lock longer than `lock_timeout` (`on_wait` is told when the wait begins); in
    every case the snapshot on disk is left exactly as it was. A check reads without the lock:
    the snapshot is only ever replaced whole.
    """
    api_dir, area = settings.api_dir, settings.work_area
    try:
        if check_only:
            return _Run(settings, check_only, progress, sleep, now).execute(offline)
        with area.lock(timeout=settings.lock_timeout, on_wait=on_wait):
            recover_interrupted_swap(api_dir, area)
            area.clean_scratch()
            api_dir.mkdir(parents=True, exist_ok=True)
            return _Run(settings, check_only, progress, sleep, now).execute(offline)
    except OSError as exc:
        raise GenerationError(f"{api_dir}: {exc.strerror or exc}") from None


@dataclass
class _Page:
    url: str
    record: PageRecord
    document: PageDocument | None = None
    skipped: Skipped | None = None
    text: str | None = None  # of a page without an OpenAPI block, fetched in this run
    kept: _Stored | None = None  # answered 304: the last run's copy, not read yet


@dataclass(frozen=True)
class _WholeSpec:
    """The whole spec; without a document when it answered 304 (the last run's documents
    from it stand: `unchanged` holds its operations that no page documents)."""

    url: str
    sha256: str
    validators: Validators
    document: dict[str, Any] | None
    unchanged: list[_Page] = field(default_factory=list)


WHOLE_SPEC = "the whole spec"
LAST_SNAPSHOT = "the last snapshot"


def _is_whole_spec_key(url: str) -> bool:
    """Lock keys of operations only the whole spec has: `<spec_url>#METHOD /path` (page URLs
    never carry a fragment)."""
    return "#" in url


def _file_url(page: _Page) -> str:
    """The URL a page's file is named after; `whole-spec/<method>/<path>` for an operation
    only the whole spec has."""
    if page.document is None or not _is_whole_spec_key(page.url):
        return page.url
    return f"https://whole-spec/whole-spec/{page.document.method}{page.document.path}"


def _operation(label: str | None) -> Operation | None:
    method, _, path = (label or "").partition(" ")
    return (method.lower(), path) if method and path.startswith("/") else None


@dataclass
class _Stored:
    url: str
    record: PageRecord
    fence_body: str | None  # None for a page that was skipped


@dataclass
class _Index:
    url: str
    sha256: str
    validators: Validators
    unchanged: bool


class _Run:
    def __init__(
        self,
        settings: SyncSettings,
        check_only: bool,
        progress: Progress | None,
        sleep: Sleep,
        now: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.check_only = check_only
        self.progress = progress
        self.sleep = sleep
        self.now = now
        self.api_filter = ApiFilter(settings.api_title, settings.server_url)
        self.notices: list[str] = []
        self.current = owned_files(settings.api_dir, settings.spec_file)
        self.previous = self._previous_lock()
        self.overlays = overlay_files(settings.api_dir)
        self.overlays_sha256 = overlays_digest(self.overlays)
        self.downloaded = 0
        self.not_modified = 0

    def _previous_lock(self) -> LockState | None:
        data = self.current.get(LOCK_FILE)
        if data is None:
            return None
        try:
            return LockState.from_bytes(data)
        except ValueError as exc:
            self.notices.append(f"ignoring {LOCK_FILE} ({exc}): fetching everything afresh")
            return None

    def _snapshot_intact(self) -> bool:
        """The last run's output is on disk, built with today's settings and overlays."""
        previous, spec = self.previous, self.current.get(self.settings.spec_file)
        return (
            previous is not None
            and spec is not None
            and sha256(spec) == previous.spec_sha256
            and previous.selection == self.settings.selection()
            and previous.overlays_sha256 == self.overlays_sha256
        )

    def execute(self, offline: bool) -> SyncResult:
        return self.offline() if offline else asyncio.run(self.online())

    def offline(self) -> SyncResult:
        previous = self.previous
        if previous is None:
            self.notices.append("no sync snapshot yet: the spec file is used as it is")
            return self._nothing_to_do(index_unchanged=True)
        pages = []
        for url, record in previous.pages.items():
            stored = self._stored(url, record)
            page = self._reuse(stored) if stored else None
            if page is None:
                raise InputError(
                    f"{self.settings.api_dir}: the snapshot lacks the page of {url}; sync online"
                )
            pages.append(page)
        index = _Index(
            previous.index_url, previous.index_sha256, previous.index_validators, unchanged=True
        )
        return self._build(index, pages)

    async def online(self) -> SyncResult:
        settings, previous = self.settings, self.previous
        policy = UrlPolicy(settings.index_url, settings.allowed_hosts, settings.page_prefixes)
        if settings.spec_url is not None:
            try:
                policy.check(normalise_url(settings.spec_url))
            except UpstreamError as exc:  # a config error, found before any request
                raise InputError(f"spec_url: {exc} (list its host in allowed_hosts)") from None
        async with open_client(
            policy, timeout=settings.timeout, concurrency=settings.concurrency
        ) as client:
            fetcher = Fetcher(
                client,
                policy,
                timeout=settings.timeout,
                retries=settings.retries,
                max_bytes=settings.max_page_bytes,
                sleep=self.sleep,
            )
            known = (
                previous
                if previous is not None
                and previous.index_url == settings.index_url
                and previous.selection == settings.selection()
                else None
            )
            fetched = await fetcher.fetch(
                settings.index_url,
                known.index_validators if known else Validators(),
                is_index=True,
            )
            index = self._index(fetched, known)
            if index.unchanged and self._snapshot_intact() and settings.index_only:
                return self._nothing_to_do(index_unchanged=True)

            if fetched.body is None:
                assert known is not None  # a 304 answers only our conditional request
                urls = [url for url in known.pages if not _is_whole_spec_key(url)]
            else:
                urls = self._page_urls(_decode(fetched.body, settings.index_url), policy)
            if len(urls) > settings.max_pages:
                raise UpstreamError(
                    f"{settings.index_url}: lists {len(urls)} API pages, "
                    f"more than the limit of {settings.max_pages}"
                )

            reuse = index.unchanged and settings.index_only
            pages: list[_Page] = []
            to_fetch: list[tuple[str, _Stored | None]] = []
            for url in urls:
                record = known.pages.get(url) if known else None
                stored = self._stored(url, record) if record else None
                page = self._reuse(stored) if stored and reuse else None
                if page is not None:
                    pages.append(page)
                else:
                    to_fetch.append((url, stored))
            pages += await self._fetch_pages(fetcher, to_fetch)
            whole = await self._fetch_whole_spec(fetcher, policy, known, pages)
            if (
                index.unchanged
                and self.downloaded == 0
                and (whole is None or whole.document is None)
                and self._snapshot_intact()
            ):  # every page (and the whole spec) answered 304: the snapshot stands as it is
                return self._nothing_to_do(index_unchanged=True)
            pages = await self._read_kept(fetcher, pages)
        return self._build(index, pages, whole)

    async def _fetch_whole_spec(
        self, fetcher: Fetcher, policy: UrlPolicy, known: LockState | None, pages: list[_Page]
    ) -> _WholeSpec | None:
        """The whole published spec, or None when the config names none. Asked conditionally
        when the last run's documents from it can stand (no page without a block came back
        changed): a 304 then gives a `_WholeSpec` without a document, and those stand."""
        url = self.settings.spec_url
        if url is None:
            return None
        before = known.whole_spec if known else None
        reusable = before is not None and not any(
            _is_unfenced(page) and page.text is not None for page in pages
        )
        stored = self._stored_whole_spec_pages(known) if reusable and known else None
        validators = before.validators if before and stored is not None else Validators()
        fetcher = fetcher.with_limit(self.settings.max_spec_bytes)
        fetched = await fetcher.fetch(url, validators)
        if fetched.body is None:
            if before is None or stored is None:
                raise UpstreamError(f"{url}: HTTP 304 to an unconditional request")
            self.not_modified += 1
            return _WholeSpec(url, before.sha256, fetched.validators, None, stored)
        self.downloaded += 1
        try:
            spec = parse_document(fetched.body, url)
        except InputError as exc:
            raise UpstreamError(str(exc)) from None
        version = spec.get("openapi")
        if not (isinstance(version, str) and version.startswith("3.")):
            raise UpstreamError(f"{url}: not an OpenAPI 3 document (openapi: {version!r})")
        mismatch = self.api_filter.mismatch(spec)
        if mismatch:
            raise UpstreamError(f"{url}: the whole spec is {mismatch}")
        return _WholeSpec(url, sha256(fetched.body), fetched.validators, spec)

    def _stored_whole_spec_pages(self, known: LockState) -> list[_Page] | None:
        """The operations only the whole spec had last time, read again; None if one is lost."""
        pages = []
        for url, record in known.pages.items():
            if _is_whole_spec_key(url):
                stored = self._stored(url, record)
                page = self._reuse(stored) if stored else None
                if page is None:
                    return None
                pages.append(page)
        return pages

    def _index(self, fetched: Fetched, known: LockState | None) -> _Index:
        if fetched.body is None:
            if known is None:
                raise UpstreamError(f"{fetched.url}: HTTP 304 to an unconditional request")
            return _Index(fetched.url, known.index_sha256, known.index_validators, unchanged=True)
        digest = sha256(fetched.body)
        unchanged = known is not None and known.index_sha256 == digest
        return _Index(fetched.url, digest, fetched.validators, unchanged)

    def _page_urls(self, text: str, policy: UrlPolicy) -> list[str]:
        selection = select_pages(
            parse_index(text, self.settings.index_url), self.settings.page_prefixes
        )
        self.notices += [f"skipped {refused}" for refused in selection.refused]
        urls = []
        for url in selection.urls:
            try:
                policy.check(url)
            except UpstreamError as exc:
                self.notices.append(f"skipped {exc}")
                continue
            urls.append(url)
        return urls

    def _stored(self, url: str, record: PageRecord) -> _Stored | None:
        """The page as the last run kept it, or None when that copy is missing."""
        if record.skipped is not None:
            return _Stored(url, record, None)
        data = self.current.get(record.file or "")
        if data is None or record.operation is None:
            return None
        try:
            return _Stored(url, record, data.decode())
        except UnicodeDecodeError:
            return None

    def _reuse(self, stored: _Stored) -> _Page | None:
        """The kept copy parsed again, or None when it is unusable (edited by hand?)."""
        url, record = stored.url, stored.record
        if stored.fence_body is None:
            return _Page(url, record, skipped=Skipped(url, record.skipped or ""))
        method, _, path = (record.operation or "").partition(" ")
        fence = Fence(method.lower(), path, stored.fence_body, body_line=1)
        try:
            result = parse_fence(url, fence, self.api_filter)
        except ApigenError:
            return None
        if isinstance(result, Skipped):
            return _Page(url, dataclasses.replace(record, skipped=result.reason), skipped=result)
        return _Page(url, record, document=result)

    async def _read_kept(self, fetcher: Fetcher, pages: list[_Page]) -> list[_Page]:
        """Pages that answered 304, read again from the snapshot; a copy that no longer
        parses (edited by hand?) is fetched again, whole."""
        read = []
        for page in pages:
            if page.kept is None:
                read.append(page)
                continue
            reused = self._reuse(page.kept)
            if reused is None:
                self.not_modified -= 1
                self.downloaded += 1
                fetched = await fetcher.fetch(page.url, Validators())
                if fetched.body is None:
                    raise UpstreamError(f"{page.url}: HTTP 304 to an unconditional request")
                reused = _extract(page.url, fetched, self.api_filter)
            read.append(reused)
        return read

    async def _fetch_pages(
        self, fetcher: Fetcher, plans: list[tuple[str, _Stored | None]]
    ) -> list[_Page]:
        """Fetch pages concurrently (bounded); the first failure cancels the others."""
        limit = asyncio.Semaphore(self.settings.concurrency)
        total, done = len(plans), 0

        async def fetch_one(url: str, stored: _Stored | None) -> _Page:
            nonlocal done
            async with limit:
                fetched = await fetcher.fetch(
                    url, stored.record.validators if stored else Validators()
                )
            done += 1
            if self.progress:
                self.progress(done, total)
            if fetched.body is None:
                if stored is None:
                    raise UpstreamError(f"{url}: HTTP 304 to an unconditional request")
                self.not_modified += 1
                return _Page(url, stored.record, kept=stored)  # read in _read_kept, if needed
            self.downloaded += 1
            return _extract(url, fetched, self.api_filter)

        tasks = [asyncio.ensure_future(fetch_one(url, stored)) for url, stored in plans]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    def _build(
        self, index: _Index, pages: list[_Page], whole: _WholeSpec | None = None
    ) -> SyncResult:
        settings, previous = self.settings, self.previous
        pages.sort(key=lambda page: page.url)
        pages = self._fill_unfenced(pages, whole)
        pages += self._whole_spec_only(pages, whole)
        pages.sort(key=lambda page: page.url)
        taken: set[str] = set()
        files: dict[str, bytes] = {}
        records: dict[str, PageRecord] = {}
        for page in pages:
            record = page.record
            if page.document is not None:
                name = page_file_name(_file_url(page), taken)
                files[name] = page.document.source.encode()
                record = dataclasses.replace(record, file=name, operation=page.document.operation)
                if page.document.dropped:
                    self.notices.append(dropped_notice(page.document))
            elif page.skipped is not None and not page.skipped.reason.startswith(NO_BLOCK):
                self.notices.append(page.skipped.notice)  # (unfenced pages were reported)
            records[page.url] = record

        merged = merge_documents([page.document for page in pages if page.document])
        spec, overlay_notices = apply_overlays(merged, self.overlays)
        self.notices += overlay_notices
        spec_bytes = (json.dumps(spec, indent=2, ensure_ascii=False) + "\n").encode()
        files[settings.spec_file] = spec_bytes

        lock = LockState(
            snapshot_date=previous.snapshot_date if previous else "",
            index_url=index.url,
            index_sha256=index.sha256,
            index_etag=index.validators.etag,
            index_last_modified=index.validators.last_modified,
            selection=settings.selection(),
            overlays_sha256=self.overlays_sha256,
            spec_sha256=sha256(spec_bytes),
            pages=records,
            whole_spec=self._whole_spec_record(whole),
        )
        files[LOCK_FILE] = lock.to_bytes()
        snapshot_changed = files != self.current
        if snapshot_changed:
            date = self.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            lock = dataclasses.replace(lock, snapshot_date=date)
            files[LOCK_FILE] = lock.to_bytes()
            if not self.check_only:
                write_snapshot(settings.api_dir, settings.spec_file, files, settings.work_area)

        old_spec = self._old_spec()
        changes = compare_specs(old_spec, spec)
        unfenced = _unfenced_report(records)
        return SyncResult(
            changed=old_spec != spec,
            snapshot_changed=snapshot_changed,
            written=snapshot_changed and not self.check_only,
            spec_path=settings.api_dir / settings.spec_file,
            snapshot_date=lock.snapshot_date if not self.check_only else self._previous_date(),
            index_unchanged=index.unchanged,
            pages_total=sum(1 for page in pages if not _is_whole_spec_key(page.url)),
            pages_downloaded=self.downloaded,
            pages_not_modified=self.not_modified,
            pages_without_openapi=unfenced[0],
            operations_only_in_whole_spec=unfenced[1],
            notices=self.notices,
            **dataclasses.asdict(changes),
        )

    # Pages without an OpenAPI block (unfenced.py) ------------------------------------------

    def _fill_unfenced(self, pages: list[_Page], whole: _WholeSpec | None) -> list[_Page]:
        """Give every page without an OpenAPI block the document of its operation, from the
        whole spec, else from the last snapshot; each is reported, none vanishes silently."""
        fenced = [p.document for p in pages if p.document and p.record.origin is None]
        old = self._old_spec()
        sources = [spec for spec in (old, whole.document if whole else None) if spec]
        known: dict[str, Any] = {}
        for spec in sources:
            paths = spec.get("paths")
            known.update(paths if isinstance(paths, dict) else {})
        top_source = fenced[0].document if fenced else (sources[-1] if sources else {})
        self._top = {k: v for k, v in top_source.items() if k not in _UNION_KEYS}
        covered = {document.operation for document in fenced}
        return [
            self._unfenced(page, whole, old, known, covered) if _is_unfenced(page) else page
            for page in pages
        ]

    def _unfenced(
        self,
        page: _Page,
        whole: _WholeSpec | None,
        old: dict[str, Any] | None,
        known: dict[str, Any],
        covered: set[str],
    ) -> _Page:
        url = page.url
        before = self.previous.pages.get(url) if self.previous else None
        operation = identify_operation(page.text, known) if page.text is not None else None
        operation = (
            operation
            or _operation(page.record.operation)
            or _operation(before.operation if before else None)
        )
        if operation is None:
            return self._unresolved(page, None, "no operation identified, none to keep")
        label = describe(operation)
        if label in covered:
            return self._unresolved(page, operation, f"{label} is documented by another page")
        fresh = whole.document if whole else None  # None: offline, or unchanged (304)
        if whole is not None and fresh is not None and has_operation(fresh, operation):
            document = operation_document(fresh, operation, self._top)
            return self._derived(page, operation, document, WHOLE_SPEC, f" {whole.url}")
        kept = page.document or self._previous_document(url, before)
        if kept is not None and kept.operation == label:
            # offline, a stored document keeps the origin it was taken from
            origin = page.record.origin if fresh is None and page.record.origin else LAST_SNAPSHOT
            return self._derived(page, operation, kept.document, origin)
        if has_operation(old, operation):
            assert old is not None
            document = operation_document(old, operation, self._top)
            return self._derived(page, operation, document, LAST_SNAPSHOT)
        return self._unresolved(page, operation, f"{label} is in no other source")

    def _derived(
        self,
        page: _Page,
        operation: Operation,
        document: dict[str, Any],
        origin: str,
        where: str = "",
    ) -> _Page:
        """The page with `document` for its operation, taken from `origin` (+ `where`)."""
        label = describe(operation)
        self.notices.append(f"{page.url}: {NO_BLOCK}: {label} taken from {origin}{where}")
        source = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        derived = PageDocument(page.url, operation[0], operation[1], document, source)
        record = dataclasses.replace(page.record, operation=label, skipped=None, origin=origin)
        return _Page(page.url, record, document=derived)

    def _unresolved(self, page: _Page, operation: Operation | None, why: str) -> _Page:
        self.notices.append(f"{page.url}: {NO_BLOCK}: {why}")
        label = describe(operation) if operation else None
        reason = f"{NO_BLOCK}: {why}"
        record = dataclasses.replace(page.record, operation=label, skipped=reason, origin=None)
        return _Page(page.url, record, skipped=Skipped(page.url, reason))

    def _previous_document(self, url: str, before: PageRecord | None) -> PageDocument | None:
        """The document the last run kept for the page, read again from its stored file."""
        if before is None or before.skipped is not None:
            return None
        stored = self._stored(url, before)
        page = self._reuse(stored) if stored else None
        return page.document if page else None

    def _whole_spec_record(self, whole: _WholeSpec | None) -> PageRecord | None:
        if whole is not None:
            etag, last_modified = whole.validators.etag, whole.validators.last_modified
            return PageRecord(sha256=whole.sha256, etag=etag, last_modified=last_modified)
        previous = self.previous.whole_spec if self.previous else None
        return previous if self.settings.spec_url else None  # offline: as it was

    def _whole_spec_only(self, pages: list[_Page], whole: _WholeSpec | None) -> list[_Page]:
        """Operations of the whole spec that no page documents: added, and reported."""
        if whole is None:
            return []
        if whole.document is None:
            return whole.unchanged
        covered = {page.document.operation for page in pages if page.document}
        extra = []
        for operation in operations_of(whole.document):
            label = describe(operation)
            if label in covered:
                continue
            document = operation_document(whole.document, operation, self._top)
            source = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
            key = f"{whole.url}#{label}"
            record = PageRecord(sha256=whole.sha256, operation=label, origin=WHOLE_SPEC)
            extra.append(_Page(key, record, PageDocument(key, *operation, document, source)))
        if extra:
            self.notices.append(
                f"{len(extra)} operation(s) only in {WHOLE_SPEC} {whole.url}: "
                + ", ".join(page.record.operation or "" for page in extra)
            )
        return extra

    def _old_spec(self) -> dict[str, Any] | None:
        data = self.current.get(self.settings.spec_file)
        if data is None:
            return None
        try:
            spec = json.loads(data)
        except ValueError:
            self.notices.append(f"{self.settings.spec_file} on disk is not valid JSON")
            return None
        return spec if isinstance(spec, dict) else None

    def _previous_date(self) -> str | None:
        return self.previous.snapshot_date if self.previous else None

    def _nothing_to_do(self, *, index_unchanged: bool) -> SyncResult:
        unfenced = _unfenced_report(self.previous.pages if self.previous else {})
        return SyncResult(
            changed=False,
            snapshot_changed=False,
            written=False,
            spec_path=self.settings.api_dir / self.settings.spec_file,
            snapshot_date=self._previous_date(),
            index_unchanged=index_unchanged,
            pages_total=sum(1 for url in self.previous.pages if not _is_whole_spec_key(url))
            if self.previous
            else 0,
            pages_not_modified=self.not_modified,
            notices=self.notices,
            pages_without_openapi=unfenced[0],
            operations_only_in_whole_spec=unfenced[1],
        )


_UNION_KEYS = {"paths", "webhooks", "components", "tags"}


def _is_unfenced(page: _Page) -> bool:
    """A listed page without an OpenAPI block (now, or already in the last run)."""
    if _is_whole_spec_key(page.url):
        return False
    return page.record.origin is not None or (page.record.skipped or "").startswith(NO_BLOCK)


def _unfenced_report(records: dict[str, PageRecord]) -> tuple[list[str], list[str]]:
    """The SyncResult fields that list where the operations of pages without an OpenAPI
    block came from, and the operations only the whole spec has."""
    pages, only_whole = [], []
    for url, record in records.items():
        if _is_whole_spec_key(url):
            only_whole.append(record.operation or "")
        elif record.origin is not None:
            pages.append(f"{url}: {record.operation} from {record.origin}")
        elif (record.skipped or "").startswith(NO_BLOCK):
            pages.append(f"{url}: {record.skipped}")
    return pages, only_whole


def _decode(body: bytes, url: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UpstreamError(f"{url}: not UTF-8 text (byte {exc.start})") from None


def _extract(url: str, fetched: Fetched, api_filter: ApiFilter) -> _Page:
    assert fetched.body is not None
    text = _decode(fetched.body, url)
    result = extract_page(url, text, api_filter)
    record = PageRecord(
        sha256=sha256(fetched.body),
        etag=fetched.validators.etag,
        last_modified=fetched.validators.last_modified,
    )
    if isinstance(result, Skipped):
        unfenced_text = text if result.reason == NO_BLOCK else None
        record = dataclasses.replace(record, skipped=result.reason)
        return _Page(url, record, skipped=result, text=unfenced_text)
    return _Page(url, record, document=result)
