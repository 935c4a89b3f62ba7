"""Spending the query budget is atomic: however many queries of one identity run at once, it
never answers more than its budget allows, on every backend."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import mongomock
import pytest
from access.tiers import access_config, load_datasets

from app import create_app
from app.access.budget import BudgetExhaustedError, QueryBudget
from app.store import open_store
from app.store.collections import QUERY_BUDGETS
from app.store.mongo_journals import MongoBudgets

CALLERS = 32
LIMIT = 10


class AtomicCollection:
    """A mongomock collection whose every call is atomic, as each of MongoDB's single-document
    operations is on the server (mongomock itself interleaves threads inside one call)."""

    def __init__(self) -> None:
        self._collection = mongomock.MongoClient()["beacon"][QUERY_BUDGETS]
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Callable:
        method = getattr(self._collection, name)

        def atomic(*args, **kwargs):
            with self._lock:
                return method(*args, **kwargs)

        return atomic


class BudgetsOnly:
    """The one thing QueryBudget asks of a store: its budgets (MongoDB's over a collection as
    atomic as the server's, or the embedded store's with their calls counted)."""

    def __init__(self, budgets) -> None:
        self.budgets = budgets


@pytest.fixture(params=["embedded-memory", "embedded-disk", "mongodb"])
def budget_store(request, tmp_path):
    if request.param == "embedded-memory":
        return open_store("mongomock://memory/budget_concurrency")
    if request.param == "embedded-disk":
        return open_store(f"mongomock://{tmp_path}")
    return BudgetsOnly(MongoBudgets(AtomicCollection()))


def all_at_once(call: Callable[[], object], count: int = CALLERS) -> list[object]:
    """``count`` calls started together (each thread waits for the others before calling)."""
    barrier = threading.Barrier(count)

    def one() -> object:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(count) as pool:
        return [future.result() for future in [pool.submit(one) for _ in range(count)]]


def spend(budget: QueryBudget, identity: str, cost: int) -> bool:
    try:
        with budget.spending(identity) as bill:
            bill.cost = cost
    except BudgetExhaustedError:
        return False
    return True


def test_concurrent_queries_that_cost_never_spend_more_than_the_budget(budget_store):
    budget = QueryBudget(budget_store, limit=LIMIT, period_seconds=86_400)
    answered = all_at_once(lambda: spend(budget, "address:10.9.0.1", cost=1))
    assert answered.count(True) == LIMIT
    assert budget.state("address:10.9.0.1").spent == LIMIT


def test_queries_that_did_not_cost_give_their_unit_back(budget_store):
    """An answer that cost nothing (or a query that failed before its bill was set) spends
    nothing, so the budget ends where it started, and none of them is refused."""
    budget = QueryBudget(budget_store, limit=LIMIT, period_seconds=86_400)
    answered = all_at_once(lambda: spend(budget, "address:10.9.0.2", cost=0))
    assert answered.count(True) == CALLERS
    assert budget.state("address:10.9.0.2").spent == 0
    with pytest.raises(RuntimeError), budget.spending("address:10.9.0.2"):
        raise RuntimeError("the query failed")
    assert budget.state("address:10.9.0.2").spent == 0
    for _ in range(LIMIT):
        assert spend(budget, "address:10.9.0.2", cost=1)
    assert not spend(budget, "address:10.9.0.2", cost=0)  # full: refused, yes or no


def test_concurrent_requests_get_no_more_yes_than_the_budget(tmp_path, keys):
    """32 requests of one identity at once, each a "yes" about an uncommon allele (which costs
    one unit), against a budget of 10, on a store kept on disk as `serve` keeps it."""
    store = load_datasets(open_store(f"mongomock://{tmp_path}"), ["pub"])
    config = access_config(keys["jwks"], RARE_ALLELE_FREQUENCY=0.01, QUERY_BUDGET=LIMIT)
    app = create_app(config, store=store)
    query = (
        "/g_variants?assemblyId=GRCh38&referenceName=1&start=4272105&referenceBases=C"
        "&alternateBases=T&requestedGranularity=boolean"
    )

    def ask() -> int:
        response = app.test_client().get(query, environ_base={"REMOTE_ADDR": "10.9.1.1"})
        if response.status_code == 200:
            assert response.json["responseSummary"]["exists"] is True
        return response.status_code

    statuses = all_at_once(ask)
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == CALLERS - LIMIT


class CountedBudgets:
    """The embedded store's budgets, with every call named as it is made."""

    def __init__(self, store) -> None:
        self._budgets = store.budgets
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Callable:
        method = getattr(self._budgets, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


def test_an_answer_that_costs_nothing_only_reads_the_budget():
    budgets = CountedBudgets(open_store("mongomock://memory/budget_reads"))
    budget = QueryBudget(BudgetsOnly(budgets), limit=LIMIT, period_seconds=86_400)
    assert spend(budget, "address:10.9.0.3", cost=0)
    assert budgets.calls == ["spent"]
    assert spend(budget, "address:10.9.0.3", cost=1)
    assert budgets.calls == ["spent", "spent", "reserve"]


def test_the_last_unit_taken_while_a_query_ran_withholds_its_answer(budget_store):
    """The budget had room when the query began, but a concurrent query took the last unit
    before this one was answered: its costly answer is refused, and nothing more is spent."""
    budget = QueryBudget(budget_store, limit=1, period_seconds=86_400)
    with pytest.raises(BudgetExhaustedError), budget.spending("address:10.9.0.4") as bill:
        assert spend(budget, "address:10.9.0.4", cost=1)  # the concurrent query
        bill.cost = 1
    assert budget.state("address:10.9.0.4").spent == 1


def test_an_answer_costing_more_than_the_room_left_is_given_and_charged_whole(budget_store):
    budget = QueryBudget(budget_store, limit=2, period_seconds=86_400)
    assert spend(budget, "address:10.9.0.5", cost=1)
    assert spend(budget, "address:10.9.0.5", cost=3)  # room for one unit: answered
    assert budget.state("address:10.9.0.5").spent == 4
    assert not spend(budget, "address:10.9.0.5", cost=0)


def test_a_query_failing_after_its_bill_was_set_pays_it(budget_store):
    budget = QueryBudget(budget_store, limit=LIMIT, period_seconds=86_400)
    with pytest.raises(RuntimeError), budget.spending("address:10.9.0.6") as bill:
        bill.cost = 1
        raise RuntimeError("failed after answering")
    assert budget.state("address:10.9.0.6").spent == 1
