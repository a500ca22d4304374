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

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import checks, geo
from loc.geo import clip_box, polygon_parts, row_hashes, take_rows
from loc.model import Snapshot, earlier_first
from loc.reference.regions import OUTSIDE, region_groups, region_pieces
from loc.reference.settlements import settlements_of

WINDOW_PAD_M = 1.0
"""Padding (m) around changed segments' boxes; keeps touching changes in one window."""


def segments(geom) -> np.ndarray:
    """The boundary segments of a (Multi)Polygon.

    Parameters
    ----------
    geom : shapely geometry
        Polygons (any CRS).

    Returns
    -------
    numpy.ndarray
        ``(n, 4)`` float array ``x0, y0, x1, y1`` in ring order.
    """
    rings = shapely.get_rings(polygon_parts(geom))
    coords, index = shapely.get_coordinates(rings, return_index=True)
    same = index[1:] == index[:-1]
    return np.hstack([coords[:-1][same], coords[1:][same]])


def _unmatched(sa: np.ndarray, sb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of ``sa`` are not rows of ``sb``, and which of ``sb`` not of ``sa``
    (exact: a hash match is re-checked coordinate by coordinate; a row whose hash another
    row shares may be called unmatched, which only widens the windows)."""
    if len(sa) == 0 or len(sb) == 0:
        return np.ones(len(sa), dtype=bool), np.ones(len(sb), dtype=bool)
    ha, hb = row_hashes(sa), row_hashes(sb)
    oa, ob = np.argsort(ha), np.argsort(hb)
    sorted_a, sorted_b = ha[oa], hb[ob]

    def missing(sorted_x, ox, x, sorted_y, oy, y) -> np.ndarray:
        # sorted into sorted: the lookups walk both arrays in order
        pos = np.minimum(np.searchsorted(sorted_y, sorted_x), len(sorted_y) - 1)
        out = np.ones(len(x), dtype=bool)
        out[ox] = ~((sorted_y[pos] == sorted_x)
                    & np.all(take_rows(x, ox) == take_rows(y, oy[pos]), axis=1))
        return out

    return (missing(sorted_a, oa, sa, sorted_b, ob, sb),
            missing(sorted_b, ob, sb, sorted_a, oa, sa))


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
    return [(b[0], b[1], b[2], b[3]) for b in sorted(boxes)]


def changed_windows(a, b, pad: float = WINDOW_PAD_M) -> list[tuple[float, float, float, float]]:
    """Disjoint boxes (in the geometries' CRS) that contain every difference of ``a``, ``b``.

    Segments present in one boundary and not in the other are boxed; overlapping boxes are
    merged until the boxes are disjoint.

    Parameters
    ----------
    a, b : shapely geometry
        Polygons in one projected CRS.
    pad : float
        Padding of each box, in the CRS's units.

    Returns
    -------
    list of tuple
        ``(xmin, ymin, xmax, ymax)`` boxes.
    """
    return segment_windows(segments(a), segments(b), pad=pad)


def segment_windows(sa: np.ndarray, sb: np.ndarray,
                    pad: float = WINDOW_PAD_M) -> list[tuple[float, float, float, float]]:
    """Disjoint boxes, padded by ``pad``, around the segments of ``sa`` not in ``sb`` and of
    ``sb`` not in ``sa`` (``(n, 4)`` arrays ``x0, y0, x1, y1``, matched exactly).

    Given every boundary segment of two geometries (or more: extra segments only widen the
    boxes), every difference of the two lies inside the boxes.

    Parameters
    ----------
    sa, sb : numpy.ndarray
        Segments of the two boundaries (see :func:`segments`).
    pad : float
        Padding of each box, in the CRS's units.

    Returns
    -------
    list of tuple
        Disjoint ``(xmin, ymin, xmax, ymax)`` boxes.
    """
    only_a, only_b = _unmatched(sa, sb)
    return boxes_around(take_rows(sa, only_a), take_rows(sb, only_b), pad=pad)


def boxes_around(*segment_runs: np.ndarray, pad: float = WINDOW_PAD_M
                 ) -> list[tuple[float, float, float, float]]:
    """Disjoint boxes, padded by ``pad``, around segments known to differ: each run of
    consecutive segments (one starting where the one before ended) is boxed, and
    overlapping boxes are merged until none overlap.

    Parameters
    ----------
    *segment_runs : numpy.ndarray
        ``(n, 4)`` arrays ``x0, y0, x1, y1`` of segments, in walking order.
    pad : float
        Padding of each box, in the CRS's units.

    Returns
    -------
    list of tuple
        Disjoint ``(xmin, ymin, xmax, ymax)`` boxes.
    """
    boxes = np.vstack([np.empty((0, 4))] + [_run_boxes(s) for s in segment_runs])
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
    """The differences of two projected geometries, computed inside the windows where their
    boundaries differ only.

    Parameters
    ----------
    a, b : shapely geometry
        Polygons in one projected CRS (the earlier and the later).
    windows : list of tuple, optional
        The windows, when they are known (default :func:`changed_windows`).

    Returns
    -------
    (list, list)
        The parts of ``b - a`` and of ``a - b``, one geometry per window.
    """
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


def clip_windows(geom, windows: list) -> np.ndarray:
    """A geometry clipped to each window.

    Parameters
    ----------
    geom : shapely geometry
        A geometry.
    windows : list of tuple
        ``(xmin, ymin, xmax, ymax)`` boxes in its CRS.

    Returns
    -------
    numpy.ndarray
        One clipped geometry per window.
    """
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
        """The ``loc diff --format json`` document.

        Returns
        -------
        dict
            ``from``, ``to``, ``gained_km2``, ``lost_km2``, ``net_km2``, ``changes``,
            ``slivers``, ``slivers_km2`` and ``regions`` (per region: ``gained_km2``,
            ``lost_km2``).
        """
        regions = {k: {"gained_km2": round(float(r["gained_km2"]), 4),
                       "lost_km2": round(float(r["lost_km2"]), 4)}
                   for k, r in self.summary.iterrows()}
        return {"from": self.date_from, "to": self.date_to,
                "gained_km2": round(self.gained_km2, 4), "lost_km2": round(self.lost_km2, 4),
                "net_km2": round(self.gained_km2 - self.lost_km2, 4),
                "changes": len(self.changes), "slivers": len(self.slivers),
                "slivers_km2": round(float(self.slivers["km2"].sum()), 4),
                "regions": regions}


def _frame(polys_m: np.ndarray, from_side: str, to_side: str) -> gpd.GeoDataFrame:
    """One row per connected area that changed hands within one region group: the changed
    polygons cut by :func:`region_pieces` (what lies outside every region is a row of its
    own, region ``outside``), the pieces of one polygon in one region joined, and split into
    their connected parts."""
    pieces = region_pieces(polys_m)
    groups: dict[tuple[int, str], list] = {}
    for geom, part, region in zip(pieces.geoms, pieces.part, pieces.region, strict=True):
        groups.setdefault((int(part), str(region)), []).append(geom)
    geoms, regions = [], []
    for key in sorted(groups):
        joined = groups[key][0] if len(groups[key]) == 1 else shapely.union_all(groups[key])
        for q in polygon_parts(joined):
            geoms.append(q)
            regions.append(key[1])
    geoms_m = np.array(geoms, dtype=object)
    km2 = shapely.area(geoms_m) / 1e6 if len(geoms_m) else np.array([], dtype=float)
    lonlat = geo.unproject(geoms_m, geo.EQUAL_AREA) if len(geoms_m) else geoms_m
    if len(lonlat):  # back in lon/lat, two nearly touching rings may cross: made valid
        bad = np.flatnonzero(~shapely.is_valid(lonlat))
        for i in bad:
            lonlat[i] = geo.polygonal(shapely.make_valid(lonlat[i]))
    perim = shapely.length(geoms_m) if len(geoms_m) else np.array([])
    width = np.where(perim > 0, 2 * km2 * 1e6 / np.maximum(perim, 1e-9), 0.0)
    names, pops = [], []
    for g in lonlat:
        hit, people = settlements_of(g)
        names.append(", ".join(hit))
        pops.append(people)
    return gpd.GeoDataFrame({
        "from_side": from_side, "to_side": to_side, "region": regions,
        "km2": km2, "width_m": width, "settlements": names, "population": pops,
    }, geometry=list(lonlat), crs="OGC:CRS84")


def _by_other_side(changed: list | np.ndarray, snap: Snapshot, side: str,
                   after: bool) -> list[tuple]:
    """``(polygons, from_side, to_side)`` of the polygons ``side`` gained (``after`` False:
    the other side is the one ``snap``, the earlier snapshot, had there) or lost (``after``
    True: the one ``snap``, the later snapshot, has there); EQUAL_AREA CRS."""
    grey = snap.side("contested")
    if grey.is_empty or not len(changed):
        pieces = [(changed, "ua")]
    else:
        grey_m = geo.project(grey, geo.EQUAL_AREA)
        pieces = [(shapely.difference(changed, grey_m), "ua"),
                  (shapely.intersection(changed, grey_m), "contested")]
    return [(g, side, other) if after else (g, other, side) for g, other in pieces]


def diff(a: Snapshot, b: Snapshot, *, min_km2: float = 0.01,
         min_width_m: float = 25.0) -> Changes:
    """Areas that changed hands between snapshot ``a`` (earlier) and ``b`` (later).

    Parameters
    ----------
    a, b : Snapshot
        The earlier and the later snapshot (the same date, or undated, is allowed; a later
        ``a`` is refused).
    min_km2 : float
        Changes smaller than this (km²) are slivers, reported apart (0 or more).
    min_width_m : float
        Changes thinner than this on average (m; 2·area/perimeter) are slivers too: a
        redrawn coastline or smoothing leaves long thin strips (0 or more).

    Returns
    -------
    Changes
        ``to_side == "ru"`` rows are newly occupied; ``from_side == "ru"`` rows no longer.
        The other side is ``ua``, or ``contested`` for the part that was grey zone in
        ``a`` (a gain) or is in ``b`` (a loss); a change between ``ua`` and ``contested``
        alone is no change of the occupied area and is not listed. Changes are cut by
        region group, and what lies outside every region (the sea, across the state
        border) is counted as ``outside``, as in :func:`loc.stats` and
        :func:`loc.timeline`.

    Examples
    --------
    >>> import loc
    >>> c = loc.diff(loc.sample("2025-01-08"), loc.sample("2025-09-05"))
    >>> c.gained_km2 > c.lost_km2
    True
    """
    for name, snap in (("a", a), ("b", b)):
        if not isinstance(snap, Snapshot):
            raise TypeError(f"diff needs two Snapshots: {name} is {type(snap).__name__}")
    earlier_first(a, b, "diff")
    checks.number(min_km2, "min_km2", lo=0)
    checks.number(min_width_m, "min_width_m", lo=0)
    ga = geo.project(a.side("ru"), geo.EQUAL_AREA)
    gb = geo.project(b.side("ru"), geo.EQUAL_AREA)
    gained, lost = windowed_difference(ga, gb)
    # the other side of a change is the earlier snapshot's (for a gain) or the later one's
    # (for a loss): Ukrainian-held, or contested where that snapshot has a grey zone
    parts = [*_by_other_side(gained, a, "ru", after=False),
             *_by_other_side(lost, b, "ru", after=True)]
    frames = [_frame(polygon_parts(g), from_side, to_side) for g, from_side, to_side in parts]
    allc = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                            crs="OGC:CRS84")
    allc["population"] = allc["population"].astype(int)
    allc = allc.sort_values(["km2"], ascending=False, kind="stable").reset_index(drop=True)
    significant = (allc["km2"] >= min_km2) & (allc["width_m"] >= min_width_m)
    groups, _ = region_groups()
    summary = pd.DataFrame(index=pd.Index([*groups.index, OUTSIDE], name="region"))
    summary["gained_km2"] = allc[allc["to_side"] == "ru"].groupby("region")["km2"].sum()
    summary["lost_km2"] = allc[allc["from_side"] == "ru"].groupby("region")["km2"].sum()
    summary = summary.fillna(0.0)
    summary["net_km2"] = summary["gained_km2"] - summary["lost_km2"]
    summary = summary[(summary["gained_km2"] > 0) | (summary["lost_km2"] > 0)]
    return Changes(changes=allc[significant].reset_index(drop=True),
                   slivers=allc[~significant].reset_index(drop=True),
                   summary=summary, date_from=a.label, date_to=b.label)
