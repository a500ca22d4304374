"""Per-region statistics of a snapshot: areas, shares, settlements and population per side."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from loc import geo
from loc.analysis.line import length_by_region, line_of_contact
from loc.errors import LocWarning
from loc.model import Snapshot
from loc.reference import settlements
from loc.reference.regions import OUTSIDE, km2_by_region, region_groups, registry

OUTSIDE_NAME = "outside every region (sea, abroad)"
ABROAD_SHARE = 0.5
"""When more of the occupied area than this share lies outside every region, :func:`stats`
warns: a control map of Ukraine shifted or misread (DeepState's snapshots hold 1-2 %)."""


def stats(snapshot: Snapshot) -> pd.DataFrame:
    """Statistics per region group (Crimea and Sevastopol together as ``crimea``), and a row
    ``outside`` for what lies outside every region (the sea, across the state border).

    Parameters
    ----------
    snapshot : Snapshot
        The control areas.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region``. Columns: ``name``; ``area_km2`` (region land),
        ``occupied_km2`` (``ru`` inside the region), ``share`` (occupied / area);
        ``contested_km2``; ``settlements_ru``, ``population_ru``, ``settlements_ua``,
        ``population_ua``, ``settlements_contested``, ``population_contested``;
        ``line_km``, the length of the line of contact in the region (geodesic, WGS 84).
        Areas are km² in the EQUAL_AREA CRS (LAEA 48.5 N 32 E), counted by
        :func:`loc.reference.regions.km2_by_region`; the ``outside`` row has no area or
        share. Settlements and population are from the bundled GeoNames table.

    Examples
    --------
    >>> import loc
    >>> df = loc.stats(loc.sample())
    >>> bool(df.loc["luhansk", "share"] > 0.9)
    True
    """
    if not isinstance(snapshot, Snapshot):
        raise TypeError(f"stats needs a Snapshot, not {type(snapshot).__name__}")
    return snapshot.memo("stats", lambda: _stats(snapshot)).copy()


def _stats(snapshot: Snapshot) -> pd.DataFrame:
    groups, areas = region_groups()
    index = pd.Index([*groups.index, OUTSIDE], name="region")
    occ = km2_by_region(geo.project(snapshot.side("ru"), geo.EQUAL_AREA))
    total = sum(occ.values())
    if total > 0 and occ.get(OUTSIDE, 0.0) > ABROAD_SHARE * total:
        where = f"{snapshot.path}: " if snapshot.path else ""
        warnings.warn(f"{where}{occ[OUTSIDE]:,.0f} of the {total:,.0f} km² held by ru lie "
                      "outside every region of Ukraine (at sea, abroad): is the file shifted, "
                      "or in another CRS than it says?", LocWarning, stacklevel=3)
    con = km2_by_region(geo.project(snapshot.side("contested"), geo.EQUAL_AREA))
    names = registry().dissolve(by="group")["name"].reindex(groups.index)
    names.loc["crimea"] = "Crimea (with Sevastopol)"
    area = areas.reindex(index)
    df = pd.DataFrame({
        "name": [*names.values, OUTSIDE_NAME],
        "area_km2": area.values,
        "occupied_km2": [occ.get(k, 0.0) for k in index],
        "contested_km2": [con.get(k, 0.0) for k in index],
    }, index=index)
    df.insert(3, "share", df["occupied_km2"] / df["area_km2"])
    side = snapshot.settlement_sides()
    for name in ("ru", "ua", "contested"):
        df[f"settlements_{name}"], df[f"population_{name}"] = settlements.by_group(
            side == name, df.index)
    df["line_km"] = length_by_region(line_of_contact(snapshot)).reindex(df.index,
                                                                        fill_value=0.0)
    df.loc[OUTSIDE, ["area_km2", "share"]] = np.nan
    return df
