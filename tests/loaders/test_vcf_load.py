"""load_vcf into the embedded store: counts, stats, replacement, and all-or-nothing failures."""

from __future__ import annotations

import gc
from datetime import datetime
from pathlib import Path

import pysam
import pytest
from pysam_alleles import alt_allele_count
from store_backends import mongodb_store
from tqdm import tqdm

from app.store import open_store
from loaders.errors import LoadError
from loaders.vcf import VcfLoadSummary, iter_variant_documents, load_vcf

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = DATA / "vcf_loader_cases.vcf"
SITES_ONLY = DATA / "vcf_sites_only.vcf"
FAULTY = DATA / "faulty"
FAULTY_VCF_CASES = sorted(path.name for path in FAULTY.iterdir() if (path / "input.vcf").is_file())


@pytest.fixture
def store(request):
    return open_store(f"mongomock://memory/vcf_load_{request.node.name[:40]}")


def _variants(store, dataset_id: str) -> list[dict]:
    return list(store.variants.find({"datasetId": dataset_id}, {"_id": 0}))


def test_load_writes_one_document_per_alt_allele_and_the_stats(store):
    summary = load_vcf(store, CASES, "cases", "hg38")
    expected = alt_allele_count(str(CASES))
    assert isinstance(summary, VcfLoadSummary)
    assert (summary.path, summary.dataset_id, summary.assembly_id) == (
        str(CASES),
        "cases",
        "GRCh38",
    )
    assert (summary.records, summary.variants, summary.samples) == (19, expected, 4)
    assert summary.seconds > 0
    assert store.variants.count_documents({"datasetId": "cases"}) == expected
    stats = store.collection("variantStats").find_one({"_id": "cases"})
    loaded_at = stats.pop("loadedAt")
    frequencies = [d["alleleFrequency"] for d in store.variants.find({"datasetId": "cases"})]
    assert stats.pop("rarestAlleleFrequency") == min(f or 0.0 for f in frequencies)
    assert stats == {
        "_id": "cases",
        "variantCount": expected,
        "sampleCount": 4,
        "sampleIds": ["S1", "S2", "S3", "S4"],
        "assemblyIds": ["GRCh38"],
        "referenceNames": ["1", "2", "X"],
        "longestVariant": 5000 - 149,
        "source": "vcf_loader_cases.vcf",
    }
    assert datetime.fromisoformat(loaded_at).utcoffset().total_seconds() == 0


def test_a_load_on_mongodb_creates_the_query_indexes():
    # the embedded store's tables carry theirs (tests/store/test_sqlite_store.py)
    store = mongodb_store()
    load_vcf(store, SITES_ONLY, "sites", "GRCh37")
    assert {"position", "gene", "variant_id"} <= set(store.variants.index_information())


def test_reloading_a_dataset_replaces_it_and_leaves_others_alone(store):
    load_vcf(store, CASES, "cases", "GRCh38")
    load_vcf(store, SITES_ONLY, "sites", "GRCh37")
    first = _variants(store, "cases")
    load_vcf(store, CASES, "cases", "GRCh38")
    assert _variants(store, "cases") == first
    assert store.variants.count_documents({"datasetId": "sites"}) == alt_allele_count(
        str(SITES_ONLY)
    )
    load_vcf(store, SITES_ONLY, "cases", "GRCh37")
    assert store.variants.count_documents({"datasetId": "cases"}) == alt_allele_count(
        str(SITES_ONLY)
    )
    stats = store.collection("variantStats").find_one({"_id": "cases"})
    # 5 ALT alleles, one of them with AC=0 (in no sample)
    assert (stats["variantCount"], stats["sampleCount"], stats["referenceNames"]) == (4, 0, ["7"])


@pytest.mark.parametrize("case", FAULTY_VCF_CASES)
def test_a_faulty_vcf_is_refused_and_the_loaded_dataset_stays(store, case):
    load_vcf(store, CASES, "kept", "GRCh38")
    before = _variants(store, "kept")
    stats_before = store.collection("variantStats").find_one({"_id": "kept"})
    releases_before = store.releases()
    path = FAULTY / case / "input.vcf"
    expected = (FAULTY / case / "expected.txt").read_text().strip()
    with pytest.raises(LoadError) as raised:
        load_vcf(store, path, "kept", "GRCh38")
    message = str(raised.value)
    assert message.startswith(str(path)), message
    assert expected in message
    assert _variants(store, "kept") == before
    assert store.collection("variantStats").find_one({"_id": "kept"}) == stats_before
    assert store.releases() == releases_before  # no release was made, none was changed


