"""Freeze scenarios: adopt control areas as they are, or with regions reassigned and areas
exchanged, and the resulting freeze line (a line of control, never a border).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from loc import geo
from loc.analysis.diff import diff
from loc.analysis.line import contact_only, line_of_contact
from loc.errors import GeometryError, LocWarning, OptionError
from loc.geo import repair
from loc.io.readers import read_features
from loc.model import Snapshot, from_geometries
from loc.reference import settlements
from loc.reference.regions import (
    OUTSIDE,
    region_groups,
    region_keys,
    registry,
    ukraine,
)

FREEZE_LABEL = "line of control (not an international border)"
"""The label a freeze line carries wherever it is shown."""

COAST_REACH_M = 10_000.0
"""How far (m) beyond a region's land a reassignment to ``ua`` reaches into the sea and abroad,
so that a source's coastline and border strip drawn outside Natural Earth's go with the
region (and the freeze line does not follow the strip along the state border)."""


@dataclass
class Freeze:
    """A freeze scenario.

    Attributes
    ----------
    snapshot : Snapshot
        The adopted control areas (lon/lat, OGC:CRS84).
    base : Snapshot
        The snapshot the scenario starts from.
    line : geopandas.GeoDataFrame
        The freeze line: the line of contact of the adopted areas (border noise left out),
        labelled :data:`FREEZE_LABEL`.
    tradeoff : pandas.DataFrame
        Per region group, what changes side against ``base``: ``to_ru_km2``, ``to_ua_km2``
        (EQUAL_AREA CRS), ``settlements_to_ru``, ``population_to_ru``, ``settlements_to_ua``,
        ``population_to_ua``. Only regions with a change.
    scenario : dict
        The assignments and exchanges, for manifests.
    """

    snapshot: Snapshot
    base: Snapshot
    line: gpd.GeoDataFrame
    tradeoff: pd.DataFrame
    scenario: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """:data:`FREEZE_LABEL`: what the freeze line is, wherever it is shown."""
        return FREEZE_LABEL

    def areas(self) -> gpd.GeoDataFrame:
        """The adopted control areas with a ``label`` column (lon/lat), and the date and
        source they were frozen from, so a file written from them reads back as of that
        date (``loc check --freeze FILE`` judges incidents from it on).

        Returns
        -------
        geopandas.GeoDataFrame
            One row per side: ``side``, ``label``, ``date`` (``YYYY-MM-DD``, or empty for
            an undated snapshot), ``source``, geometry.
        """
        areas = self.snapshot.sides.copy()
        areas["label"] = "adopted control area (" + areas["side"] + ")"
        areas["date"] = self.snapshot.date.isoformat() if self.snapshot.date else None
        areas["source"] = self.snapshot.source
        return areas


def _region_reach(keys: tuple[str, ...]) -> BaseGeometry:
    """Regions' land plus the sea and foreign land within COAST_REACH_M of it (lon/lat)."""
    reg = registry()
    geom = shapely.union_all(reg.geometry[reg["key"].isin(keys)].values)
    grown = geo.unproject(shapely.buffer(geo.project(geom), COAST_REACH_M, quad_segs=4))
    return shapely.union(geom, shapely.difference(grown, ukraine()))


SHOWN_KM2 = 0.01
"""A scenario's change smaller than this (km²: a region's total in the trade-off, a piece on
a map) is rounding of the overlays, not shown (the trade-off's figures still hold every
piece)."""
OVERLAP_KM2 = 1e-4
"""Two steps of a scenario that give one area (more than this, km²) to both sides are
refused; steps that only touch pass."""


def read_exchange(path: str | Path) -> BaseGeometry:
    """The union of the polygons in an exchange file (any format GDAL reads), lon/lat.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    shapely geometry
        The polygons, valid.
    """
    feats = read_features(path)  # indexed by the features' places in the file
    areas = feats.geom_type.isin(["Polygon", "MultiPolygon"])
    polys = feats[areas]
    if polys.empty:
        raise GeometryError("has no polygons to exchange", path)
    if not areas.all():
        others = [str(i + 1) for i in feats.index[~areas]]
        warnings.warn(f"{path}: {len(others)} feature(s) are not polygons and exchange "
                      f"nothing (feature(s) {', '.join(others[:10])})", LocWarning,
                      stacklevel=3)
    # an invalid polygon is repaired as a snapshot's is (within the limit, with a warning)
    return shapely.union_all([repair(g, "exchange", path) for g in polys.geometry.values])


