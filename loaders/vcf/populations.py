"""Which population each VCF sample belongs to: from a populations file, or the dataset metadata.

A populations file is a CSV or TSV table with a header naming the columns ``sample`` and
``population``, and optionally ``country`` (ISO 3166-1 alpha-2); other columns are ignored. The
delimiter is a tab when the header line holds one, else a comma. Without a file, a sample's
population is the ethnicity of its individual in the dataset's metadata already in the store
(the biosample whose ``id`` is the sample name, then its ``individualId``): the term's label, or
its id when it has no label. A sample found in neither is in no population: it still counts in
``ALL``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.store import Store
from app.store.collections import BIOSAMPLES, INDIVIDUALS
from app.store.query import EntryIds, in_dataset
from loaders.errors import LoadError

ALL_SAMPLES = "ALL"  # the population every sample of the VCF is in, listed first
SAMPLE, POPULATION, COUNTRY = "sample", "population", "country"
FROM_METADATA = "dataset metadata"
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_ISO3166_PREFIX = "ISO3166:"
_SHOWN_UNKNOWN_SAMPLES = 5


@dataclass(frozen=True)
class SamplePopulations:
    """Sample name -> population (and country, where known), and where that came from."""

    source: str  # the populations file, or FROM_METADATA
    population_of: Mapping[str, str]
    country_of: Mapping[str, str] = field(default_factory=dict)
    line_of: Mapping[str, int] = field(default_factory=dict)  # file lines, for warnings

    def unknown_samples_warning(self, vcf_samples: Sequence[str]) -> str | None:
        """A warning naming the samples listed in a file that the VCF does not have."""
        in_vcf = set(vcf_samples)
        unknown = [name for name in self.population_of if name not in in_vcf]
        if not unknown:
            return None
        shown = ", ".join(
            f"{name} (line {self.line_of[name]})" if name in self.line_of else name
            for name in unknown[:_SHOWN_UNKNOWN_SAMPLES]
        )
        more = ", ..." if len(unknown) > _SHOWN_UNKNOWN_SAMPLES else ""
        return f"{self.source}: {len(unknown)} sample(s) not in the VCF, left out: {shown}{more}"


def read_populations_file(path: str | Path) -> SamplePopulations:
    """The sample -> population table of a CSV or TSV file; LoadError at the first problem."""
    name = str(path)
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        raise LoadError(name, f"cannot read the file: {error.strerror}") from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise LoadError(name, f"not UTF-8 text (byte {error.start + 1})", line) from None
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter="\t" if "\t" in first_line else ",")
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise LoadError(name, "no header line (sample, population[, country])", line=1)
        columns = _columns(name, reader.line_num, header)
        table = _rows(name, reader, columns, len(header))
    except csv.Error as error:
        raise LoadError(name, f"not a CSV/TSV table ({error})", line=reader.line_num) from None
    if not table.population_of:
        raise LoadError(name, "no samples in the file")
    return table


def _columns(path: str, line: int, header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = cell.strip().lower()
        if column in (SAMPLE, POPULATION, COUNTRY):
            if column in positions:
                raise LoadError(path, "the column is named twice in the header", line, column)
            positions[column] = index
    for required in (SAMPLE, POPULATION):
        if required not in positions:
            found = ", ".join(cell.strip() for cell in header)
            raise LoadError(
                path, f"the header has no {required!r} column (it has: {found})", line, required
            )
    return positions


def _rows(path: str, reader: Any, columns: dict[str, int], width: int) -> SamplePopulations:
    population_of: dict[str, str] = {}
    country_of: dict[str, str] = {}
    line_of: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > width:
            raise LoadError(path, f"{len(cells)} cells, but the header names {width}", line)
        values = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in columns.items()
        }
        sample, population = values[SAMPLE], values[POPULATION]
        if not sample:
            raise LoadError(path, "no sample name", line, SAMPLE)
        if sample in line_of:
            raise LoadError(
                path, f"sample {sample!r} is already listed on line {line_of[sample]}", line, SAMPLE
            )
        if not population:
            raise LoadError(path, f"no population for sample {sample!r}", line, POPULATION)
        if population.upper() == ALL_SAMPLES:
            raise LoadError(
                path,
                f"{population!r} is reserved for the frequency among all samples of the VCF",
                line,
                POPULATION,
            )
        country = values.get(COUNTRY, "")
        if country:
            code = country.removeprefix(_ISO3166_PREFIX).upper()
            if not _COUNTRY_CODE.fullmatch(code):
                raise LoadError(
                    path,
                    f"{country!r} is not an ISO 3166-1 alpha-2 country code (e.g. TH)",
                    line,
                    COUNTRY,
                )
            country_of[sample] = code
        population_of[sample] = population
        line_of[sample] = line
    return SamplePopulations(path, population_of, country_of, line_of)


def populations_from_metadata(
    store: Store, dataset_id: str, sample_names: Sequence[str]
) -> SamplePopulations:
    """Populations of the VCF samples from the dataset's biosamples and individuals.

    The sample's biosample (same ``id``) links to its individual, whose ``ethnicity`` label
    (or id) is the population and whose ``geographicOrigin``, when an ISO 3166 term, the country.
    """
    biosamples = store.project(
        BIOSAMPLES, in_dataset(dataset_id, EntryIds(tuple(sample_names))), ("id", "individualId")
    )
    individual_of = {
        biosample["id"]: biosample["individualId"]
        for biosample in biosamples
        if isinstance(biosample.get("individualId"), str)
    }
    if not individual_of:
        return SamplePopulations(FROM_METADATA, {})
    individuals = store.project(
        INDIVIDUALS,
        in_dataset(dataset_id, EntryIds(tuple(sorted(set(individual_of.values()))))),
        ("id", "record.ethnicity", "record.geographicOrigin"),
    )
    population_by_individual: dict[str, str] = {}
    country_by_individual: dict[str, str] = {}
    for individual in individuals:
        record = individual.get("record") or {}
        population = _term_name(record.get("ethnicity"))
        if population is None:
            continue
        if population.upper() == ALL_SAMPLES:
            raise LoadError(
                f"{INDIVIDUALS} of dataset {dataset_id}",
                f"individual {individual['id']}: the ethnicity {population!r} is reserved for "
                "the frequency among all samples of the VCF",
                field="ethnicity",
            )
        population_by_individual[individual["id"]] = population
        origin = record.get("geographicOrigin")
        origin_id = origin.get("id") if isinstance(origin, Mapping) else None
        if isinstance(origin_id, str) and origin_id.startswith(_ISO3166_PREFIX):
            country_by_individual[individual["id"]] = origin_id.removeprefix(_ISO3166_PREFIX)
    population_of = {}
    country_of = {}
    for sample in sample_names:
        individual = individual_of.get(sample)
        if individual in population_by_individual:
            population_of[sample] = population_by_individual[individual]
            if individual in country_by_individual:
                country_of[sample] = country_by_individual[individual]
    return SamplePopulations(FROM_METADATA, population_of, country_of)


def _term_name(term: Any) -> str | None:
    if not isinstance(term, Mapping):
        return None
    for key in ("label", "id"):
        value = term.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
