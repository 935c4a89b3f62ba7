"""The VCF loader: one ``genomicVariations`` document per ALT allele, streamed into the store."""

from loaders.vcf.load import VcfLoadSummary, iter_variant_documents, load_vcf
from loaders.vcf.populations import SamplePopulations, read_populations_file
from loaders.vcf.rejects import RejectLimit, TooManyRejectedError

__all__ = [
    "RejectLimit",
    "SamplePopulations",
    "TooManyRejectedError",
    "VcfLoadSummary",
    "iter_variant_documents",
    "load_vcf",
    "read_populations_file",
]
