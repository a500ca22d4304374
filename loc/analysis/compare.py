"""Source comparison: where two snapshots of the same date disagree."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from loc.analysis.diff import diff
from loc.errors import LocWarning
from loc.model import Snapshot


@dataclass
class Comparison:
    """Disagreement between snapshot ``a`` and ``b``.

    Attributes
    ----------
    areas : geopandas.GeoDataFrame
        Polygons held by ``ru`` in one snapshot only: ``ru_in`` (``a`` or ``b``), ``source``,
        ``region``, ``km2`` (EQUAL_AREA CRS), ``settlements``, ``population``; lon/lat.
        Slivers (under the diff's thresholds) included, flagged ``sliver``.
    summary : pandas.DataFrame
        Per region: ``ru_only_in_a_km2``, ``ru_only_in_b_km2``.
    """

    areas: gpd.GeoDataFrame
    summary: pd.DataFrame
    a: str
    b: str


def compare(a: Snapshot, b: Snapshot, *, min_km2: float = 0.01) -> Comparison:
    """Where two snapshots (normally of the same date, from different sources) disagree on
    Russian-held land, as polygons with km² per region.

    Parameters
    ----------
    a, b : Snapshot
        The two snapshots.
    min_km2 : float
        Disagreements smaller than this are flagged ``sliver``.

    Returns
    -------
    Comparison
        Areas held by ``ru`` in one snapshot only, and km² per region.
    """
    if a.date != b.date:
        warnings.warn(f"comparing different dates ({a.label} and {b.label}): differences "
                      "mix real changes with source disagreement", LocWarning, stacklevel=2)
    changes = diff(a, b, min_km2=min_km2)
    both = pd.concat([changes.changes.assign(sliver=False),
                      changes.slivers.assign(sliver=True)], ignore_index=True)
    ru_in = both["to_side"].map(lambda s: "b" if s == "ru" else "a")
    source = ru_in.map({"a": f"{a.source} {a.label}", "b": f"{b.source} {b.label}"})
    areas = gpd.GeoDataFrame({
        "ru_in": ru_in, "source": source, "region": both["region"], "km2": both["km2"],
        "settlements": both["settlements"], "population": both["population"],
        "sliver": both["sliver"]}, geometry=both.geometry.values, crs="OGC:CRS84")
    summary = pd.DataFrame({
        "ru_only_in_a_km2": changes.summary["lost_km2"],
        "ru_only_in_b_km2": changes.summary["gained_km2"]})
    return Comparison(areas=areas.sort_values("km2", ascending=False).reset_index(drop=True),
                      summary=summary, a=f"{a.source} {a.label}", b=f"{b.source} {b.label}")
