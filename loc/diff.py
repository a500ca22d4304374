"""What changed hands between two snapshots, computed only where their boundaries differ.

Two daily snapshots share almost every boundary segment. Every connected piece of their
symmetric difference is bounded by segments that are in one boundary and not the other, so it
lies inside the bounding box of those changed segments. loc finds the changed segments,
groups their boxes into disjoint windows and computes exact differences inside the windows
only: the same areas as a full overlay, at a fraction of the cost.

Areas are in km² in the EQUAL_AREA CRS (LAEA 48.5 N 32 E); geometries returned are lon/lat.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import crs as lcrs
from loc.settlements import settlements_in

WINDOW_PAD_M = 1.0
"""Padding (m) around changed segments' boxes; keeps touching changes in one window."""


def polygon_parts(geom) -> np.ndarray:
    """The non-empty Polygons of a geometry or an array of them (collections and
    multi-parts exploded, in order)."""
    parts = shapely.get_parts(geom)
    kind = shapely.get_type_id(parts)
    while ((kind == 6) | (kind == 7)).any():  # MultiPolygon, GeometryCollection
        parts = np.concatenate([shapely.get_parts(p) if k in (6, 7) else [p]
                                for p, k in zip(parts, kind, strict=True)])
        kind = shapely.get_type_id(parts)
    return parts[(kind == 3) & ~shapely.is_empty(parts)].astype(object)


def segments(geom) -> np.ndarray:
    """The boundary segments of a (Multi)Polygon as an (n, 4) float array x0, y0, x1, y1."""
    rings = shapely.get_rings(polygon_parts(geom))
    coords, index = shapely.get_coordinates(rings, return_index=True)
    same = index[1:] == index[:-1]
    return np.hstack([coords[:-1][same], coords[1:][same]])


_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                 0x27D4EB2F165667C5], dtype=np.uint64)


