"""Data Connect search latency over a 100k-variant table on the embedded store.

    python tests/benchmarks/bench_dataconnect.py [--records 100000] [--runs 9]

A generated VCF (random SNVs, 10 samples) is turned into variant documents and written into the
embedded store; then a filtered ``SELECT ... LIMIT 100`` goes through ``POST /data-connect/search``
(Flask test client, so HTTP parsing is included but no socket) ``--runs`` times. The reference,
measured in the same run, is the same filter as a plain ``find().limit(100)`` on the store: what
the store itself costs, so the ratio is what the Data Connect layer (SQL parsing, pipeline,
paging, JSON) adds. Prints p50 and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

from bench_vcf_loader import write_random_vcf  # noqa: E402

from app import create_app  # noqa: E402
from app.store import VARIANTS, open_store  # noqa: E402
from loaders.vcf import iter_variant_documents  # noqa: E402

QUERY = (
    "SELECT chromosome, start, ref, alt, allele_frequency FROM asia_beacon.beacon.variants "
    "WHERE chromosome = ? AND start BETWEEN ? AND ? AND allele_frequency > ? LIMIT 100"
)


def fill_store(records: int):
    store = open_store("mongomock://memory/bench_dataconnect")
    with tempfile.TemporaryDirectory() as scratch:
        vcf = write_random_vcf(Path(scratch) / "bench.vcf.gz", records, 10)
        documents = iter_variant_documents(vcf, "bench", "GRCh38")
        while batch := list(islice(documents, 5000)):
            store.collection(VARIANTS).insert_many(batch)
    store.ensure_indexes()
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    arguments = parser.parse_args()
    began = time.perf_counter()
    store = fill_store(arguments.records)
    count = store.collection(VARIANTS).count_documents({})
    print(f"{count:,} variant documents written in {time.perf_counter() - began:.0f} s")
    client = create_app({"TESTING": True}, store=store).test_client()
    first = store.collection(VARIANTS).find_one({}, sort=[("start", 1)])
    low, high = first["start"], first["start"] + 5_000_000
    parameters = [first["referenceName"], low, high, 0.01]
    body = {"query": QUERY, "parameters": parameters}
    selector = {
        "referenceName": first["referenceName"],
        "start": {"$gte": low, "$lte": high},
        "record.frequencyInPopulations.frequencies.alleleFrequency": {"$gt": 0.01},
    }

    def search() -> int:
        response = client.post("/data-connect/search", json=body)
        assert response.status_code == 200, response.json
        return len(response.json["data"])

    def reference() -> int:
        return len(list(store.collection(VARIANTS).find(selector, {"record": 1}).limit(100)))

    results = {}
    for name, work in (
        ("plain find().limit(100)", reference),
        ("POST /data-connect/search", search),
    ):
        timings = []
        for _ in range(arguments.runs):
            start = time.perf_counter()
            rows = work()
            timings.append(time.perf_counter() - start)
        results[name] = statistics.median(timings)
        print(f"  {name:28s} p50 {results[name] * 1000:9.1f} ms  ({rows} rows)")
    ratio = results["POST /data-connect/search"] / results["plain find().limit(100)"]
    print(f"  search / plain find: {ratio:.1f}x")


if __name__ == "__main__":
    main()
