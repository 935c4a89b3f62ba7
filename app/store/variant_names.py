"""The names a variant row need not store: its internal id and genomic HGVS id, where its own
columns spell them.

The VCF loader names a short plain-base allele ``ASSEMBLY:CHROM:POS:REF:ALT`` and an SNV on a
chromosome with a RefSeq accession ``ACCESSION:g.POSREF>ALT``. Stored as text, with an index
each, the two took 120 of the 380 bytes of a sites-only row. The embedded store keeps a name only
where it is not the one the row's columns spell (a digest id, a name a tool wrote). The internal
id is then read by an SQL expression, which an index holds. The HGVS id, which Data Connect
does not list, has no index of its own: a lookup reads the position back from the name and
searches the position index. It is left out only where that reading gives the row's own
columns, so a lookup finds exactly the rows whose stored or spelled id is the one asked for.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from app.genome import REFSEQ_ACCESSIONS

# the accession's assemblies: a mitochondrial one is shared by GRCh37 and GRCh38
_ASSEMBLIES_OF_ACCESSION: dict[str, tuple[str, ...]] = {}  # chromosome, then assemblies
for (_assembly, _chrom), _accession in REFSEQ_ACCESSIONS.items():
    _ASSEMBLIES_OF_ACCESSION.setdefault(_accession, (_chrom,))
    _ASSEMBLIES_OF_ACCESSION[_accession] += (_assembly,)
_HGVS_SNV = re.compile(r"([^:]+):g\.([1-9][0-9]*)(.)>(.)", re.DOTALL)


class NamedPosition(NamedTuple):
    """Where a derived name puts its allele: the row columns that spell it."""

    assemblies: tuple[str, ...]  # one, or the two sharing the mitochondrial accession
    chrom: str
    start: int
    ref: str
    alt: str


def stored_internal_id(
    internal_id: str, assembly: str, chrom: str, start: int, ref: str, alt: str
) -> str | None:
    """What a row stores of its internal id: None where it is the one its columns spell,
    ``ASSEMBLY:CHROM:POS:REF:ALT`` (``sqlite_schema.internal_id_sql`` spells it in SQL)."""
    return None if internal_id == f"{assembly}:{chrom}:{start + 1}:{ref}:{alt}" else internal_id


def hgvs_id_derived(
    hgvs_id: str, assembly: str, chrom: str, start: int, ref: str, alt: str
) -> bool:
    """Whether :func:`hgvs_id_position` reads a row's genomic HGVS id back as its own columns,
    so that it need not be stored (``sqlite_schema.hgvs_id_sql`` spells it in SQL).

    Written out rather than parsed (a write does this for every row): with the RefSeq
    accession of its chromosome, a start from 0 and single bases, the id reads back as the row.
    """
    accession = REFSEQ_ACCESSIONS.get((assembly, chrom))
    return (
        accession is not None
        and start >= 0
        and len(ref) == 1 == len(alt)
        and hgvs_id == f"{accession}:g.{start + 1}{ref}>{alt}"
    )


def hgvs_id_position(hgvs_id: str) -> NamedPosition | None:
    """The columns of a row whose genomic HGVS id is derived and equals ``hgvs_id``, or None."""
    found = _HGVS_SNV.fullmatch(hgvs_id)
    if found is None:
        return None
    accession, position, ref, alt = found.groups()
    of_accession = _ASSEMBLIES_OF_ACCESSION.get(accession)
    if of_accession is None:
        return None
    chrom, *assemblies = of_accession
    return NamedPosition(tuple(assemblies), chrom, int(position) - 1, ref, alt)
