"""``loc freeze``: adopt control areas (with reassigned regions and exchanges), show the
trade-off and write the freeze areas and line."""

from __future__ import annotations

import click

from loc.cli.options import (
    assign_opt,
    date_opt,
    emit,
    engine,
    exchange_opt,
    format_opt,
    load_snapshot,
    output_format,
    output_opt,
    parse_assignment,
    parse_assignments,
    reading,
    say,
    snapshot_arg,
)

FORMATS = ("table", "json", "csv", "geojson", "gpkg")


@click.command("freeze")
@snapshot_arg
@date_opt
@assign_opt
@exchange_opt
@format_opt(FORMATS, default=None)
@output_opt()
def command(snapshot, date, assign, exchange, fmt, output) -> None:
    """Freeze SNAPSHOT (FILE or STORE.gpkg@DATE; default: the sample) as is or as a
    scenario.

    table, csv and json give the trade-off per region (km², settlements and population
    that change side); geojson and gpkg the adopted areas and the freeze line, labelled
    "line of control (not an international border)".
    """
    import geopandas as gpd
    import pandas as pd

    from loc.analysis.freeze import FREEZE_LABEL, freeze
    from loc.io.writers import csv_text, dumps, geojson_text, write_gpkg
    from loc.outputs.tables import table

    fmt = output_format(output, fmt, FORMATS)
    snap = load_snapshot(snapshot, date)
    assignments = parse_assignments(assign)
    exchanges: list = [parse_assignment(e, "--exchange") for e in exchange]
    reading(*(name for name, _ in exchanges))
    result = freeze(snap, assign=assignments, exchanges=exchanges)
    say(f"freeze of {snap.label} ({snap.source}): {FREEZE_LABEL}, "
        f"{result.line['length_km'].sum():,.1f} km in {len(result.line)} pieces")
    text = table(result.tradeoff, {"to_ru_km2": ",.1f", "to_ua_km2": ",.1f",
                                   "population_to_ru": ",d", "population_to_ua": ",d"})
    if output is not None and fmt in ("gpkg", "geojson"):
        say(text.rstrip("\n") if not result.tradeoff.empty else "no area changes side")
    areas = result.areas()
    line = result.line.assign(side="")
    if fmt == "gpkg":
        assert output is not None  # output_format refuses a GeoPackage to stdout
        write_gpkg(output, {"areas": areas, "freeze_line": line}, engine=engine())
        say(f"wrote {output}")
    elif fmt == "geojson":
        both = gpd.GeoDataFrame(pd.concat([areas.assign(kind="area"), line],
                                          ignore_index=True), geometry="geometry",
                                crs="OGC:CRS84")
        both["piece"] = both["piece"].astype("Int64")  # a line's piece number (areas: null)
        emit(geojson_text(both), output)
    elif fmt == "csv":
        emit(csv_text(result.tradeoff, index=True), output)
    elif fmt == "json":
        emit(dumps({"date": snap.label, "source": snap.source, "label": FREEZE_LABEL,
                    "line_km": round(float(result.line["length_km"].sum()), 3),
                    "pieces": len(result.line), "scenario": result.scenario,
                    "tradeoff": result.tradeoff.round(3).to_dict(orient="index")}) + "\n",
             output)
    elif result.tradeoff.empty:
        say("no area changes side")
    else:
        emit(text, output)
