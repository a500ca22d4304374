"""Control over time: occupied km² per date and region, and daily gains and losses.

Each file is parsed once (GeoJSON straight into GEOS, in worker threads), projected to the
EQUAL_AREA CRS and compared with the previous date only where the boundaries differ (see
:mod:`loc.diff`). The occupied area and the per-region areas are measured in full on the first
date and carried forward with the changes. Results are cached by the files'
SHA-256 in a JSON file under the user cache folder, so a second run only hashes the files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from loc import crs as lcrs
from loc.collection import snapshot_files
from loc.diff import (
    _polygons,
    polygon_parts,
    segment_hashes,
    segments,
    split_by_region,
    windowed_difference,
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


def _occupied(item) -> shapely.Geometry:
    """The occupied area (lon/lat) of a file or snapshot.

    A lon/lat GeoJSON with no side column and no DeepStateMap layer names (the archive's form),
    valid and inside Ukraine's bounds, is parsed straight into GEOS; any other file goes
    through :func:`loc.read`, which gives the same geometry more slowly.
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
                if x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1 and geom.is_valid:
                    return geom
    return read(path).side("ru")


def _load(item) -> tuple[shapely.Geometry, np.ndarray, np.ndarray, shapely.Geometry]:
    """Occupied area in the EQUAL_AREA CRS, its boundary segments and their hashes, and the
    lon/lat geometry; runs in worker threads (GEOS, PROJ and numpy release the GIL)."""
    lonlat = _occupied(item)
    geom = lcrs.project(lonlat, lcrs.EQUAL_AREA)
    seg = segments(geom)
    return geom, seg, segment_hashes(seg), lonlat


def _area_km2(geom_m) -> float:
    return float(shapely.area(geom_m)) / 1e6


def _region_areas(lonlat) -> dict[str, float]:
    """Occupied km² per region group, computed as :meth:`Snapshot.stats` does."""
    groups, _ = stat_regions()
    areas = lcrs.area_km2(shapely.intersection(lonlat, groups.values))
    return {k: float(a) for k, a in zip(groups.index, areas, strict=True) if a > 0}


def _by_region(polys_m: np.ndarray) -> dict[str, float]:
    if len(polys_m) == 0:
        return {}
    pieces, keys = split_by_region(polys_m)
    out: dict[str, float] = {}
    for p, k in zip(pieces, keys, strict=True):
        out[k] = out.get(k, 0.0) + float(shapely.area(p)) / 1e6
    return out


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
    need = set()
    for i, k in enumerate(keys):
        pair_cached = i == 0 or f"{keys[i - 1]}:{k}" in cache["pairs"]
        if k not in cache["files"] or "regions" not in cache["files"][k] or not pair_cached:
            need.add(i)
            if i > 0 and not pair_cached:
                need.add(i - 1)
    rows = []
    dirty = False
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        pending = _prefetch(pool, [(i, items[i][1]) for i in sorted(need)])
        prev_regions = prev_geom = prev_seg = None
        for i, (date, _item, key) in enumerate(items):
            geom = seg = lonlat = None
            if i in need:
                j, (geom, *seg, lonlat) = next(pending)
                assert j == i
            entry = cache["files"].get(key)
            if entry is None or "regions" not in entry:
                entry = {}
            pair = None
            if i > 0:
                pair_key = f"{keys[i - 1]}:{key}"
                pair = cache["pairs"].get(pair_key)
                if pair is None:
                    pair = _pair(prev_geom, geom, (*prev_seg, *seg))
                    cache["pairs"][pair_key] = pair
                    dirty = True
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
                    entry["occupied_km2"] = _area_km2(geom)
                    regions = _region_areas(lonlat)
                entry["regions"] = {k: v for k, v in regions.items() if v > 1e-9}
                cache["files"][key] = entry
                dirty = True
            rows.append(_row(date, entry, pair, items[i - 1][0] if i else None, break_km2))
            prev_regions, prev_geom, prev_seg = entry["regions"], geom, seg
            if progress:
                progress(1)
    if use_cache and dirty:
        write_atomic(cache_path, json.dumps(cache, separators=(",", ":")))
    return _frame(rows)


def _prefetch(pool: ThreadPoolExecutor, jobs: list, ahead: int = 16):
    """Yield ``(index, _load(item))`` in order, keeping at most ``ahead`` loads in flight
    (bounded memory)."""
    queue: deque = deque()
    it = iter(jobs)
    for i, item in itertools.islice(it, ahead):
        queue.append((i, pool.submit(_load, item)))
    while queue:
        i, fut = queue.popleft()
        nxt = next(it, None)
        if nxt is not None:
            queue.append((nxt[0], pool.submit(_load, nxt[1])))
        yield i, fut.result()


def _pair(a, b, segs: tuple) -> dict:
    """Gains and losses (km², EQUAL_AREA CRS) from ``a`` to ``b`` (both EQUAL_AREA), in total
    and by region."""
    gained, lost = windowed_difference(a, b, segs)
    g, lo = _polygons(gained), _polygons(lost)
    return {"gained_km2": float(shapely.area(g).sum()) / 1e6 if len(g) else 0.0,
            "lost_km2": float(shapely.area(lo).sum()) / 1e6 if len(lo) else 0.0,
            "gained": _by_region(g), "lost": _by_region(lo)}


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
