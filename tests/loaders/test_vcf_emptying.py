"""A VCF load never replaces a dataset's variants with none: a file whose records all lack a
carrier (or that holds no record) over a dataset that has variants is refused, nothing changes,
unless --allow-empty says it is meant. A new dataset has nothing to lose."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.store import VARIANT_STATS, open_store
from loaders.emptying import EmptyingLoadError
from loaders.vcf import load_vcf

HEADER = (
    "##fileformat=VCFv4.2\n##contig=<ID=1,length=248956422>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n"
)


def _vcf(path: Path, genotypes: list[str]) -> Path:
    records = [
        f"1\t{100 * (i + 1)}\t.\tA\tG\t.\tPASS\t.\tGT\t{gt}\n" for i, gt in enumerate(genotypes)
    ]
    path.write_text(HEADER + "".join(records))
    return path


def test_a_vcf_without_carriers_does_not_empty_a_dataset(tmp_path):
    uri = f"mongomock://{tmp_path / 'store'}/emptying"
    store = open_store(uri)
    good = _vcf(tmp_path / "good.vcf", ["0/1\t0/0", "1/1\t0/1"])
    load_vcf(store, good, "d", "GRCh38")
    before = (store.active_release(), sorted(d["start"] for d in store.variants.find()))
    carrierless = _vcf(tmp_path / "carrierless.vcf", ["0/0\t0/0", "0/0\t./."])
    with pytest.raises(EmptyingLoadError, match="holds genomic variants now; this load would"):
        load_vcf(store, carrierless, "d", "GRCh38")
    assert (store.active_release(), sorted(d["start"] for d in store.variants.find())) == before
    command = ["load", "vcf", str(carrierless), "--dataset", "d", "--assembly", "GRCh38",
               "--no-progress", "--mongo-uri", uri]  # fmt: skip
    refused = CliRunner().invoke(main, command)
    assert refused.exit_code == 2, refused.output
    assert "error: this load would replace stored data with nothing" in refused.stderr
    assert store.active_release() == before[0]
    meant = CliRunner().invoke(main, [*command, "--allow-empty"])
    assert meant.exit_code == 0, meant.output
    assert store.variants.count_documents({"datasetId": "d"}) == 0
    assert store.collection(VARIANT_STATS).find_one({"_id": "d"})["variantCount"] == 0


def test_a_new_dataset_may_start_empty(tmp_path):
    store = open_store("mongomock://memory/emptying_new")
    summary = load_vcf(store, _vcf(tmp_path / "none.vcf", []), "new", "GRCh38")
    assert (summary.records, summary.variants) == (0, 0)
