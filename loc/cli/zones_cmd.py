"""``loc zones``: demilitarized buffers, withdrawal belts and protected sites."""

from __future__ import annotations

import click

from loc.cli.options import (
    belts_opt,
    clip_opt,
    date_opt,
    emit,
    emit_frame,
    format_opt,
    load_snapshot,
    output_format,
    output_opt,
    parse_site,
    reading,
    say,
    site_opt,
    sites_opt,
    snapshot_arg,
    width_opt,
    width_ru_opt,
    width_ua_opt,
)

FORMATS = ("table", "json", "csv", "geojson", "gpkg")


@click.command("zones")
@snapshot_arg
@date_opt
@width_opt
@width_ru_opt
@width_ua_opt
@belts_opt
@site_opt
@sites_opt
@clip_opt
@format_opt(FORMATS, default=None)
@output_opt()
def command(snapshot, date, width, width_ru, width_ua, belts, sites, sites_file, clip, fmt,
            output) -> None:
    """Zones along the line of contact of SNAPSHOT (FILE or STORE.gpkg@DATE; default: the
    sample).

    The table gives km², settlements and population per zone and side; geojson, gpkg and
    csv the zones themselves (lon/lat). Buffers and belts are built in a conformal CRS and
    are true on the ground to 0.5 %; areas in the equal-area CRS.
    """
    import geopandas as gpd
    import pandas as pd

    from loc.analysis.zones import (
        buffer_zone,
        distinct_zones,
        protected_sites,
        withdrawal_belts,
    )
    from loc.errors import OptionError
    from loc.io.agreements import load_agreement
    from loc.io.writers import dumps
    from loc.outputs.tables import table

    fmt = output_format(output, fmt, FORMATS)
    snap = load_snapshot(snapshot, date)
    # every input is read (and refused, if it must be) before any zone is built
    agreement = load_agreement(belts) if belts else None
    site_zones = [protected_sites([parse_site(s) for s in sites], clip=clip)] if sites else []
    if sites_file:
        site_zones.append(protected_sites(sites_file, clip=clip))
    reading(belts, sites_file)
    parts = []
    if width is not None or width_ru is not None or width_ua is not None:
        if width is not None and (width_ru is not None or width_ua is not None):
            raise OptionError("give --width, or --width-ru and --width-ua, not both")
        widths = None if width is not None else {"ru": width_ru or 0.0, "ua": width_ua or 0.0}
        parts.append(buffer_zone(snap, width_km=width, widths=widths, clip=clip))
    if agreement is not None:
        parts.append(withdrawal_belts(snap, agreement, clip=clip))
    parts += site_zones
    if not parts:
        raise OptionError("nothing to draw: give --width, --width-ru/--width-ua, --belts, "
                          "--site or --sites")
    zones = distinct_zones(gpd.GeoDataFrame(pd.concat(parts, ignore_index=True),
                                            geometry="geometry", crs="OGC:CRS84"))
    say(f"zones on {snap.label} ({snap.source}); km² in the equal-area CRS")
    shown = pd.DataFrame(zones.drop(columns="geometry")).set_index("zone")
    shown["largest"] = shown["largest"].str.slice(0, 45)
    text = table(shown[["kind", "side", "width_km", "area_km2", "settlements", "population",
                        "largest"]], {"width_km": "g", "area_km2": ",.1f", "population": ",d"})
    if fmt == "table":
        emit(text, output)
    elif fmt == "json":
        emit(dumps({"date": snap.label, "source": snap.source,
                    "zones": zones.drop(columns="geometry").to_dict(orient="records")})
             + "\n", output)
    else:
        emit_frame(zones, output, fmt, layer="zones")
        if output is not None:
            say(text.rstrip("\n"))
