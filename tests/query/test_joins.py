"""Join planning between entry types: which links a condition travels through."""

from __future__ import annotations

import pytest

from app.query.joins import Step, UnjoinableError, join_steps


def test_same_type_needs_no_step():
    assert join_steps("individual", "individual") == ()


def test_individual_to_variants_goes_through_biosamples():
    assert join_steps("individual", "genomicVariation") == (
        Step("individual", "biosample", read="id", match="individualId"),
        Step("biosample", "genomicVariation", read="id", match="biosampleIds"),
    )


def test_variants_to_individuals_reads_the_carriers():
    assert join_steps("genomicVariation", "individual") == (
        Step("genomicVariation", "biosample", read="biosampleIds", match="id"),
        Step("biosample", "individual", read="individualId", match="id"),
    )


def test_runs_to_analyses_use_the_direct_run_link():
    assert join_steps("run", "analysis") == (Step("run", "analysis", read="id", match="runId"),)


@pytest.mark.parametrize("entry", ["individual", "biosample", "run", "analysis"])
def test_every_record_type_reaches_variants_and_back(entry):
    there = join_steps(entry, "genomicVariation")
    back = join_steps("genomicVariation", entry)
    assert there[-1].destination == "genomicVariation"
    assert back[-1].destination == entry


def test_collections_are_not_joinable():
    with pytest.raises(UnjoinableError):
        join_steps("cohort", "individual")
