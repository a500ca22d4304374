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


def _group_of_settlements() -> pd.Series:
    reg = _registry()
    return _settlements()["region"].map(reg["group"])


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
    occ = lcrs.area_km2(shapely.intersection(ru, groups.values))
    con = (lcrs.area_km2(shapely.intersection(contested, groups.values))
           if not contested.is_empty else np.zeros(len(groups)))
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
    sett = _settlements()
    side = settlement_sides(snapshot)
    group = _group_of_settlements().to_numpy()
    pop = sett["population"].to_numpy()
    for name in ("ru", "ua", "contested"):
        mask = side == name
        df[f"settlements_{name}"] = (
            pd.Series(mask.astype(int)).groupby(group).sum().reindex(df.index, fill_value=0)
            .astype(int).values)
        df[f"population_{name}"] = (
            pd.Series(np.where(mask, pop, 0)).groupby(group).sum()
            .reindex(df.index, fill_value=0).astype(int).values)
    df["line_km"] = length_by_region(line_of_contact(snapshot)).reindex(df.index, fill_value=0.0)
    return df
