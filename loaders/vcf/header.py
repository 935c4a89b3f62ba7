"""What the loader needs from a VCF header, read once with pysam (htslib validates it for us)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pysam

from loaders.errors import LoadError
from loaders.vcf.annotation import AnnotationLayout, annotation_layout


@dataclass(frozen=True)
class VcfHeader:
    samples: tuple[str, ...]
    contigs: frozenset[str]
    annotations: tuple[AnnotationLayout, ...]


def check_readable(path: str | Path) -> None:
    """Fail with a LoadError before htslib sees a missing file (pysam.BGZFile crashes on one)."""
    source = str(path)
    target = Path(path)
    if not target.exists():
        raise LoadError(source, "no such file")
    if not target.is_file():
        raise LoadError(source, "not a regular file")
    try:
        with target.open("rb"):
            pass
    except OSError as error:
        raise LoadError(source, f"cannot read the file: {error.strerror}") from None


def read_header(path: str | Path) -> VcfHeader:
    """Samples, declared contigs and ANN/CSQ layouts; any header problem becomes a LoadError."""
    check_readable(path)
    source = str(path)
    try:
        # Opened from a file object, pysam does not look for a tabix index it has no use for
        # (htslib would print "Could not retrieve index file" for every unindexed VCF).
        with Path(path).open("rb") as handle, pysam.VariantFile(handle) as vcf:
            if vcf.is_bcf:
                raise LoadError(source, "BCF input is not supported; convert it with bcftools view")
            header = vcf.header
            samples = tuple(header.samples)
            contigs = frozenset(header.contigs)
            annotations = tuple(
                layout
                for key in ("ANN", "CSQ")
                if key in header.info
                and (layout := annotation_layout(key, header.info[key].description or ""))
            )
    except ValueError:
        raise LoadError(
            source,
            "not a readable VCF file: htslib found no valid VCF header "
            "(##fileformat=VCF... lines, then the #CHROM line)",
        ) from None
    except OSError as error:
        raise LoadError(source, f"cannot read the file: {error.strerror or error}") from None
    return VcfHeader(samples, contigs, annotations)
