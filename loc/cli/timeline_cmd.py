"""``loc timeline``: occupied area per date and region over a series of snapshots."""

from __future__ import annotations

import click

from loc.cli.options import (
    chart_opt,
    emit,
    format_opt,
    kept_only_if_all_written,
    load_series,
    no_cache_opt,
    output_format,
    output_opt,
    progress_bar,
    say,
    series_arg,
    since_opt,
    until_opt,
)

FORMATS = ("table", "json", "csv")


@click.command("timeline")
@series_arg()
@since_opt
@until_opt
@format_opt(FORMATS, default=None)
@output_opt(aliases=("--csv",))
@chart_opt
@no_cache_opt
def command(inputs, since, until, fmt, output, chart, no_cache) -> None:
    """Occupied km² per date and region, with daily gains and losses, over a SERIES (files,
    folders of dated files such as the DeepState archive, a store). The table shows the
    last dates, csv and json every date; results are cached by content for the next run."""
    from loc.analysis.timeline import timeline
    from loc.io.writers import csv_text, dumps
    from loc.outputs.tables import table

    fmt = output_format(output, fmt, FORMATS)
    items = load_series(inputs, since, until)
    snaps = [item for _, item in items]
    with progress_bar(len(snaps), "timeline") as bar:
        df = timeline(snaps, use_cache=not no_cache, progress=bar.update)
    with kept_only_if_all_written(chart):  # the chart goes only with the table
        if chart:
            from loc.outputs.chart import timeline_chart

            timeline_chart(df, chart)
            say(f"wrote {chart}")
        first, last = df.index[0], df.index[-1]
        gaps = int((df["days_since_prev"].fillna(1) > 1).sum())
        say(f"{len(df)} dates from {first} to {last} ({gaps} gaps, {int(df['break'].sum())} "
            f"breaks); newly occupied {df['gained_km2'].sum():,.1f} km², no longer occupied "
            f"{df['lost_km2'].sum():,.1f} km², occupied {df['occupied_km2'].iloc[0]:,.1f} -> "
            f"{df['occupied_km2'].iloc[-1]:,.1f} km²")
        if fmt == "csv":
            emit(csv_text(df, index=True), output)
        elif fmt == "json":
            rows = df.reset_index().assign(date=lambda d: d["date"].astype(str))
            emit(dumps({"dates": len(df), "rows": rows.to_dict(orient="records")}) + "\n", output)
        else:
            cols = [c for c in df.columns if c.endswith("_km2") and df[c].max() > 0]
            shown = df[cols].tail(5).copy()
            shown.index = shown.index.map(str)
            emit(table(shown, dict.fromkeys(cols, ",.1f")), output)
