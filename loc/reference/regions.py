"""The bundled registry of Ukraine's regions (Natural Earth admin-1, public domain), and the
one rule for counting an area by region.

Each region has a stable lower-case ``key`` (``crimea``, ``sevastopol``, ``donetsk``, ...), a
``group`` (Sevastopol is grouped with Crimea, as the mission counts them together), names in
English, Ukrainian and Russian, and aliases. Geometry is lon/lat (OGC:CRS84). Names of
several regions (``Donbas``: Donetsk and Luhansk) resolve with :func:`region_keys`.

Areas by region (:func:`km2_by_region`, :func:`region_pieces`) are counted per region group in
the EQUAL_AREA CRS: a part inside one group counts for it whole, a part across group
boundaries is cut, and what lies outside every region (the sea, across the state border)
counts as :data:`OUTSIDE`, never for the nearest region. Statistics, diffs and timelines all
use this one rule, so their figures agree.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from loc import geo
from loc.errors import LocError, RegionError
from loc.reference.bundled import data_path

MISSION_REGIONS = ("crimea", "donetsk", "luhansk", "zaporizhzhia", "kherson")
"""The five regions of the mission (``crimea`` includes Sevastopol)."""

OUTSIDE = "outside"
"""The key under which areas outside every region (sea, abroad) are counted."""

REGION_GROUPS = {
    "donbas": (("donetsk", "luhansk"), ("Donbas", "Donbass", "Донбас", "Донбасс")),
}
"""Names of several regions together: key -> (region keys, names)."""

_SUFFIXES = re.compile(
    r"\b(oblast|obl|region|province|oblast'|область|обл|republic of|autonomous republic of"
    r"|автономна республіка|республика)\b"
)


def _normalize(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’ʼ`´\"]", "", text)
    text = re.sub(r"[\s\-_.,]+", " ", text)
    return text.strip()


def _strip_suffix(norm: str) -> str:
    return " ".join(_SUFFIXES.sub(" ", norm).split())


@lru_cache(maxsize=1)
def registry() -> gpd.GeoDataFrame:
    """The registry as loaded (cached: do not modify it; :func:`regions` gives a copy).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``key``, sorted; lon/lat (OGC:CRS84).
    """
    gdf = gpd.read_file(data_path("regions.geojson"), engine="pyogrio")
    gdf = gdf.set_crs("OGC:CRS84", allow_override=True)
    gdf["aliases"] = gdf["aliases"].str.split("|")
    return gdf.set_index("key", drop=False).sort_index()


def regions() -> gpd.GeoDataFrame:
    """The registry as a GeoDataFrame (lon/lat, OGC:CRS84), indexed by ``key``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``key``, ``name`` (English), ``name_uk``, ``name_ru``, ``group``,
        ``aliases`` (list of str), ``geometry``.

    Examples
    --------
    >>> import loc
    >>> len(loc.regions())
    27
    """
    return registry().copy()


@lru_cache(maxsize=1)
def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, aliases in registry()["aliases"].items():
        for alias in aliases:
            table.setdefault(_normalize(alias), key)
    for key, aliases in registry()["aliases"].items():
        for alias in aliases:
            table.setdefault(_strip_suffix(_normalize(alias)), key)
    return table


@lru_cache(maxsize=1)
def _group_table() -> dict[str, str]:
    return {_normalize(n): g for g, (_, names) in REGION_GROUPS.items() for n in (g, *names)}


def _unknown(name: str) -> RegionError:
    table = _alias_table()
    close = difflib.get_close_matches(_strip_suffix(_normalize(name)), list(table), n=6,
                                      cutoff=0.6)
    keys = list(dict.fromkeys(table[c] for c in close))[:3]
    hint = ("did you mean " + " or ".join(f"'{k}'" for k in keys) + "?" if keys else
            "run `loc regions` to list the names")
    return RegionError(f"unknown region '{str(name)[:60]}': {hint}")


def region_key(name: str) -> str:
    """The registry key of one region, from any common spelling.

    Parameters
    ----------
    name : str
        A name or alias in English, Ukrainian or Russian, with or without "oblast".

    Returns
    -------
    str
        The key.

    Raises
    ------
    RegionError
        If no region has that name (the message suggests the closest names), or the name is
        a group of regions (use :func:`region_keys`).

    Examples
    --------
    >>> region_key("Donets'k")
    'donetsk'
    >>> region_key("Запорізька область")
    'zaporizhzhia'
    """
    if not isinstance(name, str):
        raise RegionError(f"a region name must be text, not {type(name).__name__}")
    norm = _normalize(name)
    if norm in _group_table():
        keys = REGION_GROUPS[_group_table()[norm]][0]
        raise RegionError(f"'{name}' names several regions ({', '.join(keys)}), not one")
    table = _alias_table()
    for candidate in (norm, _strip_suffix(norm)):
        if candidate in table:
            return table[candidate]
    raise _unknown(name)


def region_keys(name: str) -> tuple[str, ...]:
    """The registry keys a name stands for: one region, or a group such as ``Donbas``.

    Parameters
    ----------
    name : str
        A region name or alias, or a group name (:data:`REGION_GROUPS`).

    Returns
    -------
    tuple of str
        The keys, in registry order.

    Raises
    ------
    RegionError
        If the name is neither.

    Examples
    --------
    >>> region_keys("Donbas")
    ('donetsk', 'luhansk')
    >>> region_keys("Kharkiv Oblast")
    ('kharkiv',)

    A region whose key names a region group of several (Crimea, with Sevastopol) stands
    for the group, as :func:`loc.stats` counts it; the other members stand for themselves:

    >>> region_keys("Crimea"), region_keys("Sevastopol")
    (('crimea', 'sevastopol'), ('sevastopol',))
    """
    if isinstance(name, str):
        group = _group_table().get(_normalize(name))
        if group is not None:
            return REGION_GROUPS[group][0]
    key = region_key(name)
    reg = registry()
    members = tuple(k for k, g in zip(reg["key"], reg["group"], strict=True) if g == key)
    return members if key in members else (key,)


def region(name: str) -> pd.Series:
    """One region (a registry row) by any alias.

    Parameters
    ----------
    name : str
        A region name or alias.

    Returns
    -------
    pandas.Series
        The row: ``key``, ``name``, ``name_uk``, ``name_ru``, ``group``, ``aliases``,
        ``geometry``.

    Examples
    --------
    >>> region("Donetsk Oblast")["key"]
    'donetsk'
    """
    return registry().loc[region_key(name)].copy()


@lru_cache(maxsize=1)
def _land() -> BaseGeometry:
    """The union of all regions (lon/lat), not prepared: :func:`ukraine` copies it."""
    return shapely.union_all(registry().geometry.values)


@geo.per_thread()
def ukraine() -> BaseGeometry:
    """Ukraine's land (union of all regions, lon/lat), as one prepared (Multi)Polygon (each
    thread its own: see :func:`loc.geo.prepared_copy`).

    Returns
    -------
    shapely.MultiPolygon
        The land; prepared for fast predicates.
    """
    return geo.prepared_copy(_land())


REACH_KM = 50.0
"""A polygon farther than this (km) from the convex hull of Ukraine's land is no control
area of Ukraine (a part written lat/lon, a box in another country): readers and
:func:`loc.from_geometries` drop it with a warning. Islands and spits lie well within."""


@geo.per_thread()
def ukraine_reach() -> BaseGeometry:
    """The convex hull of Ukraine's land (all regions) widened by :data:`REACH_KM`
    (CONFORMAL CRS), in lon/lat, prepared (each thread its own).

    Returns
    -------
    shapely.Polygon
        The area, lon/lat.
    """
    xy = shapely.get_coordinates(registry().geometry.values)
    hull = shapely.convex_hull(shapely.multipoints(geo.project_coords(xy, geo.CONFORMAL)))
    return geo.prepared_copy(geo.unproject(shapely.buffer(hull, REACH_KM * 1e3, quad_segs=8)))


@geo.per_thread()
def _region_index():
    """Prepared copies of the region geometries (lon/lat; the registry's own are never
    prepared), an STRtree of them and their bounds ``(k, 4)``, in registry order (each
    thread its own)."""
    geoms = geo.prepared_copy(np.asarray(registry().geometry.values))
    return geoms, shapely.STRtree(geoms), shapely.bounds(geoms)


def regions_at(points) -> np.ndarray:
    """Registry positions of the region holding each lon/lat point; a point in none (just
    off a coast, or across the border) takes the nearest region (the first when tied).

    This places points (a line's vertices, movement samples); areas are counted by
    :func:`km2_by_region`, which never gives the sea or abroad to a region.

    Parameters
    ----------
    points : array of shapely.Point, or numpy.ndarray
        Lon/lat points, or their ``(n, 2)`` coordinates.

    Returns
    -------
    numpy.ndarray
        Integer positions into :func:`registry`.

    Examples
    --------
    >>> registry()["key"].iloc[regions_at(np.array([[37.8, 48.0]]))[0]]
    'donetsk'
    """
    geoms, tree, bounds = _region_index()
    given = np.asarray(points)
    xy = given if given.dtype.kind == "f" else shapely.get_coordinates(points)
    found = np.full(len(xy), -1)
    x, y = xy[:, 0], xy[:, 1]
    for k, (g, (x0, y0, x1, y1)) in enumerate(zip(geoms, bounds, strict=True)):
        unplaced = found < 0
        if not unplaced.any():
            break
        # only the points still unplaced within the region's bounds are tested
        todo = np.flatnonzero(unplaced & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        if len(todo):
            found[todo[shapely.contains_xy(g, x[todo], y[todo])]] = k
    lost = np.flatnonzero(found < 0)
    if len(lost):
        off = (shapely.points(xy[lost]) if given.dtype.kind == "f"
               else np.asarray(points, dtype=object)[lost])
        src, idx = tree.query_nearest(off)
        found[lost[src[::-1]]] = idx[::-1]
    return found


@geo.per_thread()
def region_groups() -> tuple[gpd.GeoSeries, pd.Series]:
    """Regions as counted in statistics: Sevastopol merged into ``crimea`` (lon/lat).

    Returns
    -------
    (geopandas.GeoSeries, pandas.Series)
        Prepared geometries indexed by group key, sorted, and their areas in km²
        (EQUAL_AREA CRS).
    """
    groups, areas = _groups()
    return gpd.GeoSeries(geo.prepared_copy(np.asarray(groups.values)), index=groups.index,
                         crs=groups.crs), areas


@lru_cache(maxsize=1)
def _groups() -> tuple[gpd.GeoSeries, pd.Series]:
    """The region groups, not prepared (:func:`region_groups` copies them), and their
    areas."""
    groups = registry().dissolve(by="group").geometry.sort_index()
    return groups, pd.Series(geo.area_km2(groups.values), index=groups.index)


GROUPS_FILE = "region_groups.wkb"
"""The region groups and Ukraine's land projected to the EQUAL_AREA CRS, prebuilt by
``data/build_regions.py`` (WKB: a collection of the groups in key order, then the land);
``region_groups.json`` beside it names the keys, the CRS and the regions it was built from
(:func:`regions_geometry_sha256`)."""


def regions_geometry_sha256() -> str:
    """SHA-256 of what the region groups are built from: every region's key, group and
    geometry (WKB), in key order; names and aliases do not count.

    Returns
    -------
    str
        Hex digest.
    """
    h = hashlib.sha256()
    for key, group, geom in zip(registry()["key"], registry()["group"],
                                registry().geometry.values, strict=True):
        h.update(f"{key}\0{group}\0".encode() + shapely.to_wkb(geom) + b"\0")
    return h.hexdigest()


def project_region_groups() -> tuple[list[str], np.ndarray, BaseGeometry]:
    """The region groups (:func:`region_groups`) and their union, projected to the
    EQUAL_AREA CRS: what ``data/build_regions.py`` ships prebuilt.

    Returns
    -------
    (list of str, numpy.ndarray, shapely geometry)
        Group keys (sorted), their geometries, and Ukraine's land (their union).
    """
    groups, _ = region_groups()
    geoms = geo.project(groups.values, geo.EQUAL_AREA)
    return [str(k) for k in groups.index], geoms, shapely.coverage_union_all(geoms)


@geo.per_thread()
def _prebuilt() -> tuple[np.ndarray, np.ndarray, BaseGeometry]:
    """Keys, geometries and land from the prebuilt files, checked against each other,
    prepared (each thread its own)."""
    meta = json.loads(data_path(GROUPS_FILE).with_suffix(".json").read_text(encoding="utf-8"))
    parts = shapely.get_parts(shapely.from_wkb(data_path(GROUPS_FILE).read_bytes()))
    if meta.get("crs") != geo.EQUAL_AREA_PROJ4 or len(parts) != len(meta["keys"]) + 1:
        raise LocError(f"{GROUPS_FILE} does not match this version of loc (CRS or keys): "
                       "rebuild it with `python data/build_regions.py --groups`")
    for g in parts:
        shapely.prepare(g)
    return np.array(meta["keys"], dtype=object), parts[:-1], parts[-1]


@geo.per_thread()
def region_groups_m() -> tuple[np.ndarray, np.ndarray, shapely.STRtree]:
    """The region groups in the EQUAL_AREA CRS: keys, prepared geometries and an STRtree
    (each thread its own: see :func:`loc.geo.prepared_copy`).

    Read from the prebuilt :data:`GROUPS_FILE` (about a millisecond, against some 50 ms to
    read, dissolve and project the regions), which the tests check equals
    :func:`project_region_groups`.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, shapely.STRtree)
        Group keys, geometries (same order as :func:`region_groups`), tree of them.
    """
    keys, geoms, _ = _prebuilt()
    return keys, geoms, shapely.STRtree(geoms)


def region_land_m() -> BaseGeometry:
    """Ukraine's land (the union of the region groups) in the EQUAL_AREA CRS, prepared.

    Returns
    -------
    shapely.MultiPolygon
        The land, metres.
    """
    return _prebuilt()[2]


CELL_M = 20_000.0
"""Side (m, EQUAL_AREA CRS) of the grid cells a region is cut into for small parts: a small
part is intersected with the few cells' pieces it meets, not with the whole region."""
MAX_CELLS = 16
"""A part whose box covers more cells than this is intersected with the region clipped to
its box instead."""


