"""Gene symbols and protein changes from ANN, CSQ, GENE and GENEINFO, on plain strings."""

from __future__ import annotations

import pytest

from loaders.vcf.annotation import (
    AnnotationLayout,
    allele_annotation,
    annotation_layout,
    info_value,
    one_letter_protein_change,
)

SNPEFF_DESCRIPTION = (
    "Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | "
    "Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / "
    "cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / "
    "INFO' "
)
VEP_DESCRIPTION = (
    "Consequence annotations from Ensembl VEP. Format: "
    "Allele|Consequence|IMPACT|SYMBOL|Gene|HGVSc|HGVSp|ALLELE_NUM"
)
ANN = annotation_layout("ANN", SNPEFF_DESCRIPTION)
CSQ = annotation_layout("CSQ", VEP_DESCRIPTION)


def test_layouts_are_read_from_the_header_description():
    assert AnnotationLayout("ANN", 0, 3, 10, None) == ANN
    assert AnnotationLayout("CSQ", 0, 3, 6, 7) == CSQ


def test_layouts_follow_a_reordered_format():
    layout = annotation_layout("CSQ", "VEP. Format: Consequence|HGVSp|SYMBOL|Allele")
    assert (layout.allele, layout.gene, layout.protein, layout.allele_number) == (3, 2, 1, None)


def test_snpeff_layout_defaults_when_the_description_does_not_spell_it():
    assert annotation_layout("ANN", "Functional annotations") == ANN


def test_no_layout_for_unknown_keys_or_layouts_without_genes():
    assert annotation_layout("LOF", "Format: 'Gene_Name | Gene_ID'") is None
    assert annotation_layout("CSQ", "Format: Allele|Consequence") is None


@pytest.mark.parametrize(
    ("info", "key", "value"),
    [
        ("AC=1;AN=2", "AC", "1"),
        ("AC=1;AN=2", "AN", "2"),
        ("XAC=5;AC=1", "AC", "1"),  # a longer key ending in the same letters is not it
        ("DB;AC=3", "AC", "3"),
        ("DB;AC=3", "DB", None),  # flags have no value
        (".", "AC", None),
        ("AC=", "AC", ""),
    ],
)
def test_info_value(info, key, value):
    assert info_value(info, key) == value


@pytest.mark.parametrize(
    ("hgvs_p", "expected"),
    [
        ("p.Val600Glu", "V600E"),
        ("p.Arg97Ter", "R97*"),
        ("p.Gly12*", "G12*"),
        ("p.(Val600Glu)", "V600E"),
        ("ENSP00000269305.4:p.Arg97Ter", "R97*"),
        ("NP_000537.3:p.Glu504Lys", "E504K"),
        ("p.Sec10Cys", "U10C"),
        ("p.Leu10=", None),  # synonymous
        ("p.Leu10%3D", None),
        ("p.Val600fs", None),
        ("p.Lys23_Val25del", None),
        ("p.Ter97ArgextTer23", None),
        ("p.Xyz12Ala", None),
        ("c.1799T>A", None),
        ("", None),
    ],
)
def test_one_letter_protein_change(hgvs_p, expected):
    assert one_letter_protein_change(hgvs_p) == expected


def _ann(*entries: tuple[str, str, str]) -> str:
    return "ANN=" + ",".join(
        f"{allele}|missense_variant|MODERATE|{gene}|ID|transcript|T|protein_coding|1/2|c.1A>G|{p}"
        "|||||"
        for allele, gene, p in entries
    )


def test_ann_genes_and_changes_of_the_matching_allele():
    info = "DP=10;" + _ann(
        ("G", "BRAF", "p.Val600Glu"),
        ("G", "BRAF-AS1", ""),
        ("C", "OTHER", "p.Arg97Ter"),
        ("G", "BRAF", "p.Val600Glu"),
    )
    assert allele_annotation(info, "G", 1, (ANN,)) == (["BRAF", "BRAF-AS1"], ["V600E"])
    assert allele_annotation(info, "C", 2, (ANN,)) == (["OTHER"], ["R97*"])


def test_ann_falls_back_to_every_entry_when_no_allele_matches():
    info = _ann(("A", "GENE1", ""), ("T", "GENE2", "p.Gly12Cys"))
    assert allele_annotation(info, "<DEL>", 1, (ANN,)) == (["GENE1", "GENE2"], ["G12C"])


def test_empty_gene_fields_are_dropped():
    info = _ann(("G", "", ""), ("G", "KRAS", ""))
    assert allele_annotation(info, "G", 1, (ANN,)) == (["KRAS"], [])


def test_csq_entries_are_matched_by_allele_number():
    info = (
        "CSQ=A|stop_gained|HIGH|TP53|ENSG1|c.1C>T|ENSP1:p.Arg97Ter|1,"
        "-|frameshift_variant|HIGH|TP53|ENSG1|c.2del|ENSP1:p.Arg98fs|2,"
        "-|upstream_gene_variant|MODIFIER|WRAP53|ENSG2|||2"
    )
    assert allele_annotation(info, "A", 1, (CSQ,)) == (["TP53"], ["R97*"])
    assert allele_annotation(info, "C", 2, (CSQ,)) == (["TP53", "WRAP53"], [])


def test_csq_without_allele_number_uses_every_entry():
    layout = annotation_layout("CSQ", "Format: Allele|SYMBOL|HGVSp")
    info = "CSQ=A|TP53|p.Arg97Ter,T|WRAP53|"
    assert allele_annotation(info, "T", 2, (layout,)) == (["TP53", "WRAP53"], ["R97*"])


def test_geneinfo_and_gene_fields():
    assert allele_annotation("GENEINFO=ALDH2:217|FOO:1", "A", 1, ()) == (["ALDH2", "FOO"], [])
    assert allele_annotation("GENE=CFTR,CFTR-AS1", "A", 1, ()) == (["CFTR", "CFTR-AS1"], [])
    assert allele_annotation("CLINVAR_GENEINFO=BRCA1:672", "A", 1, ()) == ([], [])


def test_sources_are_combined_without_duplicates_in_order():
    info = _ann(("G", "BRCA1", "")) + ";GENEINFO=BRCA1:672|NBR2:10230"
    assert allele_annotation(info, "G", 1, (ANN,)) == (["BRCA1", "NBR2"], [])
