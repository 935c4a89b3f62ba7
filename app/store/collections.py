"""Names of the collections the beacon keeps; every other module takes them from here."""

VARIANTS = "genomicVariations"
DATASETS = "datasets"
VARIANT_STATS = "variantStats"  # one summary per dataset, written by the VCF loader
