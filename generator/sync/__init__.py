"""`apigen sync`: follow an API's upstream docs (an llms.txt index of pages with OpenAPI fences).

Stages, one module each: index (parse llms.txt, pick pages) -> fetch (bounded, retried,
conditional HTTP) -> extract (the OpenAPI fence of a page) -> merge (one spec) -> overlay
(OpenAPI Overlay 1.0 patches) -> store (the snapshot under specs/<api>/, replaced atomically).
`engine.run_sync` runs them; `summary` says what changed.
"""

from __future__ import annotations

from .engine import SyncResult, SyncSettings, run_sync
from .fetch import UpstreamUnreachable
from .store import LOCK_FILE, read_lock, snapshot_date

__all__ = [
    "LOCK_FILE",
    "SyncResult",
    "SyncSettings",
    "UpstreamUnreachable",
    "read_lock",
    "run_sync",
    "snapshot_date",
]
