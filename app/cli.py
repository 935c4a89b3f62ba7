"""The ``asia-beacon`` command: load data, serve the API, run the demo."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NoReturn

import click

from app.access.audit import EXPORT_FORMATS, export
from app.config import DEFAULTS, ConfigurationError
from app.store import (
    DATASETS,
    ReleaseError,
    StorageFullError,
    Store,
    StoreConfigurationError,
    open_store,
)
from app.store.errors import FULL_ERRNOS
from loaders.datasets import catalog_gaps
from loaders.emptying import EmptyingLoadError
from loaders.errors import LoadError

if TYPE_CHECKING:
    from loaders.vcf import RejectLimit, VcfLoadSummary

DEMO_URI = "sqlite://memory/asia_beacon_demo"
HUB_URI = "sqlite://memory/asia_beacon_hub"

URI_OPTION = click.option(
    "--mongo-uri",
    envvar="ASIA_BEACON_MONGO_URI",
    default=str(DEFAULTS["MONGO_URI"]),
    show_default=True,
    help="mongodb://host/db for MongoDB; sqlite://localhost/db for the embedded store in "
    "ASIA_BEACON_DATA_DIR (sqlite:///path/to/dir for another directory).",
)

# One name on every load command that could replace stored entries with nothing.
ALLOW_EMPTY_OPTION = click.option(
    "--allow-empty",
    is_flag=True,
    help="Load even if this leaves the dataset, or one of its entry types, without the "
    "entries it holds now, or if every row of an input file was rejected.",
)


class _FullDiskEndsCleanly(click.Group):
    """A full disk ends any command with one line and exit status 2, never a traceback: the
    store has thrown away what the command was writing (the rows of a load no release names)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except StorageFullError as error:
            _disk_full(str(error))
        except OSError as error:
            if error.errno not in FULL_ERRNOS:
                raise
            _disk_full(f"disk full: cannot write {error.filename or 'the output'}")


def _disk_full(message: str) -> NoReturn:
    click.echo(
        f"error: {message}; nothing was changed (free some space, then run it again)", err=True
    )
    sys.exit(2)


@click.group(cls=_FullDiskEndsCleanly)
@click.version_option(
    package_name="asia-beacon", prog_name="asia-beacon", message="%(prog)s %(version)s"
)
def main() -> None:
    """asia-beacon: a GA4GH Beacon v2 server for national genome projects."""


@main.group()
def load() -> None:
    """Load data into the store (each load replaces the dataset's previous data)."""


def _say_where_it_is_kept(store: Store) -> None:
    """After a load: which release now serves it and where, or that nothing will keep it."""
    if not store.durable:
        click.echo(
            "warning: this store lives only as long as this process; data loaded here "
            "is not kept. Use the default embedded store (kept in ASIA_BEACON_DATA_DIR), "
            "or a mongodb:// URI to keep loaded data.",
            err=True,
        )
        return
    click.echo(f"release {store.active_release()} is served from {store.location}", err=True)


def _open(uri: str) -> Store:
    try:
        return open_store(uri)
    except StoreConfigurationError as error:
        raise click.BadParameter(str(error), param_hint="--mongo-uri") from None


def _fail(error: LoadError | ConfigurationError) -> None:
    if isinstance(error, EmptyingLoadError):
        _refuse_emptying(error)
    click.echo(f"error: {error}", err=True)
    sys.exit(2)


def _refuse_emptying(error: EmptyingLoadError) -> NoReturn:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    click.echo(
        "error: this load would replace stored data with nothing, so nothing was loaded "
        "(--allow-empty loads it anyway)",
        err=True,
    )
    sys.exit(2)


