"""The line of contact: where Russian-held land meets land held by others.

The boundary of the ``ru`` side is cut into the parts that face land held by the other side
(``ua`` or ``contested``). Coasts and the state border are not line of contact, but sources draw
them differently: the occupied polygon's coastline is off Natural Earth's by up to several km,
so a plain boundary difference leaves ~100 slivers along the Azov and Black Sea coasts and the
Dnipro. loc decides each stretch of boundary by looking outward from it:

1. The boundary is sampled every ``step_km`` (CONFORMAL CRS, metres).
2. A sample outside Ukraine's land (sea or Russia) is *edge*. A sample on land farther than
   ``reach_km`` from the sea and the state border is *contact*: nothing but land lies within
   reach.
3. Other samples cast five rays outward (normal and ±25°, ±50°), probing every few hundred
   metres up to ``reach_km``. A ray that meets the sea or a foreign country before meeting
   Russian-held land again votes *edge* (a coastal or border sliver); any other ray votes
   *contact* (open Ukrainian-held land, or a narrow Ukrainian salient). The majority decides.
4. Edge gaps shorter than ``gap_km`` inside a contact stretch are closed; contact stretches
   are the pieces.

Each piece keeps the source's own vertices (lon/lat, OGC:CRS84), walks with Russian-held land on
its left (north to south along the main front), and has a geodesic length (WGS 84).
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from loc import checks
from loc import geo as lcrs
from loc.model import Snapshot
from loc.reference.regions import OUTSIDE, regions_at, registry, ukraine

RAY_ANGLES_DEG = (-50.0, -25.0, 0.0, 25.0, 50.0)
CORE_RADIUS_M = 1500.0
"""Opening radius (m) that separates thick land held by others from slivers."""
MIN_RING_KM2 = 0.05
"""Rings enclosing less than this (km²) are smoothing artefacts, not control areas."""
LABEL = "line of contact"


@lru_cache(maxsize=1)
def _land_conformal():
    """Ukraine's land and its outline (coast + state border) in the CONFORMAL CRS, prepared."""
    land = lcrs.project(ukraine(), lcrs.CONFORMAL)
    outline = shapely.boundary(land)
    shapely.prepare(land)
    segments = _segments(outline)
    return land, shapely.STRtree(segments)


def _segments(lines) -> np.ndarray:
    coords, index = shapely.get_coordinates(lines, return_index=True)
    same = index[1:] == index[:-1]
    starts, ends = coords[:-1][same], coords[1:][same]
    return shapely.linestrings(np.stack([starts, ends], axis=1))


def _rings(geom) -> list[np.ndarray]:
    """Every ring (exterior and interiors) of a lon/lat (Multi)Polygon, oriented so that the
    polygon lies on the left, as (n, 2) arrays with the closing vertex dropped."""
    out = []
    for poly in shapely.get_parts(geom):
        poly = shapely.geometry.polygon.orient(poly, 1.0)
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:-1, :2]
            if len(xy) >= 3 and lcrs.area_km2(shapely.Polygon(xy)) >= MIN_RING_KM2:
                out.append(xy)
    return out


