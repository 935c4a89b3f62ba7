"""SnpEff-style functional annotation (INFO/ANN) of an ALT allele on a synthetic transcript, with
its Sequence Ontology effect, impact and HGVS c./p. descriptions."""

from __future__ import annotations

import bisect

from loaders.demo.generator.genetic_code import (
    CODON_TABLE,
    reverse_complement,
    three_letter,
    translate,
)
from loaders.demo.generator.transcripts import Transcript

FLANK = 5_000  # up/downstream_gene_variant reach, as SnpEff's default
ANN_FIELDS = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length",
    "CDS.pos / CDS.length", "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO",
)  # fmt: skip
ANN_DESCRIPTION = "Functional annotations: '" + " | ".join(ANN_FIELDS) + "' "


def _ann_entry(allele: str, effect: str, impact: str, transcript: Transcript, *fields: str) -> str:
    """One ANN entry; ``fields`` fill Rank .. Distance in ANN_FIELDS order, the rest stay empty."""
    gene = transcript.gene
    values = [allele, effect, impact, gene.symbol, gene.gene_id, "transcript"]
    values += [gene.transcript_id, "protein_coding", *fields]
    return "|".join(values + [""] * (len(ANN_FIELDS) - len(values)))


def trimmed_change(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The change without shared trailing, then leading, bases: an insertion has empty REF and
    goes between ``pos - 1`` and ``pos``."""
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while ref and alt and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def annotate_allele(
    transcript: Transcript, allele: str, pos: int, ref: str, alt: str
) -> str | None:
    """The ANN entry of one sequence ALT on one transcript, or None beyond the flanks."""
    pos, ref, alt = trimmed_change(pos, ref, alt)
    positions = range(pos, pos + len(ref)) if ref else (pos - 1, pos)
    offsets = sorted(transcript.offset(p) for p in positions)
    forward = transcript.gene.strand == "+"
    ref_t, alt_t = (ref, alt) if forward else (reverse_complement(ref), reverse_complement(alt))
    hgvs_c = _hgvs_c(transcript, offsets, ref_t, alt_t)
    inside = [offset for offset in offsets if 0 <= offset < transcript.span]
    if not inside:
        upstream = offsets[-1] < 0
        distance = -offsets[-1] if upstream else offsets[0] - transcript.span + 1
        if distance > FLANK:
            return None
        effect = "upstream_gene_variant" if upstream else "downstream_gene_variant"
        return _ann_entry(
            allele, effect, "MODIFIER", transcript, "", hgvs_c, "", "", "", "", str(distance)
        )
    exon = transcript.exon_index(inside[0])
    if exon is None:
        return _intron_entry(transcript, allele, inside, hgvs_c)
    rank = f"{exon + 1}/{transcript.gene.exon_count}"
    exonic = transcript.exonic_offset(inside[0])
    cdna = f"{exonic + 1}/{transcript.exonic_length}"
    coding = exonic - transcript.utr5
    if coding < 0 or coding >= len(transcript.cds):
        effect = "5_prime_UTR_variant" if coding < 0 else "3_prime_UTR_variant"
        return _ann_entry(allele, effect, "MODIFIER", transcript, rank, hgvs_c, "", cdna)
    effect, impact, hgvs_p = _coding_effect(transcript, inside, ref_t, alt_t, coding)
    cds = f"{coding + 1}/{len(transcript.cds)}"
    protein = f"{coding // 3 + 1}/{transcript.gene.protein_length}"
    return _ann_entry(allele, effect, impact, transcript, rank, hgvs_c, hgvs_p, cdna, cds, protein)


def _hgvs_c(transcript: Transcript, offsets: list[int], ref_t: str, alt_t: str) -> str:
    first, last = transcript.c_position(offsets[0]), transcript.c_position(offsets[-1])
    if not ref_t:
        return f"c.{first}_{last}ins{alt_t}"
    where = first if len(offsets) == 1 else f"{first}_{last}"
    if not alt_t:
        return f"c.{where}del{ref_t}"
    if len(ref_t) == len(alt_t) == 1:
        return f"c.{first}{ref_t}>{alt_t}"
    return f"c.{where}del{ref_t}ins{alt_t}"


def _intron_entry(transcript: Transcript, allele: str, inside: list[int], hgvs_c: str) -> str:
    i = bisect.bisect_right(transcript.exon_starts, inside[0]) - 1
    nearest, side = FLANK, "donor"
    for offset in inside:
        if transcript.exon_index(offset) is not None:
            continue
        j = bisect.bisect_right(transcript.exon_starts, offset) - 1
        donor = offset - (transcript.exon_starts[j] + transcript.exon_lengths[j] - 1)
        acceptor = transcript.exon_starts[j + 1] - offset
        if min(donor, acceptor) < nearest:
            nearest, side = min(donor, acceptor), "donor" if donor <= acceptor else "acceptor"
    if nearest <= 2:
        effect, impact = f"splice_{side}_variant&intron_variant", "HIGH"
    elif nearest <= 8:
        effect, impact = "splice_region_variant&intron_variant", "LOW"
    else:
        effect, impact = "intron_variant", "MODIFIER"
    rank = f"{i + 1}/{transcript.gene.exon_count - 1}"
    return _ann_entry(allele, effect, impact, transcript, rank, hgvs_c)


def _coding_effect(
    transcript: Transcript, inside: list[int], ref_t: str, alt_t: str, coding: int
) -> tuple[str, str, str]:
    """Sequence Ontology effect, impact and HGVS.p (3-letter) of a change starting in the CDS."""
    cds, length = transcript.cds, transcript.gene.protein_length
    codon = coding // 3
    amino = CODON_TABLE[cds[3 * codon : 3 * codon + 3]]
    if len(ref_t) != len(alt_t):
        if codon >= length:
            return "stop_lost", "HIGH", f"p.Ter{codon + 1}ext*?"
        change = abs(len(alt_t) - len(ref_t))
        if change % 3:
            return "frameshift_variant", "HIGH", f"p.{three_letter(amino)}{codon + 1}fs"
        if not alt_t:
            last = min(codon + change // 3, length) - 1
            last_amino = CODON_TABLE[cds[3 * last : 3 * last + 3]]
            where = f"{three_letter(amino)}{codon + 1}" + (
                f"_{three_letter(last_amino)}{last + 1}" if last > codon else ""
            )
            return "inframe_deletion", "MODERATE", f"p.{where}del"
        if not ref_t:
            following = CODON_TABLE[cds[3 * codon + 3 : 3 * codon + 6]]
            inserted = three_letter(translate(alt_t))
            where = f"{three_letter(amino)}{codon + 1}_{three_letter(following)}{codon + 2}"
            return "inframe_insertion", "MODERATE", f"p.{where}ins{inserted}"
        return "protein_altering_variant", "MODERATE", ""
    mutated = list(cds)
    changed = []
    for offset, base in zip(inside, alt_t, strict=False):
        index = transcript.cds_index(offset)
        if index is not None:
            mutated[index] = base
            changed.append(index // 3)
    first, last = min(changed), max(changed)
    before = translate(cds[3 * first : 3 * last + 3])
    after = translate("".join(mutated[3 * first : 3 * last + 3]))
    where = f"{three_letter(before[0])}{first + 1}"
    if before == after:
        effect = "stop_retained_variant" if before[-1] == "*" else "synonymous_variant"
        return effect, "LOW", f"p.{where}{three_letter(before[0])}"
    if first == 0 and after[0] != "M":
        return "start_lost", "HIGH", "p.Met1?"
    if before[-1] == "*" and after[-1] != "*":
        return "stop_lost", "HIGH", f"p.Ter{last + 1}{three_letter(after[-1])}ext*?"
    if "*" in after:
        return "stop_gained", "HIGH", f"p.{where}*"
    if first == last:
        return "missense_variant", "MODERATE", f"p.{where}{three_letter(after)}"
    span = f"{where}_{three_letter(before[-1])}{last + 1}"
    return "missense_variant", "MODERATE", f"p.{span}delins{three_letter(after)}"


_SV_EXON_EFFECTS = {
    "DEL": "exon_loss_variant",
    "DUP": "duplication",
    "INV": "inversion",
    "CNV": "copy_number_change",
}


def annotate_structural(
    transcript: Transcript, allele: str, svtype: str, pos: int, end: int, svlen: int
) -> str | None:
    """An ANN entry for a symbolic ALT overlapping the gene; None when it does not."""
    gene = transcript.gene
    first, last = (pos, pos) if svtype == "INS" else (pos + 1, end)
    if last < gene.start or first > gene.end:
        return None
    exons = [
        i
        for i in range(gene.exon_count)
        if transcript.exon_span(i)[0] <= last and transcript.exon_span(i)[1] >= first
    ]
    if svtype == "DEL" and first <= gene.start and last >= gene.end:
        return _ann_entry(allele, "transcript_ablation", "HIGH", transcript)
    if not exons:
        return _ann_entry(allele, "intron_variant", "MODIFIER", transcript)
    rank = f"{min(exons) + 1}/{gene.exon_count}"
    if svtype == "INS":
        effect, impact = (
            ("frameshift_variant", "HIGH") if svlen % 3 else ("inframe_insertion", "MODERATE")
        )
        return _ann_entry(allele, effect, impact, transcript, rank)
    return _ann_entry(allele, _SV_EXON_EFFECTS[svtype], "HIGH", transcript, rank)
