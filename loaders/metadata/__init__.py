"""Loads standardized metadata (individuals, biosamples, runs, analyses, cohorts) per dataset."""

from loaders.metadata.load import MetadataLoadError, MetadataLoadSummary, load_metadata

__all__ = ["MetadataLoadError", "MetadataLoadSummary", "load_metadata"]
