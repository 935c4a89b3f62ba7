"""Gene symbols and protein changes from SnpEff (ANN), VEP (CSQ) or GENE/GENEINFO INFO fields.

Annotation tools lay their pipe-separated entries out differently from release to release, so the
field positions are read from the header's ``Format: ...`` description, not hard-coded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Field names per annotation key: (allele, gene symbol, protein HGVS, allele number).
_FIELD_NAMES = {
    "ANN": ("Allele", "Gene_Name", "HGVS.p", None),
    "CSQ": ("Allele", "SYMBOL", "HGVSp", "ALLELE_NUM"),
}
# SnpEff's standard layout, for files whose ANN description does not spell it out.
_SNPEFF_DEFAULT = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p",
)  # fmt: skip

AMINO_ACIDS = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U",
    "Pyl": "O",
}  # fmt: skip
_GENE_SEPARATORS = re.compile(r"[|,]")  # between GENE symbols, between GENEINFO entries
_SUBSTITUTION = re.compile(r"p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2}|\*)\)?")


@dataclass(frozen=True)
class AnnotationLayout:
    """Where the fields we use sit in one annotation INFO key's pipe-separated entries."""

    key: str
    allele: int | None
    gene: int | None
    protein: int | None
    allele_number: int | None = None


def annotation_layout(key: str, description: str) -> AnnotationLayout | None:
    """Read field positions from a header description such as ``... Format: Allele|SYMBOL|...``.

    SnpEff writes ``Functional annotations: 'Allele | Annotation | ...'`` (no ``Format:``).
    Returns None when the key is not one we read or the layout names no gene field.
    """
    if key not in _FIELD_NAMES:
        return None
    text = description.split("Format:", 1)[1] if "Format:" in description else description
    if key == "ANN" and "Format:" not in description:
        text = text.split(":", 1)[1] if ":" in text else ""
    names = [name.strip(" '\"") for name in text.split("|")]
    if key == "ANN" and "Gene_Name" not in names:
        names = list(_SNPEFF_DEFAULT)
    allele, gene, protein, allele_number = (
        names.index(name) if name is not None and name in names else None
        for name in _FIELD_NAMES[key]
    )
    if gene is None and protein is None:
        return None
    return AnnotationLayout(key, allele, gene, protein, allele_number)


def info_value(info: str, key: str) -> str | None:
    """The raw value of ``key`` in an INFO column, without splitting the (often huge) column."""
    if info.startswith(key + "="):
        start = len(key) + 1
    else:
        found = info.find(";" + key + "=")
        if found < 0:
            return None
        start = found + len(key) + 2
    end = info.find(";", start)
    return info[start:] if end < 0 else info[start:end]


def one_letter_protein_change(hgvs_p: str) -> str | None:
    """``p.Val600Glu`` -> ``V600E``, ``p.Arg97Ter``/``p.Arg97*`` -> ``R97*``; None for others.

    Only simple substitutions and stop gains become Beacon ``aminoacidChanges``; frameshifts,
    deletions, extensions and synonymous changes (``p.Leu10=``) are skipped. A protein accession
    prefix (``ENSP...:p.Val600Glu``, as VEP writes it) is ignored.
    """
    text = hgvs_p.rsplit(":", 1)[-1].strip()
    match = _SUBSTITUTION.fullmatch(text)
    if not match:
        return None
    reference, position, alternate = match.groups()
    if reference not in AMINO_ACIDS:
        return None
    if alternate in ("Ter", "*"):
        return f"{AMINO_ACIDS[reference]}{position}*"
    if alternate not in AMINO_ACIDS:
        return None
    return f"{AMINO_ACIDS[reference]}{position}{AMINO_ACIDS[alternate]}"


def _entries_for_allele(
    layout: AnnotationLayout, value: str, alt: str, alt_number: int
) -> list[list[str]]:
    entries = [entry.split("|") for entry in value.split(",")]
    if layout.key == "ANN" and layout.allele is not None:
        index = layout.allele
        matching = [fields for fields in entries if len(fields) > index and fields[index] == alt]
        return matching or entries
    if layout.allele_number is not None:
        index, wanted = layout.allele_number, str(alt_number)
        return [fields for fields in entries if len(fields) > index and fields[index] == wanted]
    return entries


def allele_annotation(
    info: str, alt: str, alt_number: int, layouts: tuple[AnnotationLayout, ...]
) -> tuple[list[str], list[str]]:
    """Gene symbols and one-letter amino-acid changes of one ALT allele (1-based ``alt_number``).

    Sources are read in the order ANN, CSQ, GENE, GENEINFO; values are deduplicated in order.
    """
    genes: dict[str, None] = {}
    changes: dict[str, None] = {}
    for layout in layouts:
        value = info_value(info, layout.key)
        if not value:
            continue
        for fields in _entries_for_allele(layout, value, alt, alt_number):
            if layout.gene is not None and len(fields) > layout.gene and fields[layout.gene]:
                genes[fields[layout.gene]] = None
            if layout.protein is not None and len(fields) > layout.protein:
                protein = fields[layout.protein]
                change = one_letter_protein_change(protein) if protein else None
                if change:
                    changes[change] = None
    for key in ("GENE", "GENEINFO"):
        value = info_value(info, key)
        if value:
            items = _GENE_SEPARATORS.split(value) if "|" in value or "," in value else (value,)
            for item in items:
                symbol = item.split(":", 1)[0].strip()
                if symbol and symbol != ".":
                    genes[symbol] = None
    return list(genes), list(changes)
