"""The bundled demo data: exactly what the generator makes (under the numpy it records), read by
pysam without complaint, consistent with itself, and described by a dataset record valid under the
official schema.

Facts are checked against pysam's reading of the shipped VCF and against GRCh38 values written
out here, not against the generator's own tables.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pysam
import pytest
import yaml
from beacon_schemas import validate_model
from click.testing import CliRunner

from loaders.datasets import read_dataset_descriptions
from loaders.demo import generate
from loaders.demo.generator import GENERATED_WITH, METADATA_DIR, VCF_NAME, write_demo_data
from loaders.demo.generator.example_queries import example_query_parameters
from loaders.demo.load import EXAMPLE_QUERIES, demo_data_dir

DATA = demo_data_dir()
VCF = DATA / VCF_NAME
TEXT_FILES = ("populations.tsv", "datasets.yaml", "README.md")
METADATA_FILES = tuple(
    f"{METADATA_DIR}/{entry}.csv"
    for entry in ("individuals", "biosamples", "runs", "analyses", "cohorts")
)
GRCH38_LENGTHS = {
    "chr1": 248_956_422, "chr2": 242_193_529, "chr3": 198_295_559, "chr4": 190_214_555,
    "chr5": 181_538_259, "chr6": 170_805_979, "chr7": 159_345_973, "chr8": 145_138_636,
    "chr9": 138_394_717, "chr10": 133_797_422, "chr11": 135_086_622, "chr12": 133_275_309,
    "chr13": 114_364_328, "chr14": 107_043_718, "chr15": 101_991_189, "chr16": 90_338_345,
    "chr17": 83_257_441, "chr18": 80_373_285, "chr19": 58_617_616, "chr20": 64_444_167,
    "chr21": 46_709_983, "chr22": 50_818_468, "chrX": 156_040_895, "chrY": 57_227_415,
}  # fmt: skip
SYMBOLIC = ("<DEL>", "<DUP>", "<INS>", "<CNV>", "<INV>")
SNPEFF_ANN_DESCRIPTION = (
    "Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | "
    "Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | "
    "cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | "
    "ERRORS / WARNINGS / INFO' "
)
RS_ID = re.compile(r"rs[1-9]\d*")
NUMPY_REQUIREMENT = re.compile(r"numpy==(\S+)\n")


@dataclass(frozen=True)
class DemoRecord:
    """What the tests need of one record, read once through pysam."""

    chrom: str
    pos: int
    stop: int
    ids: tuple[str, ...]
    ref: str
    alts: tuple[str, ...]
    info: dict
    genotypes: tuple[tuple[int | None, ...], ...]
    phased: tuple[bool, ...]

    def allele_counts(self) -> list[int]:
        return [
            sum(call.count(alt) for call in self.genotypes) for alt in range(1, len(self.alts) + 1)
        ]

    def annotations(self) -> list[list[str]]:
        return [entry.split("|") for entry in self.info.get("ANN", ())]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """The generator's output in a fresh folder, made through its command line."""
    outdir = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(generate.main, [str(outdir)])
    assert result.exit_code == 0, result.output
    return outdir


@pytest.fixture(scope="module")
def vcf_header() -> pysam.VariantHeader:
    with pysam.VariantFile(str(VCF)) as vcf:
        return vcf.header.copy()


@pytest.fixture(scope="module")
def records() -> list[DemoRecord]:
    read = []
    with pysam.VariantFile(str(VCF)) as vcf:
        for record in vcf:
            samples = list(record.samples.values())
            read.append(
                DemoRecord(
                    record.chrom,
                    record.pos,
                    record.stop,
                    tuple(record.id.split(";")) if record.id else (),
                    record.ref,
                    tuple(record.alts),
                    dict(record.info),
                    tuple(sample["GT"] for sample in samples),
                    tuple(sample.phased for sample in samples),
                )
            )
    return read


@pytest.fixture(scope="module")
def population_of() -> dict[str, tuple[str, str]]:
    lines = (DATA / "populations.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "sample\tpopulation\tcountry"
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(row) == 3 for row in rows)
    return {sample: (population, country) for sample, population, country in rows}


