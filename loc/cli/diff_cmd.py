"""``loc diff``: what changed hands between two snapshots."""

from __future__ import annotations

from pathlib import Path

import click

from loc.cli.options import emit, output_opt
from loc.diff import diff
from loc.io import dumps, geojson_text
from loc.report import table
from loc.snapshot import read


@click.command("diff")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "geojson", "csv"]),
              default="table", show_default=True, help="Output format.")
@click.option("--min-km2", default=0.01, show_default=True, type=float,
              help="Changes smaller than this are slivers, listed apart.")
@click.option("--lines", is_flag=True,
              help="Diff the lines instead: how far the front moved, by sector.")
@click.option("--step", default=1.0, show_default=True, type=float,
              help="With --lines: sampling step along the earlier line (km).")
@click.option("--sectors", default="region", show_default=True,
              help="With --lines: 'region', or settlements as sector axes, comma-separated.")
@output_opt
def command(a, b, fmt, min_km2, lines, step, sectors, output) -> None:
    """Areas that changed hands between snapshot A (earlier) and B (later).

    gained = newly occupied (occupied in B, not in A); lost = the reverse. km² in the
    equal-area CRS. Slivers (tiny or thinner than 25 m on average, e.g. redrawn coastlines)
    are counted in the totals and listed apart. With --lines: displacement of the line of
    contact (geodesic km, + advance into Ukrainian-held land, - retreat) by sector.
    """
    if lines:
        emit(_lines(read(a), read(b), fmt, step, sectors), output)
        return
    changes = diff(read(a), read(b), min_km2=min_km2)
    if fmt == "json":
        text = dumps(changes.to_json()) + "\n"
    elif fmt == "geojson":
        import geopandas as gpd
        import pandas as pd

        both = pd.concat([changes.changes.assign(sliver=False),
                          changes.slivers.assign(sliver=True)], ignore_index=True)
        text = geojson_text(gpd.GeoDataFrame(both, geometry="geometry", crs="OGC:CRS84"))
    elif fmt == "csv":
        text = changes.changes.drop(columns="geometry").to_csv(index=False, lineterminator="\n")
    else:
        text = _table(changes)
    emit(text, output)


def _table(changes) -> str:
    head = (f"{changes.date_from} -> {changes.date_to}: newly occupied "
            f"{changes.gained_km2:,.2f} km², no longer occupied {changes.lost_km2:,.2f} km², "
            f"net {changes.gained_km2 - changes.lost_km2:+,.2f} km²\n")
    out = head + "\n" + table(changes.summary, {"gained_km2": ",.2f", "lost_km2": ",.2f",
                                                 "net_km2": "+,.2f"})
    top = changes.changes.head(10).drop(columns="geometry").set_index("region")
    if len(top):
        top = top.assign(settlements=top["settlements"].str.slice(0, 40))
        out += "\nlargest changes:\n" + table(
            top[["from_side", "to_side", "km2", "population", "settlements"]],
            {"km2": ",.2f", "population": ",d"})
    sl = changes.slivers
    out += (f"\n{len(sl)} slivers (< thresholds) totalling {sl['km2'].sum():,.4f} km² "
            "are included in the totals above\n")
    return out


def _lines(a, b, fmt: str, step: float, sectors: str) -> str:
    from loc.movement import movement, sector_summary

    axes = "region" if sectors == "region" else [s for s in sectors.split(",") if s.strip()]
    mv = movement(a, b, step_km=step, sectors=axes)
    summary = sector_summary(mv)
    if fmt == "json":
        return dumps({"from": a.label, "to": b.label, "step_km": step,
                      "sectors": summary.round(4).to_dict(orient="index")}) + "\n"
    if fmt == "geojson":
        return geojson_text(mv)
    if fmt == "csv":
        return summary.round(4).to_csv(lineterminator="\n")
    head = (f"{a.label} -> {b.label}: front movement, samples every {step:g} km of the "
            f"earlier line (+ advance into Ukrainian-held land, - retreat)\n")
    return head + table(summary, {c: ",.2f" for c in summary.columns
                                  if c.endswith("_km")})
