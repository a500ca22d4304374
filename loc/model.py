"""Snapshot: who controls what on one date, from one source (no I/O here).

A :class:`Snapshot` holds the control areas by side (``ru``, ``ua`` and, where the source has a
grey zone, ``contested``) in lon/lat (OGC:CRS84). Real sources usually give only the occupied
area: the Ukrainian-held side is then Ukraine's land (bundled regions) minus the other sides.
Snapshots are read from files by :func:`loc.read` and built in memory by
:func:`from_geometries`; both check that every coordinate is a finite number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from loc import geo
from loc.dates import parse_date
from loc.errors import GeometryError, LocWarning, OptionError
from loc.reference import settlements as _settlements
from loc.reference.regions import REACH_KM, ukraine, ukraine_reach

SIDES = ("ru", "ua", "contested")
"""Sides in a snapshot: Russian-controlled, Ukrainian-controlled, contested (grey zone)."""


class Sides(dict):
    """The sides a source gave, read-only: a snapshot's figures are kept once computed (and
    its geometry's hash keys caches), so changing a side in place would leave them stale.
    Build another snapshot instead (:func:`from_geometries`).

    Parameters
    ----------
    sides : dict or iterable of pairs
        Side name (``ru``, ``ua``, ``contested``) to lon/lat polygons.
    origin : str, optional
        The SHA-256 of the input these sides were read from (None: built in memory): a
        snapshot keeps its ``sha256`` only with the sides it was read with.
    """

    def __init__(self, sides=(), origin: str | None = None) -> None:
        super().__init__(sides)
        self.origin = origin

    def _refuse(self, *_args, **_kwargs):
        raise TypeError("a snapshot's sides cannot be changed: build another snapshot with "
                        "loc.from_geometries")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self):
        return _sides, (dict(self), self.origin)


def _sides(sides: dict, origin: str | None) -> Sides:
    """Unpickle :class:`Sides` (a worker process started by spawning gets its snapshots
    pickled)."""
    return Sides(sides, origin)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Control areas of one date from one source.

    Attributes
    ----------
    given : dict
        The sides the source gave (``ru``, ``contested``, maybe ``ua``), lon/lat polygons.
    date : datetime.date or None
        The date the control areas describe.
    source : str
        Where the data comes from (e.g. ``deepstate``).
    license : str or None
        The source's licence terms, as far as known.
    path : str or None
        The input read (a file, or ``STORE.gpkg@YYYY-MM-DD``), if any.
    sha256 : str or None
        SHA-256 of that input's bytes (a file), or of the stored geometry (a store's date);
        None for a snapshot built or changed in memory (``dataclasses.replace`` with other
        sides drops it: the hash names the sides read from the input, see :class:`Sides`).
    meta : dict
        Anything else worth recording (e.g. what a freeze scenario changed).
    """

    given: dict
    date: dt.date | None = None
    source: str = "unknown"
    license: str | None = None
    path: str | None = None
    sha256: str | None = None
    meta: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        given = self.given
        if not isinstance(given, Sides):  # built by hand: checked as from_geometries checks
            if not isinstance(given, dict):
                raise TypeError(f"a snapshot's sides are a dict of side name to lon/lat "
                                f"geometry, not {type(given).__name__}")
            unknown = sorted(str(k) for k in given if k not in SIDES)
            if unknown:
                raise OptionError(f"unknown side(s) {', '.join(map(repr, unknown))}: a "
                                  f"snapshot's sides are {', '.join(SIDES)}")
            given = _checked_sides(given, self.path, checked=False)
        if self.date is not None:  # text parsed, a datetime made a date, the year checked
            object.__setattr__(self, "date", parse_date(self.date, self.path))
        object.__setattr__(self, "given", given)
        if self.sha256 is not None and given.origin != self.sha256:
            # the sides are not those read from that input (``dataclasses.replace`` with
            # other sides keeps the hash): a manifest must not name the input's bytes
            object.__setattr__(self, "sha256", None)

    def not_ua(self) -> BaseGeometry:
        """The Russian-held and contested areas together (lon/lat): what the ``ua`` side is
        the land less.

        Returns
        -------
        shapely.Polygon or shapely.MultiPolygon
            Their union (no overlay when nothing is contested).
        """
        others = self.given.get("ru", shapely.MultiPolygon())
        contested = self.given.get("contested")
        if contested is not None and not contested.is_empty:
            others = shapely.union(others, contested)
        return others

    def _ua(self) -> BaseGeometry:
        """Ukraine's land less the other sides: derived on each call, not kept (over a long
        series, keeping it would hold a country-sized polygon per date)."""
        others = self.not_ua()
        base = self.given["ua"] if "ua" in self.given else ukraine()
        out = shapely.difference(base, others)
        if out.geom_type in ("Polygon", "MultiPolygon") and not out.is_empty:
            return out  # an overlay of valid polygons is valid: no need to check it again
        return geo.polygonal(out)

    def side(self, name: str) -> BaseGeometry:
        """Geometry of one side (lon/lat); an empty polygon when the side is absent.

        ``ua`` is Ukraine's land (bundled regions) minus the other sides unless the source
        gave it.

        Parameters
        ----------
        name : {"ru", "ua", "contested"}
            The side.

        Returns
        -------
        shapely.Polygon or shapely.MultiPolygon
            Its area, lon/lat.
        """
        if name not in SIDES:
            raise ValueError(f"side must be one of {', '.join(SIDES)}, not {name!r}")
        if name == "ua":
            return self._ua()
        geom = self.given.get(name)
        return geom if geom is not None else shapely.Polygon()

    def side_at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The side holding each lon/lat point.

        Parameters
        ----------
        lon, lat : numpy.ndarray
            Coordinates, degrees.

        Returns
        -------
        numpy.ndarray
            ``ru``, ``ua``, ``contested``, or ``""`` for a point no side holds.
        """
        out = np.full(len(lon), "", dtype=object)
        for name in ("ua", "contested", "ru"):
            geom = self.side(name)
            if not geom.is_empty:
                out[shapely.contains_xy(geo.prepared_copy(geom), lon, lat)] = name
        return out

    def settlement_sides(self, max_km: float = 5.0) -> np.ndarray:
        """The side holding each bundled settlement (:func:`loc.settlements` order).

        A place inside no side's polygon (a coastal village just off a coarse coastline)
        takes the side of the nearest polygon within ``max_km`` (CONFORMAL CRS); beyond that
        it is ``""``. Computed once per snapshot.

        Parameters
        ----------
        max_km : float
            How far (km) a place off every polygon may be from the nearest one.

        Returns
        -------
        numpy.ndarray
            ``ru``, ``ua``, ``contested`` or ``""`` per settlement.
        """
        return self.memo(("settlement_sides", float(max_km)),
                         lambda: self._settlement_sides(max_km)).copy()

    def _settlement_sides(self, max_km: float) -> np.ndarray:
        t = _settlements.table()
        lon, lat = t["lon"].to_numpy(), t["lat"].to_numpy()
        out = self.side_at(lon, lat)
        names = [s for s in ("ua", "contested", "ru") if not self.side(s).is_empty]
        missing = np.flatnonzero(out == "")
        if len(missing) and names:
            pts = geo.project(t.geometry.values[missing], geo.CONFORMAL)
            dist = np.vstack([
                shapely.distance(geo.project(self.side(n), geo.CONFORMAL), pts)
                for n in names])
            best = dist.argmin(axis=0)
            ok = dist[best, np.arange(len(missing))] <= max_km * 1e3
            out[missing[ok]] = np.array(names, dtype=object)[best[ok]]
        return out

    @property
    def sides(self) -> gpd.GeoDataFrame:
        """One row per side present (``side``: ``ru``, ``ua``, ``contested``), lon/lat."""
        names = [s for s in SIDES if s in ("ru", "ua") or not self.side(s).is_empty]
        return gpd.GeoDataFrame({"side": names}, geometry=[self.side(s) for s in names],
                                crs="OGC:CRS84")

    @property
    def occupied(self) -> BaseGeometry:
        """The Russian-controlled area (side ``ru``) as given by the source, lon/lat."""
        return self.side("ru")

    @property
    def label(self) -> str:
        """``YYYY-MM-DD`` or ``undated``."""
        return self.date.isoformat() if self.date else "undated"

    @cached_property
    def geometry_sha256(self) -> str:
        """SHA-256 of the given sides' geometry (WKB, sides in a fixed order): the key of
        anything computed from this snapshot's content. An empty side counts as not given,
        except ``ua``: given empty, the ``ua`` side is empty; not given, it is the land
        less the others."""
        h = hashlib.sha256()
        for name in SIDES:
            geom = self.given.get(name)
            if geom is not None and not geom.is_empty:
                h.update(name.encode() + b"\0" + shapely.to_wkb(geom) + b"\0")
            elif name == "ua" and geom is not None:
                h.update(b"ua\0empty\0")
        return h.hexdigest()

    def occupied_km2(self) -> float:
        """Area of the whole occupied geometry as given.

        Returns
        -------
        float
            km² in the EQUAL_AREA CRS.
        """
        return self.memo("occupied_km2", lambda: float(geo.area_km2(self.occupied)))

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value derived from this snapshot, computed once: ``compute()`` on the first
        call with ``key``, the stored value after (snapshots never change).

        Parameters
        ----------
        key : hashable
            What is computed, with every option that changes it.
        compute : callable
            Computes the value.

        Returns
        -------
        object
            The value (callers copy mutable values before changing them).
        """
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def __repr__(self) -> str:
        return (f"Snapshot({self.label}, source={self.source!r}, "
                f"occupied={self.occupied_km2():,.0f} km²)")


