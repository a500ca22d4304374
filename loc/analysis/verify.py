"""Verification of an agreement, phase by phase: a verdict per condition with its evidence.

Day 0 is the agreement's ``in_force`` date; a phase holds from ``from_day`` to ``to_day``
(inclusive; open-ended without it). As of a date, a phase's *window* is its days up to that
date. Each condition gets one status:

``pending``
    The phase has not started as of the date (the window is empty).
``breached``
    A violation was seen on a day of the window with data; missing days cannot undo it.
``no-data``
    Nothing was seen, but some day of the window has no data (the days are listed).
``met``
    Nothing was seen and every day of the window has data.

Which days have data: for ``no_advance``, each calendar day of the window needs a snapshot
of that date; for the incident conditions (``zone_clear``, ``withdrawn``,
``corridor_open``, ``crossing_open``), a day is covered when it lies within the incident
reports' span: from their first to their last event date (every dated row counts, wherever
it is), or the span given as ``incidents_cover``; without incident reports no day is
covered. An incident row without a readable date covers no day and is never evidence of a
breach; but if such rows lie where a condition looks and, counted on one day, would take it
over its limit, no day of the window is certain and the condition cannot be ``met`` (it is
``no-data``, saying how many rows). A phase is ``breached`` if any condition is, ``met`` if
all are, ``pending`` if all are, else ``no-data``.

``no_advance`` checks every snapshot of the window against the freeze (:func:`loc.check`):
a breach counts when it is larger than ``max_km2`` or deeper than ``max_depth_km`` (a limit
written alone is the only criterion; with neither, every breach counts). The
evidence lists the breaches standing on the window's last snapshot (exactly as
:func:`loc.check` finds them for the freeze and that snapshot), with the day each was first
seen (following overlapping breaches back day by day), then the breaches seen earlier in the
window and no longer standing, as on the last day they were seen.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import geo
from loc.analysis.compliance import (
    TYPE_NAMES,
    WEAPON_NAMES,
    Report,
    armed,
    check,
    classify,
)
from loc.analysis.freeze import Freeze, freeze
from loc.analysis.zones import buffer_zone, protected_sites, withdrawal_belts
from loc.dates import parse_date
from loc.errors import DateError, LocError, LocWarning
from loc.io.agreements import BUFFER, Condition, Phase, Terms, read_agreement, read_freeze
from loc.io.incidents import incident_dates, pick_column
from loc.io.inputs import Item, as_snapshot, series
from loc.io.rings import PlainReader
from loc.io.store import warn_repeated_snapshots
from loc.model import Snapshot

STATUSES = ("met", "breached", "pending", "no-data")
"""The verdicts, in the words of the agreement's monitors."""
ID_NAMES = ("event_id_cnty", "event_id", "id", "name")
"""Incident id columns, most preferred first."""
CROSSING_KM = 1.0
"""Radius (km) a crossing is drawn with when no condition names a distance for it."""


