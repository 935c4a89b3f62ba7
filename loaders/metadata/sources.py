"""Metadata entry files -> rows: which files hold which entry type, and their records as read.

A file's entry type comes from its name: the stem is the collection name (``individuals.csv``)
or ends with it after ``_``, ``-`` or ``.`` (``th-2026_biosamples.tsv``). Spreadsheet rows are
unflattened with the template convention (``schemas.metadata.flat``); JSON and YAML records
(BFF style) are taken as they are, less the storage fields ``_id`` and ``datasetId``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from app.store.collections import METADATA_ENTRIES
from loaders.errors import LoadError
from schemas.metadata import scalar_list_paths
from schemas.metadata.flat import FlatColumnError, unflatten

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "tsv",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}
_NAME_SEPARATORS = ("_", "-", ".")


MAX_RECORD_CHARACTERS = 15_000_000  # below MongoDB's 16 MB document limit, with room for fields
_SLACK_VALUES = 1_000  # values a small file may hold beyond one per character


@dataclass(frozen=True)
class EntryFile:
    path: Path
    entry: str  # the collection its records go to, e.g. "individuals"
    format: str  # csv, tsv, json or yaml

    @property
    def flat(self) -> bool:
        return self.format in ("csv", "tsv")

    @property
    def delimiter(self) -> str:
        return "," if self.format == "csv" else "\t"


@dataclass(frozen=True)
class TableLayout:
    """What a rejects file needs to give a spreadsheet's rows back as they were."""

    header: list[str]
    byte_order_mark: bool


@dataclass
class SourceRow:
    """One record of an entry file, from reading to the decision to load or reject it."""

    source: EntryFile
    number: int  # spreadsheets: line in the file (as an editor shows it); JSON/YAML: record number
    raw: Any  # spreadsheets: the cells as read; JSON/YAML: the record as read
    data: dict[str, Any] | None  # the fields to validate; None when the row could not be read
    record: dict[str, Any] | None = None  # the validated Beacon record
    problems: list[LoadError] = field(default_factory=list)
    filled: set[str] = field(default_factory=set)  # links the loader added to the record

    @property
    def entry(self) -> str:
        return self.source.entry

    @property
    def fields(self) -> dict[str, Any]:
        """The validated record, or the fields as read when validation failed."""
        return self.record if self.record is not None else (self.data or {})

    @property
    def id(self) -> str | None:
        value = self.fields.get("id")
        return value if isinstance(value, str) and value else None

    def problem(self, message: str, column: str | None = None) -> None:
        self.problems.append(LoadError(str(self.source.path), message, self.number, column))


@dataclass
class EntryFileContent:
    source: EntryFile
    rows: list[SourceRow]
    problems: list[LoadError]  # problems of the file as a whole (unreadable, bad header...)
    layout: TableLayout | None = None


def entry_of(name: str) -> str | None:
    """The entry type a file name announces, or None."""
    stem = name.rsplit(".", 1)[0].lower() if "." in name else name.lower()
    for entry in METADATA_ENTRIES:
        if stem == entry.lower() or stem.endswith(
            tuple(separator + entry.lower() for separator in _NAME_SEPARATORS)
        ):
            return entry
    return None


def find_entry_files(
    paths: Iterable[str | Path],
) -> tuple[list[EntryFile], list[str], list[LoadError]]:
    """Entry files named or found in directories (not recursively), and notices for the others.

    A file named explicitly must be an entry file; in a directory, other files are skipped with
    a notice (hidden files silently). Files come in entry-type order (individuals first, as
    later types link to earlier ones), then in the order given or by name within a directory.
    """
    found: list[EntryFile] = []
    skipped: list[str] = []
    problems: list[LoadError] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and not child.name.startswith("."):
                    entry_file = _entry_file(child)
                    if entry_file is None:
                        skipped.append(f"{child}: {_not_an_entry_file(child)}")
                    else:
                        found.append(entry_file)
        elif path.is_file():
            entry_file = _entry_file(path)
            if entry_file is None:
                problems.append(LoadError(str(path), _not_an_entry_file(path)))
            else:
                found.append(entry_file)
        else:
            problems.append(LoadError(str(path), "no such file or directory"))
    found.sort(key=lambda entry_file: METADATA_ENTRIES.index(entry_file.entry))
    return found, skipped, problems


