"""Per-region statistics of a snapshot: areas, shares, settlements and population per side."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import shapely

from loc import crs as lcrs
from loc.regions import _registry
from loc.settlements import _table as _settlements
from loc.settlements import sides as settlement_sides


@lru_cache(maxsize=1)
def stat_regions():
    """Regions as counted in statistics: Sevastopol merged into ``crimea`` (lon/lat).

    Returns a GeoSeries of prepared geometries indexed by group key, sorted, and a Series of
    their areas in km² (EQUAL_AREA CRS).
    """
    reg = _registry()
    groups = reg.dissolve(by="group").geometry.sort_index()
    areas = pd.Series(lcrs.area_km2(groups.values), index=groups.index)
    for g in groups.values:
        shapely.prepare(g)
    return groups, areas


def km2_by_group(geom) -> np.ndarray:
    """km² (EQUAL_AREA CRS) of a lon/lat area inside each region group of
    :func:`stat_regions`, in its order."""
    groups, _ = stat_regions()
    if geom is None or geom.is_empty:
        return np.zeros(len(groups))
    return lcrs.area_km2(shapely.intersection(geom, groups.values))


def settlements_by_group(mask: np.ndarray, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Number and population of the bundled settlements selected by ``mask``, per region
    group in ``index`` (0 where none)."""
    group = _settlements()["region"].map(_registry()["group"]).to_numpy()
    pop = _settlements()["population"].to_numpy()

    def per_group(values: np.ndarray) -> np.ndarray:
        return (pd.Series(values).groupby(group).sum().reindex(index, fill_value=0)
                .astype(int).values)

    return per_group(mask.astype(int)), per_group(np.where(mask, pop, 0))


def snapshot_stats(snapshot) -> pd.DataFrame:
    """Statistics per region (Crimea and Sevastopol together as ``crimea``).

    Columns: ``name``; ``area_km2`` (region land), ``occupied_km2`` (``ru`` inside the region),
    ``share`` (occupied / area); ``contested_km2``; ``settlements_ru``, ``population_ru``,
    ``settlements_ua``, ``population_ua``, ``settlements_contested``,
    ``population_contested``; ``line_km``, the length of the line of contact in the region
    (geodesic, WGS 84). Areas are in km² in the EQUAL_AREA CRS (LAEA 48.5 N 32 E).
    Settlements and population are from the bundled GeoNames table.
    """
    from loc.line import length_by_region, line_of_contact

    groups, areas = stat_regions()
    ru = snapshot.side("ru")
    contested = snapshot.side("contested")
    occ = km2_by_group(ru)
    con = km2_by_group(contested)
    reg = _registry()
    names = reg.dissolve(by="group")["name"].reindex(groups.index)
    names.loc["crimea"] = "Crimea (with Sevastopol)"
    df = pd.DataFrame({
        "name": names.values,
        "area_km2": areas.values,
        "occupied_km2": occ,
        "share": occ / areas.values,
        "contested_km2": con,
    }, index=pd.Index(groups.index, name="region"))
    side = settlement_sides(snapshot)
    for name in ("ru", "ua", "contested"):
        df[f"settlements_{name}"], df[f"population_{name}"] = settlements_by_group(
            side == name, df.index)
    df["line_km"] = length_by_region(line_of_contact(snapshot)).reindex(df.index, fill_value=0.0)
    return df
