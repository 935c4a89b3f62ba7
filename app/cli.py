"""The ``asia-beacon`` command: load data, serve the API, run the demo."""

from __future__ import annotations

import sys

import click

from app.config import DEFAULTS
from app.store import Store, StoreConfigurationError, open_store
from loaders.errors import LoadError

URI_OPTION = click.option(
    "--mongo-uri",
    envvar="ASIA_BEACON_MONGO_URI",
    default=str(DEFAULTS["MONGO_URI"]),
    show_default=True,
    help="mongodb://host/db for MongoDB, mongomock:// for the embedded store.",
)


@click.group()
def main() -> None:
    """asia-beacon: a GA4GH Beacon v2 server for national genome projects."""


@main.group()
def load() -> None:
    """Load data into the store (each load replaces the dataset's previous data)."""


def _warn_if_not_durable(store: Store) -> None:
    if not store.durable:
        click.echo(
            "warning: this store lives only as long as this process; data loaded here "
            "is not kept. Use `asia-beacon demo`, or a mongodb:// URI to keep loaded data.",
            err=True,
        )


def _open(uri: str) -> Store:
    try:
        return open_store(uri)
    except StoreConfigurationError as error:
        raise click.BadParameter(str(error), param_hint="--mongo-uri") from None


def _fail(error: LoadError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(2)


@load.command("vcf")
@click.argument("vcf", type=click.Path(dir_okay=False))
@click.option("--dataset", "dataset_id", required=True, help="Dataset id the variants belong to.")
@click.option("--assembly", "assembly_id", required=True, help="GRCh38, GRCh37 or a synonym.")
@click.option("--progress/--no-progress", default=True, show_default=True)
@URI_OPTION
def load_vcf_command(
    vcf: str, dataset_id: str, assembly_id: str, progress: bool, mongo_uri: str
) -> None:
    """Load a VCF (plain or bgzipped) into a dataset."""
    from loaders.vcf import load_vcf

    store = _open(mongo_uri)
    _warn_if_not_durable(store)
    try:
        summary = load_vcf(store, vcf, dataset_id, assembly_id, progress=progress)
    except LoadError as error:
        _fail(error)
    rate = summary.records / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"loaded {summary.variants} variants from {summary.records} records and "
        f"{summary.samples} samples of {summary.path} into dataset {summary.dataset_id} "
        f"({summary.assembly_id}) in {summary.seconds:.1f} s ({rate:,.0f} records/s)"
    )


@load.command("datasets")
@click.argument("path", type=click.Path(dir_okay=False))
@URI_OPTION
def load_datasets_command(path: str, mongo_uri: str) -> None:
    """Load dataset descriptions from a JSON or YAML list."""
    from loaders.datasets import load_datasets

    store = _open(mongo_uri)
    _warn_if_not_durable(store)
    try:
        summary = load_datasets(store, path)
    except LoadError as error:
        _fail(error)
    click.echo(f"loaded {len(summary.dataset_ids)} dataset(s): {', '.join(summary.dataset_ids)}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5050, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@URI_OPTION
def serve(host: str, port: int, workers: int, mongo_uri: str) -> None:
    """Serve the API with gunicorn."""
    from app.serving import run_gunicorn

    store = _open(mongo_uri)
    durable = store.durable
    store.close()
    if not durable:
        click.echo(
            "warning: this store starts empty in every worker; "
            "use `asia-beacon demo` for a loaded embedded beacon.",
            err=True,
        )
    run_gunicorn(host, port, workers, mongo_uri)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5050, show_default=True, type=int)
@click.option("--serve/--no-serve", "keep_serving", default=True, help="Load only, then exit.")
def demo(host: str, port: int, keep_serving: bool) -> None:
    """Start a beacon on the embedded store with the bundled example data loaded."""
    from app import create_app
    from app.serving import run_in_process
    from loaders.demo.load import EXAMPLE_QUERIES, load_demo

    store = open_store(str(DEFAULTS["MONGO_URI"]))
    summary = load_demo(store)
    url = f"http://{host}:{port}"
    click.echo(f"demo beacon: {summary}")
    click.echo(f"serving at {url}  (Ctrl-C to stop)")
    click.echo("try:")
    for description, path in EXAMPLE_QUERIES:
        click.echo(f"  # {description}\n  curl '{url}{path}'")
    if keep_serving:
        run_in_process(create_app(store=store), host, port)
