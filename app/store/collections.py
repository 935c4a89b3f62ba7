"""Names of the collections the beacon keeps; every other module takes them from here."""

VARIANTS = "genomicVariations"
DATASETS = "datasets"
VARIANT_STATS = "variantStats"  # one summary per dataset, written by the VCF loader
INDIVIDUALS = "individuals"
BIOSAMPLES = "biosamples"
RUNS = "runs"
ANALYSES = "analyses"
COHORTS = "cohorts"
METADATA_STATS = "metadataStats"  # per dataset: how many entries of each type it holds
FILTERING_TERMS = "filteringTerms"  # terms present per dataset and scope, written by loaders

METADATA_ENTRIES = (INDIVIDUALS, BIOSAMPLES, RUNS, ANALYSES, COHORTS)
# One summary document per dataset, keyed by its id, which its loads write.
DATASET_SUMMARIES = (VARIANT_STATS, METADATA_STATS)
PRIVACY_LAWS = "privacyLaws"  # the bundled privacy-law registry, synced when the app starts
QUERY_BUDGETS = "queryBudgets"  # per identity and period: "yes" answers on rare variants spent
AUDIT_LOG = "auditLog"  # one document per query: who, when, where, what it asked, which datasets
# A hub's view of its network's datasets and nodes, rebuilt from what it last read of them
NETWORK_DATASETS = "networkDatasets"

# Top-level field of a variant document: the allele's frequency among all samples of its
# dataset (None when the VCF gave no allele number); the rare-allele protection filters on it.
ALLELE_FREQUENCY = "alleleFrequency"

# Written while serving, by every process, outside any release (see app/store/journal.py).
RUNTIME_COLLECTIONS = (QUERY_BUDGETS, AUDIT_LOG)
# Rebuilt by each process from data bundled with the program (when it starts) or, on a hub, from
# what it reads of its nodes (before each Data Connect read).
PROCESS_LOCAL_COLLECTIONS = (PRIVACY_LAWS, NETWORK_DATASETS)
# Where the release manifest lives on MongoDB (one document).
RELEASES = "releases"

# The field of a dataset's variants, entries and filtering terms that names the dataset.
DATASET_ID = "datasetId"

# The released collections holding documents of one dataset, each with the field naming it:
# a dataset is these documents, and retiring it removes them (and nothing else).
DATASET_FIELDS = {
    DATASETS: "_id",
    VARIANTS: DATASET_ID,
    VARIANT_STATS: "_id",
    **dict.fromkeys(METADATA_ENTRIES, DATASET_ID),
    METADATA_STATS: "_id",
    FILTERING_TERMS: DATASET_ID,
}
