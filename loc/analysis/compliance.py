"""Compliance: breaches of a frozen line and incidents classified against the agreement.

Breaches are the areas that changed hands after the freeze (:func:`loc.diff` between the
adopted areas and a later snapshot); changes under the diff's thresholds (redrawn coastlines,
smoothing) are kept apart as *within tolerance*. Depths are measured from the frozen line in
the CONFORMAL CRS, except for a breach that came across the state border (it meets Ukraine's
outline and not the frozen line): its depth is how far it reaches into Ukraine from that
outline. Areas are in the EQUAL_AREA CRS. Every breach has a stable id: the date it was
first seen and a hash of its geometry then, so a monitoring body and each party derive the
same ids from the same files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import checks
from loc import geo as lcrs
from loc.analysis.diff import diff
from loc.analysis.freeze import Freeze
from loc.analysis.line import contact_only, land_conformal
from loc.errors import InputError, LocWarning, OptionError
from loc.geo import ByGeometry, LineReach, clip_box, polygon_parts
from loc.io.incidents import incident_dates, pick_column, read_incidents
from loc.io.readers import lonlat_frame
from loc.model import Snapshot
from loc.reference.settlements import nearest

TYPE_NAMES = ("type", "event_type", "sub_event_type")
WEAPON_NAMES = ("weapon_class", "weapon", "class")
PRECISION_NAMES = ("geo_precision", "precision")
UNARMED = frozenset({"protest", "protests", "peaceful protest", "protest with intervention",
                     "humanitarian", "humanitarian aid", "agreement",
                     "headquarters or base established", "non-violent transfer of territory"})
"""Event types (ACLED's types and sub-event types, and their plain forms) that are not
armed activity; an event type is compared whole, so "Attack on humanitarian convoy" is
armed."""
PRECISION_KM = {1: 0.0, 2: 5.0, 3: 25.0}
"""Location uncertainty (km) by ACLED/VIINA geo_precision: 1 exact, 2 near, 3 region."""
ON_LINE_M = 10.0
LINE_TOUCH_M = 100.0
"""A breach closer than this (m) to the frozen line grew from it."""
BORDER_TOUCH_M = 1000.0
"""A breach closer than this (m) to Ukraine's outline meets the state border (sources draw the
border up to about a kilometre off Natural Earth's)."""


@dataclass
class Report:
    """Breaches of a frozen line found in a later snapshot.

    Attributes
    ----------
    breaches : geopandas.GeoDataFrame
        ``id``, ``advanced`` (side that gained ground), ``region``, ``km2``, ``depth_km``
        (the farthest point from the frozen line, CONFORMAL CRS, within 10 m; for a
        cross-border breach, how far its part on Ukraine's land reaches from the outline,
        0 for a breach wholly abroad or at sea),
        ``cross_border`` (the breach meets Ukraine's outline, the state border or the coast,
        and not the frozen line: it came from across it), ``settlement`` (largest inside,
        else nearest), ``population``; lon/lat polygons, largest first.
    within_tolerance : geopandas.GeoDataFrame
        The same for changes under the thresholds.
    date_frozen, date_checked : str
    """

    breaches: gpd.GeoDataFrame
    within_tolerance: gpd.GeoDataFrame
    date_frozen: str
    date_checked: str

    def summary(self) -> pd.DataFrame:
        """km² and count of breaches per region and advancing side.

        Returns
        -------
        pandas.DataFrame
            Indexed by (``region``, ``advanced``): ``breaches``, ``km2``.
        """
        if self.breaches.empty:
            return pd.DataFrame(columns=["breaches", "km2"])
        return (self.breaches.groupby(["region", "advanced"])
                .agg(breaches=("id", "count"), km2=("km2", "sum")).sort_index())


def _breach_id(date: str, geom) -> str:
    wkb = shapely.to_wkb(shapely.normalize(shapely.set_precision(geom, 1e-6, mode="pointwise")),
                         hex=True)
    return f"B{date.replace('-', '')}-{hashlib.sha256(wkb.encode()).hexdigest()[:8]}"


class _Reach:
    """The freeze line of the checks made last (CONFORMAL) and the depth of each area
    checked against it (:class:`loc.geo.ByGeometry`, by the area's lon/lat geometry)."""

    last: _Reach | None = None

    def __init__(self, line_m) -> None:
        self.line_m = line_m
        self.line = LineReach(line_m)
        self.border: LineReach | None = None
        self.depths = ByGeometry()

    @classmethod
    def of(cls, line_m) -> _Reach:
        """The reach of a line: the last one's if it is the same line."""
        last = cls.last
        if last is None or not shapely.equals_exact(last.line_m, line_m, 0.0):
            last = cls.last = cls(line_m)
        return last

    def depth(self, g_ll, g) -> tuple[float, bool]:
        """``(depth_km, cross_border)`` of an area (lon/lat ``g_ll``, CONFORMAL ``g``)."""
        return self.depths.get(g_ll, lambda: self._measure(g))

    def _measure(self, g) -> tuple[float, bool]:
        land, outline = land_conformal()
        across = bool(not shapely.dwithin(self.line_m, g, LINE_TOUCH_M)
                      and (shapely.dwithin(outline, g, BORDER_TOUCH_M)
                           or not shapely.intersects(land, g)))
        if across:  # how far into Ukraine (0 for a breach wholly abroad or at sea)
            self.border = self.border or LineReach(outline)
            return _depth_from_border(g, land, self.border), True
        return self.line.farthest(g)[0] / 1e3, False


def _frame(changes: gpd.GeoDataFrame, line_m, date: str) -> gpd.GeoDataFrame:
    if changes.empty:
        return gpd.GeoDataFrame(
            columns=["id", "advanced", "region", "km2", "depth_km", "cross_border",
                     "settlement", "population", "geometry"], geometry="geometry",
            crs="OGC:CRS84")
    geoms = changes.geometry.values
    reach = _Reach.of(line_m)
    measured = [reach.depth(ll, g) for ll, g in zip(geoms, lcrs.project(geoms), strict=True)]
    depth = [d for d, _ in measured]
    cross = [c for _, c in measured]
    near = nearest(shapely.point_on_surface(geoms))["name"].to_numpy()
    largest = [s.split(", ")[0] if s else n for s, n in zip(changes["settlements"], near,
                                                             strict=True)]
    out = gpd.GeoDataFrame({
        "id": [_breach_id(date, g) for g in geoms],
        "advanced": changes["to_side"].to_numpy(),
        "region": changes["region"].to_numpy(), "km2": changes["km2"].to_numpy(),
        "depth_km": depth, "cross_border": cross, "settlement": largest,
        "population": changes["population"].to_numpy(),
    }, geometry=list(geoms), crs="OGC:CRS84")
    return out.sort_values(["km2", "id"], ascending=[False, True]).reset_index(drop=True)


def _depth_from_border(geom_m, land, border: LineReach) -> float:
    """How far (km) a CONFORMAL polygon reaches into Ukraine's land from its outline: the
    farthest point of its part on land (0 when no part is on land)."""
    if not geom_m.is_valid:  # projecting a valid lon/lat sliver can fold it
        geom_m = shapely.make_valid(geom_m)
    inside = polygon_parts(shapely.intersection(geom_m, clip_box(land, shapely.bounds(geom_m))))
    return max((border.farthest(p)[0] / 1e3 for p in inside), default=0.0)


def check(freeze: Freeze, later: Snapshot, *, min_km2: float = 0.01,
          min_width_m: float = 25.0) -> Report:
    """Breaches of ``freeze``'s line found in the ``later`` snapshot.

    Parameters
    ----------
    freeze : Freeze
        The agreed freeze (adopted areas and line).
    later : Snapshot
        A later snapshot to check.
    min_km2, min_width_m : float
        Changes smaller or thinner than this are *within tolerance* (see :func:`loc.diff`).

    Returns
    -------
    Report
        Breaches and the changes within tolerance.

    Raises
    ------
    OptionError
        For a snapshot dated before the freeze.

    Examples
    --------
    >>> import loc
    >>> frozen = loc.freeze(loc.read(loc.sample_paths()[1]))
    >>> report = loc.check(frozen, loc.sample())
    >>> report.breaches["advanced"].value_counts().to_dict()
    {'ru': 17, 'ua': 7}
    """
    if not isinstance(freeze, Freeze):
        raise TypeError(f"check needs a Freeze (loc.freeze(snapshot)), not "
                        f"{type(freeze).__name__}")
    if not isinstance(later, Snapshot):
        raise TypeError(f"check needs a later Snapshot (loc.read(path)), not "
                        f"{type(later).__name__}")
    frozen_on = freeze.snapshot.date
    if frozen_on is not None and later.date is not None and later.date < frozen_on:
        raise OptionError(f"the snapshot of {later.date.isoformat()} is older than the freeze "
                          f"({frozen_on.isoformat()}): only later snapshots can breach it")
    changes = diff(freeze.snapshot, later, min_km2=min_km2, min_width_m=min_width_m)
    line_m = lcrs.project(shapely.union_all(contact_only(freeze.line).geometry.values))
    date = later.label
    return Report(breaches=_frame(changes.changes, line_m, date),
                  within_tolerance=_frame(changes.slivers, line_m, date),
                  date_frozen=freeze.snapshot.label, date_checked=date)


def check_series(freeze: Freeze, snapshots: list[Snapshot]) -> pd.DataFrame:
    """Track breaches over later snapshots: when each first appeared and how it evolved.

    A breach on one date continues a breach of the previous date when they overlap; it then
    keeps that breach's id.

    Parameters
    ----------
    freeze : Freeze
        The agreed freeze.
    snapshots : list of Snapshot
        Later snapshots, each with a date (at least one).

    Returns
    -------
    pandas.DataFrame
        One row per breach id: ``id``, ``advanced``, ``region``, ``first_seen``,
        ``last_seen``, ``first_km2``, ``last_km2``, ``max_km2``, ``status`` (``growing``,
        ``shrinking``, ``stable``; ``merged`` into the breach ``merged_into``; or ``ended``
        when it is no longer there) and ``merged_into``.

    Examples
    --------
    >>> import loc
    >>> frozen = loc.freeze(loc.read(loc.sample_paths()[1]))
    >>> tracked = loc.check_series(frozen, loc.read_series(loc.sample_paths()[1:]))
    >>> list(tracked.columns[:4])
    ['id', 'advanced', 'region', 'first_seen']
    """
    if isinstance(snapshots, Snapshot) or not isinstance(snapshots, (list, tuple)):
        raise TypeError("check_series needs a list of Snapshots")
    if not snapshots:
        raise OptionError("check_series needs at least one later snapshot")
    for s in snapshots:
        if not isinstance(s, Snapshot):
            raise TypeError(f"check_series needs Snapshots (loc.read_series(paths)), not "
                            f"{type(s).__name__}")
        if s.date is None:
            raise OptionError("every snapshot of a series needs a date")
    snaps = sorted(snapshots, key=lambda s: s.date or dt.date.min)
    tracks: dict[str, dict] = {}
    previous: list[tuple[str, object]] = []
    last_label = snaps[-1].label if snaps else ""
    for snap in snaps:
        rep = check(freeze, snap)
        current: list[tuple[str, object]] = []
        for rec, geom in zip(rep.breaches.to_dict(orient="records"),
                             rep.breaches.geometry.values, strict=True):
            match = next((pid for pid, pg in previous if shapely.intersects(pg, geom)
                          and shapely.area(shapely.intersection(pg, geom)) > 0), None)
            bid = match or rec["id"]
            t = tracks.setdefault(bid, {"id": bid, "advanced": rec["advanced"],
                                        "region": rec["region"], "first_seen": snap.label,
                                        "first_km2": rec["km2"], "km2": {}})
            t["km2"][snap.label] = t["km2"].get(snap.label, 0.0) + rec["km2"]
            t["last_seen"] = snap.label
            current.append((bid, geom))
        continued = {bid for bid, _ in current}
        for pid, pg in previous:
            if pid in continued:
                continue
            into = next((bid for bid, g in current if shapely.intersects(pg, g)), None)
            if into is not None:
                tracks[pid]["merged_into"] = into
        previous = current
    rows = []
    for t in tracks.values():
        series = list(t["km2"].values())
        if t.get("merged_into"):
            status = "merged"
        elif t["last_seen"] != last_label:
            status = "ended"
        elif len(series) > 1 and series[-1] > series[-2] * 1.001:
            status = "growing"
        elif len(series) > 1 and series[-1] < series[-2] * 0.999:
            status = "shrinking"
        else:
            status = "stable"
        rows.append({"id": t["id"], "advanced": t["advanced"], "region": t["region"],
                     "first_seen": t["first_seen"], "last_seen": t["last_seen"],
                     "first_km2": t["first_km2"], "last_km2": series[-1],
                     "max_km2": max(series), "status": status,
                     "merged_into": t.get("merged_into", "")})
    columns = ["id", "advanced", "region", "first_seen", "last_seen", "first_km2", "last_km2",
               "max_km2", "status", "merged_into"]
    return (pd.DataFrame(rows, columns=columns).sort_values(["first_seen", "id"])
            .reset_index(drop=True))


# -- incidents ------------------------------------------------------------------------------

def _warn_unknown_weapons(pts: gpd.GeoDataFrame, column: str | None,
                          zones: gpd.GeoDataFrame) -> None:
    """Warn when incidents name weapon classes no belt has: they are checked against no
    belt, and the user should know that rather than read 'no violation'."""
    if column is None or "weapon_class" not in zones or "kind" not in zones:
        return
    belts = zones[zones["kind"] == "belt"]
    known = {str(v).casefold() for v in (*belts["weapon_class"], *belts["zone"])}
    given = {str(v).strip() for v in pts[column] if str(v).strip()}
    unknown = sorted(v for v in given if v.casefold() not in known)
    if unknown and len(belts):
        classes = sorted(set(belts["weapon_class"].astype(str)))
        warnings.warn(f"incidents name weapon classes no belt has ({', '.join(unknown[:5])}"
                      f"{' ...' if len(unknown) > 5 else ''}): they are checked against no "
                      f"belt; known classes: {', '.join(classes)}", LocWarning, stacklevel=3)


def is_armed(kind: str) -> bool:
    """Whether an event type is armed activity: every type except protests, humanitarian
    and similar events (:data:`UNARMED`, compared whole: a type that only mentions one,
    such as "Drone strike on peaceful residents", is armed).

    Parameters
    ----------
    kind : str
        The event type (``""`` when unknown counts as armed).

    Returns
    -------
    bool
        True for armed activity.

    Examples
    --------
    >>> is_armed("Battles"), is_armed("Protests"), is_armed(" peaceful  PROTEST ")
    (True, False, False)
    >>> is_armed("Attack on humanitarian convoy")
    True
    """
    return " ".join(str(kind).split()).casefold() not in UNARMED


def armed(points: pd.DataFrame) -> np.ndarray:
    """Whether each incident is armed activity, from all of its event-type columns
    (:data:`TYPE_NAMES`: ACLED's ``event_type`` and ``sub_event_type``): it is not when any
    of them is unarmed (:func:`is_armed`), so "Strategic developments" / "Agreement" is not
    armed; an incident without a type counts as armed.

    Parameters
    ----------
    points : pandas.DataFrame
        Incidents.

    Returns
    -------
    numpy.ndarray
        One bool per row.

    Examples
    --------
    >>> import pandas as pd
    >>> armed(pd.DataFrame({"event_type": ["Strategic developments", "Battles"],
    ...                     "sub_event_type": ["Agreement", "Armed clash"]})).tolist()
    [False, True]
    """
    columns = [c for c in points.columns if str(c).lower().strip() in TYPE_NAMES]
    out = np.ones(len(points), dtype=bool)
    for c in columns:
        values = points[c].to_numpy(dtype=object)
        out &= np.array([pd.isna(v) or is_armed(str(v)) for v in values], dtype=bool)
    return out


EVENT_ID_NAMES = ("event_id_cnty", "event_id", "id")
"""Columns that identify an incident (ACLED, VIINA, any file with an ``id``)."""


def _refuse_repeated_ids(pts: gpd.GeoDataFrame, where: str | None) -> None:
    """Refuse incidents with one id on several rows (a re-exported row would count twice
    and could flip a verdict)."""
    column = pick_column(list(pts.columns), EVENT_ID_NAMES)
    if column is None:
        return
    ids = pts[column].dropna().astype(str).str.strip()
    ids = ids[ids != ""]
    repeated = ids[ids.duplicated()]
    if len(repeated):
        first = repeated.iloc[0]
        raise InputError(f"incident {column} {first[:40]!r} is on {int((ids == first).sum())} "
                         f"rows ({len(set(repeated))} id(s) repeated): give each incident one "
                         "row", where)


def dated_between(incidents: gpd.GeoDataFrame, first: dt.date | None,
                  last: dt.date | None, where: str = "incidents",
                  dates: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """The incidents a check of a freeze of ``first`` on ``last`` judges: those dated from
    ``first`` to ``last``, both days included.

    A row dated before the freeze (it did not hold yet), after the day checked (not
    observed as of that day) or without a readable date
    (:func:`loc.io.incidents.incident_dates`) is left out, with one warning for each kind
    saying how many and the days. A bound that is None (an undated snapshot) leaves that
    side open, with a warning.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        Incidents as :func:`loc.read_incidents` gives them.
    first, last : datetime.date or None
        The freeze's date and the date checked.
    where : str
        The file, for messages.
    dates : numpy.ndarray, optional
        The rows' days as :func:`loc.io.incidents.incident_dates` read them (and warned of
        the unreadable ones), when the caller has them already.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows kept, in file order, index reset.

    Raises
    ------
    InputError
        When no column holds dates.

    Examples
    --------
    >>> import datetime as dt, geopandas as gpd, shapely
    >>> pts = gpd.GeoDataFrame({"event_date": ["2025-01-01", "2025-09-06", "2099-01-01"]},
    ...                        geometry=[shapely.Point(37.8, 48.4)] * 3, crs=4326)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):  # two rows left out, with a warning each
    ...     kept = dated_between(pts, dt.date(2025, 9, 5), dt.date(2025, 9, 30))
    >>> kept["event_date"].tolist()
    ['2025-09-06']
    """
    if dates is None:
        dates = incident_dates(incidents, where)
    known = np.array([d is not None for d in dates], dtype=bool)
    keep = known.copy()
    for bound, what in ((first, "the freeze is undated: rows dated before it cannot be told "
                                "apart"),
                        (last, "the snapshot checked is undated: rows dated after it cannot "
                               "be told apart")):
        if bound is None and known.any():
            warnings.warn(f"{where}: {what}; every dated row on that side is judged (give "
                          "dated snapshots: *_YYYYMMDD.* or a date property)", LocWarning,
                          stacklevel=2)
    for bound, outside, what in (
            (first, lambda d: d < first, "before the freeze of {} left out (it did not hold "
                                         "yet)"),
            (last, lambda d: d > last, "after {}, the day checked, left out (not observed "
                                       "as of then)")):
        if bound is None:
            continue
        out = np.array([d is not None and outside(d) for d in dates], dtype=bool)
        if out.any():
            days = sorted(d.isoformat() for d in dates[out])
            span = days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}"
            warnings.warn(f"{where}: {int(out.sum())} incident row(s) dated "
                          f"{what.format(bound.isoformat())}: {span}", LocWarning, stacklevel=2)
        keep &= ~out
    return incidents[keep].reset_index(drop=True)


def classify(incidents: gpd.GeoDataFrame | str | Path, freeze: Freeze,
             zones: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Classify incident points against a freeze and its zones.

    Adds ``side`` (``ru``, ``ua``, ``contested``, ``line`` within 10 m of the frozen line, or
    ``outside``), ``distance_km`` (geodesic distance to the frozen line: positive on the
    Russian-held side, negative on the Ukrainian-held and contested side, unsigned for a
    point ``outside``, abroad or at sea), ``zones`` (``zone/side`` names it falls in,
    ``;``-separated), ``violation`` and ``rule``, and ``uncertain`` (a ``geo_precision`` of
    2 or 3, or one left empty or unreadable in a file that has the column, puts the true
    place within 5 or 25 km, and that circle reaches the line or a zone edge).

    Rules: any armed activity (every event except protests, humanitarian and similar, by
    its event type or sub-event type: :func:`armed`) inside a demilitarized ``buffer``
    zone; a weapon class (column ``weapon_class``,
    ``weapon`` or ``class``, matching a belt's class id or label) inside its withdrawal belt.
    A weapon class that no belt has is reported in a :class:`~loc.errors.LocWarning`
    listing the known classes.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame or path
        Incident points, or a file for :func:`loc.read_incidents`.
    freeze : Freeze
        The agreed freeze.
    zones : geopandas.GeoDataFrame, optional
        Buffers, belts and sites (``zone``, ``kind``, ``side``, ``weapon_class``).

    Returns
    -------
    geopandas.GeoDataFrame
        The incidents with the columns above added.

    Examples
    --------
    >>> import geopandas as gpd, shapely, loc
    >>> frozen = loc.freeze(loc.sample())
    >>> zones = loc.buffer_zone(frozen, 10)
    >>> shots = gpd.GeoDataFrame({"event_type": ["Battles"], "event_date": ["2025-09-06"]},
    ...                          geometry=[shapely.Point(32.139, 46.421)], crs=4326)
    >>> loc.classify(shots, frozen, zones)[["side", "zones", "violation"]].values.tolist()
    [['ru', 'buffer 10 km/ru', True]]
    """
    if not isinstance(freeze, Freeze):
        raise TypeError(f"classify needs a Freeze, not {type(freeze).__name__}")
    if isinstance(incidents, (str, Path)):
        pts = read_incidents(incidents)
    elif isinstance(incidents, gpd.GeoDataFrame):
        pts = checks.frame(incidents, "incidents", geometry=("Point",))
        empty = (pts.geometry.isna() | pts.geometry.is_empty).to_numpy()
        if empty.any():  # as a file's features without a position are
            warnings.warn(f"incidents: {int(empty.sum())} row(s) without a position skipped "
                          f"(rows {', '.join(map(str, np.flatnonzero(empty)[:10]))})",
                          LocWarning, stacklevel=2)
            pts = pts[~empty]
        pts = lonlat_frame(pts, "incidents").copy()
    else:
        raise TypeError("incidents must be a file path or a GeoDataFrame of points, not "
                        f"{type(incidents).__name__}")
    _refuse_repeated_ids(pts, str(incidents) if isinstance(incidents, (str, Path)) else None)
    line = shapely.union_all(contact_only(freeze.line).geometry.values)
    line_m = lcrs.project(line)
    geoms = pts.geometry.values
    pts_m = lcrs.project(geoms)
    xy = shapely.get_coordinates(geoms)
    near = shapely.get_point(shapely.shortest_line(pts_m, line_m), 1) if len(pts) else pts_m
    dist = lcrs.geodesic_m(geoms, lcrs.unproject(near)) if len(pts) else np.array([])
    side = freeze.snapshot.side_at(xy[:, 0], xy[:, 1])
    side[side == ""] = "outside"
    on_line = dist < ON_LINE_M
    side[on_line] = "line"
    # signed on the two sides of the line; a point abroad or at sea is on neither
    signed = np.where((side == "ru") | (side == "outside"), dist,
                      np.where(on_line, 0.0, -dist)) / 1e3
    cols = list(pts.columns)
    weapon_c = pick_column(cols, WEAPON_NAMES)
    is_armed_row = armed(pts)
    prec_c = pick_column(cols, PRECISION_NAMES)
    zone_names, violation, rule, uncertain = [], [], [], []
    zones = lonlat_frame(checks.frame(zones, "zones", ("zone", "kind", "side")), "zones") \
        if zones is not None else gpd.GeoDataFrame({"zone": [], "kind": [], "side": []},
                                                   geometry=[], crs="OGC:CRS84")
    # the line and every zone's edge, apart: a union of them noded hundreds of overlapping
    # circles (an agreement of 500 crossings at one place took 6 GB)
    edges = shapely.STRtree(lcrs.project(np.asarray(
        [line, *shapely.boundary(zones.geometry.values)], dtype=object)))
    _warn_unknown_weapons(pts, weapon_c, zones)
    for i, (rec, p) in enumerate(zip(pts.drop(columns=pts.geometry.name).to_dict(orient="records"),
                                     geoms, strict=True)):
        inside = [(z, k, s, w) for z, k, s, w, g in zip(
            zones["zone"], zones["kind"], zones["side"],
            zones.get("weapon_class", pd.Series([""] * len(zones))), zones.geometry.values,
            strict=True) if not g.is_empty and shapely.intersects(g, p)]
        zone_names.append(";".join(f"{z}/{s}" if s else z for z, _, s, _ in inside))
        weapon = str(rec.get(weapon_c, "")).strip().casefold() if weapon_c else ""
        broken = []
        if any(k == "buffer" for _, k, _, _ in inside) and is_armed_row[i]:
            broken.append("armed activity inside the demilitarized buffer")
        for z, k, s, w in inside:
            if k == "belt" and weapon and weapon in (str(w).casefold(), str(z).casefold()):
                broken.append(f"{z} inside its withdrawal belt ({s} side)")
        violation.append(bool(broken))
        rule.append("; ".join(broken))
        try:  # a precision left empty or unreadable is not exact: the coarsest is taken
            prec = int(float(rec.get(prec_c, 1))) if prec_c else 1
        except (ValueError, OverflowError):
            prec = 3
        radius = PRECISION_KM.get(prec, PRECISION_KM[3]) * 1e3
        uncertain.append(bool(radius > 0 and len(edges.query(pts_m[i], predicate="dwithin",
                                                             distance=radius))))
    out = pts.copy()
    out["side"] = side
    out["distance_km"] = signed
    # typed, so that an empty report has the columns of a full one (a boolean mask)
    out["zones"] = pd.Series(zone_names, index=out.index, dtype=object)
    out["violation"] = np.asarray(violation, dtype=bool)
    out["rule"] = pd.Series(rule, index=out.index, dtype=object)
    out["uncertain"] = np.asarray(uncertain, dtype=bool)
    return out
