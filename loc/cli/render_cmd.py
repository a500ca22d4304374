"""``loc render``: write a versioned, self-contained HTML map."""

from __future__ import annotations

import click

from loc.cli.options import (
    assign_opt,
    date_opt,
    emit,
    every_opt,
    load_series,
    load_snapshot,
    name_opt,
    output_opt,
    parse_assignments,
    progress_bar,
    say,
    series_arg,
    since_opt,
    tiles_opt,
    title_opt,
    until_opt,
    width_opt,
)


@click.command("render")
@series_arg(required=False)
@output_opt(folder=True, default="maps", aliases=("--out",))
@name_opt
@date_opt
@since_opt
@until_opt
@every_opt
@click.option("--compare", nargs=2, default=None, metavar="A B",
              help="Two snapshots side by side, with what changed hands: FILE or "
                   "STORE.gpkg@DATE each, or two dates (YYYY-MM-DD) of the SERIES given.")
@click.option("--freeze", "do_freeze", is_flag=True,
              help="Add the freeze line of the latest snapshot.")
@assign_opt
@width_opt
@tiles_opt
@title_opt
@click.option("--no-settlements", is_flag=True, help="Leave settlements out.")
@click.option("--open", "open_", is_flag=True, help="Open the map in a browser.")
def command(inputs, output, name, date, since, until, every, compare, do_freeze, assign,
            width, tiles, title, no_settlements, open_) -> None:
    """Render snapshots (a SERIES of files, folders or stores, or one FILE or
    STORE.gpkg@DATE; default: the bundled sample) into DIR/NAME/VERSION.html with a
    manifest; prints the path.

    One snapshot gives a one-date map, several a time slider. The map is one offline HTML
    file; the same inputs and options give the same version id and bytes, and an existing
    version is never overwritten.
    """
    from loc.analysis.freeze import freeze
    from loc.analysis.zones import buffer_zone
    from loc.dates import parse_date
    from loc.errors import DateError, OptionError
    from loc.io.inputs import as_snapshot, pick, read_items
    from loc.outputs.render import as_snapshots, render
    from loc.reference.sample import sample_paths

    selecting = bool(date or since or until or every != 1)
    if compare and selecting:
        raise OptionError("--compare A B takes its two snapshots itself: give no --date, "
                          "--since, --until or --every with it")
    if compare and inputs:  # two dates of the series
        for d in compare:
            try:
                parse_date(d)
            except DateError:
                raise OptionError(f"--compare {d!r} is not a date: with a SERIES, --compare "
                                  "takes two of its dates (YYYY-MM-DD); without one, two "
                                  "snapshots (FILE or STORE.gpkg@DATE)") from None
        items = load_series(inputs)
        compare = [as_snapshot(pick(items, d)[1]) for d in compare]
    elif compare:
        hint = ("give one snapshot file of it or STORE.gpkg@DATE, or give it as the SERIES "
                "and two of its dates to --compare")
        compare = [load_snapshot(c, folder_hint=hint) for c in compare]
    if date and (since or until or every != 1):
        raise OptionError("--date picks one snapshot: give --since, --until or --every "
                          "without it")
    snaps: list = []
    if compare:
        base = compare[-1]
    elif len(inputs) == 1 and not selecting:
        snaps = as_snapshots(inputs[0])  # one file or STORE@DATE, or a folder or store
    elif inputs or selecting:
        items = load_series(inputs or [str(p) for p in sample_paths()], since, until, every)
        snaps = [as_snapshot(pick(items, date)[1])] if date else read_items(
            x for _, x in items)
    else:
        snaps = as_snapshots(None)
    if not compare:
        base = snaps[-1]
    frozen = None
    if do_freeze or assign:
        frozen = freeze(base, assign=parse_assignments(assign))
    zones = None
    if width is not None:
        zones = buffer_zone(frozen if frozen is not None else base, width_km=width)
    options = {"date": date, "since": since, "until": until, "every": every,
               "assign": list(assign), "width_km": width}
    with progress_bar(len(snaps), "lines of contact") as bar:
        m = render(snaps or None, compare=tuple(compare) if compare else None,
                   freeze=frozen, zones=zones, tiles=None if tiles == "none" else tiles,
                   title=title, name=name, out=output, settlements=not no_settlements,
                   options=options, progress=lambda done, total: bar.update(1))
    version = m.loc_version
    assert version is not None  # saved: an output folder was given
    emit(f"{version.html_path}\n", None)
    size = version.html_path.stat().st_size
    state = "written" if version.created else "exists already, unchanged"
    say(f"map {version.name} version {version.id}: {state} ({size / 1024:,.0f} KB)")
    if open_:
        import webbrowser

        webbrowser.open(version.html_path.resolve().as_uri())
