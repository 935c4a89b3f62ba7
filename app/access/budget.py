"""The per-identity query budget (after Raisaro et al. 2017): each "yes" answer about a rare
variant from a PUBLIC or REGISTERED dataset costs one unit; an identity whose budget for the
current period is spent gets 429 for every genomic query until the period ends.

Budgets are a journal of the store (``Store.budgets``), so every worker process (and a
restarted one) sees the same spending. Spending is atomic whatever the number of concurrent
queries: before answering, a query reserves what it may cost (which only succeeds while the
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

from app.store import BudgetPeriod, Store


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
        self._budgets = store.budgets
        self.limit = limit
        self._period = period_seconds
        self._clock = clock

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def state(self, identity: str) -> BudgetState:
        period = self._current_period(identity)
        return BudgetState(self._budgets.spent(period), self.limit, period.ends_at)

    @contextmanager
    def spending(self, identity: str, reserved: int = 1) -> Iterator[Bill]:
        """Reserve ``reserved`` units for the query run inside (BudgetExhaustedError when the
        budget has no room for them), then settle on the :class:`Bill`'s cost: the units not
        spent are given back, any beyond the reservation charged."""
        period = self._current_period(identity)
        if not self._budgets.reserve(period, reserved, self.limit):
            raise BudgetExhaustedError(self.limit, period.ends_at)
        bill = Bill()
        try:
            yield bill
        finally:
            extra = bill.cost - reserved
            if extra < 0:
                self._budgets.give_back(period, -extra)
            elif extra > 0:
                self._budgets.charge(period, extra)

    def charge(self, identity: str, cost: int = 1) -> BudgetState:
        """Spend ``cost`` units of the identity's budget for the current period, room or not."""
        period = self._current_period(identity)
        return BudgetState(self._budgets.charge(period, cost), self.limit, period.ends_at)

    def _current_period(self, identity: str) -> BudgetPeriod:
        index = int(self._clock() // self._period)
        ends_at = datetime.fromtimestamp((index + 1) * self._period, UTC)
        return BudgetPeriod(identity, index, ends_at)
