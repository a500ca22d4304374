"""Versioned, self-contained interactive maps (folium + inlined Leaflet).

:func:`render` builds a folium Map from snapshots (one date, a slider over many, or a
two-date comparison) with the line of contact, freeze line, zones, changes, regions and
settlements as layers; with ``out`` it also saves an immutable version and its manifest.
"""

from __future__ import annotations

import contextlib
import gc
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import geopandas as gpd

from loc import __version__, checks, processes
from loc import geo as lcrs
from loc.analysis.diff import diff
from loc.analysis.freeze import SHOWN_KM2, Freeze
from loc.analysis.history import line_history
from loc.analysis.line import contact_only, line_of_contact
from loc.analysis.movement import movement
from loc.errors import OptionError
from loc.io.inputs import read, read_items, series
from loc.io.readers import lonlat_frame
from loc.io.store import is_store, split_reference
from loc.model import Snapshot, earlier_first
from loc.outputs.palette import PALETTE_NAME
from loc.outputs.render import assets
from loc.outputs.render.builder import (
    TILES,
    Encoded,
    LocMap,
    build_map,
    build_payload,
    render_page,
)
from loc.outputs.render.layers import (
    Layer,
    change_layers,
    context_labels,
    context_layers,
    freeze_layers,
    line_rows,
    movement_layer,
    places,
    region_layer,
    snapshot_layers,
    zone_layers,
)
from loc.outputs.versions import MapVersion, input_record, list_versions, save, verify
from loc.reference.context import ATTRIBUTION as CONTEXT_ATTRIBUTION
from loc.reference.sample import SOURCE as SAMPLE_SOURCE
from loc.reference.sample import sample_paths
from loc.reference.settlements import ATTRIBUTION as SETTLEMENTS_ATTRIBUTION

SAMPLE_WARNING = ("APPROXIMATE ILLUSTRATIVE SAMPLE built from frontline settlements: "
                  "not an authoritative line")
BOUNDS = [[44.3, 22.1], [52.4, 40.3]]

__all__ = ["Layer", "MapVersion", "list_versions", "render", "verify"]


def as_snapshots(snapshots) -> list[Snapshot]:
    """Snapshots from a Snapshot, a path, or a list of them (None: the bundled sample),
    oldest first.

    Parameters
    ----------
    snapshots : Snapshot, path, or list of them, optional
        One snapshot (a file or ``STORE@DATE``; it may be undated) or a series (folders,
        stores, files: see :func:`loc.read_series`).

    Returns
    -------
    list of Snapshot
        The snapshots.
    """
    if snapshots is None:
        snapshots = sample_paths()
    items = list(snapshots) if isinstance(snapshots, (list, tuple)) else [snapshots]
    if not items:
        raise OptionError("nothing to render: give one snapshot or more")
    if len(items) == 1:
        one = items[0]
        if isinstance(one, Snapshot):
            return [one]
        if isinstance(one, (str, Path)) and (split_reference(str(one)) is not None
                                             or Path(one).is_file() and not is_store(one)):
            return [read(one)]
    return read_items(x for _, x in series(items))


def _default_name(snap: Snapshot) -> str:
    """A map name from the input file name without its date, e.g. ``deepstatemap_data``."""
    stem = re.sub(r"\d{4}-?\d{2}-?\d{2}", "", Path(snap.path or "map").stem)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-_.")
    return stem[:64] or "map"


def _attribution(snaps: Iterable[Snapshot], tiles: str | None) -> list[str]:
    lines = []
    for source, lic in dict.fromkeys((s.source, s.license or "licence not stated")
                                     for s in snaps):
        lines.append(f"Control areas: {source} — {lic}")
    lines += ["Regions: Natural Earth (public domain)", CONTEXT_ATTRIBUTION,
              SETTLEMENTS_ATTRIBUTION,
              f"Map: loc {__version__}, Leaflet {assets.leaflet_version()} (BSD-2-Clause), "
              f"{assets.vendored_attribution()}; colours: {PALETTE_NAME}",
              "Lines of control shown are not international borders"]
    if tiles:
        lines.append(TILES[tiles][1])
    return lines


