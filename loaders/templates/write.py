"""Writes the templates of every entry type into a folder, with the filled example beside them.

For each entry type: ``<entry>.csv`` (the header row), ``<entry>.fields.tsv`` (what each column
holds), ``<entry>.schema.json`` (the JSON Schema of a record); and ``example/<entry>.csv``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.templates.columns import FIELD_HEADER, describe_columns, template_columns
from loaders.templates.example import example_records
from schemas.metadata import ENTRY_SCHEMAS
from schemas.metadata.flat import flatten, parse_column
from schemas.metadata.json_schema import entry_json_schema

EXAMPLE_FOLDER = "example"


@dataclass(frozen=True)
class TemplateSummary:
    folder: Path
    files: tuple[Path, ...]


def example_table(entry: str, all_fields: bool = False) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of the filled example: the template's columns, then any further column
    the example fills (e.g. a second list item), in the order the records give them."""
    rows = [flatten(record) for record in example_records()[entry]]
    header = list(template_columns(entry, all_fields))
    for row in rows:
        for column in row:
            if column not in header:
                header.insert(_place_for(header, column), column)
    return header, rows


def _place_for(header: Sequence[str], column: str) -> int:
    """After the last column of the same list (``locations[1].id`` after ``locations[0].label``)."""
    family = _list_family(column)
    same = [index for index, other in enumerate(header) if _list_family(other) == family]
    return same[-1] + 1 if family and same else len(header)


def _list_family(column: str) -> str:
    """The list a column's last index is in, without indices: ``inclusionCriteria.locations``."""
    parts = parse_column(column)
    last_index = max((i for i, part in enumerate(parts) if isinstance(part, int)), default=None)
    if last_index is None:
        return ""
    return ".".join(str(part) for part in parts[:last_index] if isinstance(part, str))


def write_templates(folder: str | Path, all_fields: bool = False) -> TemplateSummary:
    """Write (or overwrite) every template file under ``folder``, creating it if needed."""
    root = Path(folder)
    (root / EXAMPLE_FOLDER).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for entry in ENTRY_SCHEMAS:
        columns = template_columns(entry, all_fields)
        header, rows = example_table(entry, all_fields)
        descriptions = describe_columns(entry, columns, rows)
        written.append(_write_table(root / f"{entry}.csv", columns, [], ","))
        written.append(
            _write_table(
                root / f"{entry}.fields.tsv",
                FIELD_HEADER,
                [description.row() for description in descriptions],
                "\t",
            )
        )
        schema_path = root / f"{entry}.schema.json"
        schema_path.write_text(
            json.dumps(entry_json_schema(entry), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        written.append(schema_path)
        example_path = root / EXAMPLE_FOLDER / f"{entry}.csv"
        cells = [[row.get(column, "") for column in header] for row in rows]
        written.append(_write_table(example_path, header, cells, ","))
    return TemplateSummary(root, tuple(written))


def _write_table(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[str]], delimiter: str
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path
