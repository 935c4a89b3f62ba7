"""What a budgeted query costs in the embedded store's journals, as the identities grow.

    python tests/benchmarks/bench_journals.py [--identities 1000,20000,100000] [--queries 20]

A budgeted query reads the caller's budget, charges it and appends its audit entry. The
journals are first filled with one budget per identity (and as many audit entries), then
queries by random identities are timed, each size in a store of its own on disk. The
reference is the smallest size measured in the same run: each larger size prints its cost as
a multiple of it, so a cost that grows with the number of identities shows as a ratio well
above 1. A size stops after ``--seconds`` of queries (at least one query is always timed).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

from measure import load_line, machine_line, median, percentile  # noqa: E402

from app.access import audit  # noqa: E402
from app.access.budget import QueryBudget  # noqa: E402
from app.store import BudgetPeriod, open_store  # noqa: E402

PERIOD_SECONDS = 86_400
LIMIT = 1_000_000  # never spent: every query reads, charges and logs


def fill(store, identities: int, period: int, resets_at: datetime) -> None:
    """One budget per identity (one unit spent) and one audit entry each."""
    for number in range(identities):
        store.budgets.charge(BudgetPeriod(f"token:bench|user{number}", period, resets_at), 1)
        store.audit.append(entry(number))


def entry(number: int) -> audit.AuditEntry:
    return audit.AuditEntry(
        at=datetime.now(UTC),
        who=f"token:bench|user{number}",
        authenticated=True,
        method="GET",
        endpoint="/g_variants",
        status=200,
        datasets=(("bench", "boolean"),),
        request_id=f"bench-{number}",
        query='{"referenceName": "1", "start": "1000"}',
    )


def budgeted_query(store, budget: QueryBudget, identity: str, number: int) -> None:
    """What the access layer does for one "yes" about a rare variant."""
    budget.state(identity)
    budget.charge(identity)
    audit.record(store, entry(number))


def measure(identities: int, queries: int, seconds: float) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="bench-journals-") as scratch:
        store = open_store(f"mongomock://{scratch}")
        clock = time.time
        period = int(clock() // PERIOD_SECONDS)
        resets_at = datetime.fromtimestamp((period + 1) * PERIOD_SECONDS, UTC)
        began = time.perf_counter()
        fill(store, identities, period, resets_at)
        print(f"  {identities:>7,} identities written in {time.perf_counter() - began:.1f} s")
        budget = QueryBudget(store, LIMIT, PERIOD_SECONDS)
        chooser = random.Random(identities)
        timings: list[float] = []
        stop = time.perf_counter() + seconds
        while len(timings) < queries and (not timings or time.perf_counter() < stop):
            identity = f"token:bench|user{chooser.randrange(identities)}"
            start = time.perf_counter()
            budgeted_query(store, budget, identity, len(timings))
            timings.append(time.perf_counter() - start)
        store.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--identities", default="1000,20000,100000")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0, help="per size, at most")
    arguments = parser.parse_args()
    sizes = sorted(int(value) for value in arguments.identities.split(","))
    print(machine_line())
    print(load_line("before"))
    print("budgeted query (budget read + charge + audit entry), embedded store on disk")
    results = [(size, measure(size, arguments.queries, arguments.seconds)) for size in sizes]
    reference = median(results[0][1])
    for size, timings in results:
        typical = median(timings)
        print(
            f"  {size:>7,} identities: median {typical * 1000:9.2f} ms, "
            f"p90 {percentile(timings, 90) * 1000:9.2f} ms over {len(timings)} queries "
            f"({typical / reference:6.1f}x the {sizes[0]:,}-identity reference)"
        )
    print(load_line("after"))


if __name__ == "__main__":
    main()