def _recorded_numpy(folder: Path) -> str:
    """The numpy version a generated folder says it was drawn with."""
    match = NUMPY_REQUIREMENT.fullmatch((folder / GENERATED_WITH).read_text(encoding="utf-8"))
    assert match, f"{folder / GENERATED_WITH} should hold one line numpy==X.Y.Z"
    return match[1]


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_regeneration_is_deterministic(regenerated, tmp_path):
    write_demo_data(tmp_path)
    names = _files(regenerated)
    assert names == _files(tmp_path)
    assert {VCF.name, f"{VCF.name}.tbi", GENERATED_WITH, *TEXT_FILES, *METADATA_FILES} <= set(names)
    for name in names:
        assert (tmp_path / name).read_bytes() == (regenerated / name).read_bytes(), name


def test_generator_records_the_numpy_it_ran_with(regenerated):
    assert _recorded_numpy(regenerated) == np.__version__
    _recorded_numpy(DATA)


def test_shipped_files_are_what_the_generator_makes(regenerated):
    recorded = _recorded_numpy(DATA)
    if recorded != np.__version__:
        pytest.skip(
            f"the shipped demo data was generated with numpy=={recorded}, this is "
            f"numpy=={np.__version__}, and numpy's random streams may differ between versions: "
            f"regenerate with numpy=={recorded} to compare byte for byte"
        )
    stale = "the shipped demo data is stale: run `python -m loaders.demo.generate`"
    assert gzip.decompress((regenerated / VCF.name).read_bytes()) == gzip.decompress(
        VCF.read_bytes()
    ), stale
    for name in (*TEXT_FILES, *METADATA_FILES):
        assert (regenerated / name).read_bytes() == (DATA / name).read_bytes(), f"{name}: {stale}"


def test_files_are_small_and_indexed():
    assert VCF.stat().st_size < 2_000_000
    with pysam.VariantFile(str(VCF)) as vcf:
        (hit,) = vcf.fetch("chr12", 111_803_961, 111_803_962)
    assert hit.id == "rs671"


def test_pysam_reads_every_record_without_a_warning(capfd):
    with pysam.VariantFile(str(VCF)) as vcf:
        for record in vcf:
            record.info.items()
            [sample["GT"] for sample in record.samples.values()]
    complaints = [line for line in capfd.readouterr().err.splitlines() if line.startswith("[")]
    assert not complaints, complaints[:5]


def test_header_is_grch38_and_defines_every_key(vcf_header, records):
    assert vcf_header.version == "VCFv4.2"
    meta = {record.key: record.value for record in vcf_header.records if record.value}
    assert meta["reference"] == "GRCh38"
    contigs = {name: contig.length for name, contig in vcf_header.contigs.items()}
    assert 4 <= len(contigs) <= 6
    assert all(GRCH38_LENGTHS[name] == length for name, length in contigs.items())
    assert {record.chrom for record in records} == set(contigs)
    used = {key for record in records for key in record.info}
    assert used <= set(vcf_header.info)
    assert list(vcf_header.formats) == ["GT"]
    ann = f'##INFO=<ID=ANN,Number=.,Type=String,Description="{SNPEFF_ANN_DESCRIPTION}">'
    assert ann in gzip.decompress(VCF.read_bytes()).decode("ascii").splitlines()


def test_samples_come_from_at_least_three_populations(vcf_header, population_of):
    samples = list(vcf_header.samples)
    assert len(samples) >= 300
    assert samples == list(population_of), "populations.tsv lists the VCF's samples, in order"
    populations = Counter(population for population, _ in population_of.values())
    assert len(populations) >= 3
    for sample, (_, country) in population_of.items():
        assert re.fullmatch(r"[A-Z]{2}", country)
        assert re.fullmatch(r"[A-Z]{2}\d{4}", sample)


def test_records_are_sorted_and_about_three_thousand(vcf_header, records):
    assert 2_000 <= len(records) <= 5_000
    order = list(vcf_header.contigs)
    keys = [(order.index(record.chrom), record.pos) for record in records]
    assert keys == sorted(keys)


