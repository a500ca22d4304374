"""Settlements with population (GeoNames, CC BY 4.0), and who lives in an area.

The bundled table ``data/settlements.csv`` holds Ukraine's populated places with 500 people or
more (GeoNames ``cities500``, city districts folded into their city).
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from loc import geo
from loc.reference.bundled import data_path
from loc.reference.regions import registry, ukraine

ATTRIBUTION = "Settlements: GeoNames (CC BY 4.0), geonames.org"


@lru_cache(maxsize=1)
def table() -> gpd.GeoDataFrame:
    """The bundled settlements as loaded (cached: do not modify it; :func:`settlements`
    gives a copy).

    Returns
    -------
    geopandas.GeoDataFrame
        Points (lon/lat, OGC:CRS84) with ``geonameid``, ``name``, ``lat``, ``lon``,
        ``population``, ``region``.
    """
    df = pd.read_csv(data_path("settlements.csv"), dtype={"region": str, "name": str})
    return gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="OGC:CRS84"
    )


def settlements() -> gpd.GeoDataFrame:
    """All bundled settlements as points (lon/lat, OGC:CRS84).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``geonameid``, ``name``, ``lat``, ``lon``, ``population``, ``region``.

    Examples
    --------
    >>> int(settlements()["population"].max()) > 2_000_000
    True
    """
    return table().copy()


def inside(geom) -> np.ndarray:
    """Which bundled settlements lie inside a lon/lat area.

    Parameters
    ----------
    geom : shapely geometry or None
        A lon/lat area.

    Returns
    -------
    numpy.ndarray
        Boolean mask over :func:`table`.
    """
    t = table()
    if geom is None or shapely.is_empty(geom):
        return np.zeros(len(t), dtype=bool)
    geom = geo.prepared_copy(geom)
    out = shapely.contains_xy(geom, t["lon"].to_numpy(), t["lat"].to_numpy())
    off, ashore = _ashore()
    if len(off):  # the land nearest lies on the area's edge when the area is clipped to land
        out[off] |= shapely.dwithin(geom, ashore, ASHORE_TOLERANCE_DEG)
    return out


OFF_LAND_KM = 5.0
"""A settlement whose point lies off Ukraine's land (GeoNames' point just off Natural
Earth's coarse coastline or border, e.g. Skadovsk by 150 m) within this distance counts in
an area where the land nearest to it is: areas clipped to the land (zones, belts) would
otherwise leave it out, while :meth:`loc.model.Snapshot.settlement_sides` gives it a side."""
ASHORE_TOLERANCE_DEG = 1e-9
"""How near (degrees, 0.1 mm) an area must come to a settlement's nearest land point (which
lies on the land's edge, in lon/lat)."""


@lru_cache(maxsize=1)
def _ashore() -> tuple[np.ndarray, np.ndarray]:
    """The settlements off Ukraine's land within :data:`OFF_LAND_KM` (positions in
    :func:`table`; the distance measured in the CONFORMAL CRS) and the nearest point of the
    land to each, on its edge (found in lon/lat: a point found in metres and taken back to
    lon/lat lies up to 1e-5 degrees off the edge)."""
    t = table()
    land = ukraine()
    off = np.flatnonzero(~shapely.contains_xy(land, t["lon"].to_numpy(), t["lat"].to_numpy()))
    if not len(off):
        return off, np.array([], dtype=object)
    pts = t.geometry.values[off]
    near = shapely.dwithin(geo.project(land, geo.CONFORMAL),
                           geo.project(pts, geo.CONFORMAL), OFF_LAND_KM * 1e3)
    return off[near], shapely.get_point(shapely.shortest_line(pts[near], land), 1)