def _side(value: str, what: str) -> str:
    side = str(value).strip().lower()
    if side not in ("ru", "ua"):
        raise OptionError(f"{what}: side must be 'ru' or 'ua', not {str(value)[:20]!r}")
    return side


def freeze(snapshot: Snapshot | Freeze, assign: dict[str, str] | None = None,
           exchanges: list[tuple[BaseGeometry | str | Path, str]] | None = None,
           **line_options) -> Freeze:
    """Freeze a snapshot, optionally reassigning whole regions and exchanging areas.

    Parameters
    ----------
    snapshot : Snapshot or Freeze
        Where to start (a Freeze starts from its adopted areas).
    assign : dict, optional
        ``{region: side}``: each region (any alias, or a group such as ``Donbas``) goes
        wholly to ``ru`` or ``ua``. To ``ua``, it takes along what the source draws within
        10 km beyond the region's Natural Earth outline, at sea and across the state border
        (DeepState's outline runs up to 5 km into Russia along Luhansk and Donetsk, 846 km²
        on 2025-09-05 for Donbas): that drawing is no longer ``ru``, and the trade-off lists
        it in its ``outside`` row, which is not land Ukraine gains. To ``ru``, only
        Ukraine's land is added. Applied in order; ``Crimea`` includes Sevastopol (as
        :func:`loc.stats` counts it); a region given both sides (say by ``Donetsk`` and
        ``Donbas``) is refused.
    exchanges : list of (geometry or path, side), optional
        Areas (lon/lat polygons, or files of polygons) moved to a side, after (and over)
        assignments; two exchanges giving one area to both sides are refused (the last
        would otherwise win silently). An invalid polygon in a file is repaired as a
        snapshot's is (with a warning), or refused.
    **line_options
        Passed to :func:`loc.line_of_contact`.

    Returns
    -------
    Freeze
        Adopted areas, freeze line labelled :data:`FREEZE_LABEL`, and a trade-off table.

    Examples
    --------
    >>> import loc
    >>> f = loc.freeze(loc.sample(), assign={"Donetsk": "ru"})
    >>> float(round(loc.stats(f.snapshot).loc["donetsk", "share"], 3))
    1.0
    """
    base = snapshot.snapshot if isinstance(snapshot, Freeze) else snapshot
    if not isinstance(base, Snapshot):
        raise TypeError(f"freeze needs a Snapshot or a Freeze, not {type(snapshot).__name__}")
    if assign is not None and not isinstance(assign, dict):
        raise TypeError(f"assign must be a dict {{region: side}}, not {type(assign).__name__}")
    ru = base.side("ru")
    contested = base.side("contested")
    steps: list[dict] = []
    given: dict[str, tuple[str, str]] = {}  # region key -> (side, the name that gave it)
    claimed: list[tuple[BaseGeometry, str, str]] = []  # (area, side, the exchange giving it)
    for name, side in (assign or {}).items():
        keys = region_keys(name)
        side = _side(side, f"assign {name}")
        for key in keys:
            before = given.setdefault(key, (side, str(name)))
            if before[0] != side:
                raise OptionError(f"region {key} is assigned to {before[0]} (by '{before[1]}') "
                                  f"and to {side} (by '{name}'): give each region one side")
        reach = _region_reach(keys)
        if side == "ru":
            land = shapely.intersection(reach, ukraine())
            ru = shapely.union(ru, land)
        else:
            ru = shapely.difference(ru, reach)
        contested = shapely.difference(contested, reach)
        steps.append({"assign": ",".join(keys), "side": side})
    if exchanges is not None and (isinstance(exchanges, (str, Path, dict))
                                  or not isinstance(exchanges, (list, tuple))):
        raise TypeError("exchanges must be a list of (geometry or file, side) pairs, not "
                        f"{type(exchanges).__name__}")
    for pair in exchanges or []:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"an exchange is a (geometry or file, side) pair, not {pair!r:.60}")
        area, side = pair
        side = _side(side, "exchange")
        label = str(area) if isinstance(area, (str, Path)) else "geometry"
        if isinstance(area, (str, Path)):
            geom = read_exchange(area)
        elif isinstance(area, BaseGeometry):  # the checks a file's polygons get
            geom = geo.checked_area(area, "exchange")
            if geom.is_empty:
                raise GeometryError(f"an exchange of a {area.geom_type} has no polygons to "
                                    "exchange")
        else:
            raise TypeError(f"an exchange is a geometry or a file, not {type(area).__name__}")
        geom = shapely.intersection(geom, ukraine())
        for other, other_side, by in claimed:
            if other_side != side and float(geo.area_km2(
                    shapely.intersection(geom, other))) > OVERLAP_KM2:
                raise OptionError(f"exchange {label} gives {side} land that {by} gives "
                                  f"{other_side}: give each area one side")
        claimed.append((geom, side, f"exchange {label}"))
        ru = shapely.union(ru, geom) if side == "ru" else shapely.difference(ru, geom)
        contested = shapely.difference(contested, geom)
        steps.append({"exchange": label, "side": side,
                      "km2": round(float(geo.area_km2(geom)), 3)})
    if steps:
        # a changed snapshot: no file hash of its own (caches key it by its geometry)
        adopted = from_geometries(ru, contested, date=base.date, source=base.source,
                                  license=base.license, path=base.path, sha256=None,
                                  meta={"derived_from": base.sha256, "steps": steps},
                                  checked=True)  # overlays of checked areas
    else:
        adopted = base
    line = contact_only(line_of_contact(adopted, **line_options)).reset_index(drop=True)
    line["label"] = FREEZE_LABEL
    return Freeze(snapshot=adopted, base=base, line=line,
                  tradeoff=tradeoff(base, adopted),
                  scenario={"date": base.label, "steps": steps})