def test_every_kind_of_variant_is_present(records):
    kinds = Counter()
    for record in records:
        if len(record.alts) > 1:
            kinds["multi-allelic"] += 1
        for alt in record.alts:
            if alt.startswith("<"):
                kinds[alt] += 1
            elif len(alt) == len(record.ref):
                kinds["SNV" if len(alt) == 1 else "MNV"] += 1
            else:
                kinds["insertion" if len(alt) > len(record.ref) else "deletion"] += 1
    assert kinds["SNV"] > len(records) / 2
    for kind in ("MNV", "insertion", "deletion", *SYMBOLIC):
        assert kinds[kind] >= 5, kind
    assert 0.03 <= kinds["multi-allelic"] / len(records) <= 0.08
    assert all(len(record.alts) <= 3 for record in records)


def test_structural_variants_carry_svtype_svlen_and_end(records):
    structural = [record for record in records if record.alts[0].startswith("<")]
    assert 30 <= len(structural) <= 50
    ends = {}  # pysam folds INFO/END into the record's stop; read the column itself
    with pysam.VariantFile(str(VCF)) as vcf:
        for record in vcf:
            if record.alts[0].startswith("<"):
                info = dict(item.split("=", 1) for item in str(record).split("\t")[7].split(";"))
                ends[(record.chrom, record.pos)] = int(info["END"])
    for record in structural:
        (alt,) = record.alts
        assert record.info["SVTYPE"] == alt[1:-1]
        assert re.fullmatch(r"[ACGT]", record.ref)
        assert record.stop == ends[(record.chrom, record.pos)] >= record.pos
        (svlen,) = record.info["SVLEN"]
        if alt == "<DEL>":
            assert svlen == record.pos - record.stop
        elif alt != "<INS>":
            assert svlen == record.stop - record.pos


def test_ac_an_af_agree_with_the_genotypes(records):
    for record in records:
        called = sum(allele is not None for call in record.genotypes for allele in call)
        assert record.info["AN"] == called, (record.chrom, record.pos)
        assert list(record.info["AC"]) == record.allele_counts(), (record.chrom, record.pos)
        assert all(count > 0 for count in record.info["AC"])
        for count, frequency in zip(record.info["AC"], record.info["AF"], strict=True):
            assert frequency == pytest.approx(count / called, rel=1e-3)


def test_genotypes_are_mostly_phased_some_missing_and_haploid_only_for_chrx_males(
    vcf_header, records
):
    calls = [call for record in records for call in record.genotypes]
    missing = sum(all(allele is None for allele in call) for call in calls)
    assert 0 < missing < 0.05 * len(calls)
    phased = sum(flag for record in records for flag in record.phased)
    assert phased > 0.7 * len(calls)
    haploid = Counter()
    for record in records:
        for sample, call in zip(vcf_header.samples, record.genotypes, strict=True):
            if len(call) == 1:
                assert record.chrom == "chrX"
                haploid[sample] += 1
    chrx_records = sum(record.chrom == "chrX" for record in records)
    assert 0 < len(haploid) < len(vcf_header.samples)
    assert set(haploid.values()) == {chrx_records}, "a male is haploid on every chrX record"


def test_ids_are_unique_rs_ids_on_about_half_the_snvs(records):
    ids = [identifier for record in records for identifier in record.ids]
    assert all(RS_ID.fullmatch(identifier) for identifier in ids)
    assert len(ids) == len(set(ids))
    snvs = [r for r in records if len(r.ref) == 1 and all(len(alt) == 1 for alt in r.alts)]
    share = sum(bool(record.ids) for record in snvs) / len(snvs)
    assert 0.35 <= share <= 0.65


def test_ref_bases_agree_where_records_overlap(records):
    seen: dict[tuple[str, int], str] = {}
    for record in records:
        for offset, base in enumerate(record.ref):
            assert seen.setdefault((record.chrom, record.pos + offset), base) == base


