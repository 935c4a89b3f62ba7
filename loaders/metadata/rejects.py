"""Rejected rows written back in the shape they came in, each with its problems.

One rejects file per input file that had rejected rows, named ``<stem>.rejects.<ext>``:
spreadsheet rows keep their cells and gain a ``problems`` column; JSON and YAML records become
JSON lines with a ``problems`` list. Every problem keeps the original file and row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from loaders.metadata.sources import EntryFileContent, SourceRow
from loaders.rejects import rejects_path, writing_rejects

PROBLEMS_COLUMN = "problems"
PROBLEM_SEPARATOR = "; "


def _rejects_path_of(content: EntryFileContent, directory: Path | None) -> Path:
    source = content.source.path
    extension = source.suffix if content.source.flat else ".jsonl"
    return rejects_path(source, source.stem, extension, directory)


def write_rejects(
    contents: Iterable[EntryFileContent], directory: str | Path | None = None
) -> list[Path]:
    """Write the rejected rows of each input file; the paths written, in input order."""
    target_directory = Path(directory) if directory is not None else None
    written: list[Path] = []
    for content in contents:
        rejected = [row for row in content.rows if row.problems]
        if not rejected:
            continue
        path = _unused(_rejects_path_of(content, target_directory), written)
        with writing_rejects(path, "rows"):
            if content.source.flat:
                _write_table(path, content, rejected)
            else:
                _write_json_lines(path, rejected)
        written.append(path)
    return written


def _unused(path: Path, written: list[Path]) -> Path:
    """Two inputs of the same name rejected into one directory get numbered files."""
    candidate, number = path, 1
    while candidate in written:
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _problems(row: SourceRow) -> list[str]:
    return [str(problem) for problem in row.problems]


def _write_table(path: Path, content: EntryFileContent, rejected: list[SourceRow]) -> None:
    header = content.layout.header if content.layout else []
    width = max(len(header), *(len(row.raw) for row in rejected))
    byte_order_mark = content.layout is not None and content.layout.byte_order_mark
    with path.open("w", encoding="utf-8-sig" if byte_order_mark else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=content.source.delimiter)
        writer.writerow([*_padded(header, width), PROBLEMS_COLUMN])
        for row in rejected:
            writer.writerow([*_padded(row.raw, width), PROBLEM_SEPARATOR.join(_problems(row))])


def _padded(cells: list[str], width: int) -> list[str]:
    return list(cells) + [""] * (width - len(cells))


def _write_json_lines(path: Path, rejected: list[SourceRow]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rejected:
            record = dict(row.raw) if isinstance(row.raw, dict) else {"record": row.raw}
            record[PROBLEMS_COLUMN] = _problems(row)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
