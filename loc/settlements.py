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

from loc._data import data_path
from loc.crs import CONFORMAL, project

ATTRIBUTION = "Settlements: GeoNames (CC BY 4.0), geonames.org"


@lru_cache(maxsize=1)
def _table() -> gpd.GeoDataFrame:
    df = pd.read_csv(data_path("settlements.csv"), dtype={"region": str, "name": str})
    return gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="OGC:CRS84"
    )


def settlements() -> gpd.GeoDataFrame:
    """All bundled settlements as points (lon/lat, OGC:CRS84).

    Columns: ``geonameid``, ``name``, ``lat``, ``lon``, ``population``, ``region``.
    """
    return _table().copy()


def inside(geom) -> np.ndarray:
    """Boolean mask over :func:`settlements` of the places inside a lon/lat area."""
    t = _table()
    if geom is None or shapely.is_empty(geom):
        return np.zeros(len(t), dtype=bool)
    shapely.prepare(geom)
    return shapely.contains_xy(geom, t["lon"].to_numpy(), t["lat"].to_numpy())


def settlements_in(geom) -> gpd.GeoDataFrame:
    """Settlements inside a lon/lat area, largest population first."""
    return _table()[inside(geom)].sort_values(
        ["population", "name"], ascending=[False, True]
    ).copy()


@lru_cache(maxsize=1)
def _tree() -> shapely.STRtree:
    return shapely.STRtree(project(_table().geometry.values, CONFORMAL))


def nearest(points) -> gpd.GeoDataFrame:
    """The nearest settlement to each lon/lat point, measured in the CONFORMAL CRS.

    Returns one row per input point, in input order, with ``distance_km`` added.
    """
    pts = project(np.asarray(points, dtype=object), CONFORMAL)
    idx = _tree().nearest(pts)
    out = _table().iloc[idx].reset_index(drop=True)
    out["distance_km"] = shapely.distance(pts, _tree().geometries[idx]) / 1e3
    return out


def sides(snapshot, max_km: float = 5.0) -> np.ndarray:
    """The side (``ru``, ``ua``, ``contested``) holding each bundled settlement, or ``""``.

    A place inside no side's polygon (a coastal village just off a coarse coastline) takes the
    side of the nearest polygon within ``max_km`` km (CONFORMAL CRS); beyond that it is ``""``.
    """
    t = _table()
    lon, lat = t["lon"].to_numpy(), t["lat"].to_numpy()
    out = snapshot.side_at(lon, lat)
    names = [s for s in ("ua", "contested", "ru") if not snapshot.side(s).is_empty]
    missing = np.flatnonzero(out == "")
    if len(missing) and names:
        pts = project(t.geometry.values[missing], CONFORMAL)
        dist = np.vstack([
            shapely.distance(project(snapshot.side(n), CONFORMAL), pts) for n in names])
        best = dist.argmin(axis=0)
        ok = dist[best, np.arange(len(missing))] <= max_km * 1e3
        out[missing[ok]] = np.array(names, dtype=object)[best[ok]]
    return out