def _reject_limit(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> RejectLimit | None:
    from loaders.vcf import RejectLimit

    if value is None:
        return None
    try:
        return RejectLimit.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@load.command("vcf")
@click.argument("vcf", type=click.Path(dir_okay=False))
@click.option("--dataset", "dataset_id", required=True, help="Dataset id the variants belong to.")
@click.option("--assembly", "assembly_id", required=True, help="GRCh38, GRCh37 or a synonym.")
@click.option(
    "--populations",
    "populations_file",
    type=click.Path(dir_okay=False),
    help="CSV or TSV with columns sample, population (and optionally country): allele "
    "frequencies per population besides ALL. Without it, populations come from the ethnicity "
    "of each sample's individual in the dataset's metadata already loaded, if any.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Load the valid records and write the rejected ones, each with its problem, to a "
    "rejects file (NAME.rejects.txt). Without it the first bad record stops the load.",
)
@click.option(
    "--rejects",
    "rejects_dir",
    type=click.Path(file_okay=False),
    help="Folder for the rejects file [default: beside the VCF]. Needs --skip-invalid.",
)
@click.option(
    "--max-rejected",
    metavar="N|P%",
    callback=_reject_limit,
    help="Refuse the load (nothing changes) when more records than this are rejected: a "
    "count (10) or a percentage of the records read (5%). Needs --skip-invalid. "
    "[default: no limit]",
)
@ALLOW_EMPTY_OPTION
@click.option("--progress/--no-progress", default=True, show_default=True)
@URI_OPTION
def load_vcf_command(
    vcf: str,
    dataset_id: str,
    assembly_id: str,
    populations_file: str | None,
    skip_invalid: bool,
    rejects_dir: str | None,
    max_rejected: RejectLimit | None,
    allow_empty: bool,
    progress: bool,
    mongo_uri: str,
) -> None:
    """Load a VCF (plain or bgzipped) into a dataset."""
    from loaders.vcf import load_vcf

    for given, option in ((rejects_dir, "--rejects"), (max_rejected, "--max-rejected")):
        if given is not None and not skip_invalid:
            raise click.UsageError(f"{option} needs --skip-invalid")
    store = _open(mongo_uri)
    try:
        summary = load_vcf(
            store,
            vcf,
            dataset_id,
            assembly_id,
            progress=progress,
            populations=populations_file,
            skip_invalid=skip_invalid,
            rejects_dir=rejects_dir,
            max_rejected=max_rejected,
            allow_empty=allow_empty,
        )
    except LoadError as error:
        _fail(error)
    _say_where_it_is_kept(store)
    described = store.by_dataset(DATASETS, [dataset_id]).get(dataset_id)
    gaps = catalog_gaps({"_id": dataset_id, **described}) if described else []
    warnings = [*summary.warnings, *gaps]
    if described is None:
        warnings.append(
            f"dataset {dataset_id}: no description, so the catalog shows no country, consent "
            "codes or law for it; load one with `asia-beacon load datasets`"
        )
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    rate = summary.records / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"loaded {summary.variants} variants from {summary.loaded} of {summary.records} "
        f"records and {summary.samples} samples of {summary.path} into dataset "
        f"{summary.dataset_id} ({summary.assembly_id}) in {summary.seconds:.1f} s "
        f"({rate:,.0f} records/s)"
    )
    for line in _records_not_loaded(summary):
        click.echo(line)
    if not summary.populations:
        given = (
            f"no VCF sample is in {summary.population_source}"
            if summary.population_source
            else "none given"
        )
        click.echo(f"populations: {given}, frequencies are for ALL samples only")
        return
    sizes = ", ".join(
        f"{population.name} {population.samples}"
        + (f" ({', '.join(population.countries)})" if population.countries else "")
        for population in summary.populations
    )
    click.echo(
        f"populations from {summary.population_source}: {summary.samples_in_populations} of "
        f"{summary.samples} samples in {len(summary.populations)} populations: {sizes}"
    )


def _records_not_loaded(summary: VcfLoadSummary) -> list[str]:
    """One line per reason records of a VCF load gave no variant."""
    lines = []
    if summary.rejected:
        lines.append(f"rejected {summary.rejected} record(s), written to {summary.rejects_file}")
    if summary.without_carrier:
        lines.append(
            f"not loaded: {summary.without_carrier} record(s) no sample carries (every called "
            "genotype is reference, or INFO/AC=0)"
        )
    if summary.without_alternate:
        lines.append(
            f"not loaded: {summary.without_alternate} record(s) whose ALT alleles are all "
            "'*' or '.'"
        )
    return lines