@dataclass
class ConditionVerdict:
    """The verdict on one condition.

    Attributes
    ----------
    kind : str
        The condition's kind.
    params : dict
        Its parameters.
    text : str
        What it requires, in words.
    status : str
        One of :data:`STATUSES`.
    detail : str
        Why, in one line.
    evidence : list of dict
        Breaches or incident rows behind the verdict.
    missing_days : list of str
        Days of the window without data (``YYYY-MM-DD``).
    """

    kind: str
    params: dict
    text: str
    status: str
    detail: str
    evidence: list[dict] = field(default_factory=list)
    missing_days: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The condition as in ``loc verify --format json``.

        Returns
        -------
        dict
            ``kind``, ``condition``, ``params``, ``status``, ``detail``, ``missing_days``,
            ``evidence``.
        """
        return {"kind": self.kind, "condition": self.text, "params": self.params,
                "status": self.status, "detail": self.detail,
                "missing_days": self.missing_days, "evidence": self.evidence}


@dataclass
class PhaseVerdict:
    """The verdict on one phase.

    Attributes
    ----------
    name : str
        The phase.
    start : datetime.date
        Its first day.
    end : datetime.date or None
        Its last day (None: open-ended).
    status : str
        One of :data:`STATUSES`.
    conditions : list of ConditionVerdict
        One per condition.
    """

    name: str
    start: dt.date
    end: dt.date | None
    status: str
    conditions: list[ConditionVerdict]

    def to_dict(self) -> dict:
        """The phase as in ``loc verify --format json``.

        Returns
        -------
        dict
            ``name``, ``from``, ``to``, ``status``, ``conditions``.
        """
        return {"name": self.name, "from": self.start.isoformat(),
                "to": self.end.isoformat() if self.end else None, "status": self.status,
                "conditions": [c.to_dict() for c in self.conditions]}


@dataclass
class Verification:
    """An agreement verified as of a date.

    Attributes
    ----------
    terms : Terms
        The agreement.
    as_of : datetime.date
        The date verified.
    phases : list of PhaseVerdict
        One per phase, in the agreement's order.
    freeze : Freeze
        The freeze (the agreement's frozen snapshot, frozen as is).
    zones : geopandas.GeoDataFrame
        Buffer, belts, sites, corridors and crossings (``zone``, ``kind``, ``side``), lon/lat.
    breaches : geopandas.GeoDataFrame
        The breaches in the evidence, with ``first_seen``, ``last_seen``, ``standing``.
    incidents : geopandas.GeoDataFrame or None
        The incident rows in the evidence, classified (:func:`loc.classify`).
    snapshots : list of Snapshot
        Every snapshot read, oldest first.
    latest : Snapshot
        The last snapshot read (the freeze when none was).
    incidents_cover : (datetime.date, datetime.date) or None
        The days the incident reports cover.
    notes : list of str
        Warnings raised while reading the inputs (rows skipped, ...).
    """

    terms: Terms
    as_of: dt.date
    phases: list[PhaseVerdict]
    freeze: Freeze
    zones: gpd.GeoDataFrame
    breaches: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame | None
    snapshots: list[Snapshot]
    latest: Snapshot
    incidents_cover: tuple[dt.date, dt.date] | None
    notes: list[str]

    def to_dict(self) -> dict:
        """The ``loc verify --format json`` document.

        Returns
        -------
        dict
            ``agreement``, ``as_of``, ``in_force``, ``incidents_cover``, ``notes`` and
            ``phases`` (see :meth:`PhaseVerdict.to_dict`).
        """
        cover = self.incidents_cover
        return {"agreement": self.terms.name, "as_of": self.as_of.isoformat(),
                "in_force": self.terms.in_force.isoformat(),
                "incidents_cover": [d.isoformat() for d in cover] if cover else None,
                "notes": self.notes, "phases": [p.to_dict() for p in self.phases]}


def day_ranges(days: list[str]) -> str:
    """Consecutive days written as ranges, for people.

    Parameters
    ----------
    days : list of str
        Sorted ``YYYY-MM-DD`` dates.

    Returns
    -------
    str
        E.g. ``"2025-01-01, 2025-03-31..2025-04-01"``.

    Examples
    --------
    >>> day_ranges(["2025-01-01", "2025-03-31", "2025-04-01"])
    '2025-01-01, 2025-03-31..2025-04-01'
    """
    out: list[list[dt.date]] = []
    for d in (dt.date.fromisoformat(x) for x in days):
        if out and (d - out[-1][1]).days == 1:
            out[-1][1] = d
        else:
            out.append([d, d])
    return ", ".join(a.isoformat() if a == b else f"{a}..{b}" for a, b in out)


def describe(condition: Condition, terms: Terms) -> str:
    """What a condition requires, in words.

    Parameters
    ----------
    condition : Condition
        The condition.
    terms : Terms
        Its agreement (for weapon class labels).

    Returns
    -------
    str
        One line.
    """
    p = condition.params
    if condition.kind == "no_advance":
        limits = [f"{word} than {p[key]:g} {unit}" for key, word, unit in (
            ("max_km2", "larger", "km²"), ("max_depth_km", "deeper", "km"))
            if p[key] is not None]
        return "no advance beyond the frozen line " + " or ".join(limits)
    what = ("incidents of " + ", ".join(p["classes"])) if p.get("classes") else \
        "armed incidents"
    limit = f"at most {p['max_incidents']}"
    if condition.kind == "zone_clear":
        zone = "the demilitarized buffer" if p["zone"] == BUFFER else p["zone"]
        return f"{zone} clear of {what} ({limit})"
    if condition.kind == "withdrawn":
        assert terms.belts is not None
        label = terms.belts.classes[p["weapon_class"]]["label"]
        return f"{label} withdrawn: no observation inside its belt ({limit})"
    place = p.get("corridor") or p.get("crossing")
    return f"{place} open: {what} within {p['within_km']:g} km ({limit})"


def _status(seen: bool, missing: list[str]) -> str:
    return "breached" if seen else ("no-data" if missing else "met")


def phase_status(statuses: list[str]) -> str:
    """A phase's status from its conditions'.

    Parameters
    ----------
    statuses : list of str
        The conditions' statuses.

    Returns
    -------
    str
        ``breached`` if any is, ``met`` or ``pending`` if all are, else ``no-data``.

    Examples
    --------
    >>> phase_status(["met", "no-data"]), phase_status(["met", "breached", "no-data"])
    ('no-data', 'breached')
    """
    if "breached" in statuses:
        return "breached"
    for s in ("met", "pending"):
        if all(x == s for x in statuses):
            return s
    return "no-data"


def agreement_zones(terms: Terms, frozen: Freeze) -> gpd.GeoDataFrame:
    """The zones of an agreement around its frozen line: the buffer, the belts, the sites
    and corridors, and the crossings (circles of the largest ``within_km`` a condition gives
    them, else :data:`CROSSING_KM`).

    Parameters
    ----------
    terms : Terms
        The agreement.
    frozen : Freeze
        Its freeze.

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone``, ``kind`` (``buffer``, ``belt``, ``site``, ``corridor``, ``crossing``),
        ``side``, ``width_km``, ``area_km2``, ``settlements``, ``population``, ``largest``,
        ``weapon_class``; lon/lat.
    """
    parts = []
    if terms.widths is not None:
        parts.append(buffer_zone(frozen, widths=terms.widths, name=BUFFER))
    if terms.belts is not None:
        parts.append(withdrawal_belts(frozen, terms.belts))
    places = [*terms.sites, *terms.corridors]
    reach: dict[str, float] = {}
    for phase in terms.phases:
        for c in phase.conditions:
            if c.kind == "crossing_open":
                name = c.params["crossing"]
                reach[name] = max(reach.get(name, 0.0), c.params["within_km"])
    crossings = [{"name": x["name"], "lat": x["lat"], "lon": x["lon"],
                  "radius_km": reach.get(x["name"], CROSSING_KM)} for x in terms.crossings]
    # an agreement's site or crossing is its whole circle (a strike at sea inside it
    # counts), not only its part on land
    try:  # a site's message names the agreement's file it is written in
        if places:
            parts.append(protected_sites(places, clip="none"))
        if crossings:
            parts.append(protected_sites(crossings, clip="none").assign(kind="crossing"))
    except LocError as exc:
        if exc.path is not None:
            raise
        raise type(exc)(str(exc), terms.path) from None
    if not parts:
        return gpd.GeoDataFrame({"zone": [], "kind": [], "side": [], "weapon_class": []},
                                geometry=[], crs="OGC:CRS84")
    out = pd.concat(parts, ignore_index=True)
    if "weapon_class" not in out:
        out["weapon_class"] = ""
    out["weapon_class"] = out["weapon_class"].fillna("")
    return gpd.GeoDataFrame(out, geometry="geometry", crs="OGC:CRS84")


class _Days:
    """The snapshots of the series by date, read and checked once each."""

    def __init__(self, items: list[tuple[dt.date, Item]], frozen: Freeze,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.items = dict(items)
        self.frozen = frozen
        self.progress = progress
        self.read: dict[dt.date, Snapshot] = {}
        self.reports: dict[dt.date, Report] = {}
        self.plain = PlainReader(geo.UKRAINE_BBOX)

    def snapshot(self, day: dt.date) -> Snapshot:
        if day not in self.read:
            self.read[day] = as_snapshot(self.items[day], plain=self.plain)
        return self.read[day]

    def report(self, day: dt.date) -> Report:
        if day not in self.reports:
            self.reports[day] = check(self.frozen, self.snapshot(day))
            if self.progress is not None:
                self.progress(len(self.reports), len(self.items))
        return self.reports[day]


def _breach_record(rec: dict, first: dt.date, last: dt.date, standing: bool) -> dict:
    return {"id": rec["id"], "advanced": rec["advanced"], "region": rec["region"],
            "km2": round(float(rec["km2"]), 4), "depth_km": round(float(rec["depth_km"]), 3),
            "settlement": rec["settlement"], "population": int(rec["population"]),
            "first_seen": first.isoformat(), "last_seen": last.isoformat(),
            "standing": standing}


def _overlapping(prev: list, cur_geoms: list) -> list[set[int]]:
    """For each previous breach, the current breaches sharing area with it (compared as
    valid geometries: a breach unprojected to lon/lat may self-touch)."""
    out: list[set[int]] = [set() for _ in prev]
    if not prev or not cur_geoms:
        return out
    before = shapely.make_valid(np.array([g for g, *_ in prev], dtype=object))
    after = shapely.make_valid(np.array(cur_geoms, dtype=object))
    pi, ci = shapely.STRtree(after).query(before, predicate="intersects")
    if len(pi):
        shared = shapely.area(shapely.intersection(before[pi], after[ci]))
        for i, j, a in zip(pi, ci, shared, strict=True):
            if a > 0:
                out[int(i)].add(int(j))
    return out


def _no_advance(c: Condition, days: list[dt.date], store: _Days,
                geoms: dict) -> tuple[bool, list[str], list[dict], str]:
    max_km2, max_depth = c.params["max_km2"], c.params["max_depth_km"]
    present = [d for d in days if d in store.items]
    missing = [d.isoformat() for d in days if d not in store.items]
    prev: list[tuple] = []  # (geometry, first seen, record, day)
    ended: list[dict] = []
    for day in present:
        b = store.report(day).breaches
        keep = b[((b["km2"] > max_km2) if max_km2 is not None else False)
                 | ((b["depth_km"] > max_depth) if max_depth is not None else False)]
        recs = keep.drop(columns="geometry").to_dict(orient="records")
        cur_geoms = list(keep.geometry.values)
        links = _overlapping(prev, cur_geoms)
        first = [day] * len(recs)
        for (_, f, _, _), js in zip(prev, links, strict=True):
            for j in js:
                first[j] = min(first[j], f)
        for (g, f, rec, seen), js in zip(prev, links, strict=True):
            if not js:
                ended.append(_breach_record(rec, f, seen, False))
                geoms[(rec["id"], seen.isoformat())] = g
        prev = [(g, f, rec, day) for g, f, rec in zip(cur_geoms, first, recs, strict=True)]
    standing = [_breach_record(rec, f, seen, True) for _, f, rec, seen in prev]
    for g, _, rec, seen in prev:
        geoms[(rec["id"], seen.isoformat())] = g
    ended.sort(key=lambda r: (r["last_seen"], -r["km2"], r["id"]))
    evidence = standing + ended
    last = present[-1].isoformat() if present else ""
    if evidence:
        km2 = sum(r["km2"] for r in standing)
        detail = (f"{len(standing)} breach(es) standing on {last} ({km2:,.2f} km²)"
                  if standing else f"no breach standing on {last}")
        if ended:
            detail += (f"; {len(ended)} more seen earlier in the phase and no longer "
                       "standing")
    elif present:
        detail = f"no breach on the {len(present)} day(s) with a snapshot"
    else:
        detail = "no snapshot in the phase"
    if missing:
        detail += f"; {len(missing)} day(s) without a snapshot"
    return bool(evidence), missing, evidence, detail


@dataclass
class _Incidents:
    """Classified incident points with their dates, what the files cover, and columns."""

    points: gpd.GeoDataFrame
    dates: np.ndarray
    cover: tuple[dt.date, dt.date] | None
    type_column: str | None
    class_columns: list[str]
    weapon_column: str | None
    id_column: str | None


def _load_incidents(incidents, frozen: Freeze, zones: gpd.GeoDataFrame,
                    cover, when: dt.date) -> _Incidents | None:
    """The incidents dated up to ``when`` (a row dated later is not observed yet as of
    ``when``: it is left out with a warning, and covers nothing)."""
    if incidents is None:
        return None
    where = str(incidents) if isinstance(incidents, (str, Path)) else "incidents"
    pts = classify(incidents, frozen, zones)
    dates = incident_dates(pts, where)
    later = np.array([d is not None and d > when for d in dates], dtype=bool)
    if later.any():
        warnings.warn(f"{where}: {int(later.sum())} incident row(s) dated after "
                      f"{when.isoformat()} left out (first: {min(dates[later]).isoformat()}); "
                      "they neither count nor cover days", LocWarning, stacklevel=3)
    # a row without a readable date is kept: it covers no day, but it may lie in a zone
    keep = np.array([d is None or d <= when for d in dates], dtype=bool)
    pts, dates = pts[keep].reset_index(drop=True), dates[keep]
    dated = [d for d in dates if d is not None]
    if cover is None and dated:
        cover = (min(dated), max(dated))
    cols = list(pts.columns)
    return _Incidents(
        points=pts, dates=dates, cover=cover, type_column=pick_column(cols, TYPE_NAMES),
        class_columns=[c for c in cols if c.lower().strip() in (*TYPE_NAMES, *WEAPON_NAMES)],
        weapon_column=pick_column(cols, WEAPON_NAMES), id_column=pick_column(cols, ID_NAMES))


def _incident_record(inc: _Incidents, i: int) -> dict:
    rec = inc.points.iloc[i]
    g = inc.points.geometry.values[i]

    def text(col):
        return "" if col is None or pd.isna(rec[col]) else " ".join(str(rec[col]).split())

    return {"line": int(rec["source_line"]) if "source_line" in rec else i + 1,
            "id": text(inc.id_column), "date": inc.dates[i].isoformat(),
            "lat": round(float(g.y), 6), "lon": round(float(g.x), 6),
            "type": text(inc.type_column), "weapon_class": text(inc.weapon_column),
            "side": str(rec["side"]), "distance_km": round(float(rec["distance_km"]), 3),
            "uncertain": bool(rec["uncertain"])}


def _area_of(zones: gpd.GeoDataFrame, mask) -> object:
    return shapely.union_all(zones.geometry.values[np.asarray(mask, dtype=bool)])


def _incident_condition(c: Condition, days: list[dt.date], inc: _Incidents | None,
                        zones: gpd.GeoDataFrame, terms: Terms, used: set[int]
                        ) -> tuple[bool, list[str], list[dict], str]:
    p = c.params
    if inc is None:
        return False, [d.isoformat() for d in days], [], "no incident reports given"
    cover = inc.cover
    missing = [d.isoformat() for d in days if cover is None or not cover[0] <= d <= cover[1]]
    first, last = days[0], days[-1]
    in_window = np.array([d is not None and first <= d <= last for d in inc.dates],
                         dtype=bool)
    undated = np.array([d is None for d in inc.dates], dtype=bool)
    pts = inc.points.geometry.values
    classes = {x.casefold() for x in p.get("classes", [])}
    aside = ""
    if c.kind == "withdrawn":
        if inc.weapon_column is None:
            return False, [d.isoformat() for d in days], [], \
                "the incident reports have no weapon_class column: no observation possible"
        cls = p["weapon_class"]
        names = {cls.casefold()}
        names |= {str(z).casefold() for z in zones.loc[zones["weapon_class"] == cls, "zone"]}
        kind = np.array([str(v).strip().casefold() in names
                         for v in inc.points[inc.weapon_column]], dtype=bool)
        belt = (zones["kind"] == "belt") & (zones["weapon_class"] == cls)
        area = _area_of(zones, belt)
        place = shapely.intersects(area, pts) if len(pts) else np.zeros(0, dtype=bool)
        # belts lie on Ukraine's land: say how many observations within a belt's reach of
        # the line were abroad or at sea, so that none is left out unsaid
        reach = float(zones.loc[belt, "width_km"].max()) if belt.any() else 0.0
        abroad = int(np.count_nonzero(
            in_window & kind & ~np.asarray(place, dtype=bool)
            & (inc.points["side"].to_numpy() == "outside")
            & (np.abs(inc.points["distance_km"].to_numpy(dtype=float)) <= reach)))
        if abroad:
            aside = (f"; {abroad} observation(s) of that class within {reach:g} km of the "
                     "line lie abroad or at sea, outside every belt, and are not counted")
    else:
        if classes and not inc.class_columns:
            return False, [d.isoformat() for d in days], [], \
                "the incident reports have no event type or weapon class column"
        if classes:
            kind = np.array([any(str(inc.points.iloc[i][col]).strip().casefold() in classes
                                 for col in inc.class_columns) for i in range(len(pts))],
                            dtype=bool)
        else:
            kind = armed(inc.points)
        if c.kind == "zone_clear":
            area = _area_of(zones, (zones["zone"] == p["zone"])
                            & zones["kind"].isin(["buffer", "site", "corridor"]))
            place = shapely.intersects(area, pts) if len(pts) else np.zeros(0, dtype=bool)
        else:
            if c.kind == "corridor_open":
                target = _area_of(zones, (zones["zone"] == p["corridor"])
                                  & (zones["kind"] == "corridor"))
                place = (shapely.dwithin(geo.project(pts, geo.CONFORMAL),
                                         geo.project(target, geo.CONFORMAL),
                                         p["within_km"] * 1e3)
                         if len(pts) else np.zeros(0, dtype=bool))
            else:  # on the ellipsoid, as the crossing's circle is drawn (geodesic_circle)
                x = next(x for x in terms.crossings if x["name"] == p["crossing"])
                place = (geo.geodesic_m(pts, shapely.Point(x["lon"], x["lat"]))
                         <= p["within_km"] * 1e3)
    here = kind & np.asarray(place, dtype=bool)
    hits = sorted((int(i) for i in np.flatnonzero(in_window & here)),
                  key=lambda i: (inc.dates[i], i))
    used.update(hits)
    evidence = [_incident_record(inc, i) for i in hits]
    seen = len(evidence) > p["max_incidents"]
    unknown = int(np.count_nonzero(undated & here))
    uncertain = sum(r["uncertain"] for r in evidence)
    detail = (f"{len(evidence)} incident(s) ({uncertain} with an uncertain location), at most "
              f"{p['max_incidents']} allowed")
    if unknown and not seen and len(evidence) + unknown > p["max_incidents"]:
        # any day of the window may be the day of those rows: none is certain
        missing = [d.isoformat() for d in days]
        detail += (f"; {unknown} incident(s) without a readable date lie here and would "
                   "exceed the limit on any day of the window: no day is certain")
    elif unknown:
        detail += f"; {unknown} incident(s) without a readable date lie here (not counted)"
    if missing:
        detail += f"; {len(missing)} day(s) not covered by incident reports"
    return seen, missing, evidence, detail + aside


def verify_agreement(agreement: Terms | str | Path, snapshots, incidents=None, *,
                     as_of=None, incidents_cover=None,
                     progress: Callable[[int, int], None] | None = None) -> Verification:
    """Verify an agreement's phases and conditions as of a date.

    See the module docstring for the statuses and which days need data.

    Parameters
    ----------
    agreement : Terms, str or Path
        The agreement, or its TOML file (:func:`loc.read_agreement`).
    snapshots : str, Path, Snapshot or a list of them
        The monitored series: a folder, a store, files or snapshots (:func:`loc.read_series`);
        only the dates of phases up to ``as_of`` are read.
    incidents : str, Path or geopandas.GeoDataFrame, optional
        Incident reports (:func:`loc.read_incidents`) with a date column (``event_date`` or
        ``date``) and, for ``withdrawn``, a ``weapon_class`` column.
    as_of : str or datetime.date, optional
        The date verified; default the series' last date.
    incidents_cover : (date, date), optional
        The first and last day the incident reports cover; default their first and last
        event dates.
    progress : callable, optional
        Called as ``progress(checked, days)`` after each snapshot is checked against the
        freeze (``days``: the snapshots from entry into force to ``as_of``, at most that
        many are checked).

    Returns
    -------
    Verification
        A verdict per phase and condition, with the evidence.

    Raises
    ------
    LocError
        One line: an invalid agreement, a freeze that cannot be read or does not match its
        ``freeze_sha256``, an empty series, incidents without dates.
    """
    terms = agreement if isinstance(agreement, Terms) else read_agreement(agreement)
    cover = None
    if incidents_cover is not None:
        if not isinstance(incidents_cover, (list, tuple)) or len(incidents_cover) != 2:
            raise TypeError("incidents_cover is (first day, last day)")
        cover = (parse_date(incidents_cover[0]), parse_date(incidents_cover[1]))
        if cover[0] > cover[1]:
            raise DateError(f"incidents cover {cover[0]}..{cover[1]}: the first day is after "
                            "the last")
    error: LocError | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = _verify(terms, snapshots, incidents, as_of, cover, progress)
        except LocError as exc:
            error = exc
    notes = _replay(caught)
    if error is not None:
        raise error
    result.notes = notes
    return result


def _replay(caught) -> list[str]:
    """Re-issue the warnings caught while verifying; the LocWarnings' texts, deduplicated."""
    notes = []
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        text = " ".join(str(w.message).split())
        if issubclass(w.category, LocWarning) and text not in notes:
            notes.append(text)
    return notes


def _verify(terms: Terms, snapshots, incidents, as_of, cover, progress) -> Verification:
    frozen = freeze(read_freeze(terms))
    items = series(snapshots)
    when = parse_date(as_of) if as_of is not None else items[-1][0]
    store = _Days([(d, x) for d, x in items if terms.in_force <= d <= when], frozen,
                  progress)
    zones = agreement_zones(terms, frozen)
    inc = _load_incidents(incidents, frozen, zones, cover, when)
    used: set[int] = set()
    geoms: dict = {}
    phases = []
    for phase in terms.phases:
        phases.append(_phase(phase, terms, when, store, inc, zones, used, geoms))
    breach_rows: dict[tuple[str, str], dict] = {}
    for ph in phases:
        for cv in ph.conditions:
            if cv.kind == "no_advance":
                for r in cv.evidence:
                    breach_rows.setdefault((r["id"], r["last_seen"]), r)
    keys = list(breach_rows)
    breaches = gpd.GeoDataFrame(pd.DataFrame([breach_rows[k] for k in keys],
                                             columns=["id", "advanced", "region", "km2",
                                                      "depth_km", "settlement", "population",
                                                      "first_seen", "last_seen", "standing"]),
                                geometry=[geoms[k] for k in keys], crs="OGC:CRS84")
    shown = None
    if inc is not None:
        shown = inc.points.iloc[sorted(used)].reset_index(drop=True)
        # the date as read (a source's own `date` column, as written, is replaced by it)
        shown = shown.drop(columns=["date"], errors="ignore")
        shown.insert(0, "date", [inc.dates[i].isoformat() for i in sorted(used)])
    read = [store.read[d] for d in sorted(store.read)]
    warn_repeated_snapshots(read, once=False)  # the report's notes hold every one
    return Verification(terms=terms, as_of=when, phases=phases, freeze=frozen, zones=zones,
                        breaches=breaches, incidents=shown, snapshots=read,
                        latest=read[-1] if read else frozen.snapshot,
                        incidents_cover=inc.cover if inc is not None else cover, notes=[])


def _phase(phase: Phase, terms: Terms, when: dt.date, store: _Days, inc: _Incidents | None,
           zones: gpd.GeoDataFrame, used: set[int], geoms: dict) -> PhaseVerdict:
    start = terms.day(phase.from_day)
    end = terms.day(phase.to_day) if phase.to_day is not None else None
    verdicts = []
    for c in phase.conditions:
        text = describe(c, terms)
        if when < start:
            verdicts.append(ConditionVerdict(c.kind, c.params, text, "pending",
                                             f"the phase starts on {start}"))
            continue
        last = min(end, when) if end is not None else when
        days = [start + dt.timedelta(days=i) for i in range((last - start).days + 1)]
        if c.kind == "no_advance":
            seen, missing, evidence, detail = _no_advance(c, days, store, geoms)
        else:
            seen, missing, evidence, detail = _incident_condition(c, days, inc, zones, terms,
                                                                  used)
        verdicts.append(ConditionVerdict(c.kind, c.params, text, _status(seen, missing),
                                         detail, evidence, missing))
    return PhaseVerdict(phase.name, start, end, phase_status([v.status for v in verdicts]),
                        verdicts)
