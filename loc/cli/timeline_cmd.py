"""``loc timeline``: occupied area per date and region over a folder of snapshots."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from loc.cli.options import emit
from loc.report import table


@click.command("timeline")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the table as CSV.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a chart (.png or .svg).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
def command(inputs, csv_out, chart, no_cache) -> None:
    """Occupied km² per date and region, with daily gains and losses, over FILES or
    folders of dated snapshots (e.g. the DeepState archive). Prints the last rows and a
    summary; results are cached by file hash for the next run."""
    from loc.collection import snapshot_files
    from loc.timeline import timeline

    files = snapshot_files(inputs)
    with click.progressbar(length=len(files), label="timeline", file=sys.stderr,
                           show_pos=True) as bar:
        df = timeline(files, use_cache=not no_cache, progress=bar.update)
    if csv_out:
        emit(df.to_csv(lineterminator="\n"), csv_out)
    if chart:
        from loc.chart import timeline_chart

        timeline_chart(df, chart)
        click.echo(f"wrote {chart}", err=True)
    cols = [c for c in df.columns if c.endswith("_km2") and df[c].max() > 0]
    shown = df[cols].tail(5).copy()
    shown.index = shown.index.map(str)
    click.echo(table(shown, dict.fromkeys(cols, ",.1f")), nl=False)
    first, last = df.index[0], df.index[-1]
    gaps = int((df["days_since_prev"].fillna(1) > 1).sum())
    click.echo(f"{len(df)} dates from {first} to {last} ({gaps} gaps, "
               f"{int(df['break'].sum())} breaks); newly occupied {df['gained_km2'].sum():,.1f}"
               f" km², no longer occupied {df['lost_km2'].sum():,.1f} km², occupied "
               f"{df['occupied_km2'].iloc[0]:,.1f} -> {df['occupied_km2'].iloc[-1]:,.1f} km²")
