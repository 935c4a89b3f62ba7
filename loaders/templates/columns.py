"""Which columns a template has, and how each is described in ``<entry>.fields.tsv``.

Templates hold a curated set of columns: what national genome projects across Asia usually
record (identity and links, sex, ethnicity, country of origin, diagnoses, phenotypes, sample type
and dates, sequencing and analysis), with two list items where two are common. Any other field of
the model is added by naming its column by the same convention; ``all_fields=True`` writes every
leaf of the model instead (first list item only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from schemas.metadata import entry_schema
from schemas.metadata.flat import parse_column
from schemas.metadata.paths import FREE_OBJECT, Leaf, schema_leaves

FIELD_HEADER = ("column", "type", "required", "expectation", "example", "description")


def _term(path: str) -> tuple[str, str]:
    return f"{path}.id", f"{path}.label"


CURATED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "individuals": (
        "id",
        *_term("sex"),
        "karyotypicSex",
        *_term("ethnicity"),
        *_term("geographicOrigin"),
        *_term("diseases[0].diseaseCode"),
        "diseases[0].ageOfOnset.iso8601duration",
        "diseases[0].familyHistory",
        *_term("diseases[1].diseaseCode"),
        "diseases[1].ageOfOnset.iso8601duration",
        *_term("phenotypicFeatures[0].featureType"),
        "phenotypicFeatures[0].excluded",
        "phenotypicFeatures[0].onset.iso8601duration",
        *_term("phenotypicFeatures[1].featureType"),
        "phenotypicFeatures[1].excluded",
        *_term("measures[0].assayCode"),
        "measures[0].measurementValue.value",
        *_term("measures[0].measurementValue.unit"),
        "measures[0].date",
    ),
    "biosamples": (
        "id",
        "individualId",
        *_term("biosampleStatus"),
        *_term("sampleOriginType"),
        *_term("sampleOriginDetail"),
        "collectionDate",
        "collectionMoment",
        *_term("histologicalDiagnosis"),
        *_term("obtentionProcedure.procedureCode"),
        "notes",
    ),
    "runs": (
        "id",
        "biosampleId",
        "individualId",
        "runDate",
        "libraryLayout",
        "librarySelection",
        *_term("librarySource"),
        "libraryStrategy",
        "platform",
        *_term("platformModel"),
    ),
    "analyses": (
        "id",
        "runId",
        "biosampleId",
        "individualId",
        "analysisDate",
        "pipelineName",
        "pipelineRef",
        "aligner",
        "variantCaller",
    ),
    "cohorts": (
        "id",
        "name",
        "cohortType",
        *_term("cohortDesign"),
        "cohortSize",
        *_term("cohortDataTypes[0]"),
        "inclusionCriteria.ageRange.start.iso8601duration",
        "inclusionCriteria.ageRange.end.iso8601duration",
        *_term("inclusionCriteria.genders[0]"),
        *_term("inclusionCriteria.genders[1]"),
        *_term("inclusionCriteria.ethnicities[0]"),
        *_term("inclusionCriteria.locations[0]"),
        *_term("inclusionCriteria.diseaseConditions[0].diseaseCode"),
    ),
}


def column_path(column: str) -> str:
    """``diseases[1].diseaseCode.id`` -> ``diseases.diseaseCode.id`` (the leaf it fills)."""
    return ".".join(part for part in parse_column(column) if isinstance(part, str))


def entry_leaves(entry: str) -> dict[str, Leaf]:
    """Leaf path -> leaf for the entry's value fields (first shape wins where paths repeat)."""
    leaves: dict[str, Leaf] = {}
    for leaf in schema_leaves(entry_schema(entry)):
        if leaf.kind != FREE_OBJECT:
            leaves.setdefault(leaf.path, leaf)
    return leaves


def template_columns(entry: str, all_fields: bool = False) -> tuple[str, ...]:
    if not all_fields:
        return CURATED_COLUMNS[entry]
    return tuple(leaf.column for leaf in entry_leaves(entry).values())


@dataclass(frozen=True)
class ColumnDescription:
    column: str
    type: str
    required: str
    expectation: str
    example: str
    description: str

    def row(self) -> tuple[str, ...]:
        return (
            self.column,
            self.type,
            self.required,
            self.expectation,
            self.example,
            self.description,
        )


def describe_columns(
    entry: str, columns: Sequence[str], example_rows: Iterable[Mapping[str, str]] = ()
) -> list[ColumnDescription]:
    """One description per column; examples come from the filled example where it has one."""
    leaves = entry_leaves(entry)
    examples: dict[str, str] = {}
    for row in example_rows:
        for column, value in row.items():
            if value:
                examples.setdefault(column, value)
    found = []
    for column in columns:
        leaf = leaves[column_path(column)]
        example = examples.get(column) or _metadata_example(leaf)
        found.append(
            ColumnDescription(
                column,
                leaf.kind,
                _required(column, leaf),
                _expectation(leaf),
                example,
                _description(leaf),
            )
        )
    return found


def _metadata_example(leaf: Leaf) -> str:
    example = leaf.field.metadata.get("example")
    if example is None or leaf.kind == "ontology-id":
        return ""  # ontology ids in examples come from the verified vocabulary only
    if isinstance(example, bool):
        return "true" if example else "false"
    return str(example)


def _required(column: str, leaf: Leaf) -> str:
    """``yes``; ``with <object>`` (required once that optional object is given); or ``no``."""
    optional = [index for index, step in enumerate(leaf.steps) if not step.required]
    if optional and optional[-1] == len(leaf.steps) - 1:
        return "no"
    answer = f"with {_column_prefix(column, optional[-1] + 1)}" if optional else "yes"
    return f"{answer} (as {leaf.shape})" if leaf.shape else answer


def _column_prefix(column: str, names: int) -> str:
    """The first ``names`` names of a column, with their indices."""
    return ".".join(column.split(".")[:names])


def _expectation(leaf: Leaf) -> str:
    if leaf.term_rule is not None:
        return leaf.term_rule.describe()
    choices = leaf.field.metadata.get("choices")
    if choices:
        return "one of " + ", ".join(choices)
    return {
        "ontology-id": "any CURIE",
        "date": "ISO 8601 date, YYYY-MM-DD",
        "datetime": "ISO 8601 date-time with time zone",
        "duration": "ISO 8601 duration, e.g. P45Y or P3M2W",
        "boolean": "true or false",
        "integer": "whole number from 0",
        "number": "number",
    }.get(leaf.kind, "")


def _description(leaf: Leaf) -> str:
    own = leaf.field.metadata.get("description", "")
    owner = leaf.owner.metadata.get("description", "") if leaf.owner is not None else ""
    name = leaf.steps[-1].name
    if owner and leaf.kind == "ontology-id" and name == "id":
        return f"{owner} Term id."
    if owner and name == "label" and leaf.shape is None:
        return f"{owner} Term label."
    if owner:
        return f"{owner} {own}".strip()
    return own
