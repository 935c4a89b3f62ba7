"""The VCF loader: one ``genomicVariations`` document per ALT allele, streamed into the store."""

from loaders.vcf.load import VcfLoadSummary, iter_variant_documents, load_vcf

__all__ = ["VcfLoadSummary", "iter_variant_documents", "load_vcf"]
