"""Sources and the snapshot store: ``loc fetch``, ``loc import``, ``loc list``, ``loc cache``,
``loc compare``."""

from __future__ import annotations

from pathlib import Path

import click

from loc.cli.options import (
    emit,
    emit_frame,
    engine,
    format_opt,
    load_series,
    load_snapshot,
    offline_opt,
    output_format,
    output_opt,
    outputs_apart,
    parse_party,
    progress_bar,
    report_opt,
    say,
    series_arg,
    since_opt,
    snapshot_args,
    store_opt,
    store_or_arg_opt,
    until_opt,
)


@click.group("fetch")
def fetch() -> None:
    """Download snapshots from a source (the only commands that use the network)."""


@fetch.command("deepstate")
@click.option("--date", default=None, metavar="YYYY-MM-DD",
              help="The last version published on or before this date (default: the "
                   "latest).")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="STORE.gpkg", help="Add the snapshot to this store.")
@output_opt()
@offline_opt
def fetch_deepstate(date, store, output, offline) -> None:
    """DeepStateMap's map from its public API (deepstatemap.live; no open licence is stated:
    keep it for your own analysis). Cached by content hash; an answer with no occupied
    area is refused and neither cached nor stored."""
    from loc.io.fetch import fetch_deepstate as get

    outputs_apart(("output", "-o"), ("store", "--store"))
    snap, download = get(date, offline=offline)
    say(f"{snap.label} deepstate: {snap.occupied_km2():,.1f} km² occupied "
        f"({'cache' if download.from_cache else 'downloaded'}, sha256 "
        f"{download.sha256[:12]})")
    if output:
        emit(download.data, output)
    if store:
        from loc.io.store import import_snapshots

        result = import_snapshots([snap], store, engine=engine())
        say(f"{store}: {len(result.added)} added" if result.added else
            f"{store}: {snap.label} is already there; nothing written")


@click.command("import")
@series_arg()
@store_opt
@since_opt
@until_opt
def import_cmd(inputs, store, since, until) -> None:
    """Import a SERIES (snapshot files, folders, another store) into a store.

    A date already stored for the same source is skipped; two inputs of one date are
    refused, naming both. The store is locked while it is written (another import waits)
    and rewritten atomically: an interrupted import leaves it as it was."""
    from loc.io.store import import_snapshots

    items = [item for _, item in load_series(inputs, since, until)]
    with progress_bar(len(items), "import") as bar:
        result = import_snapshots(items, store, progress=bar.update, engine=engine())
    size = store.stat().st_size / 1e6 if store.exists() else 0.0
    say(f"{store}: {len(result.added)} snapshots added, {len(result.skipped)} already "
        f"there; {size:,.1f} MB")


@click.command("list")
@click.argument("store_arg", required=False, metavar="[STORE.gpkg]",
                type=click.Path(dir_okay=False, path_type=Path))
@store_or_arg_opt
@format_opt(("table", "json", "csv"), default=None)
@output_opt()
def list_cmd(store_arg, store, fmt, output) -> None:
    """List the snapshots in a store, given as STORE.gpkg or --store (read one back as
    STORE.gpkg@YYYY-MM-DD)."""
    from loc.errors import OptionError
    from loc.io.store import list_snapshots
    from loc.io.writers import csv_text, dumps
    from loc.outputs.tables import table

    if store_arg is not None and store is not None and store_arg != store:
        raise OptionError(f"two stores given ({store_arg} and --store {store}): give one")
    store = store_arg or store
    if store is None:
        raise OptionError("give the store: loc list STORE.gpkg")
    fmt = output_format(output, fmt, ("table", "json", "csv"))
    df = list_snapshots(store, engine=engine())
    if fmt == "csv":
        emit(csv_text(df), output)
    elif fmt == "json":
        emit(dumps({"store": str(store), "snapshots": df.to_dict(orient="records")}) + "\n",
             output)
    else:
        shown = df.assign(sha256=df["sha256"].str.slice(0, 12))
        emit(table(shown.set_index("date")[["source", "sides", "vertices", "sha256"]]), output)
    say(f"{len(df)} snapshots")