def _segment_hashes(seg: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each segment's exact coordinates (the float bits)."""
    bits = np.ascontiguousarray(seg).view(np.uint64)
    h = bits[:, 0] * _MIX[0]
    for k in range(1, 4):
        h ^= bits[:, k] * _MIX[k]
    return h


def _unmatched(sa: np.ndarray, ha: np.ndarray, sb: np.ndarray, hb: np.ndarray) -> np.ndarray:
    """Rows of ``sa`` that are not rows of ``sb`` (exact: hash matches are re-checked)."""
    if len(sb) == 0:
        return np.ones(len(sa), dtype=bool)
    order = np.argsort(hb, kind="stable")
    sorted_hb = hb[order]
    pos = np.minimum(np.searchsorted(sorted_hb, ha), len(hb) - 1)
    same = (sorted_hb[pos] == ha) & np.all(sa == sb[order[pos]], axis=1)
    return ~same


def _merge_boxes(boxes: list[list[float]]) -> list[tuple[float, float, float, float]]:
    """Merge overlapping boxes until none overlap (each merge takes the union's bounds)."""
    boxes = sorted(boxes)
    merged = True
    while merged:
        merged = False
        out: list[list[float]] = []
        for b in boxes:
            for o in out:
                if b[0] <= o[2] and o[0] <= b[2] and b[1] <= o[3] and o[1] <= b[3]:
                    o[0], o[1] = min(o[0], b[0]), min(o[1], b[1])
                    o[2], o[3] = max(o[2], b[2]), max(o[3], b[3])
                    merged = True
                    break
            else:
                out.append(list(b))
        boxes = out
    return [tuple(b) for b in sorted(boxes)]


def changed_windows(a, b, pad: float = WINDOW_PAD_M) -> list[tuple[float, float, float, float]]:
    """Disjoint boxes (in the geometries' CRS) that contain every difference of ``a``, ``b``.

    Segments present in one boundary and not in the other are boxed; overlapping boxes are
    merged until the boxes are disjoint.
    """
    return segment_windows(segments(a), segments(b), pad=pad)


def segment_windows(sa: np.ndarray, sb: np.ndarray,
                    pad: float = WINDOW_PAD_M) -> list[tuple[float, float, float, float]]:
    """Disjoint boxes, padded by ``pad``, around the segments of ``sa`` not in ``sb`` and of
    ``sb`` not in ``sa`` (``(n, 4)`` arrays ``x0, y0, x1, y1``, matched exactly).

    Given every boundary segment of two geometries (or more: extra segments only widen the
    boxes), every difference of the two lies inside the boxes.
    """
    ha, hb = _segment_hashes(sa), _segment_hashes(sb)
    boxes = np.vstack([_run_boxes(sa[_unmatched(sa, ha, sb, hb)]),
                       _run_boxes(sb[_unmatched(sb, hb, sa, ha)])])
    if len(boxes) == 0:
        return []
    boxes[:, :2] -= pad
    boxes[:, 2:] += pad
    return _merge_boxes(boxes.tolist())


def _run_boxes(seg: np.ndarray) -> np.ndarray:
    """Bounding boxes of runs of consecutive segments (each starting where the last ended)."""
    if len(seg) == 0:
        return np.empty((0, 4))
    breaks = np.flatnonzero(np.any(seg[1:, :2] != seg[:-1, 2:], axis=1)) + 1
    starts = np.concatenate([[0], breaks])
    x = np.minimum(seg[:, 0], seg[:, 2])
    y = np.minimum(seg[:, 1], seg[:, 3])
    X = np.maximum(seg[:, 0], seg[:, 2])
    Y = np.maximum(seg[:, 1], seg[:, 3])
    return np.column_stack([np.minimum.reduceat(x, starts), np.minimum.reduceat(y, starts),
                            np.maximum.reduceat(X, starts), np.maximum.reduceat(Y, starts)])


def windowed_difference(a, b, windows: list | None = None) -> tuple[list, list]:
    """``(b - a parts, a - b parts)`` of projected ``a`` and ``b``, computed inside
    :func:`changed_windows` only (or the ``windows`` given, if they are known)."""
    if windows is None:
        windows = changed_windows(a, b)
    if not windows:
        return [], []
    ca, cb = clip_windows(a, windows), clip_windows(b, windows)
    try:
        return list(shapely.difference(cb, ca)), list(shapely.difference(ca, cb))
    except shapely.errors.GEOSException:
        # an invalid input inside a window: repair the two local pieces and retry
        ca, cb = shapely.make_valid(ca), shapely.make_valid(cb)
        return list(shapely.difference(cb, ca)), list(shapely.difference(ca, cb))


def clip_box(geom, box):
    """``geom`` clipped to a box: the fast rectangle clip, or the exact (slower) intersection
    where the fast one is not valid."""
    out = shapely.clip_by_rect(geom, *box)
    if not out.is_valid:
        out = shapely.intersection(geom, shapely.box(*box))
    return out


def clip_windows(geom, windows: list) -> np.ndarray:
    """``geom`` clipped to each window, as an array."""
    return np.array([clip_box(geom, w) for w in windows], dtype=object)


@dataclass
class Changes:
    """Areas that changed hands between two snapshots.

    Attributes
    ----------
    changes : geopandas.GeoDataFrame
        Significant changes, largest first: ``from_side``, ``to_side``, ``region``, ``km2``
        (EQUAL_AREA CRS), ``width_m`` (mean width, 2·area/perimeter), ``settlements``,
        ``population``; lon/lat polygons.
    slivers : geopandas.GeoDataFrame
        Changes under the thresholds (redrawn coastlines, smoothing), same columns.
    summary : pandas.DataFrame
        Per region: ``gained_km2`` (newly occupied), ``lost_km2`` (no longer occupied),
        ``net_km2``, slivers included.
    date_from, date_to : str
        The two dates (``YYYY-MM-DD`` or ``undated``).
    """

    changes: gpd.GeoDataFrame
    slivers: gpd.GeoDataFrame
    summary: pd.DataFrame
    date_from: str
    date_to: str

    @property
    def gained_km2(self) -> float:
        """Newly occupied area (occupied on the later date, not on the earlier), km²."""
        return float(self.summary["gained_km2"].sum())

    @property
    def lost_km2(self) -> float:
        """No longer occupied area, km²."""
        return float(self.summary["lost_km2"].sum())

    def to_json(self) -> dict:
        """The ``loc diff --format json`` document."""
        regions = {k: {"gained_km2": round(float(r["gained_km2"]), 4),
                       "lost_km2": round(float(r["lost_km2"]), 4)}
                   for k, r in self.summary.iterrows()}
        return {"from": self.date_from, "to": self.date_to,
                "gained_km2": round(self.gained_km2, 4), "lost_km2": round(self.lost_km2, 4),
                "net_km2": round(self.gained_km2 - self.lost_km2, 4),
                "changes": len(self.changes), "slivers": len(self.slivers),
                "slivers_km2": round(float(self.slivers["km2"].sum()), 4),
                "regions": regions}


@lru_cache(maxsize=1)
def _groups_m():
    """Region groups (Sevastopol with Crimea) in the EQUAL_AREA CRS and an STRtree of them."""
    from loc.stats import stat_regions

    groups, _ = stat_regions()
    geoms = lcrs.project(groups.values, lcrs.EQUAL_AREA)
    for g in geoms:
        shapely.prepare(g)
    return np.asarray(groups.index), geoms, shapely.STRtree(geoms)


BOUNDARY_PIECE = 32
"""Segments per piece of region boundary in the index of :func:`_boundary_index`."""


@lru_cache(maxsize=1)
def _boundary_index():
    """The region groups' boundaries (EQUAL_AREA CRS) cut into short lines, an STRtree of
    them and the region index of each line."""
    _, geoms, _ = _groups_m()
    coords, owner = [], []
    for i, g in enumerate(geoms):
        for ring in shapely.get_rings(polygon_parts(g)):
            c = shapely.get_coordinates(ring)
            for start in range(0, len(c) - 1, BOUNDARY_PIECE):
                coords.append(c[start:start + BOUNDARY_PIECE + 1])
                owner.append(i)
    lines = np.array([shapely.linestrings(c) for c in coords], dtype=object)
    return np.array(owner), shapely.STRtree(lines)


def _nearest_regions(polys: np.ndarray) -> np.ndarray:
    """Index of the region group nearest each polygon (EQUAL_AREA CRS) that touches none
    (sea, abroad): the one whose boundary is nearest; of equally near ones, the first."""
    owner, tree = _boundary_index()
    which, line = tree.query_nearest(polys, all_matches=True)
    out = np.full(len(polys), len(owner), dtype=int)
    np.minimum.at(out, which, owner[line])
    return out


def _split_by_region(polys_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut EQUAL_AREA polygons at region boundaries; parts outside every region (sea,
    abroad) go to the nearest region they touch. Returns (polygons, region group keys).

    A polygon that touches one region only is kept whole (its parts in the sea belong to
    that region's coast). Crumbs under 1 m² left by the cuts are dropped (they change no
    figure at 1e-6 km²).
    """
    keys, geoms, tree = _groups_m()
    polys_m = np.asarray(polys_m, dtype=object)
    out_p: list = []
    out_k: list = []
    if len(polys_m):
        hit_p, hit_r = tree.query(polys_m)  # bounding boxes only: cheap
        inside = shapely.contains_properly(geoms[hit_r], polys_m[hit_p])  # prepared regions
        whole = np.zeros(len(polys_m), dtype=bool)
        whole[hit_p[inside]] = True
        out_p.extend(polys_m[hit_p[inside]])
        out_k.extend(keys[hit_r[inside]])
        rest = ~whole[hit_p]
        hit_p, hit_r = hit_p[rest], hit_r[rest]
        if len(hit_p):
            touching = shapely.intersects(geoms[hit_r], polys_m[hit_p])
            hit_p, hit_r = hit_p[touching], hit_r[touching]
        counts = np.bincount(hit_p, minlength=len(polys_m))
        counts[whole] = -1
        first = np.full(len(polys_m), -1)
        first[hit_p[::-1]] = hit_r[::-1]
        one = np.flatnonzero(counts == 1)
        out_p.extend(polys_m[one])
        out_k.extend(keys[first[one]])
        alone = np.flatnonzero(counts == 0)
        if len(alone):
            out_p.extend(polys_m[alone])
            out_k.extend(keys[_nearest_regions(polys_m[alone])])
        for i in np.flatnonzero(counts > 1):
            parts, regions = _cut(polys_m[i], hit_r[hit_p == i], geoms)
            out_p.extend(parts)
            out_k.extend(keys[regions])
    return np.array(out_p, dtype=object), np.array(out_k, dtype=object)


def _cut(p, idx: np.ndarray, geoms: np.ndarray) -> tuple[list, np.ndarray]:
    """Parts of ``p`` in each region of ``idx``; what lies outside them all goes to the
    nearest of them."""
    parts, regions = [], []
    rest = p
    x0, y0, x1, y1 = shapely.bounds(p)
    for r in idx:
        local = clip_box(geoms[r], (x0 - 1, y0 - 1, x1 + 1, y1 + 1))
        for q in shapely.get_parts(shapely.intersection(p, local)):
            if q.geom_type == "Polygon" and q.area > 1.0:
                parts.append(q)
                regions.append(r)
        rest = shapely.difference(rest, local)
    for q in shapely.get_parts(rest):
        if q.geom_type == "Polygon" and q.area > 1.0:
            parts.append(q)
            regions.append(idx[int(np.argmin(shapely.distance(q, geoms[idx])))])
    return parts, np.array(regions, dtype=int)


def _frame(polys_m: np.ndarray, from_side: str, to_side: str) -> gpd.GeoDataFrame:
    polys_m, regions = _split_by_region(polys_m)
    lonlat = lcrs.unproject(polys_m, lcrs.EQUAL_AREA) if len(polys_m) else polys_m
    km2 = shapely.area(polys_m) / 1e6 if len(polys_m) else np.array([])
    perim = shapely.length(polys_m) if len(polys_m) else np.array([])
    width = np.where(perim > 0, 2 * km2 * 1e6 / np.maximum(perim, 1e-9), 0.0)
    names, pops = [], []
    for p in lonlat:
        hit = settlements_in(p)
        names.append(", ".join(hit["name"]))
        pops.append(int(hit["population"].sum()))
    return gpd.GeoDataFrame({
        "from_side": from_side, "to_side": to_side,
        "region": regions,
        "km2": km2, "width_m": width, "settlements": names, "population": pops,
    }, geometry=list(lonlat), crs="OGC:CRS84")


def diff(a, b, *, min_km2: float = 0.01, min_width_m: float = 25.0) -> Changes:
    """Areas that changed hands between snapshot ``a`` (earlier) and ``b`` (later).

    Parameters
    ----------
    a, b : Snapshot
        The earlier and the later snapshot.
    min_km2 : float
        Changes smaller than this (km²) are slivers, reported apart.
    min_width_m : float
        Changes thinner than this on average (m; 2·area/perimeter) are slivers too: a
        redrawn coastline or smoothing leaves long thin strips.

    Returns
    -------
    Changes
        ``to_side == "ru"`` rows are newly occupied; ``from_side == "ru"`` rows no longer.
    """
    ga = lcrs.project(a.side("ru"), lcrs.EQUAL_AREA)
    gb = lcrs.project(b.side("ru"), lcrs.EQUAL_AREA)
    gained, lost = windowed_difference(ga, gb)
    frames = []
    for parts, from_side, to_side in ((gained, "ua", "ru"), (lost, "ru", "ua")):
        polys = polygon_parts(parts)
        frames.append(_frame(polys, from_side, to_side))
    allc = pd.concat(frames, ignore_index=True)
    allc = gpd.GeoDataFrame(allc, geometry="geometry", crs="OGC:CRS84")
    allc["population"] = allc["population"].astype(int)
    contested = b.side("contested")
    if not contested.is_empty and len(allc):
        shapely.prepare(contested)
        into = shapely.intersects(contested, allc.geometry.values) & (allc["to_side"] == "ua")
        allc.loc[into, "to_side"] = "contested"
    allc = allc.sort_values(["km2"], ascending=False, kind="stable").reset_index(drop=True)
    significant = (allc["km2"] >= min_km2) & (allc["width_m"] >= min_width_m)
    from loc.stats import stat_regions

    groups, _ = stat_regions()
    summary = pd.DataFrame(index=pd.Index(groups.index, name="region"))
    summary["gained_km2"] = allc[allc["to_side"] == "ru"].groupby("region")["km2"].sum()
    summary["lost_km2"] = allc[allc["from_side"] == "ru"].groupby("region")["km2"].sum()
    summary = summary.fillna(0.0)
    summary["net_km2"] = summary["gained_km2"] - summary["lost_km2"]
    summary = summary[(summary["gained_km2"] > 0) | (summary["lost_km2"] > 0)]
    return Changes(changes=allc[significant].reset_index(drop=True),
                   slivers=allc[~significant].reset_index(drop=True),
                   summary=summary, date_from=a.label, date_to=b.label)
