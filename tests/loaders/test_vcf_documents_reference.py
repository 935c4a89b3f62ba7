"""Every field of every document the loader streams equals an independent build from pysam's
reading of the same VCF (``pysam_documents``): the bundled demo, the test VCFs, and generated
ones with multi-allelic sites, symbolic and breakend ALTs, spanning deletions, missing values,
phased, haploid and missing calls, other FORMAT keys, over many blocks, bgzipped and plain, with
``\\n`` and ``\\r\\n`` line ends; and each record's own JSON text is what json writes of it."""

from __future__ import annotations

import random
from itertools import islice
from pathlib import Path

import pysam
import pytest
from pysam_documents import reference_documents
from shared_data import CINECA_VCF, shared_file

from loaders.vcf import iter_variant_documents

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DEMO_VCF = ROOT / "loaders" / "demo" / "data" / "demo.vcf.gz"
CONTIGS = {"chr1": 248_956_422, "chr2": 242_193_529, "chrX": 156_040_895, "chrM": 16_569}
HEADER = [
    "##fileformat=VCFv4.2",
    *(f"##contig=<ID={name},length={length}>" for name, length in CONTIGS.items()),
    '##ALT=<ID=DEL,Description="Deletion">',
    '##ALT=<ID=INS,Description="Insertion">',
    '##ALT=<ID=DUP,Description="Duplication">',
    '##ALT=<ID=CN3,Description="Copy number 3">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End">',
    '##INFO=<ID=SVLEN,Number=A,Type=Integer,Description="SV length">',
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
    '##INFO=<ID=GENE,Number=.,Type=String,Description="Gene symbols">',
    '##INFO=<ID=NOTE,Number=1,Type=String,Description="Filler">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
]
CALLS = ["0/0", "0|0", "0/1", "1|0", "1/1", "./.", ".", "1", "0", ".|1", "0/2", "2|1", "2/2"]


def _alleles(rng: random.Random, pos: int) -> tuple[str, str, str]:
    """REF, ALT column and INFO extent of a site at ``pos``, of every shape the loader reads."""
    shape = rng.random()
    ref = rng.choice("ACGT")
    if shape < 0.45:
        return ref, rng.choice([b for b in "ACGT" if b != ref]), ""
    if shape < 0.6:
        alts = rng.sample([b for b in "ACGT" if b != ref], 2)
        return ref, ",".join(alts), ""
    if shape < 0.68:
        return ref + "".join(rng.choices("ACGT", k=3)), ref, ""  # deletion
    if shape < 0.74:
        return ref.lower(), ref.lower() + "tt," + "*", ""  # lower case, a spanning deletion
    if shape < 0.8:
        return "".join(rng.choices("ACGT", k=3)), "".join(rng.choices("ACGT", k=3)), ""  # MNP
    if shape < 0.85:
        length = rng.randint(50, 5000)
        return ref, "<DEL>", f"END={pos + length};SVLEN=-{length}" if rng.random() < 0.5 else ""
    if shape < 0.88:
        return ref, "<INS>", f"SVLEN={rng.randint(10, 900)}"
    if shape < 0.91:
        return ref, "<DUP>,<CN3>", f"SVLEN={rng.randint(10, 900)},{rng.randint(10, 900)}"
    if shape < 0.94:
        return ref, f"{ref}]chr2:{rng.randint(1, 10**6)}]", ""  # a breakend
    if shape < 0.96:
        return ref, ".", ""  # no alternate allele
    return ref, "N" * 40 + "ACGT" * 10, ""  # long: its internal id takes a digest


def _gt(rng: random.Random, alt_count: int) -> str:
    call = rng.choice(CALLS)
    return call if "2" not in call or alt_count >= 2 else call.replace("2", "1")