def test_faulty_cases_cover_every_kind_of_line_error():
    fields = {
        (FAULTY / case / "expected.txt").read_text().split(":")[2]
        for case in FAULTY_VCF_CASES
        if (FAULTY / case / "expected.txt").read_text().count(":") >= 3
    }
    assert {"columns", "POS", "CHROM", "REF", "ALT", "GT", "samples"} <= fields
    assert {"ID", "INFO", "INFO/END", "INFO/AC", "INFO/AN", "FORMAT", "header"} <= fields


def test_load_error_attributes(store):
    with pytest.raises(LoadError) as raised:
        load_vcf(store, FAULTY / "bad_genotype" / "input.vcf", "d", "GRCh38")
    error = raised.value
    assert (error.line, error.field) == (9, "GT")
    assert error.path == str(FAULTY / "bad_genotype" / "input.vcf")
    assert error.message == "sample S2: '0/x' is not a genotype"


def test_missing_file_and_unknown_assembly_write_nothing(store, tmp_path):
    missing = tmp_path / "missing.vcf.gz"
    with pytest.raises(LoadError) as raised:
        load_vcf(store, missing, "d", "GRCh38")
    assert str(raised.value) == f"{missing}: no such file"
    assert raised.value.line is None
    with pytest.raises(LoadError, match=r":assembly: unsupported assembly 'hg17'"):
        load_vcf(store, CASES, "d", "hg17")
    with pytest.raises(LoadError, match="not a regular file"):
        load_vcf(store, tmp_path, "d", "GRCh38")
    bcf = tmp_path / "cases.bcf"
    with pysam.VariantFile(str(CASES)) as vcf, pysam.VariantFile(str(bcf), "wb", header=vcf.header):
        pass
    with pytest.raises(LoadError, match="BCF input is not supported"):
        load_vcf(store, bcf, "d", "GRCh38")
    assert store.variants.count_documents({}) == 0
    assert store.collection("variantStats").count_documents({}) == 0


def _write_vcf(path: Path, records: int) -> Path:
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=1>",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2",
        *(f"1\t{100 + i}\t.\tA\tG\t.\tPASS\tDP={i}\tGT\t0/1\t0/0" for i in range(records)),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_corrupt_or_truncated_compressed_files_are_refused(store, tmp_path):
    plain = _write_vcf(tmp_path / "big.vcf", 6_000)  # several 64 kB BGZF blocks
    compressed = tmp_path / "big.vcf.gz"
    pysam.tabix_compress(str(plain), str(compressed))
    data = compressed.read_bytes()
    load_vcf(store, compressed, "kept", "GRCh38")
    corrupt = tmp_path / "corrupt.vcf.gz"
    middle = len(data) // 2
    corrupt.write_bytes(data[:middle] + bytes(64) + data[middle + 64 :])
    with pytest.raises(LoadError, match="corrupt or truncated after line"):
        load_vcf(store, corrupt, "kept", "GRCh38")
    truncated = tmp_path / "truncated.vcf.gz"
    truncated.write_bytes(data[:middle])
    with pytest.raises(LoadError, match="truncated"):
        load_vcf(store, truncated, "kept", "GRCh38")
    assert store.variants.count_documents({"datasetId": "kept"}) == 6_000


def test_blank_lines_between_records_lose_no_record(store, tmp_path):
    """pysam's line iterator took the first blank line for the end of the file."""
    blank = tmp_path / "blank.vcf"
    blank.write_bytes(CASES.read_bytes().replace(b"\nchr1\t500", b"\n\n \nchr1\t500"))
    summary = load_vcf(store, blank, "cases", "GRCh38")
    assert (summary.records, summary.variants) == (19, alt_allele_count(str(CASES)))


