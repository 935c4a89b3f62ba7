"""Fixtures shared by the HTTP tests over someone else's data (the CINECA UK1 cohort)."""

from __future__ import annotations

import pytest
from shared_data import CINECA_DATASET, CINECA_VCF, shared_file

from app.store import Store, open_store
from loaders.vcf import VcfLoadSummary, load_vcf


@pytest.fixture(scope="session")
def cineca_variants() -> tuple[Store, VcfLoadSummary]:
    """The CINECA chr22 VCF loaded once per run (GRCh37, as the file is); tests only read it,
    except the metadata tests, which add the cohort's metadata beside the variants."""
    path = shared_file(CINECA_VCF)
    store = open_store("mongomock://memory/cineca_tests")
    return store, load_vcf(store, path, CINECA_DATASET, "GRCh37")
