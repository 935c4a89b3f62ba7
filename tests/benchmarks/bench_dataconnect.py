"""Data Connect search latency over the variant store of the query benchmarks.

    python tests/benchmarks/bench_dataconnect.py [--store DIR | --variants 1000000
        --root /tmp/asia-beacon-bench --cache /tmp/asia-beacon-bench/vcf] [--runs 21]

The store is an existing embedded store (``--store``, opened as ``sqlite:///DIR``), else the
one ``variant_store.py`` builds (1M panel sites by default), where Data Connect's SQL runs on
the store's engine. Through the Flask test client (HTTP parsing included, no socket), and an
anonymous caller reading every dataset at record granularity as PUBLIC with the rare-allele
protection on, it times:

- ``GROUP BY chromosome``: ``SELECT chromosome, COUNT(*) ... GROUP BY chromosome`` over every
  variant (``--runs`` / 5 times, at least 3);
- the region SELECT of ``bench_serving.py``: ``chromosome = ? AND start BETWEEN ? AND ?`` over
  1 Mb windows, ``LIMIT 100`` (``--runs`` windows drawn at random over GRCh38);
- the reference, in the same run: a bare Flask ``POST`` answering a small JSON body through the
  same test client.

Prints p50 of each and its ratio to the bare POST.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

import numpy as np  # noqa: E402
from flask import Flask, jsonify, request  # noqa: E402
from variant_store import GRCH38_LENGTHS, UNSPENDABLE_BUDGET, build_store  # noqa: E402

from app import create_app  # noqa: E402
from app.store import open_store  # noqa: E402

TABLE = "asia_beacon.beacon.variants"
GROUP_SQL = f"SELECT chromosome, COUNT(*) AS n FROM {TABLE} GROUP BY chromosome"
REGION_SQL = (
    f"SELECT chromosome,start,ref,alt,allele_frequency FROM {TABLE} "
    "WHERE chromosome=? AND start BETWEEN ? AND ? LIMIT 100"
)
CONFIG: dict[str, Any] = {
    "TESTING": True,
    "ACCESS_GRANULARITY": {"PUBLIC": "record", "REGISTERED": "record", "CONTROLLED": "record"},
    "QUERY_BUDGET": UNSPENDABLE_BUDGET,
}
WINDOW = 1_000_000


def bare_client() -> Any:
    application = Flask("bare")

    @application.post("/bare")
    def bare() -> Any:
        request.get_json()
        return jsonify({"data_model": {}, "data": [{"n": 1}]})

    return application.test_client()


def timed(work: Any, times: int) -> tuple[float, Any]:
    timings, answer = [], None
    for _ in range(times):
        began = time.perf_counter()
        answer = work()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument(
        "--store", type=Path, default=None, help="an existing store directory (sqlite:///DIR)"
    )
    parser.add_argument("--root", type=Path, default=Path("/tmp/asia-beacon-bench"))
    parser.add_argument("--cache", type=Path, default=None)
    arguments = parser.parse_args()
    if arguments.store is None:
        directory = arguments.root / f"sqlite-panel-{arguments.variants}"
        built = build_store(
            directory, arguments.variants, arguments.cache or arguments.root / "vcf"
        )
        arguments.store = built.directory
    store = open_store(f"sqlite://{arguments.store.resolve()}")
    client = create_app(CONFIG, store=store).test_client()
    rng = np.random.default_rng(7)
    names = list(GRCH38_LENGTHS)
    weights = np.array([GRCH38_LENGTHS[name] for name in names], dtype=float)
    bodies = []
    for _ in range(arguments.runs):
        chromosome = str(rng.choice(names, p=weights / weights.sum()))
        start = int(rng.integers(0, GRCH38_LENGTHS[chromosome] - WINDOW))
        bodies.append({"query": REGION_SQL, "parameters": [chromosome, start, start + WINDOW]})

    def search(body: dict[str, Any]) -> list[dict[str, Any]]:
        response = client.post("/data-connect/search", json=body)
        assert response.status_code == 200, response.json
        return response.json["data"]

    bare = bare_client()
    bare_p50, _ = timed(lambda: bare.post("/bare", json=bodies[0]).json, arguments.runs)
    group_p50, groups = timed(lambda: search({"query": GROUP_SQL}), max(3, arguments.runs // 5))
    region_timings = []
    rows = 0
    for body in bodies:
        began = time.perf_counter()
        rows += len(search(body))
        region_timings.append(time.perf_counter() - began)
    region_p50 = statistics.median(region_timings)
    total = sum(row["n"] for row in groups)
    print(f"store: {arguments.store} ({total:,} variant rows visible to the caller)")
    print(f"  {'bare POST':<34} p50 {bare_p50 * 1000:9.2f} ms")
    print(
        f"  {'GROUP BY chromosome':<34} p50 {group_p50 * 1000:9.1f} ms  "
        f"{group_p50 / bare_p50:9.0f}x bare  ({len(groups)} groups)"
    )
    print(
        f"  {'region SELECT 1 Mb LIMIT 100':<34} p50 {region_p50 * 1000:9.2f} ms  "
        f"{region_p50 / bare_p50:9.1f}x bare  ({rows / len(bodies):.0f} rows on average)"
    )


if __name__ == "__main__":
    main()
