"""``loc annex``: a printable map annex (PDF, SVG or PNG) of a line of control."""

from __future__ import annotations

import click

from loc.cli.options import assign_opt, load_snapshot, output_opt, parse_assignments, say


@click.command("annex")
@click.argument("source", required=False, metavar="[FILE|STORE.gpkg@DATE|MAP_VERSION]")
@output_opt(what="The annex: FILE.pdf, FILE.svg or FILE.png (required).")
@click.option("--paper", type=click.Choice(["a4", "a3"]), default="a4", show_default=True,
              help="Paper size.")
@click.option("--orientation", type=click.Choice(["landscape", "portrait"]),
              default="landscape", show_default=True, help="Page orientation.")
@click.option("--spacing", default=5.0, show_default=True, type=float, metavar="KM",
              help="Least spacing of the listed turning points along the line, km.")
@assign_opt
@click.option("--title", default=None, help="Title printed on the annex.")
def command(source, output, paper, orientation, spacing, assign, title) -> None:
    """A printable annex of the line of control of SOURCE (a snapshot file, a store date, or
    a saved map version's .html/.json; default: the bundled sample): map with graticule,
    scale bar, north arrow, legend, sources and licences, the not-a-border note, and a
    coordinate table of the line's turning points in lat/lon and MGRS, numbered on the map.

    -o FILE.pdf, .svg or .png (required). A PDF continues the table on more pages; SVG and
    PNG stack the pages in one image. The same inputs and options give the same bytes.
    """
    from pathlib import Path

    from loc.analysis.freeze import freeze
    from loc.errors import OptionError
    from loc.outputs.annex import FORMATS, annex

    if output is None:
        raise OptionError("give -o FILE.pdf, FILE.svg or FILE.png")
    if output.suffix.lower().lstrip(".") not in FORMATS:
        raise OptionError(f"-o {output.name}: the annex is written as .pdf, .svg or .png")
    assignments = parse_assignments(assign)
    if source is not None and Path(source).suffix in (".html", ".json") \
            and Path(source).is_file():
        from loc.outputs.versions import version_input

        ref, doc = version_input(source)
        snap = load_snapshot(ref)
        recorded = (doc.get("options") or {}).get("assign") or []
        if not assignments:
            assignments = parse_assignments(recorded)
        say(f"map version {doc['id']} ({doc.get('kind', '')}): "
            f"{doc['inputs'][-1].get('path')}")
    else:
        snap = load_snapshot(source)
    frozen = freeze(snap, assign=assignments)
    data = annex(frozen, output, paper=paper, orientation=orientation, spacing_km=spacing,
                 title=title)
    say(f"wrote {output} ({len(data) / 1024:,.0f} KB, {paper.upper()} {orientation})")