@load.command("datasets")
@click.argument("path", type=click.Path(dir_okay=False))
@URI_OPTION
def load_datasets_command(path: str, mongo_uri: str) -> None:
    """Load dataset descriptions from a JSON or YAML list."""
    from loaders.datasets import load_datasets

    store = _open(mongo_uri)
    try:
        summary = load_datasets(store, path)
    except LoadError as error:
        _fail(error)
    _say_where_it_is_kept(store)
    click.echo(f"loaded {len(summary.dataset_ids)} dataset(s): {', '.join(summary.dataset_ids)}")
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)


@load.command("metadata")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--dataset", "dataset_id", required=True, help="Dataset id the records belong to.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Load the valid rows and write the rejected ones to rejects files.",
)
@click.option(
    "--rejects",
    "rejects_dir",
    type=click.Path(file_okay=False),
    help="Folder for the rejects files [default: beside each input file].",
)
@ALLOW_EMPTY_OPTION
@URI_OPTION
def load_metadata_command(
    paths: tuple[str, ...],
    dataset_id: str,
    skip_invalid: bool,
    rejects_dir: str | None,
    allow_empty: bool,
    mongo_uri: str,
) -> None:
    """Load individuals, biosamples, runs, analyses and cohorts from CSV, TSV, JSON or YAML
    files, or folders of them, into a dataset."""
    from loaders.metadata import MetadataLoadError, load_metadata

    store = _open(mongo_uri)
    try:
        summary = load_metadata(
            store, paths, dataset_id, skip_invalid, rejects_dir, allow_empty=allow_empty
        )
    except MetadataLoadError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(
            f"error: {len(error.problems)} problem(s); nothing was loaded "
            "(--skip-invalid loads the valid rows)",
            err=True,
        )
        sys.exit(2)
    except LoadError as error:
        _fail(error)
    _say_where_it_is_kept(store)
    for notice in summary.skipped:
        click.echo(f"skipped {notice}", err=True)
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    counts = ", ".join(f"{entry} {count}" for entry, count in summary.loaded.items())
    click.echo(
        f"loaded into dataset {summary.dataset_id}: {counts}; "
        f"{summary.filtering_terms} filtering terms"
    )
    for file in summary.files:
        click.echo(
            f"  {file.path}: {file.read} row(s) read, {file.loaded} loaded, "
            f"{file.rejected} rejected"
        )
    if summary.rejected:
        click.echo(
            f"rejected {summary.rejected} row(s), written to {', '.join(summary.rejects_files)}"
        )


@main.group("datasets")
def datasets_group() -> None:
    """Retire datasets (each change is a release, like a load)."""


@datasets_group.command("drop")
@click.argument("dataset_id")
@click.option("--yes", is_flag=True, help="Drop without asking for confirmation.")
@URI_OPTION
def datasets_drop_command(dataset_id: str, yes: bool, mongo_uri: str) -> None:
    """Remove DATASET_ID from every collection in a new release: its description, variants,
    metadata, filtering terms and stats (`asia-beacon releases rollback` brings it back)."""
    from loaders.datasets import dataset_collections, drop_dataset

    store = _open(mongo_uri)
    holding = dataset_collections(store, dataset_id)
    if holding and not yes:
        click.confirm(
            f"dataset {dataset_id} has documents in {', '.join(holding)}; "
            "drop them all in a new release?",
            abort=True,
        )
    try:
        summary = drop_dataset(store, dataset_id)
    except LoadError as error:
        _fail(error)
    _say_where_it_is_kept(store)
    click.echo(
        f"dropped dataset {summary.dataset_id} from {', '.join(summary.collections)}; "
        "`asia-beacon releases rollback` brings it back"
    )


@main.command()
@click.option("--host", help="Address to listen on [default: from ASIA_BEACON_BIND, 127.0.0.1].")
@click.option("--port", type=int, help="Port [default: from ASIA_BEACON_BIND, 5050].")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="gunicorn worker processes [default: ASIA_BEACON_WORKERS, WEB_CONCURRENCY, "
    "or 2 x CPUs + 1].",
)
@URI_OPTION
def serve(host: str | None, port: int | None, workers: int | None, mongo_uri: str) -> None:
    """Serve the API with gunicorn (settings: docs/deployment.md#the-server-process).

    Every setting is checked before the port is bound: a bad one ends the command with one line
    naming it, and exit code 2."""
    from app.serving import gunicorn_settings, ready_to_serve, run_gunicorn

    try:
        settings = gunicorn_settings(os.environ, host=host, port=port, workers=workers)
        checked = ready_to_serve({"MONGO_URI": mongo_uri})
    except ConfigurationError as error:
        _fail(error)
    if not checked.store.durable:
        click.echo(
            "warning: a sqlite://memory/ store starts empty in every worker; "
            "use the default embedded store, or `asia-beacon demo`.",
            err=True,
        )
    run_gunicorn(settings, {"MONGO_URI": mongo_uri})