def earlier_first(a: Snapshot, b: Snapshot, what: str) -> None:
    """Refuse two snapshots given the later first (the other way round, what was taken
    reads as given back); undated snapshots, and one date twice, pass.

    Parameters
    ----------
    a, b : Snapshot
        The snapshots as given, meant earlier then later.
    what : str
        What is done with them, for the message (e.g. ``"compare"``).

    Raises
    ------
    OptionError
        When ``a`` is of a later date than ``b``.
    """
    if a.date is not None and b.date is not None and a.date > b.date:
        raise OptionError(f"give the earlier date first to {what}: {a.label} is later than "
                          f"{b.label}")


UA_OVERLAP_KM2 = 0.01
"""A ``ua`` side given over the ``ru`` or ``contested`` side by more than this (km²) is
said in a warning."""


def _ua_apart(ua: BaseGeometry, others: list, path) -> BaseGeometry:
    """A ``ua`` side as given, less what the other sides hold (they come first, as ``ru``
    does before ``contested``): a place held by two sides was counted for both."""
    if ua.is_empty or not others:
        return ua
    held = others[0] if len(others) == 1 else shapely.union_all(others)
    if not shapely.intersects(ua, held):
        return ua
    km2 = float(geo.area_km2(shapely.intersection(ua, held)))
    if km2 <= 1e-9:  # they only touch: the side stays exactly as given
        return ua
    if km2 > UA_OVERLAP_KM2:
        where = f"{path}: " if path else ""
        warnings.warn(f"{where}the ua side overlaps the ru or contested side by {km2:,.2f} "
                      "km²: that part is taken as theirs, not ua", LocWarning, stacklevel=3)
    return geo.polygonal(shapely.difference(ua, held))