@lru_cache(maxsize=4096)
def _region_cell(region: int, i: int, j: int) -> BaseGeometry:
    """The part of a region group in grid cell ``(i, j)`` (EQUAL_AREA CRS)."""
    return geo.clip_box(region_groups_m()[1][region],
                        (i * CELL_M, j * CELL_M, (i + 1) * CELL_M, (j + 1) * CELL_M))


@dataclass
class RegionPieces:
    """Polygons cut by region group (EQUAL_AREA CRS); see :func:`region_pieces`.

    Attributes
    ----------
    geoms : numpy.ndarray
        The pieces.
    part : numpy.ndarray
        Index of the input polygon each piece comes from.
    region : numpy.ndarray
        Group key of each piece, or :data:`OUTSIDE`.
    km2 : numpy.ndarray
        Area of each piece, km².
    """

    geoms: np.ndarray
    part: np.ndarray
    region: np.ndarray
    km2: np.ndarray

    def totals(self) -> dict[str, float]:
        """km² per region group (and :data:`OUTSIDE`), regions with area only.

        Returns
        -------
        dict
            ``{key: km²}``.
        """
        out: dict[str, float] = {}
        for key, value in zip(self.region, self.km2, strict=True):
            out[key] = out.get(key, 0.0) + float(value)
        return {k: v for k, v in out.items() if v > 0}