def _lines(snapshots: list[Snapshot],
           progress: Callable[[int, int], None] | None = None) -> list[list[tuple]]:
    """The line of contact of each snapshot, in order, without its border-noise pieces, as
    the rows :func:`~loc.outputs.render.layers.line_layer` takes: the one place where maps
    compute lines. A series goes through :func:`loc.line_history`, which reclassifies only
    what changed from one date to the next (and leaves each snapshot's line remembered).

    Parameters
    ----------
    snapshots : list of Snapshot
        The snapshots.
    progress : callable, optional
        Called as ``progress(done, total)`` after each line.

    Returns
    -------
    list of list of (dict, shapely.LineString)
        Per snapshot, the attributes and geometry of each piece, in piece order.
    """
    if len(snapshots) > 1 and all(s.date is not None for s in snapshots):
        history = contact_only(line_history(snapshots, progress=progress, remember=False))
        by_date: dict = {}
        for day, row in zip(history["date"].tolist(), line_rows(history.drop(columns="date")),
                            strict=True):
            by_date.setdefault(day, []).append(row)
        return [by_date.get(s.date, []) for s in snapshots]
    return [line_rows(contact_only(line_of_contact(s))) for s in snapshots]


GC_EVERY = 50_000
"""While a map's layers are made, Python's cyclic garbage collector runs after this many new
containers (its default, 700, makes it walk a long slider's layer documents, which live on,
hundreds of times: about 7 % of a 536-date render)."""


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often for a while (worker processes forked meanwhile
    too); the thresholds are put back after."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_EVERY), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _blocks(count: int) -> list[range]:
    """How a series' dates are cut into blocks, each with a line history of its own: by
    the number of dates alone, never by the machine, so that every machine makes the same
    page (1 block under 64 dates, 2 under 256, else 4)."""
    n = 1 if count < 64 else 2 if count < 256 else 4
    edges = [round(i * count / n) for i in range(n + 1)]
    return [range(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _block_layers(snaps: list[Snapshot], line: bool,
                  progress: Callable[[int, int], None] | None) -> Iterator[Layer]:
    """The layers of consecutive dates (control areas and line of contact of each)."""
    lines = _lines(snaps, progress) if line else [None] * len(snaps)
    memo: dict = {}  # a date whose sides are those of the one before reuses their shapes
    for s, ln in zip(snaps, lines, strict=True):
        yield from snapshot_layers(s, ln, memo)


def _block_worker(snaps: list[Snapshot], blocks: list[range], line: bool, done,
                  conn) -> None:
    """A worker process: encode its blocks of dates apart, then send them back one by one
    (or the error that stopped it), each with the warnings met making it, for the parent
    to give (:func:`loc.processes.replay`): a send waits until the parent takes it, and
    the parent takes them only once its own blocks are made. ``done`` counts the lines
    computed."""
    def tick(_d: int, _t: int) -> None:
        with done.get_lock():
            done.value += 1

    made: list[tuple[str, Encoded | BaseException, list]] = []
    for b in blocks:
        value: Encoded | BaseException
        with processes.recording() as found:
            try:
                status, value = "ok", Encoded.of(_block_layers(snaps[b.start:b.stop], line,
                                                               tick))
            except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
                status, value = "error", exc
        made.append((status, value, processes.caught(found)))
        if status == "error":
            break
    try:
        for message in made:
            conn.send(message)
    finally:
        conn.close()


def _date_layers(snaps: list[Snapshot], line: bool,
                 progress: Callable[[int, int], None] | None) -> Iterator[Layer | Encoded]:
    """The dated layers of every snapshot, in date order. A long series is cut into
    :func:`_blocks`; worker processes (forked, one per core but this one) encode the later
    blocks apart while this process makes the first ones, and their blocks are merged in
    order, to the same page as one process makes (a worker that dies has its blocks made
    here)."""
    blocks = _blocks(len(snaps))
    share = min(processes.cores(), len(blocks))
    groups = [blocks[round(i * len(blocks) / share):round((i + 1) * len(blocks) / share)]
              for i in range(share)]
    workers = _start_blocks(snaps, groups[1:], line) if share > 1 else None
    if workers is None:
        groups, workers = [blocks], ([], None)
    procs, done = workers
    mine = 0  # lines made here (the workers count theirs in ``done``)

    def report(d: int, _t: int) -> None:
        if progress is not None:
            theirs = done.value if done is not None else 0
            progress(min(mine + d + theirs, len(snaps)), len(snaps))

    try:
        start = time.monotonic()
        for b in groups[0]:
            yield from _block_layers(snaps[b.start:b.stop], line, report)
            mine += len(b)
        own = time.monotonic() - start
        for (proc, conn), group in zip(procs, groups[1:], strict=True):
            gone = False
            for b in group:
                got = None if gone else processes.receive(
                    proc, conn, own, beat=(lambda: done.value) if done is not None else None,
                    waiting=(lambda: report(0, 0)) if line else None)
                if got is None:  # the worker died or hangs: its blocks are made here
                    gone = True
                    got = "ok", Encoded.of(_block_layers(snaps[b.start:b.stop], line, None)), []
                status, value, found = got
                processes.replay(found)
                if status == "error":
                    raise value if isinstance(value, BaseException) else RuntimeError(value)
                assert isinstance(value, Encoded)  # what a worker sends with "ok"
                yield value
        if progress is not None and line:
            progress(len(snaps), len(snaps))
    finally:
        for proc, conn in procs:
            processes.stop(proc, conn)


def _start_blocks(snaps: list[Snapshot], groups: list[list[range]], line: bool):
    """One worker process per group of blocks, or None where processes cannot be started
    (then every block is made here)."""
    try:
        with processes.starting() as ctx:
            done = ctx.Value("i", 0)
            procs = processes.workers(ctx, _block_worker,
                                      [(snaps, group, line, done) for group in groups])
    except (OSError, ImportError, NotImplementedError):
        return None
    return procs, done


def render(snapshots=None, *, compare=None, freeze=None, zones: gpd.GeoDataFrame | None = None,
           changes: gpd.GeoDataFrame | None = None, line: bool = True,
           settlements: bool = True, tiles: str | None = None, title: str | None = None,
           name: str | None = None, out: str | Path | None = None,
           options: dict | None = None, layers: list[Layer] | None = None,
           panel: dict | None = None,
           progress: Callable[[int, int], None] | None = None) -> LocMap:
    """Render control areas and analyses into an offline, deterministic folium map.

    Parameters
    ----------
    snapshots : Snapshot, path, or list of them, optional
        One date gives a single map, several a time slider. Default: the bundled sample
        (three dates, approximate).
    compare : (Snapshot or path, Snapshot or path), optional
        Two dates side by side (synced maps) with the areas that changed hands, the earlier
        first.
    freeze : Freeze, optional
        Renders the freeze's base snapshot with the freeze line ("line of control (not an
        international border)") and the areas that change side under the scenario;
        ``snapshots`` is then not used.
    zones, changes : GeoDataFrame, optional
        Zones (``zone``, ``kind`` columns) and changes (``to_side``, ``km2``) as layers.
    line, settlements : bool
        Show the line of contact and the settlements.
    tiles : {"osm"}, optional
        Adds online tiles (the only option that makes the page use the network).
    title : str, optional
        Title block text.
    name, out : str, optional
        With ``out`` (a folder, e.g. ``"maps"``), saves ``out/<name>/<version>.html`` and its
        manifest; the result is in the returned map's ``loc_version`` attribute.
    options : dict, optional
        Extra options recorded in the manifest (the CLI passes its arguments).
    layers : list of Layer, optional
        More layers on top (e.g. breaches and incidents of a compliance report).
    panel : dict, optional
        A findings panel beside the map (see :func:`~loc.outputs.render.builder.build_payload`).
    progress : callable, optional
        ``progress(done, total)`` while the lines of a series are computed (the CLI shows a
        progress bar).

    Returns
    -------
    LocMap
        The folium map (shows in a notebook); ``m.loc_version`` is the
        :class:`~loc.outputs.versions.MapVersion` when saved, else None.

    Examples
    --------
    >>> import tempfile, loc
    >>> m = loc.render(loc.sample(), out=tempfile.mkdtemp(), settlements=False)
    >>> m.loc_version.manifest["kind"], m.loc_version.html_path.suffix
    ('single', '.html')
    """
    if tiles not in (None, "osm"):
        raise OptionError(f"unknown tiles '{tiles}': use osm (online) or none")
    # frames given in Python: drawn in lon/lat whatever their CRS (metres were drawn as
    # degrees, and the zones vanished from the map its manifest counted them in)
    zones = lonlat_frame(checks.frame(zones, "zones", ("zone", "kind")), "zones") \
        if zones is not None else None
    changes = lonlat_frame(checks.frame(changes, "changes", ("to_side",)), "changes") \
        if changes is not None else None
    extra = list(layers or [])
    compare_doc = None
    movement_gdf = None
    if compare is not None:
        if not isinstance(compare, (list, tuple)) or len(compare) != 2:
            raise OptionError("compare needs exactly two snapshots")
        a, b = (c if isinstance(c, Snapshot) else read(c) for c in compare)
        earlier_first(a, b, "compare")
        snaps = [a, b]
        if changes is None:
            changes = diff(a, b).changes
        if line:
            movement_gdf = movement(a, b)
        compare_doc = {"a": a.label, "b": b.label}
        kind = "compare"
    elif freeze is not None:
        if not isinstance(freeze, Freeze):
            raise TypeError(f"freeze must be a Freeze, not {type(freeze).__name__}")
        # a scenario: the base snapshot, and what changes side under the scenario
        snaps = [freeze.base]
        kind = "freeze"
    else:
        snaps = as_snapshots(snapshots)
        kind = "single" if len(snaps) == 1 else "slider"
    labels = [s.label for s in snaps]
    if len(set(labels)) != len(labels):
        raise OptionError("two snapshots have the same date (" +
                          ", ".join(sorted({x for x in labels if labels.count(x) > 1})) +
                          "): give one snapshot per date")
    latest = snaps[-1]

    def all_layers() -> Iterator[Layer | Encoded]:
        """The layers bottom first, made one at a time: each is encoded into the page's
        chunks and let go before the next is made (a 536-date slider holds one date's
        geometry at a time, not all of them)."""
        yield from context_layers()
        yield region_layer(latest if len(snaps) == 1 and compare is None else None)
        yield from _date_layers(snaps, line, progress)
        if zones is not None and len(zones):
            yield from zone_layers(zones)
        if changes is not None:
            suffix = f" ({compare_doc['a']} → {compare_doc['b']})" if compare_doc else ""
            yield from change_layers(changes, suffix)
        if movement_gdf is not None and len(movement_gdf):
            yield movement_layer(movement_gdf)
        if freeze is not None:
            if freeze.scenario.get("steps"):
                moved = diff(freeze.base, freeze.snapshot, min_km2=SHOWN_KM2,
                             min_width_m=0.0).changes
                yield from (layer for layer in change_layers(
                    moved, titles=("To ru under the scenario", "To ua under the scenario"))
                    if layer.features)  # no legend entry for a side given nothing
            yield from freeze_layers(freeze)
        yield from extra

    sample = any(s.source == SAMPLE_SOURCE for s in snaps)
    dates = [s.date.isoformat() for s in snaps if s.date] if compare is None else []
    if title is None:
        title = "Control areas" if freeze is None else "Freeze scenario"
    subtitle = "Source: " + ", ".join(dict.fromkeys(s.source for s in snaps))
    if freeze is not None:
        subtitle += " · reddish purple dashed: line of control (not an international border)"
    with _fewer_collections():
        payload = build_payload(all_layers(), title=title, subtitle=subtitle,
                                warning=SAMPLE_WARNING if sample else "",
                                attribution=_attribution(snaps, tiles), dates=dates,
                                bounds=BOUNDS, compare=compare_doc,
                                places=places() if settlements else None,
                                labels=context_labels(), panel=panel)
        m = build_map(payload, tiles=tiles)
        del payload  # the page holds it as text now: let the layers' documents go
    if out is not None:
        recorded = {"compare": bool(compare_doc), "line": line, "settlements": settlements,
                    "tiles": tiles, "freeze": freeze.scenario if freeze is not None else None,
                    "zones": int(len(zones)) if zones is not None else 0, **(options or {})}
        core = _manifest_core(title, kind if not extra else "report", snaps, recorded, tiles)
        default = "sample" if sample else _default_name(snaps[-1])
        m.loc_version = save(render_page(m), core, default if name is None else name, out)
    return m


def _manifest_core(title: str, kind: str, snaps: list[Snapshot], options: dict,
                   tiles: str | None) -> dict:
    """What a map version is made of; its id is derived from this and the HTML."""
    return {
        "title": title,
        "kind": kind,
        "loc_version": __version__,
        "inputs": [input_record(s) for s in snaps],
        "data_dates": [s.label for s in snaps],
        "options": options,
        "crs": {"data": "OGC:CRS84 (lon/lat)", "display": "EPSG:3857 (Leaflet)",
                "areas": lcrs.EQUAL_AREA_PROJ4, "lengths": lcrs.CONFORMAL_PROJ4},
        "sources": _attribution(snaps, tiles),
    }
