"""Sources and the snapshot store: ``loc fetch``, ``loc import``, ``loc list``, ``loc cache``,
``loc compare``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from loc.cli.options import emit, output_opt
from loc.report import table


@click.group("fetch")
def fetch() -> None:
    """Download snapshots from a source (the only commands that use the network)."""


@fetch.command("deepstate")
@click.option("--date", default=None, metavar="YYYY-MM-DD",
              help="The last version on or before this date (default: the latest).")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Add the snapshot to this store (.gpkg).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Save the raw API answer (JSON) here.")
@click.option("--offline", is_flag=True, help="Use only the download cache.")
def fetch_deepstate(date, store, output, offline) -> None:
    """DeepStateMap's map from its public API (deepstatemap.live; no open licence is stated:
    keep it for your own analysis). Cached by content hash."""
    from loc.io import write_atomic
    from loc.sources import deepstate

    snap, download = deepstate.fetch(date, offline=offline)
    click.echo(f"{snap.label} deepstate: {snap.occupied_km2():,.1f} km² occupied "
               f"({'cache' if download.from_cache else 'downloaded'}, sha256 "
               f"{download.sha256[:12]})", err=True)
    if output:
        write_atomic(output, download.data)
        click.echo(str(output))
    if store:
        from loc.store import import_snapshots

        result = import_snapshots([snap], store)
        click.echo(f"{store}: {len(result.added)} added, {len(result.skipped)} already there",
                   err=True)


@click.command("import")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The store (.gpkg); created if missing.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="First date to import.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last date to import.")
def import_cmd(inputs, store, since, until) -> None:
    """Import snapshot files or folders into a store.

    Reads any snapshot files (for instance the daily files of the cyterat/deepstate-map-data
    archive) between --since and --until; a date already stored for the same source is
    skipped. The store is rewritten atomically."""
    from loc.collection import select, snapshot_files
    from loc.store import import_snapshots

    files = snapshot_files(inputs)
    if since or until:
        files = select(files, since=since, until=until)
    with click.progressbar(length=len(files), label="import", file=sys.stderr) as bar:
        result = import_snapshots(files, store, progress=bar.update)
    size = store.stat().st_size / 1e6 if store.exists() else 0.0
    click.echo(f"{store}: {len(result.added)} snapshots added, {len(result.skipped)} already "
               f"there; {size:,.1f} MB")


@click.command("list")
@click.option("--store", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The store (.gpkg).")
def list_cmd(store) -> None:
    """List the snapshots in a store (read one back as STORE.gpkg@YYYY-MM-DD)."""
    from loc.store import list_snapshots

    df = list_snapshots(store)
    df["sha256"] = df["sha256"].str.slice(0, 12)
    click.echo(table(df.set_index("date")[["source", "sides", "vertices", "sha256"]]),
               nl=False)
    click.echo(f"{len(df)} snapshots", err=True)


@click.group("cache")
def cache() -> None:
    """The download cache (content-addressed by sha256)."""


@cache.command("list")
def cache_list() -> None:
    """List cached downloads."""
    from loc.sources.http import cache_root, list_cache

    for e in list_cache():
        click.echo(f"{e['sha256'][:12]}  {e['bytes']:>10,}  {e['url']}")
    click.echo(f"cache: {cache_root()}", err=True)


@cache.command("clear")
def cache_clear() -> None:
    """Delete every cached download."""
    from loc.sources.http import clear_cache

    click.echo(f"removed {clear_cache()} files", err=True)


@click.command("compare")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "geojson"]), default="table",
              show_default=True, help="Output format.")
@output_opt
def compare_cmd(a, b, fmt, output) -> None:
    """Where two sources disagree on Russian-held land.

    A and B are snapshots of the same date, for instance DeepStateMap and ISW; prints km² per
    region (equal-area CRS) held by ru in one only."""
    from loc.compare import compare
    from loc.io import geojson_text
    from loc.snapshot import read

    c = compare(read(a), read(b))
    if fmt == "geojson":
        emit(geojson_text(c.areas), output)
        return
    text = (f"A = {c.a}, B = {c.b}: Russian-held in A only "
            f"{c.summary['ru_only_in_a_km2'].sum():,.2f} km², in B only "
            f"{c.summary['ru_only_in_b_km2'].sum():,.2f} km²\n")
    text += table(c.summary, {"ru_only_in_a_km2": ",.2f", "ru_only_in_b_km2": ",.2f"})
    emit(text, output)