def _entry_file(path: Path) -> EntryFile | None:
    entry = entry_of(path.name)
    file_format = FORMATS.get(path.suffix.lower())
    if entry is None or file_format is None:
        return None
    return EntryFile(path, entry, file_format)


def _not_an_entry_file(path: Path) -> str:
    if entry_of(path.name) is not None:
        return f"not a metadata entry file (formats: {', '.join(sorted(FORMATS))})"
    return f"not a metadata entry file (names: {', '.join(METADATA_ENTRIES)}, or <prefix>_<name>)"


def read_entry_file(source: EntryFile, dataset_id: str) -> EntryFileContent:
    """Every record of the file, each ready for validation or carrying its reading problems."""
    try:
        content = source.path.read_bytes()
    except OSError as error:
        return _unreadable(source, f"cannot read the file: {error.strerror}")
    byte_order_mark = content.startswith(codecs.BOM_UTF8)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return _unreadable(source, f"not UTF-8 text (byte {error.start + 1})")
    if source.flat:
        read = _read_table(source, text, byte_order_mark)
    else:
        read = _read_records(source, text)
    for row in read.rows:
        if row.data is not None:
            _take_storage_fields(row, dataset_id)
    if not read.rows and not read.problems:
        read.problems.append(LoadError(str(source.path), "no records in the file"))
    return read


def _unreadable(source: EntryFile, message: str, line: int | None = None) -> EntryFileContent:
    return EntryFileContent(source, [], [LoadError(str(source.path), message, line)])


def _take_storage_fields(row: SourceRow, dataset_id: str) -> None:
    """``_id`` belongs to the store the records were exported from and ``$schema`` to the
    file's format; a ``datasetId`` must be the dataset loaded into."""
    data = row.data or {}
    data.pop("_id", None)
    data.pop("$schema", None)  # official examples name their schema
    if "datasetId" in data:
        found = data.pop("datasetId")
        if found != dataset_id:
            row.problem(f"the record belongs to dataset {found!r}, not {dataset_id!r}", "datasetId")


def _read_records(source: EntryFile, text: str) -> EntryFileContent:
    path = str(source.path)
    try:
        parsed = json.loads(text) if source.format == "json" else yaml.safe_load(text)
    except RecursionError:
        return _unreadable(source, "nested too deeply to be a metadata record")
    except json.JSONDecodeError as error:
        return _unreadable(source, f"not valid JSON: {error.msg}", error.lineno)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or "cannot be parsed"
        return _unreadable(source, f"not valid YAML: {problem}", line)
    if parsed is None:
        return EntryFileContent(source, [], [])
    if _expands_beyond(parsed, len(text) + _SLACK_VALUES):
        # YAML aliases can make a few bytes stand for billions of values
        return _unreadable(source, "expands to far more values than the file holds (aliases?)")
    if not isinstance(parsed, list | dict):
        return EntryFileContent(
            source, [], [LoadError(path, "must hold a list of records (or one record)")]
        )
    rows = []
    for number, record in enumerate(parsed if isinstance(parsed, list) else [parsed], 1):
        if isinstance(record, dict):
            data, problem = _json_ready(record)
            if problem is None and data is not None:
                rows.append(SourceRow(source, number, data, dict(data)))
                continue
            row = SourceRow(source, number, _printable(record), None)
            row.problem(problem or "cannot be read")
            rows.append(row)
        else:
            row = SourceRow(source, number, record, None)
            row.problem("a record must be an object of fields")
            rows.append(row)
    return EntryFileContent(source, rows, [])


