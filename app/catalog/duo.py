"""Labels of GA4GH DUO consent codes, so a catalog shows "general research use" and not only
DUO:0000042 even when the steward gave just the code."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def duo_labels() -> dict[str, str]:
    """DUO term id -> label, from the bundled table."""
    text = (resources.files("app.catalog") / "data" / "duo.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(
        (line for line in text.splitlines() if not line.startswith("#")), delimiter="\t"
    )
    return {row["id"]: row["label"] for row in rows}


def labelled(term: dict[str, str]) -> dict[str, str]:
    """The term with its label filled in when the steward left it out and DUO knows it."""
    if term.get("label") or term["id"] not in duo_labels():
        return term
    return {**term, "label": duo_labels()[term["id"]]}