@main.command()
@click.option(
    "--nodes",
    "nodes_file",
    required=True,
    envvar="ASIA_BEACON_NETWORK_NODES",
    type=click.Path(dir_okay=False, exists=True),
    help="Registry of the network's nodes (YAML or JSON); edits take effect without a restart.",
)
@click.option("--host", help="Address to listen on [default: from ASIA_BEACON_BIND, 127.0.0.1].")
@click.option("--port", type=int, help="Port [default: from ASIA_BEACON_BIND, 5050].")
@click.option("--workers", type=click.IntRange(min=1), help="gunicorn worker processes.")
@click.option(
    "--mongo-uri",
    envvar="ASIA_BEACON_MONGO_URI",
    default=HUB_URI,
    show_default=True,
    help="Where the hub keeps its audit log and query budgets (it holds no data of its own).",
)
def hub(
    nodes_file: str, host: str | None, port: int | None, workers: int | None, mongo_uri: str
) -> None:
    """Serve a network hub: every Beacon query is asked of the registry's nodes and their
    answers merged (docs/guides/network.md)."""
    from app.network.identity import new_instance_id
    from app.network.registry import RegistryError, read_registry
    from app.serving import gunicorn_settings, ready_to_serve, run_gunicorn

    try:
        nodes = read_registry(nodes_file)
    except RegistryError as error:
        raise click.UsageError(str(error)) from None
    app_config = {"MONGO_URI": mongo_uri, "NETWORK_NODES": os.path.abspath(nodes_file)}
    if not os.environ.get("ASIA_BEACON_NETWORK_INSTANCE_ID"):
        # one id for every worker, so that each knows the others as this same hub
        app_config["NETWORK_INSTANCE_ID"] = new_instance_id()
    try:
        settings = gunicorn_settings(os.environ, host=host, port=port, workers=workers)
        ready_to_serve(app_config)
    except ConfigurationError as error:
        _fail(error)
    for node in nodes:
        click.echo(f"node {node.id} ({node.country}) at {node.url}, token: {node.token.kind}")
    run_gunicorn(settings, app_config)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5050, show_default=True, type=int)
@click.option("--serve/--no-serve", "keep_serving", default=True, help="Load only, then exit.")
def demo(host: str, port: int, keep_serving: bool) -> None:
    """Start a beacon on the embedded store with the bundled example data loaded."""
    from app import create_app
    from app.serving import run_in_process
    from loaders.demo.load import (
        COHORT_EXAMPLE_QUERIES,
        DEMO_ACCESS_NOTE,
        DEMO_CONFIG,
        EXAMPLE_QUERIES,
        load_demo,
    )

    store = open_store(DEMO_URI)  # its own store: the demo never mixes with loaded data
    summary = load_demo(store)
    url = f"http://{host}:{port}"
    click.echo(f"demo beacon: {summary}")
    click.echo(DEMO_ACCESS_NOTE)
    click.echo(f"serving at {url}  (Ctrl-C to stop)")
    click.echo("try:")
    for description, path in (*EXAMPLE_QUERIES, *COHORT_EXAMPLE_QUERIES):
        click.echo(f"  # {description}\n  curl '{url}{path}'")
    if keep_serving:
        run_in_process(create_app(DEMO_CONFIG, store=store), host, port)


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option(
    "--all-fields",
    is_flag=True,
    help="One column for every field of the model (first list item), not the curated set.",
)
def templates(outdir: str, all_fields: bool) -> None:
    """Write metadata spreadsheet templates, their field descriptions, JSON Schemas and a
    filled example into OUTDIR."""
    from loaders.templates import write_templates

    summary = write_templates(outdir, all_fields)
    click.echo(f"wrote {len(summary.files)} files into {summary.folder}")