def from_geometries(
    ru: BaseGeometry,
    contested: BaseGeometry | None = None,
    ua: BaseGeometry | None = None,
    *,
    date: str | dt.date | None = None,
    source: str = "unknown",
    license: str | None = None,
    path: str | None = None,
    sha256: str | None = None,
    meta: dict | None = None,
    checked: bool = False,
) -> Snapshot:
    """Build a :class:`Snapshot` from lon/lat geometries of the sides, checked as a file's
    are: finite, in lon/lat near Ukraine, valid (an invalid polygon repaired within
    :data:`loc.geo.REPAIR_LIMIT`, with a warning, or refused).

    Parameters
    ----------
    ru : shapely geometry
        Russian-controlled area (polygons; other parts are dropped).
    contested : shapely geometry, optional
        The grey zone (``ru`` is taken out of it).
    ua : shapely geometry, optional
        Ukrainian-controlled area; default Ukraine's land (bundled regions) minus ``ru`` and
        ``contested``.
    date : str or datetime.date, optional
        The date the areas describe.
    source, license, path, sha256 : str, optional
        Provenance (see :class:`Snapshot`).
    meta : dict, optional
        Anything else worth recording.
    checked : bool
        The sides are polygons loc's readers have already checked (their checks are not
        run twice).

    Returns
    -------
    Snapshot
        The snapshot.

    Raises
    ------
    GeometryError
        When a coordinate is NaN or infinite (never repaired), the sides are not lon/lat,
        lie far from Ukraine or look like lat/lon swapped, or a polygon is invalid beyond
        a safe repair.
    TypeError
        When a side is not a shapely geometry.

    Examples
    --------
    >>> snap = from_geometries(shapely.box(37.5, 47.5, 38.5, 48.5), date="2025-09-05")
    >>> snap.label
    '2025-09-05'
    """
    given = _checked_sides({"ru": ru, "contested": contested, "ua": ua}, path, checked,
                           origin=sha256)
    return Snapshot(given=given, date=parse_date(date, path) if date is not None else None,
                    source=str(source), license=license, path=path, sha256=sha256,
                    meta=dict(meta or {}))


