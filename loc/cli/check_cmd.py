"""``loc check``: verify a freeze against later snapshots and classify incidents."""

from __future__ import annotations

from pathlib import Path

import click

from loc.cli.options import (
    belts_opt,
    emit,
    engine,
    format_opt,
    incidents_opt,
    load_series,
    load_snapshot,
    output_opt,
    reading,
    say,
    width_opt,
)


@click.command("check")
@click.option("--freeze", "freeze_ref", required=True, metavar="SNAPSHOT",
              help="The frozen control areas: a snapshot (FILE or STORE.gpkg@DATE), or "
                   "`loc freeze -o` output.")
@click.option("--snapshot", "later", required=True, multiple=True, metavar="SERIES",
              help="A later snapshot to check (FILE, STORE.gpkg@DATE, a folder or a store); "
                   "repeat it for a series: the last date is reported and every breach is "
                   "tracked over the series.")
@incidents_opt
@width_opt
@belts_opt
@format_opt(("table", "json"))
@output_opt(folder=True)
def command(freeze_ref, later, incidents, width, belts, fmt, output) -> None:
    """Breaches of a frozen line in later snapshots, and incidents against the agreement.

    Prints the breaches (side that advanced, region, km², depth beyond the frozen line or,
    for one that came across the state border, from the border; settlement) and, with
    -o DIR, writes DIR/<report-id>/: report.html (map), breaches.csv and .geojson,
    incidents.csv and .geojson, summary.md and manifest.json with every file's sha256. The
    same inputs give the same report id and bytes.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from loc.analysis.compliance import check, check_series, classify, dated_between
    from loc.analysis.freeze import freeze
    from loc.analysis.zones import buffer_zone, withdrawal_belts
    from loc.io.agreements import load_agreement
    from loc.io.incidents import incident_dates, read_incidents
    from loc.io.inputs import read_items
    from loc.io.store import is_store
    from loc.io.writers import dumps
    from loc.outputs.reports import undated_sentence
    from loc.outputs.tables import table

    # every input is read (and refused, if it must be) before any work is done
    base = load_snapshot(freeze_ref)
    one = later[0] if len(later) == 1 else None
    if one is not None and not Path(one).is_dir() and not is_store(one):
        series = [load_snapshot(one)]  # one later snapshot (it may be undated)
    else:
        series = read_items(x for _, x in load_series(later))
    points = read_incidents(incidents, engine=engine()) if incidents else None
    agreement = load_agreement(belts) if belts else None
    reading(incidents, belts)
    frozen = freeze(base)
    last = series[-1]
    report = check(frozen, last)  # refuses a snapshot older than the freeze
    undated = None
    if points is not None:  # the days the freeze held, up to the day checked
        days = incident_dates(points, str(incidents))
        undated = points[np.array([d is None for d in days], dtype=bool)]
        points = dated_between(points, base.date, last.date, str(incidents), days)
    zones = None
    if width is not None or belts:
        parts = []
        if width is not None:
            parts.append(buffer_zone(frozen, width_km=width))
        if agreement is not None:
            parts.append(withdrawal_belts(frozen, agreement))
        zones = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                                 crs="OGC:CRS84")
    classified = classify(points, frozen, zones) if points is not None else None
    # rows on no readable day are not judged, but where they would be violations is said
    if undated is not None:
        undated = classify(undated, frozen, zones) if len(undated) else None
    tracked = check_series(frozen, series) if len(series) > 1 else None
    b = report.breaches
    heading = (f"freeze of {report.date_frozen} checked on {report.date_checked}: "
               f"{len(b)} breaches, {b['km2'].sum():,.2f} km²; within tolerance "
               f"{len(report.within_tolerance)} ({report.within_tolerance['km2'].sum():,.4f}"
               " km²)")
    folder = None
    if output is not None:
        from loc.io.inputs import tidy_path
        from loc.outputs.reports import save_report
        from loc.outputs.versions import file_record, input_record

        # every file the report's figures come from, with its sha256
        inputs = [input_record(base), input_record(last)]
        inputs += [file_record(f, role) for f, role in ((incidents, "incidents"), (belts, None))
                   if f and Path(f).is_file()]
        folder, created = save_report(output, frozen, last, report, classified, zones,
                                      inputs, {"width_km": width,
                                               "belts": tidy_path(belts) if belts else None},
                                      undated)
    if fmt == "json":
        doc = {"date_frozen": report.date_frozen, "date_checked": report.date_checked,
               "breaches": b.drop(columns="geometry").to_dict(orient="records"),
               "within_tolerance": len(report.within_tolerance),
               "tracked": None if tracked is None else tracked.to_dict(orient="records"),
               "incidents": None if classified is None else {
                   "count": len(classified),
                   "violations": int(classified["violation"].sum()),
                   "undated": 0 if undated is None else len(undated),
                   "undated_violations":
                       0 if undated is None else int(undated["violation"].sum())},
               "report": None if folder is None else str(folder)}
        emit(dumps(doc) + "\n", None)
    else:
        say(heading)
        if len(b):
            shown = b.drop(columns="geometry").head(10).set_index("id")
            emit(table(shown[["advanced", "region", "km2", "depth_km", "cross_border",
                              "settlement"]],
                       {"km2": ",.2f", "depth_km": ",.2f"}), None)
        if tracked is not None:
            say(f"over {len(series)} snapshots: " + ", ".join(
                f"{n} {status}" for status, n in
                tracked["status"].value_counts().sort_index().items()))
            emit(table(tracked.set_index("id").head(15)[
                ["advanced", "region", "first_seen", "last_seen", "last_km2", "status"]],
                {"last_km2": ",.2f"}), None)
        if classified is not None:
            v = classified[classified["violation"]]
            say(f"{len(classified)} incidents: {len(v)} violations "
                f"({int(v['uncertain'].sum())} with an uncertain location)"
                + (f"; {undated_sentence(undated)}" if undated is not None else ""))
        if folder is not None:
            emit(f"{folder}\n", None)
    if folder is not None:
        say(f"report {folder.name}: {'written' if created else 'exists already, unchanged'}")
