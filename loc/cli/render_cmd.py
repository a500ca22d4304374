"""``loc render``: write a versioned, self-contained HTML map."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from loc.cli.options import parse_assignment
from loc.collection import select, snapshot_files


@click.command("render")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Map name (folder under --out); default from input.")
@click.option("--out", default="maps", show_default=True, type=click.Path(path_type=Path),
              help="Folder of map versions.")
@click.option("--date", default=None, metavar="YYYY-MM-DD",
              help="Render one date: the latest snapshot on or before it.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="First date of a slider.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last date of a slider.")
@click.option("--every", default=1, show_default=True, type=int,
              help="Keep every n-th snapshot in a slider (the last is always kept).")
@click.option("--compare", nargs=2, type=click.Path(path_type=Path), default=None,
              metavar="A B", help="Two snapshots side by side, with what changed hands.")
@click.option("--freeze", "do_freeze", is_flag=True,
              help="Add the freeze line of the latest snapshot.")
@click.option("--assign", multiple=True, metavar="REGION=SIDE",
              help="With --freeze: give a whole region to ru or ua (repeatable).")
@click.option("--zones", "zone_width", default=None, type=float, metavar="KM",
              help="Add a demilitarized buffer KM deep on each side of the line.")
@click.option("--tiles", type=click.Choice(["none", "osm"]), default="none", show_default=True,
              help="osm adds online OpenStreetMap tiles (the map then uses the network).")
@click.option("--title", default=None, help="Title shown on the map.")
@click.option("--no-settlements", is_flag=True, help="Leave settlements out.")
@click.option("--open", "open_", is_flag=True, help="Open the map in a browser.")
def command(inputs, name, out, date, since, until, every, compare, do_freeze, assign,
            zone_width, tiles, title, no_settlements, open_) -> None:
    """Render snapshots (files or folders; default: bundled sample) into
    OUT/NAME/VERSION.html with a manifest; prints the path.

    One snapshot gives a one-date map, several a time slider. The map is one offline HTML
    file; the same inputs and options give the same version id and bytes, and an existing
    version is never overwritten.
    """
    from loc.freeze import freeze
    from loc.render import as_snapshots, render
    from loc.sample import sample_paths

    files = snapshot_files(inputs) if inputs else sample_paths()
    if date or since or until or every != 1:
        files = select(files, date=date, since=since, until=until, every=every)
    snaps = as_snapshots(files)
    frozen = None
    if do_freeze or assign:
        frozen = freeze(snaps[-1], assign=dict(parse_assignment(a, "--assign") for a in assign))
    zones = None
    if zone_width is not None:
        from loc.zones import buffer_zone

        zones = buffer_zone(frozen if frozen is not None else snaps[-1], width_km=zone_width)
    options = {"date": date, "since": since, "until": until, "every": every,
               "assign": list(assign), "zone_width_km": zone_width}
    m = render(snaps, compare=tuple(compare) if compare else None, freeze=frozen, zones=zones,
               tiles=None if tiles == "none" else tiles, title=title, name=name, out=out,
               settlements=not no_settlements, options=options)
    version = m.loc_version
    click.echo(str(version.html_path))
    size = version.html_path.stat().st_size
    state = "written" if version.created else "exists already, unchanged"
    click.echo(f"map {version.name} version {version.id}: {state} ({size / 1024:,.0f} KB)",
               err=True)
    if open_:
        webbrowser.open(version.html_path.resolve().as_uri())
