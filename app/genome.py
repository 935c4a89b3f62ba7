"""Reference genome vocabulary shared by the loaders and the query translation.

Both sides must agree on how an assembly, a chromosome or a gene symbol is spelled, otherwise a
variant loaded as ``chr22`` on ``hg38`` would never match a query for ``22`` on ``GRCh38``, nor
one annotated ``ALDH2`` a query for ``aldh2``.
"""

from __future__ import annotations

# Canonical assembly name -> accepted synonyms (compared case-insensitively). RefSeq numbers
# every patch release of the human assembly: GCF_000001405.13 (GRCh37) to .25 (GRCh37.p13),
# .26 (GRCh38) to .40 (GRCh38.p14); patches do not move primary-chromosome coordinates.
ASSEMBLY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "GRCh38": (
        "grch38",
        "hg38",
        "gca_000001405.15",
        *(f"gcf_000001405.{version}" for version in range(26, 41)),
    ),
    "GRCh37": (
        "grch37",
        "hg19",
        "hs37d5",
        "b37",
        "gca_000001405.1",
        *(f"gcf_000001405.{version}" for version in range(13, 26)),
    ),
}

_ASSEMBLY_BY_SYNONYM = {
    synonym: canonical for canonical, synonyms in ASSEMBLY_SYNONYMS.items() for synonym in synonyms
}

# GENO terms of a carrier's zygosity (Beacon caseLevelData), as the VCF loader writes them and
# the embedded store rebuilds them from its carrier bitmaps.
HEMIZYGOUS = {"id": "GENO:0000134", "label": "hemizygous"}
HETEROZYGOUS = {"id": "GENO:0000135", "label": "heterozygous"}
HOMOZYGOUS = {"id": "GENO:0000136", "label": "homozygous"}

CHROMOSOMES = tuple([str(n) for n in range(1, 23)] + ["X", "Y", "MT"])

# RefSeq accession versions of the primary chromosomes; GRCh37 is one version below GRCh38.
_GRCH38_ACCESSION_VERSIONS = {
    "1": 11, "2": 12, "3": 12, "4": 12, "5": 10, "6": 12, "7": 14, "8": 11, "9": 12, "10": 11,
    "11": 10, "12": 12, "13": 11, "14": 9, "15": 10, "16": 10, "17": 11, "18": 10, "19": 10,
    "20": 11, "21": 9, "22": 11, "X": 11, "Y": 10,
}  # fmt: skip


def _accession_number(chromosome: str) -> int:
    return {"X": 23, "Y": 24}.get(chromosome) or int(chromosome)


REFSEQ_ACCESSIONS: dict[tuple[str, str], str] = {
    **{
        ("GRCh38", chrom): f"NC_{_accession_number(chrom):06d}.{version}"
        for chrom, version in _GRCH38_ACCESSION_VERSIONS.items()
    },
    **{
        ("GRCh37", chrom): f"NC_{_accession_number(chrom):06d}.{version - 1}"
        for chrom, version in _GRCH38_ACCESSION_VERSIONS.items()
    },
    ("GRCh38", "MT"): "NC_012920.1",
    ("GRCh37", "MT"): "NC_012920.1",
}
_CHROMOSOME_BY_ACCESSION = {
    accession: (assembly, chrom) for (assembly, chrom), accession in REFSEQ_ACCESSIONS.items()
}


class UnknownAssemblyError(ValueError):
    """The assembly name is not one this beacon knows how to interpret."""


def canonical_assembly(name: str) -> str:
    """Return the canonical assembly name (``GRCh38``) for a synonym such as ``hg38``.

    A patch suffix (``GRCh38.p14``) is accepted: patches do not move primary coordinates.
    """
    key = name.strip().lower()
    if key.startswith("grch") and ".p" in key:
        key = key.split(".p", 1)[0]
    try:
        return _ASSEMBLY_BY_SYNONYM[key]
    except KeyError:
        known = ", ".join(ASSEMBLY_SYNONYMS)
        raise UnknownAssemblyError(
            f"unsupported assembly {name!r}; this beacon serves {known} (and their synonyms)"
        ) from None


def normalize_reference_name(name: str) -> str:
    """Spell a chromosome the one way we store it: no ``chr`` prefix, ``MT`` for mitochondria.

    ``refseq:NC_000022.11`` and bare RefSeq accessions become their chromosome name too.
    Contigs we do not recognise (decoys, alts) are kept as given, minus a ``chr`` prefix.
    """
    text = name.strip()
    accession = text.split(":", 1)[1] if text.lower().startswith("refseq:") else text
    if accession.upper().startswith("NC_") and accession in _CHROMOSOME_BY_ACCESSION:
        return _CHROMOSOME_BY_ACCESSION[accession][1]
    if text.lower().startswith("chr"):
        text = text[3:]
    upper = text.upper()
    if upper in ("M", "MT"):
        return "MT"
    if upper in ("X", "Y"):
        return upper
    return text


def assembly_of_accession(name: str) -> str | None:
    """The assembly a versioned RefSeq chromosome accession belongs to, if it is one."""
    text = name.strip()
    accession = text.split(":", 1)[1] if text.lower().startswith("refseq:") else text
    found = _CHROMOSOME_BY_ACCESSION.get(accession)
    return found[0] if found and accession != "NC_012920.1" else None


def sequence_id(assembly: str, chromosome: str) -> str:
    """A CURIE naming the reference sequence, as VRS ``sequence_id`` wants one."""
    accession = REFSEQ_ACCESSIONS.get((assembly, chromosome))
    if accession:
        return f"refseq:{accession}"
    return f"{assembly}:{chromosome}"


# Variant documents' top-level fields: the allele's gene symbols as annotated, and each one's
# ``gene_key``, which gene queries match on (docs/storage.md).
GENE_IDS = "geneIds"
GENE_KEYS = "geneKeys"


def gene_key(symbol: str) -> str:
    """What a gene symbol is matched by: its case-folded form.

    HGNC symbols differ by more than case, and some are not all upper case (``C9orf72``), so a
    query is neither upper-cased nor required to match the case it was loaded in: ``c9orf72``,
    ``C9ORF72`` and ``C9orf72`` are one symbol, and no other.
    """
    return symbol.casefold()