def _json_ready(record: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The record as JSON data, or why it cannot be: YAML reads unquoted dates as dates (kept
    as the ISO text the schemas expect) and can also hold sets, binary or NaN, which no JSON
    answer can carry."""

    def iso(value: Any) -> Any:
        if isinstance(value, date | datetime):
            return value.isoformat()
        raise TypeError(f"a {type(value).__name__} value is not JSON data")

    try:
        text = json.dumps(record, default=iso, allow_nan=False)
        if len(text) > MAX_RECORD_CHARACTERS:
            return None, "the record is larger than a stored document may be (16 MB)"
        return json.loads(text), None
    except (TypeError, ValueError) as error:
        message = str(error)
        if "Out of range float" in message:
            message = "NaN and infinite numbers are not JSON data"
        return None, message
    except RecursionError:
        return None, "nested too deeply to be a metadata record"


def _expands_beyond(value: Any, limit: int) -> bool:
    """Whether ``value`` holds more than ``limit`` values, counting shared ones each time."""
    count, pending = 0, [value]
    while pending:
        item = pending.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _printable(record: dict[str, Any]) -> Any:
    """What a rejects file can show of a record that is not JSON data."""
    try:
        return json.loads(json.dumps(record, default=repr))
    except (ValueError, RecursionError):
        return repr(record)[:1000]


def _read_table(source: EntryFile, text: str, byte_order_mark: bool) -> EntryFileContent:
    path = str(source.path)
    # strict: an unmatched quote is an error, not a cell swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter, strict=True)
    header: list[str] | None = None
    header_line = 0
    columns: dict[int, str] = {}  # cell position -> column name, for well-formed columns
    problems: list[LoadError] = []
    rows: list[SourceRow] = []
    line = 0
    try:
        for cells in reader:
            first_line, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if not rows and cells[0].lstrip().startswith("#"):
                continue  # a comment before the first record (template notes)
            if header is None:
                header, header_line = cells, first_line
                columns, problems = _columns(path, header, header_line)
                continue
            rows.append(_table_row(source, first_line, cells, header, columns))
    except csv.Error as error:
        problems.append(LoadError(path, f"not valid {source.format.upper()}: {error}", line + 1))
    if header is None:
        return EntryFileContent(source, [], problems)
    return EntryFileContent(source, rows, problems, TableLayout(header, byte_order_mark))


def _columns(path: str, header: list[str], line: int) -> tuple[dict[int, str], list[LoadError]]:
    """Well-formed, distinct, compatible column names by position; problems for the others."""
    columns: dict[int, str] = {}
    problems: list[LoadError] = []
    first_position: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = cell.strip()
        if not name:
            continue
        if name in first_position:
            where = f"columns {first_position[name] + 1} and {position + 1}"
            problems.append(LoadError(path, f"the column appears twice ({where})", line, name))
            continue
        first_position[name] = position
        # Alone only: columns that clash (``sex`` beside ``sex.id``, a time interval's
        # ``start`` beside an age range's ``start.iso8601duration``) may both stand in a
        # template; a row filling both is refused by the row's own check.
        try:
            unflatten({name: ""})
        except FlatColumnError as error:
            problems.append(LoadError(path, error.message, line, name))
            continue
        columns[position] = name
    return columns, problems


def _table_row(
    source: EntryFile, number: int, cells: list[str], header: list[str], columns: dict[int, str]
) -> SourceRow:
    row = SourceRow(source, number, cells, None)
    if any(cell.strip() for cell in cells[len(header) :]):
        row.problem(f"{len(cells)} cells, but the header has {len(header)} columns")
    for position, cell in enumerate(cells[: len(header)]):
        if cell.strip() and not header[position].strip():
            row.problem(f"a value in column {position + 1}, which has no name")
    values = {
        name: cells[position].strip()
        for position, name in columns.items()
        if position < len(cells) and cells[position].strip()
    }
    try:
        row.data = unflatten(values, scalar_list_paths(source.entry))
    except FlatColumnError as error:
        row.problem(error.message, error.column)
    return row
