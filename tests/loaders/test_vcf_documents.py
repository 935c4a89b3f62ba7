"""The documents streamed from a VCF: contract of docs/storage.md, official schema, pysam truth."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pysam
import pytest
from beacon_schemas import validate_model
from pysam_alleles import expected_alleles
from shared_data import CINECA_VCF, shared_file

from app.genome import normalize_reference_name
from loaders.errors import LoadError
from loaders.vcf import iter_variant_documents

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = DATA / "vcf_loader_cases.vcf"
SITES_ONLY = DATA / "vcf_sites_only.vcf"


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return list(iter_variant_documents(CASES, "cases", "hg38"))


def _find(documents: list[dict], reference_name: str, start: int, alt: str) -> dict:
    (found,) = [
        d
        for d in documents
        if (d["referenceName"], d["start"], d["alternateBases"]) == (reference_name, start, alt)
    ]
    return found


def test_one_document_per_alt_allele_in_file_order_like_pysam(documents):
    expected = expected_alleles(str(CASES))
    assert len(documents) == len(expected)
    for allele, document in zip(expected, documents, strict=True):
        assert document["referenceName"] == normalize_reference_name(allele.chrom)
        assert document["start"] == allele.pos - 1
        assert document["end"] == allele.stop
        assert document["referenceBases"] == allele.ref.upper()


def test_spanning_deletion_and_missing_alts_make_no_document(documents):
    assert not [d for d in documents if d["alternateBases"] in ("*", ".")]
    at_300 = [
        d["alternateBases"] for d in documents if (d["referenceName"], d["start"]) == ("1", 299)
    ]
    assert at_300 == ["T"]
    assert not [d for d in documents if (d["referenceName"], d["start"]) == ("X", 299)]


def test_snv_document_fields(documents):
    document = _find(documents, "1", 99, "G")
    assert {key: value for key, value in document.items() if key != "record"} == {
        "datasetId": "cases",
        "assemblyId": "GRCh38",
        "referenceName": "1",
        "start": 99,
        "end": 100,
        "referenceBases": "A",
        "alternateBases": "G",
        "variantType": "SNP",
        "variantLength": 1,
        "geneIds": ["BRAF", "BRAF-AS1"],
        # what gene queries match on, whatever the case they are written in
        "geneKeys": ["braf", "braf-as1"],
        "aminoacidChanges": ["V600E"],
        "identifiers": ["rs113488022", "COSV56056643"],
        "variantInternalId": "GRCh38:1:100:A:G",
        # 0/1 and 1/1 carry G; the carriers are the link to biosamples
        "biosampleIds": ["S2", "S3"],
        # the allele's frequency in its dataset: 3 of 6 called alleles
        "alleleFrequency": 0.5,
    }
    assert document["record"] == {
        "variantInternalId": "GRCh38:1:100:A:G",
        "variation": {
            "variantType": "SNP",
            "referenceBases": "A",
            "alternateBases": "G",
            "location": {
                "type": "SequenceLocation",
                "sequence_id": "refseq:NC_000001.11",
                "interval": {
                    "type": "SequenceInterval",
                    "start": {"type": "Number", "value": 99},
                    "end": {"type": "Number", "value": 100},
                },
            },
        },
        "identifiers": {
            "variantAlternativeIds": [
                {
                    "id": "dbSNP:rs113488022",
                    "reference": "https://www.ncbi.nlm.nih.gov/snp/rs113488022",
                },
                {"id": "COSV56056643"},
            ],
            "genomicHGVSId": "NC_000001.11:g.100A>G",
        },
        "molecularAttributes": {"geneIds": ["BRAF", "BRAF-AS1"], "aminoacidChanges": ["V600E"]},
        "caseLevelData": [
            {"biosampleId": "S2", "zygosity": {"id": "GENO:0000135", "label": "heterozygous"}},
            {"biosampleId": "S3", "zygosity": {"id": "GENO:0000136", "label": "homozygous"}},
        ],
        "frequencyInPopulations": [
            {
                "source": "cases",
                "sourceReference": "datasets/cases",
                "frequencies": [
                    {
                        "population": "ALL",
                        "alleleFrequency": 0.5,
                        "alleleCount": 3,
                        "alleleNumber": 6,
                    }
                ],
            }
        ],
    }


def test_an_alt_no_called_sample_carries_is_not_in_the_dataset(documents):
    """chr1:100 A>C is annotated but every called genotype lacks it: a beacon must not say it
    exists (its sibling A>G, carried, is there)."""
    at_100 = [
        d["alternateBases"] for d in documents if (d["referenceName"], d["start"]) == ("1", 99)
    ]
    assert at_100 == ["G"]


def test_lower_case_bases_are_upper_cased(documents):
    document = _find(documents, "1", 299, "T")
    assert document["referenceBases"] == document["record"]["variation"]["referenceBases"] == "C"
    assert document["variantInternalId"] == "GRCh38:1:300:C:T"


@pytest.mark.parametrize(
    ("reference_name", "start", "alt", "variant_type", "end", "length"),
    [
        ("1", 199, "A", "INDEL", 201, 1),
        ("1", 199, "ATT", "INDEL", 201, 1),
        ("1", 399, "TCA", "MNP", 402, 3),
        ("1", 499, "<DEL>", "DEL", 1500, 1000),
        ("1", 599, "<DUP:TANDEM>", "DUP", 1100, 500),
        ("1", 699, "<INS>", "INS", 700, 300),
        ("2", 99, "<CN0>", "CNV", 2000, 1901),
        ("2", 99, "<CN2>", "CNV", 2000, 1901),
        ("2", 149, "<CNV>", "CNV", 5000, 4851),
        ("2", 299, "<INV>", "INV", 900, 601),
        ("2", 999, "G]chr1:100]", "BND", 1000, 1),
    ],
)
def test_types_and_spans(documents, reference_name, start, alt, variant_type, end, length):
    document = _find(documents, reference_name, start, alt)
    assert (document["variantType"], document["end"], document["variantLength"]) == (
        variant_type,
        end,
        length,
    )
    interval = document["record"]["variation"]["location"]["interval"]
    assert (interval["start"]["value"], interval["end"]["value"]) == (start, end)


def test_symbolic_alleles_are_n_in_the_beacon_record_and_hashed_in_the_id(documents):
    document = _find(documents, "1", 499, "<DEL>")
    assert document["record"]["variation"]["alternateBases"] == "N"
    assert document["variantInternalId"].startswith("GRCh38:1:500:")
    assert document["variantInternalId"] != _find(documents, "1", 599, "<DUP:TANDEM>")
    assert document["record"]["identifiers"] == {"variantAlternativeIds": [{"id": "sv1"}]}


def test_hgvs_id_only_for_snps(documents):
    assert "identifiers" not in _find(documents, "1", 399, "TCA")["record"]
    assert "identifiers" not in _find(documents, "1", 199, "A")["record"]


def test_no_frequency_and_no_carriers_when_nothing_is_called(documents):
    record = _find(documents, "1", 799, "C")["record"]
    assert "frequencyInPopulations" not in record
    assert "caseLevelData" not in record


def test_genes_from_csq_by_allele_number_and_from_geneinfo(documents):
    assert _find(documents, "2", 1999, "A")["geneIds"] == ["TP53"]
    assert _find(documents, "2", 1999, "A")["aminoacidChanges"] == ["R97*"]
    assert _find(documents, "2", 1999, "T")["geneIds"] == ["TP53", "TP53-AS"]
    assert _find(documents, "2", 1999, "T")["aminoacidChanges"] == ["G12C"]
    assert _find(documents, "1", 899, "A")["geneIds"] == ["ALDH2", "FOO"]


def test_empty_lists_stay_out_of_the_beacon_record(documents):
    document = _find(documents, "1", 199, "A")
    assert document["geneIds"] == document["aminoacidChanges"] == document["identifiers"] == []
    assert document["geneKeys"] == []  # written even so: the variant was loaded with keys
    assert "molecularAttributes" not in document["record"]


def test_sites_only_frequencies_come_from_info_ac_and_an():
    documents = list(iter_variant_documents(SITES_ONLY, "sites", "GRCh37"))
    frequencies = [d["record"].get("frequencyInPopulations") for d in documents]
    counts = [f[0]["frequencies"][0] if f else None for f in frequencies]
    assert [(c["alleleCount"], c["alleleNumber"]) if c else None for c in counts] == [
        (3, 1000),
        (10, 1000),  # its sibling T has AC=0: in no sample, so not in the dataset
        None,  # AC without AN
        None,  # neither
    ]
    assert documents[0]["geneIds"] == ["CFTR"]
    assert documents[0]["variantType"] == "INDEL"
    assert all("caseLevelData" not in d["record"] for d in documents)


def test_every_record_is_a_valid_beacon_genomic_variation(documents):
    for document in documents:
        validate_model(document["record"], "genomicVariations")


def test_cineca_records_are_valid_beacon_genomic_variations():
    cineca_vcf = shared_file(CINECA_VCF)
    for document in islice(iter_variant_documents(cineca_vcf, "cineca", "GRCh37"), 300):
        validate_model(document["record"], "genomicVariations")


def test_bgzipped_and_windows_line_endings_give_the_same_documents(tmp_path, documents):
    compressed = tmp_path / "cases.vcf.gz"
    pysam.tabix_compress(str(CASES), str(compressed))
    assert list(iter_variant_documents(compressed, "cases", "GRCh38")) == documents
    crlf = tmp_path / "cases-crlf.vcf"
    crlf.write_bytes(CASES.read_bytes().replace(b"\n", b"\r\n"))
    assert list(iter_variant_documents(crlf, "cases", "GRCh38")) == documents


def test_chromosome_names_are_normalised(tmp_path):
    text = CASES.read_text().replace("chr1", "1").replace("chr2", "2").replace("chrX", "X")
    plain = tmp_path / "no-chr.vcf"
    plain.write_text(text)
    names = {d["referenceName"] for d in iter_variant_documents(plain, "d", "GRCh38")}
    assert names == {"1", "2", "X"}


def test_header_problems_are_raised_when_the_stream_is_created(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        iter_variant_documents(tmp_path / "missing.vcf", "d", "GRCh38")
    with pytest.raises(LoadError, match="assembly 'hg17'"):
        iter_variant_documents(CASES, "d", "hg17")