def tradeoff(before: Snapshot, after: Snapshot) -> pd.DataFrame:
    """What changes side between two snapshots, per region group (``crimea`` with Sevastopol;
    ``outside`` for the sea and abroad).

    Parameters
    ----------
    before, after : Snapshot
        The snapshots.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region``: ``to_ru_km2``, ``to_ua_km2`` (km², EQUAL_AREA CRS, by
        :func:`loc.diff`'s rule, so they are the change of :func:`loc.stats` region by
        region; ``ua`` here means held by anyone but ``ru``), ``settlements_to_ru``,
        ``population_to_ru``, ``settlements_to_ua``, ``population_to_ua``. Rows with no
        change are left out.
    """
    groups, _ = region_groups()
    index = pd.Index([*groups.index, OUTSIDE], name="region")
    # the diff's rule (projected, then cut by region), so that the trade-off is the change
    # of loc.stats between the two, region by region
    moved = diff(before, after, min_km2=0.0, min_width_m=0.0).summary
    df = pd.DataFrame({"to_ru_km2": moved["gained_km2"].reindex(index, fill_value=0.0),
                       "to_ua_km2": moved["lost_km2"].reindex(index, fill_value=0.0)},
                      index=index)
    s0, s1 = before.settlement_sides(), after.settlement_sides()
    for name, mask in (("ru", (s0 != "ru") & (s1 == "ru")),
                       ("ua", (s0 == "ru") & (s1 != "ru") & (s1 != ""))):
        df[f"settlements_to_{name}"], df[f"population_to_{name}"] = settlements.by_group(
            mask, df.index)
    df = df[["to_ru_km2", "settlements_to_ru", "population_to_ru",
             "to_ua_km2", "settlements_to_ua", "population_to_ua"]]
    changed = (df["to_ru_km2"] >= SHOWN_KM2) | (df["to_ua_km2"] >= SHOWN_KM2) | \
        (df["settlements_to_ru"] > 0) | (df["settlements_to_ua"] > 0)
    return df[changed]
