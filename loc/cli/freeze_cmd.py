"""``loc freeze``: adopt control areas (with reassigned regions and exchanges), show the
trade-off and write the freeze areas and line."""

from __future__ import annotations

import click
import geopandas as gpd
import pandas as pd

from loc.cli.options import (
    date_opt,
    load_snapshot,
    output_opt,
    parse_assignment,
    snapshot_arg,
)
from loc.freeze import FREEZE_LABEL, freeze
from loc.io import infer_format, write_atomic, write_frame, write_gpkg
from loc.report import table


@click.command("freeze")
@snapshot_arg
@date_opt
@click.option("--assign", "assign", multiple=True, metavar="REGION=SIDE",
              help="Give a whole region to ru or ua (repeatable), e.g. --assign Donetsk=ru.")
@click.option("--exchange", "exchange", multiple=True, metavar="FILE=SIDE",
              help="Move the polygons of FILE to ru or ua (repeatable).")
@output_opt
def command(file, date, assign, exchange, output) -> None:
    """Freeze a snapshot FILE (default: bundled sample) as is or as a scenario.

    Prints the trade-off per region (km², settlements and population that change side) and,
    with -o OUT (.geojson or .gpkg), writes the adopted areas and the freeze line, labelled
    "line of control (not an international border)".
    """
    snap = load_snapshot(file, date)
    assignments = dict(parse_assignment(a, "--assign") for a in assign)
    exchanges = [parse_assignment(e, "--exchange")[::1] for e in exchange]
    result = freeze(snap, assign=assignments, exchanges=exchanges)
    click.echo(f"freeze of {snap.label} ({snap.source}): {FREEZE_LABEL}, "
               f"{result.line['length_km'].sum():,.1f} km in {len(result.line)} pieces")
    if result.tradeoff.empty:
        click.echo("no area changes side")
    else:
        click.echo(table(result.tradeoff, {"to_ru_km2": ",.1f", "to_ua_km2": ",.1f",
                                           "population_to_ru": ",d",
                                           "population_to_ua": ",d"}), nl=False)
    if output is None:
        return
    fmt = infer_format(output, None)
    areas = result.areas()
    line = result.line.assign(side="")
    if fmt == "gpkg":
        write_gpkg(output, {"areas": areas, "freeze_line": line})
    elif fmt == "geojson":
        both = gpd.GeoDataFrame(pd.concat([areas.assign(kind="area"), line], ignore_index=True),
                                geometry="geometry", crs="OGC:CRS84")
        write_frame(both, output, "geojson")
    else:
        write_atomic(output, result.tradeoff.to_csv(lineterminator="\n"))
    click.echo(f"wrote {output}", err=True)