def test_a_record_too_large_for_mongodb_is_refused_at_its_line(store, tmp_path):
    """A 10 MB gene symbol is copied three times into its document (as the query field, its
    case-folded key and in the record); MongoDB refuses over 16 MB,
    and pymongo says so without a line. The embedded store would take it."""
    load_vcf(store, CASES, "kept", "GRCh38")
    before = _variants(store, "kept")
    lines = SITES_ONLY.read_text().splitlines()
    lines[-1] = lines[-1].removesuffix(".") + "GENE=" + "G" * 10_000_000  # INFO was '.'
    huge = tmp_path / "huge.vcf"
    huge.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoadError) as raised:
        load_vcf(store, huge, "kept", "GRCh38")
    assert (raised.value.line, raised.value.field) == (len(lines), "INFO")
    assert "would take 28.6 MB; MongoDB stores at most 16 MB" in raised.value.message
    assert _variants(store, "kept") == before


def test_progress_bar_goes_to_stderr(store, capsys):
    load_vcf(store, CASES, "cases", "GRCh38", progress=True)
    captured = capsys.readouterr()
    assert "records" in captured.err
    assert captured.out == ""
    load_vcf(store, CASES, "cases", "GRCh38")
    assert capsys.readouterr().err == ""


def test_progress_bar_has_a_total_a_percentage_and_a_time_left(store, tmp_path, capsys):
    """Against the file's size as stored (compressed for bgzip), so it can say how far along
    the load is; the records read so far and their rate follow."""
    plain = _write_vcf(tmp_path / "big.vcf", 6_000)
    compressed = tmp_path / "big.vcf.gz"
    pysam.tabix_compress(str(plain), str(compressed))
    for path in (plain, compressed):
        load_vcf(store, path, "d", "GRCh38", progress=True)
        shown = capsys.readouterr().err.replace("\r", "\n").splitlines()
        size = tqdm.format_sizeof(path.stat().st_size, divisor=1024)
        assert any("100%" in line and f"{size}/{size} [" in line for line in shown), shown
        last = [line for line in shown if line.strip()][-1]
        assert "6,000 records" in last and "records/s" in last, last
        assert "<00:00" in last, last  # the time left, none at the end


@pytest.mark.parametrize(
    ("byte", "field", "problem"),
    [
        (b"\0", "INFO", "a NUL byte"),
        (b"\xe9", "INFO", "byte 0xe9 is not UTF-8 text"),
        (b"\r", "INFO", "a carriage return inside the line"),
    ],
)
def test_a_stray_byte_in_a_line_across_two_reads_is_refused_at_its_line(
    store, tmp_path, byte, field, problem
):
    """Lines are checked for such bytes once per 64 kB read; one in a line that the read's
    end cuts is still found, at its line and column, and nothing is written."""
    header, body = CASES.read_bytes().split(b"\n#CHROM", 1)
    columns, first = body.split(b"\n", 2)[:2]
    prefix = header + b"\n#CHROM" + columns + b"\n"
    fields = first.split(b"\t")
    fields[7] += b";NOTE=" + b"a" * 900  # in INFO, which the loader does not read otherwise
    record = b"\t".join(fields)
    content = bytearray(prefix + b"\n".join([record] * 120) + b"\n")  # 120 kB: two reads
    # the byte goes 10 bytes before the first read's end, in the INFO of the line it cuts
    assert content[65_536 - 10] == ord("a") and content[65_536 - 10 :].index(b"\n") > 10
    content[65_536 - 10] = byte[0]
    path = tmp_path / "stray.vcf"
    path.write_bytes(bytes(content))
    line = content[: 65_536 - 10].count(b"\n") + 1
    with pytest.raises(LoadError) as raised:
        load_vcf(store, path, "stray", "GRCh38")
    assert (raised.value.line, raised.value.field) == (line, field)
    assert raised.value.message == problem
    assert _variants(store, "stray") == []


def test_the_collector_runs_rarely_while_documents_stream_and_as_before_after():
    """Documents hold no cycles: the collector's thresholds are raised while they stream and
    restored after, whether a stream ends, is abandoned, or two streams overlap."""
    before = gc.get_threshold()
    streamed = iter_variant_documents(CASES, "gc", "GRCh38")
    next(streamed)
    assert gc.get_threshold()[0] > 10 * before[0]
    assert list(streamed) and gc.get_threshold() == before
    first, second = (iter_variant_documents(CASES, name, "GRCh38") for name in "ab")
    next(first)
    next(second)
    first.close()  # abandoned before its end
    assert list(second) and gc.get_threshold() == before
    third, fourth = (iter_variant_documents(CASES, name, "GRCh38") for name in "cd")
    next(third)
    next(fourth)
    assert list(third) and list(fourth) and gc.get_threshold() == before
