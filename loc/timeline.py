"""Control over time: occupied km² per date and region, and daily gains and losses.

Each file is parsed once (GeoJSON straight into GEOS), projected to the EQUAL_AREA CRS and
compared with the previous date only where the boundaries differ (see :mod:`loc.diff`), in
worker processes over chunks of consecutive files. The occupied area and the per-region
areas are measured in full on the first date and carried forward with the changes. Results
are cached by the files' SHA-256 in a JSON file under the user cache folder, so a second run
only hashes the files.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from loc import crs as lcrs
from loc.collection import snapshot_files
from loc.diff import (
    _groups_m,
    _polygons,
    polygon_parts,
    projected_difference,
    segment_hashes,
    segments,
    split_by_region,
)
from loc.errors import DateError
from loc.io import write_atomic
from loc.regions import MISSION_REGIONS
from loc.snapshot import UKRAINE_BBOX, Snapshot, date_from_name, file_sha256, read
from loc.stats import stat_regions

CACHE_VERSION = 1
BREAK_KM2 = 1_000.0
"""A day-to-day change larger than this (km²) is a break in the series (a source that starts
or stops mapping a whole area, e.g. Crimea before September 2022), not a gain or loss."""


def cache_dir() -> Path:
    """``$LOC_CACHE_DIR``, else ``$XDG_CACHE_HOME/loc``, else ``~/.cache/loc``."""
    if os.environ.get("LOC_CACHE_DIR"):
        return Path(os.environ["LOC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "loc"


def _load_cache(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("version") == CACHE_VERSION:
            return doc
    except (OSError, ValueError, AttributeError):
        pass
    return {"version": CACHE_VERSION, "files": {}, "pairs": {}}


def _occupied(item, check_valid: bool = True) -> shapely.Geometry:
    """The occupied area (lon/lat) of a file or snapshot.

    A lon/lat GeoJSON with no side column and no DeepStateMap layer names (the archive's form),
    inside Ukraine's bounds (and valid, with ``check_valid``), is parsed straight into GEOS;
    any other file goes through :func:`loc.read`, which gives the same geometry more slowly.
    """
    if isinstance(item, Snapshot):
        return item.side("ru")
    path = Path(item)
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            raw = path.read_bytes()
        except OSError:
            raw = b""
        # no side column, no DeepStateMap layer names, lon/lat: every polygon is occupied
        plain = (b'"side"' not in raw and b"///" not in raw
                 and (b'"crs"' not in raw or b"CRS84" in raw))
        if plain:
            try:
                geom = shapely.from_geojson(raw)
            except shapely.errors.GEOSException:
                geom = None
            if geom is not None and shapely.has_z(geom):
                geom = shapely.force_2d(geom)
            if geom is not None and shapely.get_num_geometries(geom) == 1:
                geom = shapely.get_geometry(geom, 0)  # the one feature's geometry
            if geom is not None and geom.geom_type not in ("Polygon", "MultiPolygon"):
                parts = polygon_parts(geom)
                geom = shapely.union_all(parts) if len(parts) else None
            x0, y0, x1, y1 = UKRAINE_BBOX
            if geom is not None and not geom.is_empty:
                bx0, by0, bx1, by1 = shapely.bounds(geom)
                inside = x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1
                if inside and (not check_valid or geom.is_valid):
                    return geom
    return read(path).side("ru")


def _load(item) -> tuple[shapely.Geometry, np.ndarray, np.ndarray, np.ndarray]:
    """Occupied area (lon/lat), its boundary segments, their hashes and the order that sorts
    the hashes.

    The whole polygon's validity is not checked here: only the parts inside the changed
    windows are used, and those are checked (and repaired if need be) in
    :func:`loc.diff.windowed_difference`.
    """
    geom = _occupied(item, check_valid=False)
    seg = segments(geom)
    hashes = segment_hashes(seg)
    return geom, seg, hashes, np.argsort(hashes, kind="stable")


def _area_km2(geom_m) -> float:
    return float(shapely.area(geom_m)) / 1e6


def _region_areas(lonlat) -> dict[str, float]:
    """Occupied km² per region group, computed as :meth:`Snapshot.stats` does."""
    groups, _ = stat_regions()
    areas = lcrs.area_km2(shapely.intersection(lonlat, groups.values))
    return {k: float(a) for k, a in zip(groups.index, areas, strict=True) if a > 0}


def _by_region(polys_m: np.ndarray, n_first: int) -> tuple[dict, dict]:
    """km² per region of the first ``n_first`` polygons and of the rest (one split)."""
    first: dict[str, float] = {}
    rest: dict[str, float] = {}
    if len(polys_m) == 0:
        return first, rest
    pieces, keys, origin = split_by_region(polys_m, with_origin=True)
    for p, k, o in zip(pieces, keys, origin, strict=True):
        out = first if o < n_first else rest
        out[k] = out.get(k, 0.0) + float(shapely.area(p)) / 1e6
    return first, rest


def timeline(source: str | Path | Iterable, *, use_cache: bool = True,
             break_km2: float = BREAK_KM2,
             progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """One row per date: occupied km², per-region occupied km², gains and losses.

    Parameters
    ----------
    source : directory, path, or iterable of paths or Snapshots
        The snapshots (dates from the file names or the snapshots).
    use_cache : bool
        Read and write the cache (keyed by file SHA-256) in :func:`cache_dir`.
    break_km2 : float
        A change larger than this between two dates is flagged ``break`` and its gain and
        loss are left empty.
    progress : callable, optional
        Called with 1 after each snapshot (e.g. a progress bar's ``update``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date``; columns ``occupied_km2`` (whole occupied geometry, EQUAL_AREA
        CRS), ``<region>_km2`` for the five mission regions and every other region with any
        occupied area (``crimea`` includes Sevastopol), ``gained_km2`` (newly occupied since
        the previous date), ``lost_km2``, ``days_since_prev`` and ``break``. Missing days
        are not invented: the next row's ``days_since_prev`` says how long the gap was.
    """
    items = _items(source)
    cache_path = cache_dir() / "timeline.json"
    cache = _load_cache(cache_path) if use_cache else {"files": {}, "pairs": {}}
    keys = [k for _, _, k in items]
    missing = [i for i in range(1, len(items))
               if f"{keys[i - 1]}:{keys[i]}" not in cache["pairs"]]
    computed = _compute_pairs(items, missing, progress)
    dirty = bool(computed)
    for i, pair in computed.items():
        cache["pairs"][f"{keys[i - 1]}:{keys[i]}"] = pair
    rows: list[dict] = []
    prev_regions = None
    for i, (date, item, key) in enumerate(items):
        entry = cache["files"].get(key)
        if entry is None or "regions" not in entry:
            entry = {}
        pair = cache["pairs"][f"{keys[i - 1]}:{key}"] if i else None
        if "regions" not in entry:
            if prev_regions is not None:
                entry["occupied_km2"] = (rows[-1]["occupied_km2"] + pair["gained_km2"]
                                         - pair["lost_km2"])
                regions = dict(prev_regions)
                for k, v in pair["gained"].items():
                    regions[k] = regions.get(k, 0.0) + v
                for k, v in pair["lost"].items():
                    regions[k] = max(regions.get(k, 0.0) - v, 0.0)
            else:
                lonlat = _occupied(item)
                entry["occupied_km2"] = _area_km2(lcrs.project(lonlat, lcrs.EQUAL_AREA))
                regions = _region_areas(lonlat)
            entry["regions"] = {k: v for k, v in regions.items() if v > 1e-9}
            cache["files"][key] = entry
            dirty = True
        rows.append(_row(date, entry, pair, items[i - 1][0] if i else None, break_km2))
        prev_regions = entry["regions"]
        if progress and i not in computed:
            progress(1)
    if use_cache and dirty:
        write_atomic(cache_path, json.dumps(cache, separators=(",", ":")))
    return _frame(rows)


CHUNK = 24
"""Snapshots per task when pairs are computed in worker processes."""


def _compute_pairs(items: list, missing: list[int], progress) -> dict[int, dict]:
    """Pairs ``(i - 1, i)`` for each ``i`` in ``missing``, computed in chunks of consecutive
    snapshots: in worker processes (one per core) for files, here for Snapshot objects."""
    if not missing:
        return {}
    runs: list[list[int]] = []
    for i in missing:
        if runs and runs[-1][-1] == i - 1 and len(runs[-1]) < CHUNK:
            runs[-1].append(i)
        else:
            runs.append([i])
    tasks = [[items[j][1] for j in range(run[0] - 1, run[-1] + 1)] for run in runs]
    workers = min(os.cpu_count() or 1, 4, len(tasks))
    files_only = all(not isinstance(x, Snapshot) for task in tasks for x in task)
    out: dict[int, dict] = {}
    if workers > 1 and files_only:
        # build the shared lookups once here: forked workers inherit them
        _groups_m()
        lcrs.project(shapely.Point(32.0, 48.5), lcrs.EQUAL_AREA)
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {pool.submit(_pairs_of, [str(x) for x in task]): run
                       for task, run in zip(tasks, runs, strict=True)}
            for fut in as_completed(futures):
                run = futures[fut]
                out.update(zip(run, fut.result(), strict=True))
                if progress:
                    progress(len(run))
    else:
        for task, run in zip(tasks, runs, strict=True):
            out.update(zip(run, _pairs_of(task), strict=True))
            if progress:
                progress(len(run))
    return out


def _pairs_of(task: list) -> list[dict]:
    """Pairs of consecutive snapshots in one task (runs in a worker process)."""
    pairs = []
    prev = _load(task[0])
    for item in task[1:]:
        cur = _load(item)
        pairs.append(_pair(prev[0], cur[0], (*prev[1:], *cur[1:])))
        prev = cur
    return pairs


def _pair(a, b, segs: tuple) -> dict:
    """Gains and losses (km², EQUAL_AREA CRS) from lon/lat ``a`` to ``b``, in total and by
    region."""
    gained, lost = projected_difference(a, b, segs)
    g, lo = _polygons(gained), _polygons(lost)
    by_region = _by_region(np.concatenate([g, lo]), len(g))
    return {"gained_km2": float(shapely.area(g).sum()) / 1e6 if len(g) else 0.0,
            "lost_km2": float(shapely.area(lo).sum()) / 1e6 if len(lo) else 0.0,
            "gained": by_region[0], "lost": by_region[1]}


def _row(date, entry: dict, pair: dict | None, prev_date, break_km2: float) -> dict:
    row = {"date": date, "occupied_km2": entry["occupied_km2"],
           **{f"{k}_km2": v for k, v in entry["regions"].items()}}
    if pair is None:
        row.update(gained_km2=np.nan, lost_km2=np.nan, days_since_prev=np.nan,
                   **{"break": False})
        return row
    big = max(pair["gained_km2"], pair["lost_km2"]) > break_km2
    row.update(gained_km2=np.nan if big else pair["gained_km2"],
               lost_km2=np.nan if big else pair["lost_km2"],
               days_since_prev=(date - prev_date).days, **{"break": big})
    return row


def _items(source) -> list[tuple[dt.date, object, str | None]]:
    if isinstance(source, (str, Path)):
        source = [source]
    paths, snaps = [], []
    for s in source:
        (snaps if isinstance(s, Snapshot) else paths).append(s)
    out = []
    for f in snapshot_files(paths) if paths else []:
        date = date_from_name(f.name)
        if date is None:
            date = read(f).date
        if date is None:
            raise DateError("no date in the file name or properties: name files "
                            "*_YYYYMMDD.* for a timeline", f)
        out.append((date, f, file_sha256(f)))
    for s in snaps:
        if s.date is None:
            raise DateError("a snapshot without a date cannot be placed in a timeline",
                            s.path)
        out.append((s.date, s, s.sha256))
    out.sort(key=lambda t: t[0])
    dates = [d for d, _, _ in out]
    dupes = sorted({d for d in dates if dates.count(d) > 1})
    if dupes:
        raise DateError("two snapshots share the date " + dupes[0].isoformat() +
                        ": give one snapshot per date")
    return out


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows).set_index("date")
    region_cols = [c for c in df.columns if c.endswith("_km2")
                   and c not in ("occupied_km2", "gained_km2", "lost_km2")]
    mission = [f"{k}_km2" for k in MISSION_REGIONS]
    others = sorted(c for c in region_cols if c not in mission)
    for c in mission:
        if c not in df:
            df[c] = 0.0
    df[mission + others] = df[mission + others].fillna(0.0)
    df = df[["occupied_km2", *mission, *others, "gained_km2", "lost_km2", "days_since_prev",
             "break"]]
    df["days_since_prev"] = df["days_since_prev"].astype("Int64")
    df["break"] = df["break"].astype(bool)
    return df
