"""``loc movement``: advance of the front per week or month and sector over a series."""

from __future__ import annotations

import click

from loc.cli.options import (
    axes,
    chart_opt,
    emit,
    format_opt,
    kept_only_if_all_written,
    load_series,
    output_format,
    output_opt,
    period_opt,
    say,
    sectors_opt,
    series_arg,
    since_opt,
    step_opt,
    until_opt,
)

FORMATS = ("table", "json", "csv")


@click.command("movement")
@series_arg()
@since_opt
@until_opt
@period_opt
@step_opt
@sectors_opt
@format_opt(FORMATS, default=None)
@output_opt(aliases=("--csv",))
@chart_opt
def command(inputs, since, until, period, step, sectors, fmt, output, chart) -> None:
    """How far the front moved per period and sector over a SERIES (files, folders of
    dated files, a store); the table lists the fastest-moving sectors (mean advance summed
    over the periods), csv and json every period and sector."""
    from loc.analysis.movement import movement_series
    from loc.io.writers import csv_text, dumps
    from loc.outputs.tables import table

    fmt = output_format(output, fmt, FORMATS)
    items = load_series(inputs, since, until)
    series = movement_series([item for _, item in items], period=period, step_km=step,
                             sectors=axes(sectors))
    with kept_only_if_all_written(chart):  # the chart goes only with the table
        if chart:
            from loc.outputs.chart import movement_chart

            movement_chart(series, chart)
            say(f"wrote {chart}")
        if fmt == "csv":
            emit(csv_text(series), output)
            return
        if fmt == "json":
            emit(dumps({"period": period, "step_km": step,
                        "rows": series.to_dict(orient="records")}) + "\n", output)
            return
        fastest = (series.groupby("sector")
                   .agg(periods=("start", "count"), mean_advance_km=("mean_advance_km", "sum"),
                        max_advance_km=("max_advance_km", "max"), days=("days", "sum"))
                   .sort_values("mean_advance_km", ascending=False))
        fastest["km_per_day"] = fastest["mean_advance_km"] / fastest["days"].clip(lower=1)
        say(f"{len(items)} snapshots, {series['start'].nunique()} {period}s; fastest moving "
            "sectors first (mean advance summed over periods):")
        emit(table(fastest, {"mean_advance_km": ",.2f", "max_advance_km": ",.2f",
                             "km_per_day": ".3f"}), output)
