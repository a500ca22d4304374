"""``loc movement``: advance of the front per week or month and sector over a series."""

from __future__ import annotations

from pathlib import Path

import click

from loc.cli.options import emit
from loc.report import table


@click.command("movement")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--period", type=click.Choice(["week", "month"]), default="month",
              show_default=True, help="Compare the first snapshot of each period.")
@click.option("--step", default=2.0, show_default=True, type=float,
              help="Sampling step along the line (km).")
@click.option("--sectors", default="region", show_default=True,
              help="'region', or settlements as sector axes, comma-separated.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the table as CSV.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a chart (.png or .svg) of advance by sector over time.")
def command(inputs, period, step, sectors, csv_out, chart) -> None:
    """How far the front moved per period and sector over FILES or folders of dated
    snapshots; prints the fastest-moving sectors (mean advance per day)."""
    from loc.collection import snapshot_files
    from loc.movement import movement_series

    files = snapshot_files(inputs)
    axes = "region" if sectors == "region" else [s for s in sectors.split(",") if s.strip()]
    series = movement_series(files, period=period, step_km=step, sectors=axes)
    if csv_out:
        emit(series.to_csv(index=False, lineterminator="\n"), csv_out)
    if chart:
        from loc.chart import movement_chart

        movement_chart(series, chart)
        click.echo(f"wrote {chart}", err=True)
    fastest = (series.groupby("sector")
               .agg(periods=("start", "count"), mean_advance_km=("mean_advance_km", "sum"),
                    max_advance_km=("max_advance_km", "max"), days=("days", "sum"))
               .sort_values("mean_advance_km", ascending=False))
    fastest["km_per_day"] = fastest["mean_advance_km"] / fastest["days"].clip(lower=1)
    click.echo(f"{len(files)} snapshots, {series['start'].nunique()} {period}s; fastest "
               "moving sectors first (mean advance summed over periods):")
    click.echo(table(fastest, {"mean_advance_km": ",.2f", "max_advance_km": ",.2f",
                               "km_per_day": ".3f"}), nl=False)
