"""The one seam between Data Connect and a query engine: run a parsed query's stages over a
table and return one page of rows. MongoDB (or the embedded store) answers through aggregation
pipelines; a Trino backend would implement the same method (docs/dataconnect.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from app.dataconnect.access import RowAccess, catalog_stages, stored_selector
from app.dataconnect.pushdown import pushed_down
from app.dataconnect.tables import Table
from app.store import Store

# Rows enter a query in _id order, so the same query pages the same way on every request.
STABLE_ORDER = {"$sort": {"_id": 1}}


class QueryBackend(Protocol):
    def page(
        self, table: Table, stages: Sequence[dict[str, Any]], offset: int, size: int
    ) -> tuple[list[dict[str, Any]], bool]:
        """Up to ``size`` result rows after ``offset``, and whether more follow."""
        ...


class MongoBackend:
    """Aggregation pipelines over what ``access`` lets the caller read; a query's row filter runs
    on the stored documents first where it can (:mod:`app.dataconnect.pushdown`), so MongoDB
    answers it from its indexes."""

    def __init__(self, store: Store, access: RowAccess) -> None:
        self._store = store
        self._access = access

    def page(
        self, table: Table, stages: Sequence[dict[str, Any]], offset: int, size: int
    ) -> tuple[list[dict[str, Any]], bool]:
        early, stages = pushed_down(stages, table.sources)
        allowed = stored_selector(
            table.dataset_field, table.catalog, table.variant_rows, self._access
        )
        pipeline = [
            {"$match": _both(allowed, early)},
            STABLE_ORDER,
            *table.base_pipeline,
            *(catalog_stages(self._access) if table.catalog else []),
            *stages,
            {"$skip": offset},
            {"$limit": size + 1},  # one more tells whether a next page exists
        ]
        rows = self._store.aggregate(table.collection, pipeline)
        return rows[:size], len(rows) > size


def _both(allowed: dict[str, Any], early: dict[str, Any] | None) -> dict[str, Any]:
    """The access selector and the pushed-down filter, as one selector."""
    parts = [part for part in (allowed, early) if part]
    return parts[0] if len(parts) == 1 else {"$and": parts} if parts else {}
