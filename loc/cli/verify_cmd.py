"""``loc verify``: an agreement's phases and conditions verified as of a date."""

from __future__ import annotations

import contextlib

import click

from loc.cli.options import (
    as_of_opt,
    emit,
    format_opt,
    incidents_cover_opt,
    incidents_opt,
    output_opt,
    parse_span,
    progress_bar,
    say,
    snapshots_opt,
)


@click.command("verify")
@click.argument("agreement", type=click.Path(path_type=str), metavar="AGREEMENT")
@snapshots_opt
@incidents_opt
@as_of_opt
@incidents_cover_opt
@format_opt(("table", "json"))
@output_opt(folder=True)
def command(agreement, snapshots, incidents, as_of, incidents_cover, fmt, output) -> None:
    """Verify AGREEMENT (a TOML file: freeze, zones, phases and conditions) against the
    monitored snapshots and incident reports, as of a date.

    Each condition is met, breached, pending (its phase has not started) or no-data (days
    of the phase without a snapshot or not covered by incident reports, listed), with the
    evidence (breaches, incident rows). With -o DIR, writes DIR/<report-id>/: report.html
    (map and tables), verification.json, summary.md, breaches.geojson, incidents.csv and
    manifest.json; the same inputs give the same id and bytes, and `loc reproduce` runs
    it again.
    """
    from loc.outputs.tables import table
    from loc.outputs.verification import run_verify, verification_json

    arguments = {"agreement": agreement, "snapshots": snapshots,
                 "incidents": str(incidents) if incidents else None, "as_of": as_of,
                 "incidents_cover": parse_span(incidents_cover, "--incidents-cover")}
    with contextlib.ExitStack() as stack:
        bars: list = []

        def tick(_checked: int, days: int) -> None:  # a bar once the number of days is known
            if not bars:
                bars.append(stack.enter_context(progress_bar(days, "snapshots checked")))
            bars[0].update(1)

        v, _, folder, created = run_verify(arguments, output, progress=tick)
    if fmt == "json":
        emit(verification_json(v), None)
    else:
        import pandas as pd

        say(f"{v.terms.name}: in force {v.terms.in_force}, verified as of {v.as_of}")
        rows = [{"phase": p.name, "phase_status": p.status, "kind": c.kind,
                 "status": c.status, "detail": c.detail}
                for p in v.phases for c in p.conditions]
        emit(table(pd.DataFrame(rows).set_index("phase")), None)
        if folder is not None:
            emit(f"{folder}\n", None)
    if folder is not None:
        say(f"report {folder.name}: {'written' if created else 'exists already, unchanged'}")
