"""``loc stats``: per-region areas, shares, settlements and population."""

from __future__ import annotations

import click

from loc.cli.options import (
    date_opt,
    emit,
    format_opt,
    load_snapshot,
    output_format,
    output_opt,
    say,
    snapshot_arg,
)


@click.command("stats")
@snapshot_arg
@date_opt
@format_opt(("table", "json", "csv"), default=None)
@output_opt()
def command(snapshot, date, fmt, output) -> None:
    """Statistics per region of SNAPSHOT (FILE or STORE.gpkg@DATE; default: the sample).

    Areas in km² (equal-area LAEA 48.5N 32E); ``crimea`` includes Sevastopol; the row
    ``outside`` is what lies outside every region (sea, across the border). The table
    leaves out regions with nothing occupied; json and csv keep every region.
    """
    from loc.analysis.stats import stats
    from loc.io.writers import csv_text, dumps
    from loc.outputs.tables import stats_heading, stats_json, stats_table

    fmt = output_format(output, fmt, ("table", "json", "csv"))
    snap = load_snapshot(snapshot, date)
    if fmt == "json":
        text = dumps(stats_json(snap)) + "\n"
    elif fmt == "csv":
        text = csv_text(stats(snap).round(3), index=True)
    else:
        say(stats_heading(snap))
        text = stats_table(snap)
    emit(text, output)
