"""``loc diff``: what changed hands between two snapshots, or how far the front moved."""

from __future__ import annotations

import click

from loc.cli.options import (
    axes,
    emit,
    emit_frame,
    format_opt,
    load_snapshot,
    min_km2_opt,
    output_format,
    output_opt,
    say,
    sectors_opt,
    snapshot_args,
    step_opt,
)

FORMATS = ("table", "json", "csv", "geojson", "gpkg")


@click.command("diff")
@snapshot_args("A", "B")
@min_km2_opt
@click.option("--lines", is_flag=True,
              help="Diff the lines instead: how far the front moved, by sector.")
@step_opt
@sectors_opt
@format_opt(FORMATS, default=None)
@output_opt()
def command(a, b, min_km2, lines, step, sectors, fmt, output) -> None:
    """Areas that changed hands between snapshot A (earlier) and B (later); each is a FILE
    or STORE.gpkg@DATE.

    gained = newly occupied (occupied in B, not in A); lost = the reverse. km² in the
    equal-area CRS, per region, with outside for the sea and across the border. Slivers
    (tiny, or thinner than 25 m on average: redrawn coastlines) are counted in the totals
    and listed apart. csv, geojson and gpkg give the changed polygons. With --lines: the
    displacement of the line of contact (geodesic km, + advance into Ukrainian-held land,
    - retreat) by sector; csv, geojson and gpkg give the samples.
    """
    import geopandas as gpd
    import pandas as pd

    from loc.analysis.diff import diff
    from loc.io.writers import dumps

    fmt = output_format(output, fmt, FORMATS)
    sa, sb = load_snapshot(a), load_snapshot(b)
    if lines:
        _lines(sa, sb, fmt, step, sectors, output)
        return
    changes = diff(sa, sb, min_km2=min_km2)
    if fmt == "json":
        emit(dumps(changes.to_json()) + "\n", output)
    elif fmt == "table":
        say(_heading(changes))
        emit(_table(changes), output)
    else:
        both = pd.concat([changes.changes.assign(sliver=False),
                          changes.slivers.assign(sliver=True)], ignore_index=True)
        emit_frame(gpd.GeoDataFrame(both, geometry="geometry", crs="OGC:CRS84"), output,
                   fmt, layer="changes")


def _heading(changes) -> str:
    return (f"{changes.date_from} -> {changes.date_to}: newly occupied "
            f"{changes.gained_km2:,.2f} km², no longer occupied {changes.lost_km2:,.2f} km², "
            f"net {changes.gained_km2 - changes.lost_km2:+,.2f} km²")


def _table(changes) -> str:
    from loc.outputs.tables import table

    out = table(changes.summary, {"gained_km2": ",.2f", "lost_km2": ",.2f",
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


def _lines(a, b, fmt: str, step: float, sectors: str, output) -> None:
    from loc.analysis.movement import STATIC_M, movement, sector_summary
    from loc.io.writers import dumps
    from loc.outputs.tables import table

    mv = movement(a, b, step_km=step, sectors=axes(sectors))
    summary = sector_summary(mv)
    if fmt == "json":
        emit(dumps({"from": a.label, "to": b.label, "step_km": step,
                    "sectors": summary.round(4).to_dict(orient="index")}) + "\n", output)
    elif fmt == "table":
        say(f"{a.label} -> {b.label}: front movement, samples every {step:g} km of the "
            "earlier line (+ advance into Ukrainian-held land, - retreat); moved_km and "
            f"retreat_km over {mv.attrs['threshold_km']:g} km, minor_km under that, "
            f"static_km under {STATIC_M:g} m")
        emit(table(summary, {c: ",.2f" for c in summary.columns if c.endswith("_km")}),
             output)
    else:
        emit_frame(mv, output, fmt, layer="movement")
