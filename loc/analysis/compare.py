"""Source and party comparison: where two snapshots disagree, and the disputed areas ranked
by the people living in them.

Two sources of the same date (DeepStateMap and ISW), or two parties' claimed lines (each
party's file of the control areas it claims): every area Russian-held in one and not the
other is a disagreement, with its region, km² (EQUAL_AREA CRS), settlements and population.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from loc.analysis.diff import diff
from loc.errors import LocWarning, OptionError
from loc.model import Snapshot

DISPUTE_COLUMNS = ["rank", "ru_in", "claimed_ru_by", "region", "km2", "population",
                   "settlements", "largest"]


@dataclass
class Comparison:
    """Disagreement between snapshot ``a`` and ``b``.

    Attributes
    ----------
    areas : geopandas.GeoDataFrame
        Polygons held by ``ru`` in one snapshot only: ``ru_in`` (``a`` or ``b``),
        ``claimed_ru_by`` (the label of that snapshot), ``source``, ``region``, ``km2``
        (EQUAL_AREA CRS), ``settlements`` (names), ``population``, ``sliver`` (under the
        diff's thresholds); lon/lat, largest first.
    summary : pandas.DataFrame
        Per region: ``ru_only_in_a_km2``, ``ru_only_in_b_km2``.
    a, b : str
        The labels: the parties' names, or ``source date`` of each snapshot.
    """

    areas: gpd.GeoDataFrame
    summary: pd.DataFrame
    a: str
    b: str

    def disputes(self) -> gpd.GeoDataFrame:
        """The disputed areas ranked: most people first, then the largest (slivers left
        out).

        Returns
        -------
        geopandas.GeoDataFrame
            ``rank`` (1 = most people), ``ru_in``, ``claimed_ru_by``, ``region``, ``km2``,
            ``population``, ``settlements`` (how many), ``largest`` (up to five names, the
            most populous first); lon/lat.
        """
        d = self.areas[~self.areas["sliver"]]
        d = d.assign(count=[len(s.split(", ")) if s else 0 for s in d["settlements"]],
                     largest=[", ".join(s.split(", ")[:5]) if s else "" for s in
                              d["settlements"]])
        d = d.sort_values(["population", "km2", "region"], ascending=[False, False, True],
                          kind="stable").reset_index(drop=True)
        out = gpd.GeoDataFrame({
            "rank": range(1, len(d) + 1), "ru_in": d["ru_in"].to_numpy(),
            "claimed_ru_by": d["claimed_ru_by"].to_numpy(), "region": d["region"].to_numpy(),
            "km2": d["km2"].to_numpy(), "population": d["population"].to_numpy(),
            "settlements": d["count"].to_numpy(), "largest": d["largest"].to_numpy()},
            geometry=d.geometry.values, crs="OGC:CRS84")
        return out[[*DISPUTE_COLUMNS, "geometry"]]


def compare(a: Snapshot, b: Snapshot, *, min_km2: float = 0.01,
            labels: tuple[str, str] | None = None) -> Comparison:
    """Where two snapshots (two sources of one date, or two parties' claimed lines)
    disagree on Russian-held land, as polygons with km² per region.

    Parameters
    ----------
    a, b : Snapshot
        The two snapshots.
    min_km2 : float
        Disagreements smaller than this are flagged ``sliver``.
    labels : (str, str), optional
        Names of ``a`` and ``b`` (the parties: ``("ua", "ru")``); default ``source date``.

    Returns
    -------
    Comparison
        Areas held by ``ru`` in one snapshot only, and km² per region.

    Examples
    --------
    >>> import loc
    >>> claim = loc.freeze(loc.sample(), assign={"Donetsk": "ru"}).snapshot  # one date
    >>> c = loc.compare(loc.sample(), claim)
    >>> float(round(c.summary.loc["donetsk", "ru_only_in_b_km2"], -2))
    6500.0
    """
    for name, snap in (("a", a), ("b", b)):
        if not isinstance(snap, Snapshot):
            raise TypeError(f"compare needs two Snapshots: {name} is {type(snap).__name__}")
    if a.date != b.date:
        warnings.warn(f"comparing different dates ({a.label} and {b.label}): differences "
                      "mix real changes with source disagreement", LocWarning, stacklevel=2)
    if labels is None:
        labels = (f"{a.source} {a.label}", f"{b.source} {b.label}")
    elif (not isinstance(labels, (list, tuple)) or len(labels) != 2
          or not all(isinstance(x, str) and x.strip() for x in labels)):
        raise OptionError("labels must be two names, e.g. ('ua', 'ru')")
    elif labels[0] == labels[1]:
        raise OptionError(f"both snapshots are labelled {labels[0]!r}: give each its own")
    # a comparison has no direction: the diff runs from the earlier date when they differ
    flip = a.date is not None and b.date is not None and a.date > b.date
    changes = diff(b, a, min_km2=min_km2) if flip else diff(a, b, min_km2=min_km2)
    both = pd.concat([changes.changes.assign(sliver=False),
                      changes.slivers.assign(sliver=True)], ignore_index=True)
    later, earlier = ("a", "b") if flip else ("b", "a")
    ru_in = both["to_side"].map(lambda s: later if s == "ru" else earlier)
    source = ru_in.map({"a": f"{a.source} {a.label}", "b": f"{b.source} {b.label}"})
    areas = gpd.GeoDataFrame({
        "ru_in": ru_in, "claimed_ru_by": ru_in.map({"a": labels[0], "b": labels[1]}),
        "source": source, "region": both["region"], "km2": both["km2"],
        "settlements": both["settlements"], "population": both["population"],
        "sliver": both["sliver"]}, geometry=both.geometry.values, crs="OGC:CRS84")
    only_first, only_second = changes.summary["lost_km2"], changes.summary["gained_km2"]
    summary = pd.DataFrame({"ru_only_in_a_km2": only_second if flip else only_first,
                            "ru_only_in_b_km2": only_first if flip else only_second})
    return Comparison(areas=areas.sort_values("km2", ascending=False).reset_index(drop=True),
                      summary=summary, a=labels[0], b=labels[1])
