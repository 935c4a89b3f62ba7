"""Spreadsheet templates for Beacon metadata: column files, field descriptions, JSON Schemas and a
filled example, all derived from the marshmallow model in ``schemas.metadata``."""

from loaders.templates.write import TemplateSummary, write_templates

__all__ = ["TemplateSummary", "write_templates"]
