"""``skip_invalid``: bad records are set aside in a rejects file and counted, the others loaded
as pysam reads them; records dropped for other reasons are counted too."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest
from click.testing import CliRunner
from pysam_alleles import SKIPPED_ALTS, alt_allele_count, expected_alleles

from app.cli import main
from app.store import open_store
from loaders.emptying import EmptyingLoadError
from loaders.errors import LoadError
from loaders.vcf import RejectLimit, TooManyRejectedError, load_vcf
from loaders.vcf.load import VcfDocumentStream
from loaders.vcf.rejects import RejectedRecords

SAMPLES = ("S1", "S2", "S3")
HEADER = (
    "##fileformat=VCFv4.2",
    "##contig=<ID=1,length=1000000>",
    "##contig=<ID=2,length=1000000>",
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(SAMPLES),
)
GENOTYPES = ("0/1\t0/0\t1/1", "0|0\t0/1\t./.", "1/1\t0/1\t0/0", "0/1\t1/2\t0/0")
RECORDS = 5_000  # a few 2,000-line batches (3 samples)


def _good_line(index: int) -> str:
    alts = "G,T" if index % 4 == 3 else "G"
    return f"1\t{100 + index}\t.\tA\t{alts}\t.\tPASS\t.\tGT\t{GENOTYPES[index % 4]}"


# Each kind of bad record, at data-record indexes spread over the batches: the first, one in
# the middle of the second batch, one at a batch's edge, the last.
BAD_RECORDS = {
    0: "1\tabc\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0",  # POS
    # AC (Number=A) of a record without GT: one value per ALT of an undecomposed site
    1_999: "1\t2099\t.\tA\tG\t.\tPASS\tAC=2,1;AN=6\tDP\t9\t9\t9",
    2_000: "1\t2100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/2\t0/0",  # an allele beyond ALT (numpy pass)
    2_500: "1\t2600\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/x\t0/0",  # not a genotype (numpy pass)
    2_501: "1\t2601\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0",  # a sample column missing
    RECORDS - 1: "3\t5099\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0",  # an undeclared contig
}
BAD_FIELDS = {0: "POS", 1_999: "INFO/AC", 2_000: "GT", 2_500: "GT", 2_501: "samples"}
BAD_FIELDS[RECORDS - 1] = "CHROM"
FIRST_DATA_LINE = len(HEADER) + 1


def _write(path: Path, bad: dict[int, str], records: int = RECORDS) -> Path:
    body = [bad.get(index, _good_line(index)) for index in range(records)]
    path.write_text("\n".join([*HEADER, *body]) + "\n")
    return path


def _without_lines(path: Path, numbers: set[int], target: Path) -> Path:
    """The VCF less some lines: what pysam must read the same as the load."""
    lines = path.read_bytes().split(b"\n")
    target.write_bytes(b"\n".join(line for n, line in enumerate(lines, 1) if n not in numbers))
    return target


def _rejects(path: Path) -> list[tuple[str, bytes]]:
    """(problem, line) pairs of a rejects file."""
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) % 2 == 1
    return [(lines[i].decode(), lines[i + 1]) for i in range(0, len(lines) - 1, 2)]


def _rows(documents) -> list[tuple]:
    return sorted(
        (d["referenceName"], d["start"] + 1, d["referenceBases"], d["alternateBases"])
        for d in documents
    )


def _expected_rows(path: Path) -> list[tuple]:
    return sorted(
        (allele.chrom, allele.pos, allele.ref, allele.alt) for allele in expected_alleles(str(path))
    )


@pytest.fixture
def store(request):
    return open_store(f"mongomock://memory/vcf_skip_{request.node.name[:40]}")


@pytest.fixture
def bad_vcf(tmp_path) -> Path:
    return _write(tmp_path / "cohort.vcf", BAD_RECORDS)


@pytest.mark.parametrize("compression", ["plain", "bgzip"])
def test_bad_records_are_rejected_one_by_one_and_the_others_loaded(
    store, bad_vcf, tmp_path, compression
):
    path = bad_vcf
    if compression == "bgzip":
        path = tmp_path / "cohort.vcf.gz"
        pysam.tabix_compress(str(bad_vcf), str(path))
    summary = load_vcf(store, path, "d", "GRCh38", skip_invalid=True)
    bad_lines = {FIRST_DATA_LINE + index for index in BAD_RECORDS}
    truth = _without_lines(bad_vcf, bad_lines, tmp_path / "truth.vcf")
    assert _rows(store.variants.find({"datasetId": "d"})) == _expected_rows(truth)
    assert (summary.records, summary.rejected, summary.loaded) == (
        RECORDS,
        len(BAD_RECORDS),
        RECORDS - len(BAD_RECORDS),
    )
    assert summary.variants == alt_allele_count(str(truth))
    assert summary.rejects_file == str(tmp_path / "cohort.rejects.txt")
    rejected = _rejects(Path(summary.rejects_file))
    source_lines = bad_vcf.read_bytes().split(b"\n")
    assert [line for _, line in rejected] == [source_lines[n - 1] for n in sorted(bad_lines)]
    assert [problem.split(":", 3)[:3] for problem, _ in rejected] == [
        [str(path), str(FIRST_DATA_LINE + index), BAD_FIELDS[index]]
        for index in sorted(BAD_RECORDS)
    ]
    assert rejected[3][0].endswith(":GT: sample S2: '0/x' is not a genotype")


def test_many_bad_genotypes_in_a_batch_reject_exactly_their_records(store, tmp_path):
    """Every seventh record has a GT the batch pass refuses: each alone is rejected."""
    fixed = "\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t"
    bad = {
        index: f"1\t{100 + index}{fixed}{'0/3' if index % 2 else '1/y'}\t0/0"
        for index in range(3, RECORDS, 7)
    }
    path = _write(tmp_path / "genotypes.vcf", bad)
    summary = load_vcf(store, path, "d", "GRCh38", skip_invalid=True)
    numbers = {FIRST_DATA_LINE + index for index in bad}
    truth = _without_lines(path, numbers, tmp_path / "truth.vcf")
    assert _rows(store.variants.find({"datasetId": "d"})) == _expected_rows(truth)
    rejected = _rejects(Path(summary.rejects_file))
    assert [int(problem.split(":")[1]) for problem, _ in rejected] == sorted(numbers)
    assert {problem.split(":", 3)[2] for problem, _ in rejected} == {"GT"}


def test_rejects_are_written_as_the_file_is_read(store, tmp_path):
    """Thousands of bad lines in a row are not held until the end (memory stays flat)."""
    bad = {index: f"1\t{index}x\t.\tA\tG" for index in range(4_500)}
    path = _write(tmp_path / "bad_start.vcf", bad, records=8_000)
    rejects = RejectedRecords(str(path))
    stream = VcfDocumentStream(path, "d", "GRCh38", rejects=rejects)
    documents = iter(stream)
    assert next(documents)["start"] == 99 + 4_500  # the first document, in the third batch
    assert rejects.held < 2_000
    assert 2_000 <= rejects.path.read_bytes().count(b"\n") // 2 < 4_500  # written, but all
    documents.close()
    assert len(_rejects(rejects.path)) == 4_500


def test_without_skip_invalid_the_first_bad_record_stops_the_load(store, bad_vcf):
    load_vcf(store, bad_vcf, "d", "GRCh38", skip_invalid=True)
    before = list(store.variants.find({}, {"_id": 0}))
    with pytest.raises(LoadError) as raised:
        load_vcf(store, bad_vcf, "d", "GRCh38")
    assert (raised.value.line, raised.value.field) == (FIRST_DATA_LINE, "POS")
    assert list(store.variants.find({}, {"_id": 0})) == before
    # the batch pass finds a bad GT before a later line's problem is reported
    later = _write(bad_vcf.parent / "later.vcf", {2_000: BAD_RECORDS[2_000], 2_100: "1\tx"})
    with pytest.raises(LoadError) as raised:
        load_vcf(store, later, "d", "GRCh38")
    assert (raised.value.line, raised.value.field) == (FIRST_DATA_LINE + 2_000, "GT")


def test_rejects_go_to_the_folder_given(store, bad_vcf, tmp_path):
    folder = tmp_path / "rejected" / "here"
    summary = load_vcf(store, bad_vcf, "d", "GRCh38", skip_invalid=True, rejects_dir=folder)
    assert summary.rejects_file == str(folder / "cohort.rejects.txt")
    assert len(_rejects(folder / "cohort.rejects.txt")) == len(BAD_RECORDS)
    assert not (tmp_path / "cohort.rejects.txt").exists()


def test_no_rejects_file_without_a_rejected_record(store, tmp_path):
    good = _write(tmp_path / "good.vcf", {}, records=300)
    summary = load_vcf(store, good, "d", "GRCh38", skip_invalid=True)
    assert (summary.rejected, summary.rejects_file, summary.loaded) == (0, None, 300)
    assert not (tmp_path / "good.rejects.txt").exists()


def test_a_document_too_large_for_mongodb_rejects_only_its_record(store, tmp_path):
    """Its first ALT's document is small and must not be loaded without the second's."""
    huge = "1\t3000\t.\tA\tG," + "C" * 9_000_000 + "\t.\tPASS\t.\tGT\t0/1\t0/2\t0/0"
    path = _write(tmp_path / "huge.vcf", {10: huge}, records=20)
    summary = load_vcf(store, path, "d", "GRCh38", skip_invalid=True)
    assert (summary.rejected, summary.loaded) == (1, 19)
    ((problem, line),) = _rejects(Path(summary.rejects_file))
    assert problem.startswith(f"{path}:{FIRST_DATA_LINE + 10}:ALT: the document of ALT 'CCCC")
    assert "MongoDB stores at most 16 MB" in problem and line == huge.encode()
    assert store.variants.count_documents({"start": 2999}) == 0


@pytest.mark.parametrize(
    ("limit", "refused"),
    [("6", False), ("5", True), ("0.12%", False), ("0.1%", True), ("0", True)],
)
def test_max_rejected_refuses_a_load_beyond_it_and_keeps_the_rejects(
    store, bad_vcf, limit, refused
):
    load_vcf(store, _write(bad_vcf.parent / "first.vcf", {}, records=10), "d", "GRCh38")
    before = list(store.variants.find({}, {"_id": 0}))
    releases = store.releases()
    rejects = bad_vcf.parent / "cohort.rejects.txt"
    options = {"skip_invalid": True, "max_rejected": RejectLimit.parse(limit)}
    if not refused:  # 6 of 5,000 records: 0.12%
        assert load_vcf(store, bad_vcf, "d", "GRCh38", **options).rejected == 6
        return
    with pytest.raises(TooManyRejectedError) as raised:
        load_vcf(store, bad_vcf, "d", "GRCh38", **options)
    assert str(raised.value) == (
        f"{bad_vcf}: 6 of 5000 records rejected (0.1%), more than the {limit} allowed; "
        f"the load is refused (the rejected records are in {rejects})"
    )
    assert list(store.variants.find({}, {"_id": 0})) == before
    assert store.releases() == releases
    assert len(_rejects(rejects)) == 6  # the steward sees every reason


@pytest.mark.parametrize(
    ("text", "count", "percent"),
    [("10", 10, None), ("0", 0, None), ("5%", None, 5), (" 2.5% ", None, 2.5), ("100%", None, 100)],
)
def test_reject_limit_is_a_count_or_a_percentage(text, count, percent):
    limit = RejectLimit.parse(text)
    assert (limit.count, None if limit.percent is None else float(limit.percent)) == (
        count,
        percent,
    )


@pytest.mark.parametrize("text", ["", "-1", "5 %", "101%", "1e3", "ten", "%", "5%%", "1.5"])
def test_reject_limit_refuses_anything_else(text):
    with pytest.raises(ValueError, match="neither a count of records"):
        RejectLimit.parse(text)


def test_reject_limit_edges_are_exact():
    assert RejectLimit.parse("10%").allows(1, 10)
    assert not RejectLimit.parse("10%").allows(2, 19)
    assert RejectLimit.parse("0.1%").allows(5, 5_000)
    assert not RejectLimit.parse("0.1%").allows(6, 5_000)
    assert RejectLimit.parse("3").allows(3, 3) and not RejectLimit.parse("3").allows(4, 100)


def test_a_load_where_every_record_is_rejected_is_refused_unless_meant(store, tmp_path):
    """Rejecting every record is nearly always the wrong file: the load is refused (nothing
    changes) unless --allow-empty, with which it loads nothing and says so."""
    path = _write(tmp_path / "bad.vcf", {i: f"1\t{i}x\t.\tA\tG" for i in range(3)}, records=3)
    with pytest.raises(EmptyingLoadError, match="all 3 records were rejected"):
        load_vcf(store, path, "d", "GRCh38", skip_invalid=True)
    assert store.releases() == []
    summary = load_vcf(store, path, "d", "GRCh38", skip_invalid=True, allow_empty=True)
    assert (summary.records, summary.loaded, summary.rejected, summary.variants) == (3, 0, 3, 0)
    assert store.variants.count_documents({"datasetId": "d"}) == 0
    uri = "mongomock://memory/all_rejected"
    command = ["load", "vcf", str(path), "--dataset", "d", "--assembly", "GRCh38",
               "--skip-invalid", "--no-progress", "--mongo-uri", uri]  # fmt: skip
    refused = CliRunner().invoke(main, command)
    assert refused.exit_code == 2, refused.output
    assert "this load would replace stored data with nothing" in refused.stderr
    result = CliRunner().invoke(main, [*command, "--allow-empty"])
    assert result.exit_code == 0, result.output
    assert "loaded 0 variants from 0 of 3 records" in result.stdout
    assert f"rejected 3 record(s), written to {tmp_path / 'bad.rejects.txt'}" in result.stdout


def test_problems_of_the_file_itself_still_stop_the_load(store, tmp_path):
    concatenated = tmp_path / "two.vcf"
    first = _write(tmp_path / "one.vcf", {1: "1\tx"}, records=5).read_text()
    concatenated.write_text(first + first)
    with pytest.raises(LoadError) as raised:
        load_vcf(store, concatenated, "d", "GRCh38", skip_invalid=True)
    assert (raised.value.line, raised.value.field) == (len(HEADER) + 6, "header")
    assert _rejects(tmp_path / "two.rejects.txt")[0][0].startswith(f"{concatenated}:10:columns:")
    plain = _write(tmp_path / "big.vcf", {}, records=6_000)
    compressed = tmp_path / "big.vcf.gz"
    pysam.tabix_compress(str(plain), str(compressed))
    data = compressed.read_bytes()
    compressed.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError, match="corrupt or truncated after line"):
        load_vcf(store, compressed, "d", "GRCh38", skip_invalid=True)
    assert store.variants.count_documents({}) == 0


DROPPED = (
    "1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0",  # loaded
    "1\t200\t.\tA\tG\t.\tPASS\t.\tGT\t0/0\t0/0\t./.",  # no carrier
    "1\t300\t.\tA\tG,T\t.\tPASS\t.\tGT\t0/0\t0|0\t0",  # no carrier of either ALT
    "1\t400\t.\tA\t*\t.\tPASS\t.\tGT\t0/1\t0/0\t0/0",  # only a spanning deletion
    "1\t500\t.\tA\t.\t.\tPASS\t.\tGT\t0/0\t0/0\t0/0",  # no ALT
    "1\t600\t.\tA\tG,*\t.\tPASS\t.\tGT\t0/2\t0/0\t0/0",  # '*' carried, G not: no carrier
    "1\t700\t.\tA\tG\t.\tPASS\t.\tGT\t./.\t./.\t.",  # nothing called: kept, count unknown
    "1\t800\t.\tA\tG,T\t.\tPASS\t.\tGT\t0/0\t0/2\t0/0",  # T carried: loaded
)


def test_records_giving_no_variant_are_counted_by_reason(store, tmp_path):
    path = tmp_path / "dropped.vcf"
    path.write_text("\n".join([*HEADER, *DROPPED]) + "\n")
    summary = load_vcf(store, path, "d", "GRCh38")
    # pysam's reading: records none of whose alleles is in the dataset, and why
    no_alternate = no_carrier = 0
    kept = {(allele.pos, allele.alt) for allele in expected_alleles(str(path))}
    with pysam.VariantFile(str(path)) as vcf:
        for record in vcf:
            if any((record.pos, alt) in kept for alt in record.alts or ()):
                continue
            if all(alt in SKIPPED_ALTS for alt in record.alts or ()):
                no_alternate += 1
            else:
                no_carrier += 1
    assert (no_carrier, no_alternate) == (3, 2)  # the file is as the comments say
    assert (summary.without_carrier, summary.without_alternate) == (no_carrier, no_alternate)
    assert (summary.records, summary.loaded) == (8, 8 - no_carrier - no_alternate)
    result = CliRunner().invoke(
        main,
        ["load", "vcf", str(path), "--dataset", "d", "--assembly", "GRCh38", "--no-progress",
         "--mongo-uri", "mongomock://memory/dropped_records"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "loaded 3 variants from 3 of 8 records" in result.stdout
    assert "not loaded: 3 record(s) no sample carries" in result.stdout
    assert "not loaded: 2 record(s) whose ALT alleles are all '*' or '.'" in result.stdout


def test_sites_only_records_with_info_ac_zero_have_no_carrier(store, tmp_path):
    path = tmp_path / "sites.vcf"
    lines = [line for line in HEADER if "FORMAT" not in line]
    lines[-1] = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    lines += ["1\t100\t.\tA\tG\t.\tPASS\tAC=0;AN=10", "1\t200\t.\tA\tG\t.\tPASS\tAC=1;AN=10"]
    path.write_text("\n".join(lines) + "\n")
    summary = load_vcf(store, path, "d", "GRCh38")
    assert (summary.loaded, summary.without_carrier, summary.variants) == (1, 1, 1)


def _cli(*arguments: str):
    return CliRunner().invoke(main, ["load", "vcf", *arguments, "--no-progress"])


def test_the_command_reports_rejects_and_refuses_beyond_max_rejected(bad_vcf, tmp_path):
    uri = f"mongomock://{tmp_path / 'store'}"
    common = (str(bad_vcf), "--dataset", "d", "--assembly", "GRCh38", "--mongo-uri", uri)
    rejects = tmp_path / "out"
    result = _cli(*common, "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert f"from {RECORDS - 6} of {RECORDS} records" in result.stdout
    assert f"rejected 6 record(s), written to {rejects / 'cohort.rejects.txt'}" in result.stdout
    refused = _cli(*common, "--skip-invalid", "--max-rejected", "5")
    assert refused.exit_code == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: {bad_vcf}: 6 of 5000 records rejected (0.1%), more than the 5 allowed; the "
        f"load is refused (the rejected records are in {tmp_path / 'cohort.rejects.txt'})"
    )
    strict = _cli(*common)
    assert strict.exit_code == 2
    assert f"error: {bad_vcf}:{FIRST_DATA_LINE}:POS: 'abc' is not a position" in strict.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--rejects", "x"], "--rejects needs --skip-invalid"),
        (["--max-rejected", "5"], "--max-rejected needs --skip-invalid"),
        (["--skip-invalid", "--max-rejected", "five"], "neither a count of records"),
    ],
)
def test_the_command_refuses_rejects_options_that_mean_nothing(bad_vcf, options, message):
    result = _cli(str(bad_vcf), "--dataset", "d", "--assembly", "GRCh38", *options)
    assert result.exit_code == 2
    assert message in result.output