@main.group()
def ontology() -> None:
    """Build ontology hierarchy files for descendant-term and similarity filters."""


@ontology.command("extract")
@click.argument("obo_file", type=click.Path(dir_okay=False))
@click.option(
    "--terms",
    "term_lists",
    multiple=True,
    help="A file of term ids (one per line) or ids like HP:0000822,HP:0001250; repeatable. "
    "Without it the whole ontology is written.",
)
@click.option(
    "--prefix",
    "prefixes",
    multiple=True,
    help="Keep only terms with this CURIE prefix (e.g. UBERON); repeatable.",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="TSV file to write."
)
def ontology_extract_command(
    obo_file: str, term_lists: tuple[str, ...], prefixes: tuple[str, ...], output: str
) -> None:
    """Write the hierarchy TSV (id, label, parents) of the given terms and all their
    ancestors from an OBO file."""
    from loaders.ontology import extract_obo, read_term_list

    try:
        wanted = [term for value in term_lists for term in read_term_list(value)]
        result = extract_obo(obo_file, wanted if term_lists else None, output, prefixes)
    except LoadError as error:
        _fail(error)
    for term, replacements in result.obsolete.items():
        hint = f" (replaced by {', '.join(replacements)})" if replacements else ""
        click.echo(f"warning: {term} is obsolete{hint}; left out", err=True)
    if result.missing:
        click.echo(f"warning: not in {obo_file}: {', '.join(result.missing)}", err=True)
    click.echo(f"wrote {len(result.terms)} terms to {output}")


@main.group()
def audit() -> None:
    """Read the audit log of queries (who asked what, answered by which datasets)."""


@audit.command("export")
@click.option("--since", type=click.DateTime(), help="Only queries at or after (UTC).")
@click.option("--until", type=click.DateTime(), help="Only queries before (UTC).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
)
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", show_default=True)
@URI_OPTION
def audit_export_command(
    since: datetime | None, until: datetime | None, output_format: str, output, mongo_uri: str
) -> None:
    """Write the logged queries, oldest first, as JSON Lines or CSV. Records of the log that
    are not whole (a write torn by a full disk) are skipped, each named in a warning."""
    store = _open(mongo_uri)
    for line in export(store.audit.entries(_utc(since), _utc(until)), output_format):
        output.write(line)
    for problem in store.audit.skipped_records():
        click.echo(f"warning: audit log record skipped: {problem}", err=True)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


@main.group()
def releases() -> None:
    """List the loaded releases and choose which one is served (takes effect at once in
    every serving process)."""


def _release_change(mongo_uri: str, change: Callable[[Store], str]) -> None:
    """Apply a change to the store's releases; say what is served now, or why not."""
    store = _open(mongo_uri)
    try:
        message = change(store)
    except ReleaseError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(message)


@releases.command("list")
@URI_OPTION
def releases_list_command(mongo_uri: str) -> None:
    """One line per release, oldest first; the served one is marked with *."""
    store = _open(mongo_uri)
    for release in store.releases():
        marker = "*" if release.active else " "
        parts = ", ".join(sorted(release.collections))
        click.echo(f"{marker} {release.id}  {release.created_at}  {release.description}  [{parts}]")


@releases.command("activate")
@click.argument("release_id")
@URI_OPTION
def releases_activate_command(release_id: str, mongo_uri: str) -> None:
    """Serve RELEASE_ID."""

    def change(store: Store) -> str:
        store.activate(release_id)
        return f"serving {release_id}"

    _release_change(mongo_uri, change)


@releases.command("rollback")
@URI_OPTION
def releases_rollback_command(mongo_uri: str) -> None:
    """Serve again the release served before the one served now (before the last load)."""
    _release_change(mongo_uri, lambda store: f"serving {store.rollback()}")


@releases.command("drop")
@click.argument("release_id")
@URI_OPTION
def releases_drop_command(release_id: str, mongo_uri: str) -> None:
    """Delete RELEASE_ID (not the served one) and the data only it used."""

    def change(store: Store) -> str:
        store.drop_release(release_id)
        return f"dropped {release_id}"

    _release_change(mongo_uri, change)
