"""The per-identity query budget (after Raisaro et al. 2017): each "yes" answer about a rare
variant from a PUBLIC or REGISTERED dataset costs one unit; an identity whose budget for the
current period is spent gets 429 for every genomic query until the period ends.

Budgets are documents in the store, so every worker process (and a restarted one) sees the
same spending. Spending is atomic whatever the number of concurrent queries: before answering,
a query reserves what it may cost with one conditional update (it only succeeds while the
budget has room), and after answering it gives back what the answer did not cost. So an
identity never gets more answers than its budget, though queries of the same identity in
flight at the same moment may be refused while others hold the last units.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

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


class BudgetExhaustedError(Exception):
    """The identity's budget has no room for the query (answered with 429)."""

    def __init__(self, limit: int, resets_at: datetime) -> None:
        super().__init__(f"query budget of {limit} exhausted until {resets_at.isoformat()}")
        self.limit = limit
        self.resets_at = resets_at


@dataclass
class Bill:
    """What the query turned out to cost, set once it is answered (0 until then, so a query
    that fails on the way costs nothing)."""

    cost: int = 0


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

    @contextmanager
    def spending(self, identity: str, reserved: int = 1) -> Iterator[Bill]:
        """Reserve ``reserved`` units for the query run inside (BudgetExhaustedError when the
        budget has no room for them), then settle on the :class:`Bill`'s cost: the units not
        spent are given back, any beyond the reservation charged."""
        key, resets_at = self._period_key(identity)
        if not self._reserve(key, identity, resets_at, reserved):
            raise BudgetExhaustedError(self.limit, resets_at)
        bill = Bill()
        try:
            yield bill
        finally:
            self._settle(key, identity, resets_at, bill.cost - reserved)

    def charge(self, identity: str, cost: int = 1) -> BudgetState:
        """Spend ``cost`` units of the identity's budget for the current period, room or not."""
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

    def _reserve(self, key: str, identity: str, resets_at: datetime, units: int) -> bool:
        """One conditional increment: it matches only while ``units`` still fit the limit."""
        if units > self.limit:
            return False
        room = {"_id": key, "spent": {"$lte": self.limit - units}}
        update = {
            "$inc": {"spent": units},
            "$setOnInsert": {"identity": identity, "expiresAt": resets_at},
        }
        try:
            # no document yet: the upsert makes it; one without room fails to be inserted again
            self._collection.find_one_and_update(room, update, {"_id": 1}, upsert=True)
            return True
        except DuplicateKeyError:
            # full, or made by a concurrent query between our look and our insert: ask again
            return self._collection.find_one_and_update(room, update, {"_id": 1}) is not None

    def _settle(self, key: str, identity: str, resets_at: datetime, extra: int) -> None:
        if extra < 0:
            self._collection.update_one(
                {"_id": key, "spent": {"$gte": -extra}}, {"$inc": {"spent": extra}}
            )
        elif extra > 0:
            self._collection.update_one(
                {"_id": key},
                {
                    "$inc": {"spent": extra},
                    "$setOnInsert": {"identity": identity, "expiresAt": resets_at},
                },
                upsert=True,
            )

    def _period_key(self, identity: str) -> tuple[str, datetime]:
        period = int(self._clock() // self._period)
        resets_at = datetime.fromtimestamp((period + 1) * self._period, UTC)
        return f"{identity}@{period}", resets_at
