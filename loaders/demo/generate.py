"""Command line of the demo data generator, whose work is in ``loaders.demo.generator``:
``python -m loaders.demo.generate [OUTDIR]`` (by default into ``loaders/demo/data``)."""

from __future__ import annotations

from pathlib import Path

import click

from loaders.demo.generator import write_demo_data
from loaders.demo.load import demo_data_dir


@click.command()
@click.argument("outdir", required=False, type=click.Path(file_okay=False, path_type=Path))
def main(outdir: Path | None) -> None:
    """Write the demo VCF, its tabix index, populations.tsv, datasets.yaml, README.md and
    GENERATED_WITH (the numpy version that drew the data)."""
    target = outdir or demo_data_dir()
    cohort, records = write_demo_data(target)
    click.echo(f"{target}: {len(records)} records, {len(cohort.samples)} samples")


if __name__ == "__main__":
    main()