@lru_cache(maxsize=4096)
def _land_cell(i: int, j: int) -> BaseGeometry:
    """Ukraine's land in grid cell ``(i, j)`` (EQUAL_AREA CRS)."""
    return geo.clip_box(region_land_m(),
                        (i * CELL_M, j * CELL_M, (i + 1) * CELL_M, (j + 1) * CELL_M))


def _cells(bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Grid cells (``i0, j0, i1, j1``) spanned by each box."""
    b = np.floor(np.asarray(bounds) / CELL_M).astype(int)
    return b[:, 0], b[:, 1], b[:, 2], b[:, 3]


def _cut_jobs(parts: np.ndarray, pairs_p: np.ndarray,
              pairs_r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each (part, region group) pair, what to intersect the part with: the group's
    pieces in the grid cells the part spans, or (a part spanning more than
    :data:`MAX_CELLS`) the group clipped to the part's box. Returns parts, groups and
    geometries of the jobs."""
    geoms = region_groups_m()[1]
    i0, j0, i1, j1 = _cells(shapely.bounds(parts[pairs_p]))
    job_p: list[int] = []
    job_r: list[int] = []
    job_g: list = []
    for p, r, a, b, c, d in zip(pairs_p.tolist(), pairs_r.tolist(), i0.tolist(), j0.tolist(),
                                i1.tolist(), j1.tolist(), strict=True):
        if (c - a + 1) * (d - b + 1) > MAX_CELLS:
            x0, y0, x1, y1 = shapely.bounds(parts[p])
            job_p.append(p)
            job_r.append(r)
            job_g.append(geo.clip_box(geoms[r], (x0 - 1, y0 - 1, x1 + 1, y1 + 1)))
            continue
        for i in range(a, c + 1):
            for j in range(b, d + 1):
                job_p.append(p)
                job_r.append(r)
                job_g.append(_region_cell(r, i, j))
    return (np.array(job_p, dtype=int), np.array(job_r, dtype=int),
            np.array(job_g, dtype=object))


def _land_near(parts: np.ndarray) -> np.ndarray:
    """Ukraine's land around each part: its grid cell's land for a part inside one cell,
    else the land clipped to the part's box."""
    bounds = shapely.bounds(parts)
    i0, j0, i1, j1 = _cells(bounds)
    out = []
    for k, (a, b, c, d) in enumerate(zip(i0.tolist(), j0.tolist(), i1.tolist(), j1.tolist(),
                                         strict=True)):
        if a == c and b == d:
            out.append(_land_cell(a, b))
        else:
            x0, y0, x1, y1 = bounds[k]
            out.append(geo.clip_box(region_land_m(), (x0 - 1, y0 - 1, x1 + 1, y1 + 1)))
    return np.array(out, dtype=object)


NOISE_WIDTH_M = 1.0
"""A remainder outside every region thinner than this on average (m, 2·area/perimeter) is
where the projection bends a region border a little off an edge drawn in lon/lat: it stays
with the region of its polygon, not ``outside``."""


def region_pieces(geoms_m) -> RegionPieces:
    """Cut EQUAL_AREA polygons by region group; the rest of each is :data:`OUTSIDE`.

    A polygon inside one group is kept whole; one across group boundaries, the coast or the
    state border is cut, and what lies outside every region is :data:`OUTSIDE` (never given
    to the nearest region), except remainders thinner than :data:`NOISE_WIDTH_M`, which are
    projection noise along a border and stay with their polygon's largest region.

    Parameters
    ----------
    geoms_m : shapely geometry or array of them
        Polygons in the EQUAL_AREA CRS (collections and multi-parts are exploded).

    Returns
    -------
    RegionPieces
        The pieces, the polygon each comes from, its group key and km².
    """
    keys, regs, tree = region_groups_m()
    parts = geo.polygon_parts(geoms_m)
    empty = RegionPieces(np.array([], dtype=object), np.array([], dtype=int),
                         np.array([], dtype=object), np.array([], dtype=float))
    if len(parts) == 0:
        return empty
    broken = ~shapely.is_valid(parts)
    if broken.any():  # a projection can fold a valid lon/lat sliver onto itself
        parts = np.concatenate([parts[~broken],
                                geo.polygon_parts(shapely.make_valid(parts[broken]))])
    hit_p, hit_r = tree.query(parts)  # bounding boxes only: cheap
    inside = shapely.contains_properly(regs[hit_r], parts[hit_p])  # prepared regions
    whole = np.zeros(len(parts), dtype=bool)
    whole[hit_p[inside]] = True
    out_g: list = list(parts[hit_p[inside]])
    out_p: list = list(hit_p[inside])
    out_r: list = list(keys[hit_r[inside]])
    rest = ~whole[hit_p]
    job_p, job_r, job_g = _cut_jobs(parts, hit_p[rest], hit_r[rest])
    pieces, at = (geo.polygon_parts(shapely.intersection(parts[job_p], job_g), return_index=True)
                  if len(job_p) else (np.array([], dtype=object), np.array([], dtype=int)))
    piece_p, piece_r = job_p[at], job_r[at]
    out_g.extend(pieces)
    out_p.extend(piece_p)
    out_r.extend(keys[piece_r])
    cut = np.flatnonzero(~whole)
    has_inner = np.isin(cut, piece_p)
    bare = cut[~has_inner]  # meets no region: all of it lies outside
    out_g.extend(parts[bare])
    out_p.extend(bare)
    out_r.extend([OUTSIDE] * len(bare))
    inner = cut[has_inner]
    if len(inner):
        # what no region holds: the part less the land (the regions' union); a remainder
        # thinner than NOISE_WIDTH_M stays with the part's largest region
        area = shapely.area(pieces)
        main: dict[int, tuple[float, int]] = {}
        for p, r, a in zip(piece_p.tolist(), piece_r.tolist(), area.tolist(), strict=True):
            if p not in main or a > main[p][0]:
                main[p] = (a, r)
        left, src = geo.polygon_parts(shapely.difference(parts[inner], _land_near(parts[inner])),
                                      return_index=True)
        owner = inner[src]
        noise = 2 * shapely.area(left) / np.maximum(shapely.length(left), 1e-9) < NOISE_WIDTH_M
        out_g.extend(left)
        out_p.extend(owner)
        out_r.extend(keys[main[int(p)][1]] if n else OUTSIDE
                     for p, n in zip(owner.tolist(), noise.tolist(), strict=True))
    geoms = np.array(out_g, dtype=object)
    km2 = shapely.area(geoms) / 1e6 if len(geoms) else np.array([], dtype=float)
    return RegionPieces(geoms, np.array(out_p, dtype=int), np.array(out_r, dtype=object),
                        np.asarray(km2, dtype=float))


def km2_by_region(geoms_m) -> dict[str, float]:
    """km² of EQUAL_AREA polygons per region group, with :data:`OUTSIDE` for the rest.

    Parameters
    ----------
    geoms_m : shapely geometry or array of them
        Polygons in the EQUAL_AREA CRS.

    Returns
    -------
    dict
        ``{group key or "outside": km²}``, keys with area only.

    Examples
    --------
    >>> from loc import geo
    >>> square = geo.project(shapely.box(37.5, 48.0, 37.6, 48.1), geo.EQUAL_AREA)
    >>> list(km2_by_region(square))
    ['donetsk']
    """
    return region_pieces(geoms_m).totals()