@click.group("cache")
def cache() -> None:
    """The download cache (content-addressed by sha256)."""


@cache.command("list")
def cache_list() -> None:
    """List cached downloads: sha256, bytes, URL."""
    from loc.io.fetch import cache_root, list_cache

    emit("".join(f"{str(e.get('sha256'))[:12]}  {int(e.get('bytes') or 0):>10,}  {e['url']}\n"
                 for e in list_cache()), None)
    say(f"cache: {cache_root()}")


@cache.command("clear")
def cache_clear() -> None:
    """Delete every cached download."""
    from loc.io.fetch import clear_cache

    say(f"removed {clear_cache()} files")


@click.command("compare")
@snapshot_args("A", "B")
@format_opt(("table", "json", "csv", "geojson", "gpkg"), default=None)
@output_opt()
@report_opt
def compare_cmd(a, b, fmt, output, report) -> None:
    """Where two sources or two parties disagree on Russian-held land.

    A and B are snapshots (FILE or STORE.gpkg@DATE): two sources of one date (DeepStateMap
    and ISW), or two parties' claimed lines labelled PARTY=FILE (ua=claim_ua.geojson
    ru=claim_ru.geojson). The table gives km² per region (equal-area CRS) held by ru in one
    only and, for parties, the disputed areas ranked by the people living in them; json
    both; csv, geojson and gpkg the ranked areas. --report DIR writes the map, tables,
    JSON, Markdown and manifest as a versioned folder."""
    from loc.analysis.compare import compare
    from loc.io.writers import dumps
    from loc.outputs.reports import dispute_json
    from loc.outputs.tables import table

    (party_a, ref_a), (party_b, ref_b) = parse_party(a), parse_party(b)
    if (party_a is None) != (party_b is None):
        from loc.errors import OptionError

        raise OptionError("label both claims by party (ua=FILE ru=FILE) or neither")
    fmt = output_format(output, fmt, ("table", "json", "csv", "geojson", "gpkg"))
    snap_a, snap_b = load_snapshot(ref_a), load_snapshot(ref_b)
    labels = (party_a, party_b) if party_a and party_b else None
    c = compare(snap_a, snap_b, labels=labels)
    saved = None
    if report is not None:  # written before any output, so that a failure leaves none
        from loc.outputs.reports import save_dispute
        from loc.outputs.versions import input_record

        inputs = [{"party": label, **input_record(s)}
                  for label, s in ((c.a, snap_a), (c.b, snap_b))]
        saved = save_dispute(report, c, snap_a, snap_b, inputs,
                             {"min_km2": 0.01, "labelled": bool(labels)})
    if fmt in ("csv", "geojson", "gpkg"):
        emit_frame(c.disputes() if labels else c.areas, output, fmt, layer="disputes")
    elif fmt == "json":
        emit(dumps(dispute_json(c)) + "\n", output)
    else:
        say(f"A = {c.a}, B = {c.b}: Russian-held in A only "
            f"{c.summary['ru_only_in_a_km2'].sum():,.2f} km², in B only "
            f"{c.summary['ru_only_in_b_km2'].sum():,.2f} km²")
        text = table(c.summary, {"ru_only_in_a_km2": ",.2f", "ru_only_in_b_km2": ",.2f"})
        if labels:
            every = c.disputes().drop(columns=["geometry", "ru_in"]).set_index("rank")
            text += "\ndisputed areas, most people first:\n" + table(
                every.head(15), {"km2": ",.2f", "population": ",d"})
            if len(every) > 15:
                text += (f"... and {len(every) - 15} more (--format csv or --report lists "
                         "them all)\n")
        emit(text, output)
    if saved is not None:
        folder, created = saved
        if fmt == "table":  # the folder is the result; with data on stdout, a note (-q: none)
            emit(f"{folder}\n", None)
        else:
            say(str(folder))
        say(f"report {folder.name}: {'written' if created else 'exists already, unchanged'}")
