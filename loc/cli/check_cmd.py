"""``loc check``: verify a freeze against a later snapshot and classify incidents."""

from __future__ import annotations

from pathlib import Path

import click

from loc.report import table


@click.command("check")
@click.option("--freeze", "freeze_path", required=True, type=click.Path(path_type=Path),
              help="The frozen control areas: a snapshot, or `loc freeze -o` output.")
@click.option("--snapshot", "later_paths", required=True, multiple=True,
              type=click.Path(path_type=Path),
              help="The later snapshot to check; repeat it for a series (the last is "
                   "reported, and every breach is tracked over the series).")
@click.option("--incidents", type=click.Path(path_type=Path), default=None,
              help="Incidents: CSV with lat/lon (ACLED, VIINA, GeoConfirmed) or points.")
@click.option("--width", type=float, default=None, metavar="KM",
              help="Demilitarized buffer KM deep on each side, for incident rules.")
@click.option("--belts", default=None, metavar="PRESET|FILE",
              help="Withdrawal belts (minsk2, minsk-memorandum, or an agreement file).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write a versioned report into this folder.")
def command(freeze_path, later_paths, incidents, width, belts, out_dir) -> None:
    """Breaches of a frozen line in a later snapshot, and incidents against the agreement.

    Prints the breaches (side that advanced, region, km², depth beyond the frozen line,
    settlement) and, with -o DIR, writes DIR/<report-id>/: report.html (map), breaches.csv and
    .geojson, incidents.csv and .geojson, summary.md and manifest.json with every file's
    sha256. The same inputs give the same report id and bytes.
    """
    from loc.compliance import check, classify
    from loc.freeze import freeze
    from loc.snapshot import read

    frozen = freeze(read(freeze_path))
    series = [read(p) for p in later_paths]
    later = max(series, key=lambda s: (s.date is not None, s.date))
    later_path = later_paths[series.index(later)]
    report = check(frozen, later)
    zones = None
    if width is not None or belts:
        import geopandas as gpd
        import pandas as pd

        from loc.zones import buffer_zone, withdrawal_belts

        parts = []
        if width is not None:
            parts.append(buffer_zone(frozen, width_km=width))
        if belts:
            parts.append(withdrawal_belts(frozen, belts))
        zones = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                                 crs="OGC:CRS84")
    classified = classify(incidents, frozen, zones) if incidents else None
    b = report.breaches
    click.echo(f"freeze of {report.date_frozen} checked on {report.date_checked}: "
               f"{len(b)} breaches, {b['km2'].sum():,.2f} km²; within tolerance "
               f"{len(report.within_tolerance)} ({report.within_tolerance['km2'].sum():,.4f}"
               " km²)")
    if len(b):
        shown = b.drop(columns="geometry").head(10).set_index("id")
        click.echo(table(shown[["advanced", "region", "km2", "depth_km", "settlement"]],
                         {"km2": ",.2f", "depth_km": ",.2f"}), nl=False)
    if len(series) > 1:
        from loc.compliance import check_series

        tracked = check_series(frozen, series)
        click.echo(f"over {len(series)} snapshots: " + ", ".join(
            f"{n} {status}" for status, n in tracked["status"].value_counts().sort_index()
            .items()))
        click.echo(table(tracked.set_index("id").head(15)[
            ["advanced", "region", "first_seen", "last_seen", "last_km2", "status"]],
            {"last_km2": ",.2f"}), nl=False)
    if classified is not None:
        v = classified[classified["violation"]]
        click.echo(f"{len(classified)} incidents: {len(v)} violations "
                   f"({int(v['uncertain'].sum())} with an uncertain location)")
    if out_dir is not None:
        from loc.compliance import save_report

        path, created = save_report(out_dir, frozen, later, report, classified, zones,
                                     [freeze_path, later_path] + ([incidents] if incidents
                                                                  else []),
                                     {"width_km": width, "belts": belts})
        click.echo(str(path))
        click.echo(f"report {path.name}: {'written' if created else 'exists already, unchanged'}",
                   err=True)
