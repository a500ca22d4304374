"""``loc line``: the line of contact as a table, GeoJSON, GeoPackage or CSV."""

from __future__ import annotations

import click

from loc.cli.options import (
    date_opt,
    emit,
    emit_frame,
    format_opt,
    load_snapshot,
    output_format,
    output_opt,
    snapshot_arg,
)

FORMATS = ("table", "json", "geojson", "gpkg", "csv")


@click.command("line")
@snapshot_arg
@date_opt
@click.option("--by-region", is_flag=True, help="One feature per piece and region.")
@format_opt(FORMATS, default=None)
@output_opt()
def command(snapshot, date, by_region, fmt, output) -> None:
    """Line of contact of SNAPSHOT (FILE or STORE.gpkg@DATE; default: the sample).

    Lon/lat lines with ``piece``, ``kind`` (main or pocket), ``region`` and ``length_km``
    (geodesic, WGS 84): GeoJSON on stdout by default, or -o FILE (.geojson, .gpkg, .csv).
    """
    from loc.analysis.line import line_of_contact
    from loc.io.writers import dumps
    from loc.outputs.tables import table

    snap = load_snapshot(snapshot, date)
    line = line_of_contact(snap, by_region=by_region)
    fmt = output_format(output, fmt, FORMATS, default="geojson")
    if fmt == "table":
        shown = line.drop(columns=[line.geometry.name, "label"]).set_index("piece")
        emit(table(shown, {"length_km": ",.1f"}), output)
    elif fmt == "json":
        doc = {"date": snap.label, "source": snap.source,
               "length_km": round(float(line["length_km"].sum()), 3),
               "pieces": line.drop(columns=line.geometry.name).to_dict(orient="records")}
        emit(dumps(doc) + "\n", output)
    else:
        emit_frame(line, output, fmt, layer="line_of_contact")