def _checked_sides(sides: dict, path, checked: bool, origin: str | None = None) -> Sides:
    """The sides checked (:func:`from_geometries`): finite lon/lat polygons near Ukraine,
    valid or safely repaired, ``contested`` without ``ru``, ``ua`` apart from both."""
    ru = sides.get("ru")
    if ru is None:
        raise TypeError("the ru side must be a shapely geometry, not None (an empty "
                        "shapely.MultiPolygon() when nothing is held)")
    sides = _within_reach({
        k: geo.polygonal(geo.finite(g, f"the {k} side", path), valid=True) if checked
        else geo.checked_area(g, k, path) for k, g in sides.items() if g is not None}, path)
    ru = sides["ru"]
    given = {"ru": ru}
    if "contested" in sides and not sides["contested"].is_empty:
        given["contested"] = geo.polygonal(shapely.difference(sides["contested"], ru))
    if "ua" in sides:
        given["ua"] = _ua_apart(sides["ua"], [g for g in given.values() if not g.is_empty],
                                path)
    return Sides(given, origin=origin)


ABROAD_KM2 = 100.0
"""Polygons lying wholly off Ukraine's land larger than this in all (km²) are said: DeepState's
snapshots hold islets and sea slivers of 0.5 to 5 km² so; a box in Moldova or Rostov region
(within :func:`~loc.reference.regions.ukraine_reach`) is counted as ``outside`` with a
warning, not in silence."""


def _within_reach(sides: dict[str, BaseGeometry], path) -> dict[str, BaseGeometry]:
    """The sides without their polygons lying outside
    :func:`~loc.reference.regions.ukraine_reach` (a part written lat/lon, a box in another
    country), with a warning; every polygon that far is refused."""
    reach, land = ukraine_reach(), ukraine()
    out, dropped, total, abroad = {}, 0, 0, []
    for side, geom in sides.items():
        parts = geo.polygon_parts(geom)
        geo.check_lon_spans(parts, path)
        near = shapely.intersects(reach, parts)
        total += len(parts)
        kept = parts[near]
        if side != "ua":  # held by ru or contested, wholly off the land
            abroad.extend(kept[~shapely.intersects(land, kept)])
        if near.all():
            out[side] = geom
            continue
        dropped += int((~near).sum())
        out[side] = (kept[0] if len(kept) == 1 else shapely.multipolygons(kept) if len(kept)
                     else shapely.MultiPolygon())
    where = f"{path}: " if path else ""
    # their union covers no more than their areas together: it is needed only beyond
    km2 = float(np.sum(geo.area_km2(np.array(abroad, dtype=object)))) if abroad else 0.0
    if km2 > ABROAD_KM2:
        km2 = float(geo.area_km2(shapely.union_all(abroad)))
    if km2 > ABROAD_KM2:
        warnings.warn(f"{where}{len(abroad)} polygon(s) held by ru or contested lie wholly "
                      f"outside Ukraine's land (at sea or abroad), {km2:,.1f} km²: counted as "
                      "outside, in no region", LocWarning, stacklevel=4)
    if dropped and dropped == total:
        raise GeometryError(f"every polygon lies outside Ukraine (over {REACH_KM:g} km beyond "
                            "the hull of its land): is this a control map of Ukraine in "
                            "lon/lat?", path)
    if dropped:
        warnings.warn(f"{where}dropped {dropped} polygon(s) lying outside Ukraine (over "
                      f"{REACH_KM:g} km beyond the hull of its land)", LocWarning, stacklevel=4)
    return out
