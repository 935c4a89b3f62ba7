"""The per-identity query budget (after Raisaro et al. 2017): each "yes" answer about a rare
variant from a PUBLIC or REGISTERED dataset costs one unit; an identity whose budget for the
current period is spent gets 429 for every genomic query until the period ends.

Budgets are a journal of the store (``Store.budgets``), so every worker process (and a
restarted one) sees the same spending. Spending is atomic whatever the number of concurrent
queries: before answering, a query only reads the budget (429 when it is spent); once
answered, an answer that costs takes its unit with one conditional write that succeeds only
while the budget has room, and is refused (429) when another query took the last unit first.
So an identity never gets more answers than its budget, and the many answers that cost
nothing write nothing: two write transactions per query were a sixth of a count's CPU.
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
    def spending(self, identity: str) -> Iterator[Bill]:
        """Run the query inside while the budget has room (BudgetExhaustedError when it is
        spent), then charge the :class:`Bill`'s cost: its first unit only while there is still
        room (BudgetExhaustedError, the answer withheld, when a concurrent query took the last
        one), the rest whatever the room, as one answer costs what it costs. A query that
        fails on the way pays what its bill says by then."""
        period = self._current_period(identity)
        if self._budgets.spent(period) >= self.limit:
            raise BudgetExhaustedError(self.limit, period.ends_at)
        bill = Bill()
        try:
            yield bill
        except BaseException:
            if bill.cost > 0:
                self._budgets.charge(period, bill.cost)
            raise
        if bill.cost <= 0:
            return
        if not self._budgets.reserve(period, 1, self.limit):
            raise BudgetExhaustedError(self.limit, period.ends_at)
        if bill.cost > 1:
            self._budgets.charge(period, bill.cost - 1)

    def charge(self, identity: str, cost: int = 1) -> BudgetState:
        """Spend ``cost`` units of the identity's budget for the current period, room or not."""
        period = self._current_period(identity)
        return BudgetState(self._budgets.charge(period, cost), self.limit, period.ends_at)

    def _current_period(self, identity: str) -> BudgetPeriod:
        index = int(self._clock() // self._period)
        ends_at = datetime.fromtimestamp((index + 1) * self._period, UTC)
        return BudgetPeriod(identity, index, ends_at)
