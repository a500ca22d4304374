"""``loc stats``: per-region areas, shares, settlements and population."""

from __future__ import annotations

import click

from loc.cli.options import (
    date_opt,
    emit,
    format_opt,
    load_snapshot,
    output_opt,
    snapshot_arg,
)
from loc.io import dumps
from loc.report import stats_json, stats_table


@click.command("stats")
@snapshot_arg
@date_opt
@format_opt(("table", "json", "csv"), default="table")
@output_opt
def command(file, date, fmt, output) -> None:
    """Statistics per region of a snapshot FILE (default: bundled sample).

    Areas in km² (equal-area LAEA 48.5N 32E); ``crimea`` includes Sevastopol. Regions with
    nothing occupied are left out of the table but kept in json and csv.
    """
    snap = load_snapshot(file, date)
    if fmt == "json":
        text = dumps(stats_json(snap)) + "\n"
    elif fmt == "csv":
        text = snap.stats().round(3).to_csv(lineterminator="\n")
    else:
        text = stats_table(snap)
    emit(text, output)
