"""``loc zones``: demilitarized buffers, withdrawal belts and protected sites."""

from __future__ import annotations

from pathlib import Path

import click
import geopandas as gpd
import pandas as pd

from loc.cli.options import date_opt, format_opt, load_snapshot, output_opt, snapshot_arg
from loc.io import FORMATS, infer_format, write_frame
from loc.report import table


@click.command("zones")
@snapshot_arg
@date_opt
@click.option("--width", type=float, default=None, metavar="KM",
              help="Demilitarized buffer KM deep on each side of the line.")
@click.option("--width-ru", type=float, default=None, metavar="KM",
              help="Buffer depth on the Russian-held side (with --width-ua).")
@click.option("--width-ua", type=float, default=None, metavar="KM",
              help="Buffer depth on the Ukrainian-held side (with --width-ru).")
@click.option("--belts", default=None, metavar="PRESET|FILE",
              help="Withdrawal belts: minsk2, minsk-memorandum, or a TOML/JSON agreement.")
@click.option("--site", "sites", multiple=True, metavar="NAME:LAT,LON,KM",
              help="A protected site with a radius (repeatable).")
@click.option("--sites", "sites_file", type=click.Path(path_type=Path), default=None,
              help="Sites and corridors from a file: points with radius_km, lines with "
                   "width_km, a name each.")
@click.option("--clip", type=click.Choice(["land", "ukraine", "none"]), default="land",
              show_default=True, help="Clip zones to Ukraine's land, or not.")
@output_opt
@format_opt(FORMATS)
def command(file, date, width, width_ru, width_ua, belts, sites, sites_file, clip, output,
            fmt) -> None:
    """Zones along the line of contact of FILE (default: bundled sample).

    Prints km², settlements and population per zone and side, and writes the zones (lon/lat)
    with -o OUT. Buffers and belts are built in a conformal CRS and are true on the ground to
    0.5 %; areas in the equal-area CRS.
    """
    from loc.errors import OptionError
    from loc.zones import buffer_zone, parse_site, protected_sites, withdrawal_belts

    snap = load_snapshot(file, date)
    parts = []
    if width is not None or width_ru is not None or width_ua is not None:
        if width is not None and (width_ru is not None or width_ua is not None):
            raise OptionError("give --width, or --width-ru and --width-ua, not both")
        widths = None if width is not None else {"ru": width_ru or 0.0, "ua": width_ua or 0.0}
        parts.append(buffer_zone(snap, width_km=width, widths=widths, clip=clip))
    if belts:
        parts.append(withdrawal_belts(snap, belts, clip=clip))
    if sites:
        parts.append(protected_sites([parse_site(s) for s in sites]))
    if sites_file:
        parts.append(protected_sites(sites_file))
    if not parts:
        raise OptionError("nothing to draw: give --width, --width-ru/--width-ua, --belts, "
                          "--site or --sites")
    zones = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                             crs="OGC:CRS84")
    click.echo(f"zones on {snap.label} ({snap.source}); km² in the equal-area CRS")
    shown = pd.DataFrame(zones.drop(columns="geometry")).set_index("zone")
    shown["largest"] = shown["largest"].str.slice(0, 45)
    click.echo(table(shown[["kind", "side", "width_km", "area_km2", "settlements",
                            "population", "largest"]],
                     {"width_km": "g", "area_km2": ",.1f", "population": ",d"}), nl=False)
    if output:
        write_frame(zones, output, infer_format(output, fmt), layer="zones")
        click.echo(f"wrote {output}", err=True)
