"""``loc line``: the line of contact as GeoJSON, GeoPackage or CSV."""

from __future__ import annotations

import click

from loc.cli.options import date_opt, format_opt, load_snapshot, output_opt, snapshot_arg
from loc.io import FORMATS, geojson_text, infer_format, write_frame
from loc.line import line_of_contact


@click.command("line")
@snapshot_arg
@date_opt
@output_opt
@format_opt(FORMATS)
@click.option("--by-region", is_flag=True, help="One feature per piece and region.")
def command(file, date, output, fmt, by_region) -> None:
    """Line of contact of a snapshot FILE (default: bundled sample).

    Writes a FeatureCollection of lon/lat lines with ``piece``, ``kind`` (main or pocket),
    ``region`` and ``length_km`` (geodesic, WGS 84) to stdout, or to -o OUT.
    """
    line = line_of_contact(load_snapshot(file, date), by_region=by_region)
    fmt = infer_format(output, fmt)
    if output is None:
        if fmt != "geojson":
            raise click.UsageError("only geojson goes to stdout; give -o OUT for " + fmt)
        click.echo(geojson_text(line), nl=False)
        return
    write_frame(line, output, fmt, layer="line_of_contact")
    click.echo(f"wrote {output} ({len(line)} pieces, {line['length_km'].sum():,.1f} km)",
               err=True)
