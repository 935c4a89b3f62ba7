"""The hierarchy file format: a TSV with columns ``id``, ``label``, ``parents`` (``|``-separated).

Lines starting with ``#`` say where the file came from; readers skip them.
One format for the bundled files, the files a deployment adds and what ``asia-beacon ontology
extract`` writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

COLUMNS = ("id", "label", "parents")
PARENT_SEPARATOR = "|"


@dataclass(frozen=True)
class OntologyTerm:
    id: str
    label: str
    parents: tuple[str, ...] = ()


class OntologyFileError(ValueError):
    """A hierarchy file that cannot be read; names the file and line."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


def read_terms(path: str | Path) -> list[OntologyTerm]:
    """Every term of one hierarchy file, in file order."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return list(_parse(handle, path))
    except OSError as error:
        raise OntologyFileError(path, None, error.strerror or str(error)) from None
    except UnicodeDecodeError:
        raise OntologyFileError(path, None, "not UTF-8 text") from None


def read_terms_from(handle: IO[str], name: str) -> list[OntologyTerm]:
    """Like :func:`read_terms` for an open text stream (bundled package data)."""
    return list(_parse(handle, name))


def _parse(handle: IO[str], path: str | Path) -> Iterator[OntologyTerm]:
    index: dict[str, int] | None = None
    for number, line in enumerate(handle, start=1):
        if line.startswith("#") or not line.strip():
            continue
        cells = [cell.strip() for cell in line.rstrip("\r\n").split("\t")]
        if index is None:
            missing = [column for column in COLUMNS if column not in cells]
            if missing:
                raise OntologyFileError(path, number, f"header lacks {', '.join(missing)}")
            index = {column: cells.index(column) for column in COLUMNS}
            continue
        term_id = _get(cells, index["id"])
        if not term_id:
            raise OntologyFileError(path, number, "empty id")
        parents = _get(cells, index["parents"]).split(PARENT_SEPARATOR)
        yield OntologyTerm(
            term_id, _get(cells, index["label"]), tuple(p.strip() for p in parents if p.strip())
        )
    if index is None:
        raise OntologyFileError(path, None, "no header: expected columns id, label, parents")


def _get(cells: list[str], position: int) -> str:
    return cells[position] if position < len(cells) else ""


def write_terms(
    terms: Iterable[OntologyTerm], path: str | Path, comments: Iterable[str] = ()
) -> int:
    """Write terms sorted by id (parents sorted too) so rebuilt files diff cleanly."""
    rows = sorted(terms, key=lambda term: term.id)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for comment in comments:
            handle.write(f"# {comment}\n")
        handle.write("\t".join(COLUMNS) + "\n")
        for term in rows:
            parents = PARENT_SEPARATOR.join(sorted(set(term.parents)))
            handle.write(f"{term.id}\t{_cell(term.label)}\t{parents}\n")
    return len(rows)


def _cell(text: str) -> str:
    """Tabs and line breaks would break the row; ontology labels do not need them."""
    return " ".join(text.split())