def test_annotations_name_an_alt_and_have_every_snpeff_field(records):
    annotated = [record for record in records if "ANN" in record.info]
    assert len(annotated) > 500
    effects = Counter()
    for record in annotated:
        for fields in record.annotations():
            assert len(fields) == 16
            assert fields[0] in record.alts
            assert fields[2] in ("HIGH", "MODERATE", "LOW", "MODIFIER")
            effects[fields[1]] += 1
            single_base = len(record.ref) == len(fields[0]) == 1
            if fields[1] == "missense_variant" and single_base:
                assert re.fullmatch(r"p\.[A-Z][a-z]{2}\d+[A-Z][a-z]{2}", fields[10]), fields
    for effect in (
        "missense_variant",
        "synonymous_variant",
        "intron_variant",
        "frameshift_variant",
        "upstream_gene_variant",
    ):
        assert effects[effect] > 0, effect
    genes = {fields[3] for record in annotated for fields in record.annotations()}
    assert len(genes) >= 12


def test_rs671_is_common_in_japanese_korean_and_han_and_rare_elsewhere(
    vcf_header, records, population_of
):
    (rs671,) = [record for record in records if "rs671" in record.ids]
    assert (rs671.chrom, rs671.pos, rs671.ref, rs671.alts) == ("chr12", 111_803_962, "G", ("A",))
    (fields,) = rs671.annotations()
    assert (fields[3], fields[9], fields[10]) == ("ALDH2", "c.1510G>A", "p.Glu504Lys")
    carried, called = Counter(), Counter()
    for sample, call in zip(vcf_header.samples, rs671.genotypes, strict=True):
        population = population_of[sample][0]
        carried[population] += call.count(1)
        called[population] += sum(allele is not None for allele in call)
    frequency = {population: carried[population] / called[population] for population in called}
    east = ("Japanese", "Korean", "Han Chinese")
    east_asian = [frequency[name] for name in east]
    others = [value for name, value in frequency.items() if name not in east]
    assert min(east_asian) > 0.1 and max(others) < min(east_asian)


def test_some_alleles_are_private_to_one_population(vcf_header, records, population_of):
    populations = [population_of[sample][0] for sample in vcf_header.samples]
    private = 0
    for record in records:
        for alt, count in enumerate(record.allele_counts(), start=1):
            holders = {
                p for p, call in zip(populations, record.genotypes, strict=True) if alt in call
            }
            private += count >= 3 and len(holders) == 1
    assert private >= 20


def test_dataset_record_validates_against_the_official_schema(population_of):
    datasets = yaml.safe_load((DATA / "datasets.yaml").read_text(encoding="utf-8"))
    assert isinstance(datasets, list) and len(datasets) == 1
    (dataset,) = datasets
    assert re.fullmatch(r"[A-Z]{2}", dataset["country"])
    assert dataset["populations"] == list(dict.fromkeys(p for p, _ in population_of.values()))
    (duo,) = dataset["dataUseConditions"]["duoDataUse"]
    assert duo == {"id": "DUO:0000042", "label": "general research use", "version": "2022-03-23"}
    assert "synthetic" in dataset["description"].lower()
    validate_model(dataset, "datasets")


def test_dataset_record_is_accepted_by_the_dataset_loader():
    (document,) = read_dataset_descriptions(DATA / "datasets.yaml")
    assert document["_id"] == document["id"]


def _matches(record: DemoRecord, alt: str, parameters: dict[str, str]) -> bool:
    chrom = record.chrom.removeprefix("chr")
    if parameters.get("referenceName", chrom) != chrom:
        return False
    start = int(parameters["start"]) if "start" in parameters else None
    if start is not None and "end" in parameters:
        if not (record.pos - 1 < int(parameters["end"]) and record.stop > start):
            return False
    elif start is not None and record.pos - 1 != start:
        return False
    if parameters.get("referenceBases", record.ref) != record.ref:
        return False
    if parameters.get("alternateBases", alt) != alt:
        return False
    genes = {fields[3] for fields in record.annotations() if fields[0] == alt}
    return parameters.get("geneId") in genes if "geneId" in parameters else True


def test_readme_gives_each_example_query_its_pysam_count(records):
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    stated = [int(n) for n in re.findall(r"Expected: `numTotalResults` = (\d+)", readme)]
    counted = []
    for _, path in EXAMPLE_QUERIES:
        assert path in readme
        parameters = example_query_parameters(path)
        counted.append(
            sum(_matches(record, alt, parameters) for record in records for alt in record.alts)
        )
    assert stated == counted
    assert counted[0] == 1 and all(counted)