def settlements_in(geom) -> gpd.GeoDataFrame:
    """Settlements inside a lon/lat area, largest population first.

    Parameters
    ----------
    geom : shapely geometry
        A lon/lat area, checked as a file's polygons are (:func:`loc.geo.checked_area`:
        finite, lon/lat near Ukraine, polygons, valid or repaired with a warning).

    Returns
    -------
    geopandas.GeoDataFrame
        Rows of :func:`settlements` inside it.

    Raises
    ------
    GeometryError
        For coordinates that are not finite lon/lat near Ukraine (metres, lat/lon
        swapped), a geometry with no polygon, or one invalid beyond a safe repair.

    Examples
    --------
    >>> import shapely
    >>> settlements_in(shapely.box(30.2, 50.2, 30.8, 50.6))["name"].iloc[0]
    'Kyiv'
    """
    if not isinstance(geom, BaseGeometry):
        raise TypeError(f"settlements_in needs a shapely geometry, not {type(geom).__name__}")
    return within(geo.checked_area(geom, "given"))


def within(area) -> gpd.GeoDataFrame:
    """:func:`settlements_in` for an area loc made (lon/lat polygons, already valid): not
    checked again.

    Parameters
    ----------
    area : shapely geometry
        A lon/lat area.

    Returns
    -------
    geopandas.GeoDataFrame
        Rows of :func:`settlements` inside it, largest population first.
    """
    return table()[inside(area)].sort_values(
        ["population", "name"], ascending=[False, True]
    ).copy()


def settlements_of(area) -> tuple[tuple[str, ...], int]:
    """The names of the bundled settlements inside an area loc made (as :func:`within`,
    largest population first) and their total population: what a change, a breach or a
    zone lists. Remembered by the area's exact geometry (WKB), for series in which most
    areas come back day after day.

    Parameters
    ----------
    area : shapely geometry
        A lon/lat area.

    Returns
    -------
    tuple
        ``(names, population)``.

    Examples
    --------
    >>> import shapely
    >>> names, people = settlements_of(shapely.box(30.2, 50.2, 30.8, 50.6))
    >>> names[0], people > 2_000_000
    ('Kyiv', True)
    """
    def count() -> tuple[tuple[str, ...], int]:
        hit = within(area)
        return tuple(hit["name"]), int(hit["population"].sum())

    return _PEOPLE.get(area, count)


_PEOPLE = geo.ByGeometry()
"""What :func:`settlements_of` found."""


@lru_cache(maxsize=1)
def _tree() -> shapely.STRtree:
    return shapely.STRtree(geo.project(table().geometry.values, geo.CONFORMAL))


def nearest(points) -> gpd.GeoDataFrame:
    """The nearest settlement to each lon/lat point, measured in the CONFORMAL CRS.

    Parameters
    ----------
    points : array of shapely.Point
        Lon/lat points.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per input point, in input order, with ``distance_km`` added.
    """
    pts = geo.project(np.asarray(points, dtype=object), geo.CONFORMAL)
    idx = _tree().nearest(pts)
    out = table().iloc[idx].reset_index(drop=True)
    out["distance_km"] = shapely.distance(pts, _tree().geometries[idx]) / 1e3
    return out


def by_group(mask: np.ndarray, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Number and population of the settlements selected by ``mask``, per region group.

    Parameters
    ----------
    mask : numpy.ndarray
        Boolean mask over :func:`table`.
    index : pandas.Index
        Region group keys to report (0 where none).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Counts and population, in ``index`` order.
    """
    group = table()["region"].map(registry()["group"]).to_numpy()
    pop = table()["population"].to_numpy()

    def per_group(values: np.ndarray) -> np.ndarray:
        return (pd.Series(values).groupby(group).sum().reindex(index, fill_value=0)
                .astype(int).to_numpy())

    return per_group(mask.astype(int)), per_group(np.where(mask, pop, 0))


@lru_cache(maxsize=1)
def other_names() -> dict[int, list[str]]:
    """Other names of the larger settlements (Ukrainian, Russian, former names,
    transliterations; GeoNames ``alternatenames``), for search.

    Returns
    -------
    dict
        GeoNames id to a list of names (``data/settlement_names.csv``).

    Examples
    --------
    >>> "Артемівськ" in other_names()[713174]   # Bakhmut
    True
    """
    df = pd.read_csv(data_path("settlement_names.csv"), dtype={"names": str})
    return {int(i): str(n).split("|") for i, n in zip(df["geonameid"], df["names"],
                                                      strict=True)}
