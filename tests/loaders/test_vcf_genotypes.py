"""Genotype counting: the numpy batch path against hand counts, the plain parse and pysam."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from pysam_alleles import expected_alleles
from shared_data import CINECA_VCF, shared_file

from app.genome import HEMIZYGOUS, HOMOZYGOUS
from app.store.carrier_cases import CarrierCases
from loaders.vcf import iter_variant_documents
from loaders.vcf.genotypes import GenotypeCounter, MalformedGenotypeError

DATA = Path(__file__).resolve().parents[1] / "data"
CINECA_RECORDS = 1500
SAMPLES = ("S1", "S2", "S3", "S4")


def _carriers(counts, alt: int) -> list[tuple[str, str]]:
    return [(c["biosampleId"], c["zygosity"]["label"]) for c in counts.carriers.get(alt, [])]


def _count(rows: list[str], alt_counts: list[int], gt_indexes: list[int] | None = None):
    counter = GenotypeCounter(SAMPLES)
    return counter.count([row.encode() for row in rows], alt_counts, gt_indexes or [0] * len(rows))


def test_hand_counted_rows():
    rows = [
        "0/0\t0/1\t1/1\t./.",  # AC 3, AN 6
        "1/2\t0/1\t2|2\t0|0",  # two ALTs
        "1\t0\t.\t0/1",  # haploid calls, one missing
        "./.\t./.\t.\t./.",  # nothing called
        "0/1:10\t1|1:12\t0/0:8\t./.:0",  # more FORMAT keys after GT
        "1/.\t./1\t0/.\t0/0",  # half-missing calls still count their called allele
    ]
    first, second, haploid, missing, with_keys, half = _count(rows, [1, 2, 1, 1, 1, 1])
    assert (first.allele_counts, first.allele_number) == ([3], 6)
    assert _carriers(first, 1) == [("S2", "heterozygous"), ("S3", "homozygous")]
    assert (second.allele_counts, second.allele_number) == ([2, 3], 8)
    assert _carriers(second, 1) == [("S1", "heterozygous"), ("S2", "heterozygous")]
    assert _carriers(second, 2) == [("S1", "heterozygous"), ("S3", "homozygous")]
    assert (haploid.allele_counts, haploid.allele_number) == ([2], 4)
    assert _carriers(haploid, 1) == [("S1", "hemizygous"), ("S4", "heterozygous")]
    assert (missing.allele_counts, missing.allele_number, missing.carriers) == ([0], 0, {})
    assert (with_keys.allele_counts, with_keys.allele_number) == ([3], 6)
    assert (half.allele_counts, half.allele_number) == ([2], 5)
    assert _carriers(half, 1) == [("S1", "heterozygous"), ("S2", "heterozygous")]


def test_rows_the_numpy_path_cannot_decode_take_the_plain_parse():
    alts = 11
    rows = [
        "0/10\t11/1\t0/0\t./.",  # two-digit allele indexes
        "0/1/1\t1/1/1\t0/0/0\t1",  # triploid and haploid mixed
        "0/1\t0/0\t0/0\t0/0",  # a simple row in the same batch
    ]
    two_digit, triploid, simple = _count(rows, [alts, 1, 1])
    assert two_digit.allele_counts == [1] + [0] * 8 + [1, 1]
    assert two_digit.allele_number == 6
    assert _carriers(two_digit, 10) == [("S1", "heterozygous")]
    assert _carriers(two_digit, 11) == [("S2", "heterozygous")]
    assert (triploid.allele_counts, triploid.allele_number) == ([6], 10)
    assert _carriers(triploid, 1) == [
        ("S1", "heterozygous"),
        ("S2", "homozygous"),
        ("S4", "hemizygous"),
    ]
    assert (simple.allele_counts, simple.allele_number) == ([1], 8)


def test_gt_not_first_in_format_is_still_read():
    (counts,) = _count(["10:0/1\t12:1/1\t8:0/0\t0:./."], [1], [1])
    assert (counts.allele_counts, counts.allele_number) == ([3], 6)


def test_more_than_nine_alts_with_one_digit_calls_keeps_every_alt():
    (counts,) = _count(["0/1\t0/2\t0/0\t0/0"], [12])
    assert counts.allele_counts == [1, 1] + [0] * 10


def test_more_alts_than_a_16_bit_integer_holds_are_counted():
    """The allele-range check once cast ALT counts to int16: 40,000 ALTs overflowed it."""
    first, second = _count(["0/1\t0/0\t1/1\t./.", "0/0\t0/0\t0/0\t0/1"], [40_000, 1])
    assert (first.allele_counts[:2], len(first.allele_counts), first.allele_number) == (
        [3, 0],
        40_000,
        6,
    )
    assert (second.allele_counts, second.allele_number) == ([1], 8)


def test_allele_indexes_of_thousands_of_digits_are_out_of_range_not_a_crash():
    """int() refuses strings over 4,300 digits; such an index is beyond any ALT anyway."""
    with pytest.raises(MalformedGenotypeError, match=r"allele in '0/1111.*\.\.\.' but"):
        _count(["0/0\t0/" + "1" * 5000 + "\t0/0\t0/0"], [1])
    (padded,) = _count(["0/0000000000001\t0/0\t0/0\t0/0"], [1])
    assert padded.allele_counts == [1]


@pytest.mark.parametrize(
    ("row", "alt_count", "sample", "message"),
    [
        ("0/1\t0/x\t0/0\t0/0", 1, 1, "'0/x' is not a genotype"),
        ("0/1\t0/0\t\t0/0", 1, 2, "empty genotype"),
        ("0/1\t0/0\t0/2\t0/0", 1, 2, "allele in '0/2' but the record has 1 ALT allele(s)"),
        ("0/1\t0/0\t0/0\t0/12", 11, 3, "allele in '0/12' but the record has 11 ALT allele(s)"),
        ("0/1\t0/0\tA/0\t0/0", 1, 2, "'A/0' is not a genotype"),
    ],
)
def test_malformed_genotypes_name_the_sample(row, alt_count, sample, message):
    with pytest.raises(MalformedGenotypeError) as raised:
        _count(["0/0\t0/0\t0/0\t0/0", row], [1, alt_count])
    assert (raised.value.row, raised.value.sample) == (1, sample)
    assert message in raised.value.message


def test_the_first_bad_row_of_a_batch_is_reported():
    rows = ["0/0\t0/0\t0/3\t0/0", "0/0\t0/z\t0/0\t0/0"]  # a fast-path error after a slow one
    with pytest.raises(MalformedGenotypeError) as raised:
        _count(list(reversed(rows)), [1, 1])
    assert (raised.value.row, raised.value.sample) == (0, 1)


def _random_rows(rng: np.random.Generator, n_rows: int, n_samples: int):
    """Rows of random calls: diploid phased/unphased, haploid, missing, with or without DP."""
    rows, alt_counts = [], []
    for row in range(n_rows):
        alt_count = int(rng.integers(1, 5))
        choices = [*map(str, range(alt_count + 1)), "."]
        weights = [0.7] + [0.25 / alt_count] * alt_count + [0.05]
        first = rng.choice(choices, n_samples, p=weights)
        second = rng.choice(choices, n_samples, p=weights)
        separators = rng.choice(["/", "|"], n_samples)
        haploid = rng.random(n_samples) < (0.3 if row % 3 == 0 else 0.0)
        cells = [
            a if is_haploid else f"{a}{separator}{b}"
            for a, separator, b, is_haploid in zip(first, separators, second, haploid, strict=True)
        ]
        if row % 4 == 1:
            depths = rng.integers(0, 99, n_samples)
            cells = [f"{cell}:{depth}" for cell, depth in zip(cells, depths, strict=True)]
        rows.append("\t".join(cells).encode())
        alt_counts.append(alt_count)
    return rows, alt_counts


def test_numpy_path_agrees_with_the_plain_parse_on_random_calls():
    samples = tuple(f"S{i}" for i in range(37))
    counter = GenotypeCounter(samples)
    rows, alt_counts = _random_rows(np.random.default_rng(20261124), 300, len(samples))
    # one mixed batch (columns found from the tabs) and one of three-byte calls only (read in
    # place): both layouts of the numpy path
    fixed_width = [i for i, row in enumerate(rows) if len(row) == 4 * len(samples) - 1]
    assert 50 < len(fixed_width) < len(rows)
    for batch in (range(len(rows)), fixed_width):
        batch_rows = [rows[i] for i in batch]
        batch_alts = [alt_counts[i] for i in batch]
        counted = counter.count(batch_rows, batch_alts, [0] * len(batch_rows))
        for row, alt_count, counts in zip(batch_rows, batch_alts, counted, strict=True):
            assert counts == counter.count_row_in_python(row, alt_count, 0)


def _compare_with_pysam(path: Path, max_records: int | None = None) -> int:
    """Per-ALT AC, AN and carriers of our documents against pysam's per-sample GTs."""
    expected = expected_alleles(str(path), max_records)
    documents = list(islice(iter_variant_documents(path, "d", "GRCh38"), len(expected)))
    assert len(documents) == len(expected)
    for allele, document in zip(expected, documents, strict=True):
        where = f"{allele.chrom}:{allele.pos} {allele.ref}>{allele.alt}"
        # bases are upper-cased; symbolic alleles and breakends are kept as written
        assert document["alternateBases"] == (
            allele.alt.upper() if allele.alt.isalpha() else allele.alt
        ), where
        record = document["record"]
        carriers = [
            (case["biosampleId"], case["zygosity"]["label"])
            for case in record.get("caseLevelData", [])
        ]
        assert carriers == list(allele.carriers), where
        frequencies = record.get("frequencyInPopulations")
        if not allele.allele_number or allele.allele_count is None:
            assert frequencies is None, where
            continue
        (frequency,) = frequencies[0]["frequencies"]
        assert frequency["alleleCount"] == allele.allele_count, where
        assert frequency["alleleNumber"] == allele.allele_number, where
        assert frequency["alleleFrequency"] == pytest.approx(
            allele.allele_count / allele.allele_number
        )
    return len(expected)


