"""The query budget's "rare yes" check made by the count's own read (``find_entries``' ``also``)
charges exactly what its own query charges, on both backends, over the demo variants: ranges
of every width along chromosome 1, under each budget frequency."""

from __future__ import annotations

import random

import pytest
from access.tiers import load_datasets
from store_backends import mongodb_store

from app.access.policy import PUBLIC, DatasetView, Protections
from app.entry_types import GENOMIC_VARIATION
from app.query.variants import VariantQuery, variant_selector
from app.services.datasets import known_datasets
from app.services.entries import find_entries
from app.services.protected_answers import rare_check, rare_yes_cost
from app.services.variant_selection import variant_selection
from app.store import VARIANTS, open_store
from app.store.query import Chromosome

SEED = 20261208
FREQUENCIES = (0.005, 0.02, 0.05, 0.2)


@pytest.fixture(scope="module", params=["embedded", "mongodb"])
def demo_store(request):
    if request.param == "embedded":
        return load_datasets(open_store("mongomock://memory/rare_yes_check"), ["pub"])
    return load_datasets(mongodb_store(), ["pub"])


def ranges(store, count: int) -> list[tuple[int, int]]:
    """Windows of chromosome 1 from one base to the whole of the demo's span, some empty."""
    starts = sorted(row["start"] for row in store.project(VARIANTS, Chromosome("1"), ["start"]))
    rng = random.Random(SEED)
    found = []
    for _ in range(count):
        start = rng.randrange(starts[0] - 1000, starts[-1] + 1000)
        found.append((start, start + rng.choice([1, 100, 10_000, 1_000_000, 100_000_000])))
    return found


def test_the_check_in_the_count_charges_what_its_own_query_charges(demo_store):
    (dataset,) = [d for d in known_datasets(demo_store) if d.id == "pub"]
    views = {"pub": DatasetView("pub", PUBLIC, "count")}
    charged, checked = [], 0
    for start, end in ranges(demo_store, 60):
        query = VariantQuery(assembly_id="GRCh38", reference_name="1", start=[start], end=[end])
        select = variant_selector(query)
        selection = variant_selection(
            GENOMIC_VARIATION,
            [lambda ds, select=select: select(ds.id, ds.longest_variant)],
            views,
            Protections(rare_allele_frequency=0),
        )
        for frequency in FREQUENCIES:
            apart = find_entries(
                demo_store, GENOMIC_VARIATION, [dataset], selection.conditions(), "count", 0, 10
            )
            together = find_entries(
                demo_store,
                GENOMIC_VARIATION,
                [dataset],
                selection.conditions(),
                "count",
                0,
                10,
                rare_check([dataset], frequency),
            )
            assert [r.count for r in together] == [r.count for r in apart]
            assert all(r.also_met is None for r in apart)
            checked += sum(r.also_met is not None for r in together)
            cost = rare_yes_cost(demo_store, [dataset], apart, selection, frequency)
            folded = rare_yes_cost(demo_store, [dataset], together, selection, frequency)
            assert folded == cost, (start, end, frequency)
            charged.append(cost)
    assert checked > 0
    assert 0 < sum(charged) < len(charged)  # answers that cost and answers that do not