def _densify(xy: np.ndarray, max_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert points on closed-ring edges longer than ``max_deg``; return points and a mask of
    the original vertices."""
    nxt = np.roll(xy, -1, axis=0)
    seg = np.hypot(*(nxt - xy).T)
    n = np.maximum(1, np.ceil(seg / max_deg).astype(int))
    t = np.concatenate([np.arange(k) / k for k in n])
    i = np.repeat(np.arange(len(xy)), n)
    pts = xy[i] + (nxt[i] - xy[i]) * t[:, None]
    return pts, t == 0


def _classify(pts_m: np.ndarray, ru_m, others_core, reach_m: float,
              step_m: float) -> np.ndarray:
    """Contact (True) or edge (False) for each ring sample (CONFORMAL metres)."""
    land, outline_tree = _land_conformal()
    n = len(pts_m)
    on_land = shapely.contains_xy(land, pts_m[:, 0], pts_m[:, 1])
    near_idx, _ = outline_tree.query(shapely.points(pts_m), predicate="dwithin",
                                     distance=reach_m)
    near = np.zeros(n, dtype=bool)
    near[near_idx] = True
    contact = on_land & ~near
    todo = np.flatnonzero(on_land & near)
    if len(todo) == 0:
        return contact
    # tangent from neighbours about one step away along the ring (closed)
    seg = np.hypot(*np.diff(np.vstack([pts_m, pts_m[:1]]), axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    total = s[-1]
    closed = np.vstack([pts_m, pts_m[:1]])
    d = max(step_m, 500.0)

    def at(pos):
        pos = np.mod(pos, total)
        return np.column_stack([np.interp(pos, s, closed[:, 0]), np.interp(pos, s, closed[:, 1])])

    tangent = at(s[todo] + d) - at(s[todo] - d)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1), 1e-9)[:, None]
    outward = np.column_stack([tangent[:, 1], -tangent[:, 0]])  # right side: away from ru
    dists = np.unique(np.concatenate([[150.0, 300.0, 600.0],
                                      np.arange(1000.0, reach_m + 1.0, 500.0)]))
    votes = np.zeros(len(todo))
    cast = np.zeros(len(todo))
    for angle in np.radians(RAY_ANGLES_DEG):
        c, si = np.cos(angle), np.sin(angle)
        direction = np.column_stack([outward[:, 0] * c - outward[:, 1] * si,
                                     outward[:, 0] * si + outward[:, 1] * c])
        probes = pts_m[todo][:, None, :] + direction[:, None, :] * dists[None, :, None]
        px, py = probes[..., 0].ravel(), probes[..., 1].ravel()
        in_ru = shapely.contains_xy(ru_m, px, py).reshape(probes.shape[:2])
        in_land = shapely.contains_xy(land, px, py).reshape(probes.shape[:2])
        outside = ~in_ru
        # first probe off Russian-held land, then the first probe after it that is not
        # Ukrainian-held land: foreign (sea/other country) means a sliver, ru means contact
        first_out = np.where(outside.any(axis=1), outside.argmax(axis=1), len(dists))
        idx = np.arange(len(dists))[None, :]
        after = idx >= first_out[:, None]
        foreign = after & ~in_land & ~in_ru
        back_in_ru = after & in_ru
        first_foreign = np.where(foreign.any(axis=1), foreign.argmax(axis=1), len(dists))
        first_ru = np.where(back_in_ru.any(axis=1), back_in_ru.argmax(axis=1), len(dists))
        has_out = first_out < len(dists)
        votes += has_out & (first_ru <= first_foreign) & ~(first_foreign == first_out)
        votes += has_out & (first_foreign == len(dists)) & (first_ru == len(dists))
        votes -= has_out & (first_ru == len(dists)) & (first_foreign == len(dists))
        cast += has_out
    # a sample whose every ray stays in ru sits in a notch: treat as contact
    voted = np.where(cast > 0, votes > cast / 2.0, True)
    # near the sea or the border, the land beyond must also be thick (not a sliver)
    thick = shapely.dwithin(others_core, shapely.points(pts_m[todo]), CORE_RADIUS_M)
    contact[todo] = voted & thick
    return contact


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in a circular boolean array as (start, length), starts in [0, n)."""
    n = len(flags)
    if flags.all():
        return [(0, n)]
    if not flags.any():
        return []
    shift = int(np.flatnonzero(~flags)[0])
    rolled = np.roll(flags, -shift)
    edges = np.diff(np.concatenate([[0], rolled.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int((a + shift) % n), int(b - a)) for a, b in zip(starts, ends, strict=True)]


def _close_gaps(flags: np.ndarray, seg_m: np.ndarray, gap_m: float) -> np.ndarray:
    """Turn False runs shorter than ``gap_m`` (arc length) between True runs into True."""
    out = flags.copy()
    if out.all() or not out.any():
        return out
    n = len(flags)
    for start, length in _runs(~flags):
        idx = (start + np.arange(length + 1)) % n
        if seg_m[idx[:-1] if length else idx].sum() < gap_m:
            out[idx[:-1] if length else idx] = True
    return out


def _pieces_of_ring(xy: np.ndarray, ru_m, others_core, *, step_km: float, reach_km: float,
                    gap_km: float) -> list[np.ndarray]:
    lat = np.radians(np.clip(xy[:, 1].mean(), -80, 80))
    max_deg = step_km / 111.32 * min(1.0, 1.0 / max(np.cos(lat), 0.1)) * np.cos(lat)
    pts, original = _densify(xy, max(max_deg, 1e-4))
    pts_m = shapely.get_coordinates(lcrs.project(shapely.multipoints(pts), lcrs.CONFORMAL))
    contact = _classify(pts_m, ru_m, others_core, reach_km * 1e3, step_km * 1e3)
    # a segment (i, i+1) is contact when both ends are
    seg_contact = contact & np.roll(contact, -1)
    seg_m = np.hypot(*(np.roll(pts_m, -1, axis=0) - pts_m).T)
    seg_contact = _close_gaps(seg_contact, seg_m, gap_km * 1e3)
    n = len(pts)
    pieces = []
    for start, length in _runs(seg_contact):
        idx = (start + np.arange(length + 1)) % n
        keep = original[idx].copy()
        keep[0] = keep[-1] = True
        pieces.append(pts[idx][keep])
    return pieces


def line_of_contact(snapshot: Snapshot, *, step_km: float = 0.5, reach_km: float = 5.0,
                    gap_km: float = 1.0, by_region: bool = False) -> gpd.GeoDataFrame:
    """The line of contact of a snapshot, as lon/lat lines.

    Computed once per snapshot and options (later calls return a copy).

    Parameters
    ----------
    snapshot : Snapshot
        Control areas; the line is the edge of the ``ru`` side facing land held by others.
    step_km : float
        Sampling step along the boundary, km (CONFORMAL CRS); 0.05 to 10.
    reach_km : float
        How far outward (km) the boundary looks for the sea or a foreign country; coastal and
        border slivers narrower than this are not line of contact. 0.5 to 50.
    gap_km : float
        Edge gaps shorter than this (km) inside a contact stretch are closed; 0 to 50.
    by_region : bool
        If True, split every piece by region (one row per piece and region).

    Returns
    -------
    geopandas.GeoDataFrame
        Lon/lat (OGC:CRS84) LineStrings, longest first, with columns ``piece`` (0 is the main
        front), ``kind`` (``main`` or ``pocket``), ``region`` (region keys along the piece,
        comma-separated; one key when ``by_region``), ``length_km`` (geodesic, WGS 84) and
        ``label``.

    Examples
    --------
    >>> import loc
    >>> line = loc.line_of_contact(loc.sample())
    >>> line.iloc[0]["kind"]
    'main'
    """
    if not isinstance(snapshot, Snapshot):
        raise TypeError(f"line_of_contact needs a Snapshot, not {type(snapshot).__name__}")
    step = checks.number(step_km, "step_km", lo=0.05, hi=10)
    reach = checks.number(reach_km, "reach_km", lo=0.5, hi=50)
    gap = checks.number(gap_km, "gap_km", lo=0, hi=50)
    line = snapshot.memo(("line", step, reach, gap),
                         lambda: _line(snapshot, step, reach, gap)).copy()
    return split_by_region(line) if by_region else line


def _line(snapshot: Snapshot, step_km: float, reach_km: float,
          gap_km: float) -> gpd.GeoDataFrame:
    ru = snapshot.side("ru")
    columns = ["piece", "kind", "region", "length_km", "label"]
    if ru.is_empty:
        return gpd.GeoDataFrame(columns=[*columns, "geometry"], geometry="geometry",
                                crs="OGC:CRS84")
    ru_m = lcrs.project(ru, lcrs.CONFORMAL)
    shapely.prepare(ru_m)
    others = lcrs.project(shapely.union(snapshot.side("ua"), snapshot.side("contested")),
                          lcrs.CONFORMAL)
    others_core = shapely.buffer(shapely.buffer(others, -CORE_RADIUS_M, quad_segs=2),
                                 CORE_RADIUS_M, quad_segs=2)
    shapely.prepare(others_core)
    lines = []
    for xy in _rings(ru):
        for piece in _pieces_of_ring(xy, ru_m, others_core, step_km=step_km,
                                     reach_km=reach_km, gap_km=gap_km):
            if len(piece) >= 2:
                lines.append(LineString(piece))
    lines = _merge(lines)
    lengths = np.array([lcrs.geodesic_length_km(g) for g in lines])
    order = np.argsort(-lengths, kind="stable")
    lines = [lines[i] for i in order]
    lengths = lengths[order]
    return gpd.GeoDataFrame({
        "piece": np.arange(len(lines)),
        "kind": ["main" if i == 0 else "pocket" for i in range(len(lines))],
        "region": [",".join(_regions_along(g)) for g in lines],
        "length_km": lengths,
        "label": LABEL,
    }, geometry=lines, crs="OGC:CRS84")


def _merge(lines: list[LineString]) -> list[LineString]:
    """Join pieces whose ends meet, keeping the walking direction (shapely's directed
    line merge)."""
    if len(lines) < 2:
        return list(lines)
    merged = shapely.line_merge(shapely.multilinestrings(lines), directed=True)
    return [g for g in shapely.get_parts(merged) if not g.is_empty]


def _regions_along(line: LineString, step_deg: float = 0.01) -> list[str]:
    """Region keys the line passes through, in walking order (points every ~1 km; a point
    in no region, off a coast, takes the nearest)."""
    n = max(2, int(line.length / step_deg))
    pts = shapely.line_interpolate_point(line, np.linspace(0, line.length, n))
    keys = registry()["key"].to_numpy()[regions_at(pts)]
    return list(dict.fromkeys(keys))


def split_by_region(line: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split line pieces by region: one row per piece and region with a non-empty part.

    Crimea and Sevastopol stay apart here; group them with ``regions()['group']``.

    Parameters
    ----------
    line : geopandas.GeoDataFrame
        Pieces from :func:`line_of_contact` (lon/lat).

    Returns
    -------
    geopandas.GeoDataFrame
        The same columns, ``region`` one key, ``length_km`` of the part (geodesic).
    """
    reg = registry()
    rows = []
    for rec, geom in zip(line.drop(columns="geometry").to_dict(orient="records"),
                         line.geometry.values, strict=True):
        parts = shapely.intersection(geom, reg.geometry.values)
        for key, part in zip(reg["key"], parts, strict=True):
            part = shapely.line_merge(part) if part.geom_type == "MultiLineString" else part
            lines = [p for p in shapely.get_parts(part)
                     if p.geom_type == "LineString" and not p.is_empty]
            if not lines:
                continue
            geom_r = shapely.multilinestrings(lines) if len(lines) > 1 else lines[0]
            rows.append({**rec, "region": key,
                         "length_km": lcrs.geodesic_length_km(geom_r), "geometry": geom_r})
    if not rows:
        return line.iloc[:0].copy()
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="OGC:CRS84")


def length_by_region(line: gpd.GeoDataFrame) -> pd.Series:
    """Line length per region group (``crimea`` includes Sevastopol), with the rest (off a
    coast, across the border) as ``outside``.

    Parameters
    ----------
    line : geopandas.GeoDataFrame
        Pieces from :func:`line_of_contact`.

    Returns
    -------
    pandas.Series
        km (geodesic, WGS 84) per group key, named ``line_km``.
    """
    parts = split_by_region(line)
    if parts.empty:
        return pd.Series(dtype=float, name="line_km")
    group = parts["region"].map(registry()["group"])
    out = parts.groupby(group)["length_km"].sum().rename("line_km")
    rest = float(line["length_km"].sum() - out.sum())
    if rest > 1e-3:
        out.loc[OUTSIDE] = rest
    return out
