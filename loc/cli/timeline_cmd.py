"""``loc timeline``: occupied area per date and region over a series of snapshots."""

from __future__ import annotations

import click

from loc.cli.options import (
    break_opt,
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
@break_opt
@no_cache_opt
def command(inputs, since, until, fmt, output, chart, break_km2, no_cache) -> None:
    """Occupied km² per date and region, with daily gains and losses, over a SERIES (files,
    folders of dated files such as the DeepState archive, a store). The table shows the
    last dates, csv and json every date; results are cached by content for the next run
    (with the same figures, errors and warnings as without)."""
    from loc.analysis.timeline import timeline
    from loc.io.writers import csv_text, dumps
    from loc.outputs.tables import table

    fmt = output_format(output, fmt, FORMATS)
    items = load_series(inputs, since, until)
    snaps = [item for _, item in items]
    with progress_bar(len(snaps), "timeline") as bar:
        df = timeline(snaps, use_cache=not no_cache, progress=bar.update,
                      **({} if break_km2 is None else {"break_km2": break_km2}))
    with kept_only_if_all_written(chart):  # the chart goes only with the table
        if chart:
            from loc.outputs.chart import timeline_chart

            timeline_chart(df, chart)
            say(f"wrote {chart}")
        first, last = df.index[0], df.index[-1]
        gaps = int((df["days_since_prev"].fillna(1) > 1).sum())
        breaks = int(df["break"].sum())
        # a break's change is not a gain or loss: the sums leave it out, and say so
        left_out = (f" (not counting the change at {breaks} break{'s' if breaks > 1 else ''})"
                    if breaks else "")
        say(f"{len(df)} dates from {first} to {last} ({gaps} gaps, {breaks} breaks); newly "
            f"occupied {df['gained_km2'].sum():,.1f} km², no longer occupied "
            f"{df['lost_km2'].sum():,.1f} km²{left_out}, occupied "
            f"{df['occupied_km2'].iloc[0]:,.1f} -> {df['occupied_km2'].iloc[-1]:,.1f} km²")
        if fmt == "csv":
            emit(csv_text(df, index=True), output)
        elif fmt == "json":
            rows = df.reset_index().assign(date=lambda d: d["date"].astype(str))
            emit(dumps({"dates": len(df), "rows": rows.to_dict(orient="records")}) + "\n", output)
        else:
            # every figure column, zeros too: 0 lost is a figure, an empty cell none
            cols = [c for c in df.columns if c.endswith("_km2")]
            shown = df[cols].tail(5).copy()
            shown.index = shown.index.map(str)
            emit(table(shown, dict.fromkeys(cols, ",.1f")), output)