@pytest.mark.parametrize("name", ["vcf_loader_cases.vcf", "vcf_sites_only.vcf"])
def test_counts_match_pysam_on_the_hand_written_vcfs(name):
    assert _compare_with_pysam(DATA / name) > 0


def test_counts_match_pysam_on_the_cineca_cohort():
    cineca_vcf = shared_file(CINECA_VCF)
    # nearly every record has an allele some sample carries (the others make no document)
    assert _compare_with_pysam(cineca_vcf, CINECA_RECORDS) >= 0.95 * CINECA_RECORDS


def test_the_numpy_path_says_where_each_carrier_sits_among_the_samples():
    """The store takes a ``CarrierCases``'s positions without reading its entries back, so
    each position must name the entry's sample, and the homozygous and hemizygous positions
    exactly the entries of that zygosity, on every row and ALT."""
    samples = tuple(f"S{i}" for i in range(41))
    counter = GenotypeCounter(samples)
    rows, alt_counts = _random_rows(np.random.default_rng(20261207), 200, len(samples))
    counted = counter.count(rows, alt_counts, [0] * len(rows))
    lists = 0
    for counts in counted:
        for alt, cases in counts.carriers.items():
            assert type(cases) is CarrierCases
            assert cases.samples is counter.sample_names
            assert (
                list(cases.names)
                == counts.carrier_names[alt]
                == [case["biosampleId"] for case in cases]
            )
            assert [samples[at] for at in cases.positions] == list(cases.names)
            by_label = {
                label: {
                    at
                    for at, case in zip(cases.positions, cases, strict=True)
                    if case["zygosity"] == term
                }
                for label, term in (("hom", HOMOZYGOUS), ("hemi", HEMIZYGOUS))
            }
            assert set(cases.homozygous) == by_label["hom"]
            assert set(cases.hemizygous) == by_label["hemi"]
            assert len(cases.homozygous) == len(by_label["hom"])
            lists += 1
    assert lists > 300  # every ALT of most rows has carriers
    assert any(cases.hemizygous for counts in counted for cases in counts.carriers.values())
