"""``loc line``: the line of contact as a table, GeoJSON, GeoPackage or CSV."""

from __future__ import annotations

import click

from loc.cli.options import (
    date_opt,
    emit,
    emit_frame,
    format_opt,
    load_snapshot,
    noise_opt,
    output_format,
    output_opt,
    say,
    snapshot_arg,
)

FORMATS = ("table", "json", "geojson", "gpkg", "csv")


@click.command("line")
@snapshot_arg
@date_opt
@click.option("--by-region", is_flag=True, help="One feature per piece and region.")
@noise_opt
@format_opt(FORMATS, default=None)
@output_opt()
def command(snapshot, date, by_region, noise_km2, fmt, output) -> None:
    """Line of contact of SNAPSHOT (FILE or STORE.gpkg@DATE; default: the sample).

    Lon/lat lines with piece, kind (main, pocket, or border-noise: not line of
    contact), region and length_km (geodesic, WGS 84): GeoJSON on stdout by default,
    or -o FILE (.geojson, .gpkg, .csv). The table and json list border noise apart.
    """
    from loc.analysis.line import NOISE, line_of_contact
    from loc.io.writers import dumps
    from loc.outputs.tables import table

    fmt = output_format(output, fmt, FORMATS, default="geojson")
    snap = load_snapshot(snapshot, date)
    line = line_of_contact(snap, noise_km2=noise_km2, by_region=by_region)
    noise = line["kind"] == NOISE
    if fmt == "table":
        shown = line[~noise].drop(columns=[line.geometry.name, "label"]).set_index("piece")
        emit(table(shown, {"length_km": ",.1f"}), output)
    elif fmt == "json":
        def records(rows):
            return rows.drop(columns=line.geometry.name).to_dict(orient="records")

        doc = {"date": snap.label, "source": snap.source,
               "length_km": round(float(line.loc[~noise, "length_km"].sum()), 3),
               "pieces": records(line[~noise]), "border_noise": records(line[noise])}
        emit(dumps(doc) + "\n", output)
    else:
        emit_frame(line, output, fmt, layer="line_of_contact")
    if noise.any():
        say(f"{int(noise.sum())} border-noise piece(s), "
            f"{line.loc[noise, 'length_km'].sum():,.2f} km, bound slivers of occupied land "
            f"crossing the state border or the coast (under {noise_km2:g} km² on Ukraine's "
            "land): kind 'border-noise', not line of contact")