def generated_vcf(records: int, samples: int, seed: str) -> bytes:
    """A VCF of ``records`` sites (``samples`` = 0: sites only, with INFO AC and AN)."""
    rng = random.Random(seed)
    columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    if samples:
        columns += "\tFORMAT\t" + "\t".join(f"S{i}" for i in range(samples))
    lines = [*HEADER, columns]
    position = {name: 1000 for name in CONTIGS}
    for index in range(records):
        chrom = list(CONTIGS)[index * len(CONTIGS) // records]
        position[chrom] += rng.randint(1, 8 if chrom == "chrM" else 400)
        ref, alts, extent = _alleles(rng, position[chrom])
        alt_count = alts.count(",") + 1
        ids = rng.choice([".", f"rs{rng.randint(1, 10**8)}", f"rs{index};COSV{index}", "x;."])
        info = [extent] if extent else []
        if not samples:
            counts = [rng.choice(["0", "1", "7", "."]) for _ in range(alt_count)]
            if rng.random() < 0.9:
                info.append("AC=" + ",".join(counts))
            if rng.random() < 0.9:
                info.append(f"AN={rng.randint(10, 20_000)}")
            if rng.random() < 0.3:
                info.insert(0, "AF=0.01")
        if rng.random() < 0.4:
            info.append("GENE=" + ",".join(rng.sample(["BRCA1", "Tp53", "NBR2", "c9orf72"], 2)))
        info.append("NOTE=" + "".join(rng.choices("ACGT", k=rng.randint(0, 300))))
        line = f"{chrom}\t{position[chrom]}\t{ids}\t{ref}\t{alts}\t50\tPASS\t{';'.join(info)}"
        if samples:
            calls = [_gt(rng, alt_count) for _ in range(samples)]
            if rng.random() < 0.2:  # htslib reads GT only when it comes first, as VCF wants
                calls = [f"{call}:{rng.randint(1, 60)}" for call in calls]
                line += "\tGT:DP\t" + "\t".join(calls)
            else:
                line += "\tGT\t" + "\t".join(calls)
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


GENERATED = {
    "genotyped": lambda: generated_vcf(1500, 40, "genotyped"),
    "sites-only": lambda: generated_vcf(3000, 0, "sites-only"),
}


def _write(directory: Path, content: bytes, form: str) -> Path:
    plain = directory / "generated.vcf"
    plain.write_bytes(content.replace(b"\n", b"\r\n") if form == "crlf" else content)
    if form != "bgzip":
        return plain
    compressed = directory / "generated.vcf.gz"
    pysam.tabix_compress(str(plain), str(compressed))
    return compressed


def _assert_same_documents(
    path: Path, truth: Path | None = None, max_records: int | None = None
) -> int:
    """Compare document by document, naming the first field that differs (over the first
    ``max_records`` records: those of the loader's stream that the reference gives)."""
    expected = list(reference_documents(truth or path, "ref", "GRCh38", max_records))
    stream = iter_variant_documents(path, "ref", "GRCh38")
    found = list(stream if max_records is None else islice(stream, len(expected)))
    assert len(found) == len(expected)
    for index, (document, wanted) in enumerate(zip(found, expected, strict=True)):
        for key in wanted.keys() | document.keys():
            assert document.get(key) == wanted.get(key), (index, key, wanted["variantInternalId"])
        assert list(document) == list(wanted), index  # the same fields, in the same order
    return len(found)


@pytest.mark.parametrize("name", sorted(GENERATED))
@pytest.mark.parametrize("form", ["bgzip", "plain", "crlf"])
def test_generated_vcf_documents_equal_pysam_reference(tmp_path, name, form):
    content = GENERATED[name]()
    assert len(content) > 3 * 65_536  # several blocks: lines cut across them
    path = _write(tmp_path, content, form)
    truth = None
    if form == "crlf":  # htslib reads the \n form
        (tmp_path / "truth").mkdir()
        truth = _write(tmp_path / "truth", content, "plain")
    assert _assert_same_documents(path, truth) > 1000


@pytest.mark.parametrize(
    "path",
    [DEMO_VCF, DATA / "vcf_loader_cases.vcf", DATA / "vcf_sites_only.vcf"],
    ids=lambda path: path.name,
)
def test_bundled_vcf_documents_equal_pysam_reference(path):
    assert _assert_same_documents(path) > 0


def test_cineca_documents_equal_pysam_reference():
    """2,504 samples (the reference asks pysam for every GT: its first 400 records)."""
    assert _assert_same_documents(shared_file(CINECA_VCF), max_records=400) > 0
