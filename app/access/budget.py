"""The per-identity query budget (after Raisaro et al. 2017): each "yes" answer about a rare
variant from a PUBLIC or REGISTERED dataset costs one unit; an identity whose budget for the
current period is spent gets 429 for every genomic query until the period ends.

Budgets are documents in the store, so every worker process (and a restarted one) sees the
same spending; the increment is one atomic update.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo import ReturnDocument

from app.store import Store
from app.store.collections import QUERY_BUDGETS


@dataclass(frozen=True)
class BudgetState:
    spent: int
    limit: int
    resets_at: datetime

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.limit


class QueryBudget:
    def __init__(
        self,
        store: Store,
        limit: int,
        period_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._collection = store.collection(QUERY_BUDGETS)
        self.limit = limit
        self._period = period_seconds
        self._clock = clock

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def state(self, identity: str) -> BudgetState:
        key, resets_at = self._period_key(identity)
        document = self._collection.find_one({"_id": key}, {"spent": 1}) or {}
        return BudgetState(int(document.get("spent", 0)), self.limit, resets_at)

    def charge(self, identity: str, cost: int = 1) -> BudgetState:
        """Spend ``cost`` units of the identity's budget for the current period."""
        key, resets_at = self._period_key(identity)
        document = self._collection.find_one_and_update(
            {"_id": key},
            {
                "$inc": {"spent": cost},
                "$setOnInsert": {"identity": identity, "expiresAt": resets_at},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return BudgetState(int(document["spent"]), self.limit, resets_at)

    def _period_key(self, identity: str) -> tuple[str, datetime]:
        period = int(self._clock() // self._period)
        resets_at = datetime.fromtimestamp((period + 1) * self._period, UTC)
        return f"{identity}@{period}", resets_at
