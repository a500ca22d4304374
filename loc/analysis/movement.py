"""Front movement: how far and where the line of contact moved between dates.

The earlier line is sampled every ``step_km`` (CONFORMAL CRS). For each sample the nearest
point of the later line is found in the CONFORMAL CRS and the distance between the two is
measured on the WGS 84 ellipsoid (:class:`pyproj.Geod`). The sign says which way the front
went: positive when the sample now lies inside the later Russian-held area (an advance into
land held by Ukraine), negative when it does not (a retreat). Samples within ``static_m`` of
the later line did not move.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from loc import checks
from loc import geo as lcrs
from loc.analysis.history import line_history
from loc.analysis.line import MIN_STEP_KM, contact_only, line_of_contact
from loc.errors import OptionError
from loc.io.inputs import read_items, series
from loc.model import Snapshot, earlier_first
from loc.reference.regions import regions_at, registry
from loc.reference.settlements import nearest
from loc.reference.settlements import table as settlements_table

STATIC_M = 50.0
"""Displacements under this (m) are 'did not move' (vertex noise between two drawings)."""


def _samples(line: gpd.GeoDataFrame,
             step_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points about every ``step_km`` along each piece (CONFORMAL CRS; at least one a
    piece, in the middle of equal parts), their piece numbers, and the km of line each
    stands for (the piece's geodesic ``length_km`` over its number of samples)."""
    pts, piece, weight = [], [], []
    for p, km, geom in zip(line["piece"], line["length_km"],
                           lcrs.project(line.geometry.values), strict=True):
        n = max(1, int(np.floor(geom.length / (step_km * 1e3))))
        d = (np.arange(n) + 0.5) * geom.length / n
        pts.append(shapely.line_interpolate_point(geom, d))
        piece.append(np.full(n, p))
        weight.append(np.full(n, float(km) / n))
    if not pts:
        return np.array([], dtype=object), np.array([], dtype=int), np.array([])
    return np.concatenate(pts), np.concatenate(piece), np.concatenate(weight)


def _axes(names: Iterable[str]) -> tuple[list[str], np.ndarray]:
    """Settlements named as sector axes: (names, CONFORMAL points)."""
    t = settlements_table()
    lower = t["name"].str.casefold()
    out_names, pts = [], []
    for name in names:
        hit = t[lower == str(name).strip().casefold()]
        if hit.empty:
            close = difflib.get_close_matches(str(name), sorted(set(t["name"])), n=3,
                                              cutoff=0.7)
            hint = f": did you mean {', '.join(close)}?" if close else ""
            raise OptionError(f"unknown settlement '{name}' for a sector axis{hint}")
        best = hit.sort_values("population", ascending=False).iloc[0]
        out_names.append(str(best["name"]))
        pts.append(shapely.Point(best["lon"], best["lat"]))
    return out_names, lcrs.project(np.array(pts, dtype=object))


def movement(a, b, step_km: float = 1.0, sectors: str | list[str] = "region",
             threshold_km: float = 0.5, static_m: float = STATIC_M) -> gpd.GeoDataFrame:
    """Displacement of the line of contact from snapshot ``a`` to the later ``b``.

    Parameters
    ----------
    a, b : Snapshot
        Earlier and later snapshot.
    step_km : float
        Sampling step along the earlier line (km, CONFORMAL CRS), 0.05 to 100.
    sectors : "region" or list of settlement names
        Sectors by region (Crimea with Sevastopol), or by named axes: each sample belongs to
        the nearest of these settlements.
    threshold_km : float
        Kept in ``attrs`` for :func:`sector_summary` (front that moved more than this).
    static_m : float
        Displacements under this many metres are set to 0 (did not move).

    Returns
    -------
    geopandas.GeoDataFrame
        One lon/lat point per sample with ``piece``, ``length_km`` (the km of the earlier
        line the sample stands for: its piece's geodesic length over the piece's number of
        samples, so they add up to the line's length), ``distance_km`` (geodesic, ≥ 0),
        ``displacement_km`` (signed: + advance, − retreat), ``direction`` (``advance``,
        ``retreat``, ``static``), ``region``, ``sector``, ``settlement`` (nearest) and a
        ``to`` column holding the matched point of the later line (lon/lat, WKT). The
        ``attrs`` hold the dates, step and threshold.

    Examples
    --------
    >>> import loc
    >>> mv = loc.movement(loc.read(loc.sample_paths()[1]), loc.sample())
    >>> sorted(set(mv["direction"]))
    ['advance', 'retreat', 'static']
    """
    for name, snap in (("a", a), ("b", b)):
        if not isinstance(snap, Snapshot):
            raise TypeError(f"movement needs two Snapshots: {name} is {type(snap).__name__}")
    earlier_first(a, b, "measure movement")
    checks.number(step_km, "step_km", lo=MIN_STEP_KM, hi=100)
    checks.number(threshold_km, "threshold_km", lo=0)
    checks.number(static_m, "static_m", lo=0)
    la, lb = contact_only(line_of_contact(a)), contact_only(line_of_contact(b))
    pts_m, piece, weight = _samples(la, step_km)
    cols = ["piece", "length_km", "distance_km", "displacement_km", "direction", "region",
            "sector", "settlement", "to"]
    if len(pts_m) == 0 or lb.empty:
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry",
                                crs="OGC:CRS84")
    line_b = lcrs.project(shapely.union_all(lb.geometry.values))
    near_m = shapely.get_point(shapely.shortest_line(pts_m, line_b), 1)
    p_ll = lcrs.unproject(pts_m)
    q_ll = lcrs.unproject(near_m)
    pc, qc = shapely.get_coordinates(p_ll), shapely.get_coordinates(q_ll)
    _, _, dist_m = lcrs.GEOD.inv(pc[:, 0], pc[:, 1], qc[:, 0], qc[:, 1])
    dist_m = np.where(dist_m < static_m, 0.0, dist_m)
    ru_b = b.side("ru")
    shapely.prepare(ru_b)
    inside = shapely.contains_xy(ru_b, pc[:, 0], pc[:, 1])
    signed = np.where(inside, dist_m, -dist_m) / 1e3 + 0.0  # + 0.0 turns -0.0 into 0.0
    direction = np.where(dist_m == 0, "static", np.where(inside, "advance", "retreat"))
    regions = registry()["group"].to_numpy()[regions_at(p_ll)]
    if isinstance(sectors, str):
        if sectors != "region":
            raise OptionError("sectors must be 'region' or a list of settlement names")
        sector = regions
    else:
        if isinstance(sectors, dict) or not isinstance(sectors, Iterable):
            raise TypeError("sectors must be 'region' or a list of settlement names, not "
                            f"{type(sectors).__name__}")
        names, axes_m = _axes(sectors)
        if not names:
            raise OptionError("sectors: give 'region' or one settlement name or more")
        sector = np.array(names, dtype=object)[shapely.STRtree(axes_m).nearest(pts_m)]
    near_sett = nearest(p_ll)["name"].to_numpy()
    gdf = gpd.GeoDataFrame({
        "piece": piece, "length_km": weight, "distance_km": dist_m / 1e3,
        "displacement_km": signed,
        "direction": direction, "region": regions, "sector": sector,
        "settlement": near_sett, "to": shapely.to_wkt(q_ll, rounding_precision=6),
    }, geometry=p_ll, crs="OGC:CRS84")
    gdf.attrs.update({"from": a.label, "to": b.label, "step_km": step_km,
                      "threshold_km": threshold_km})
    return gdf


def sector_summary(mv: gpd.GeoDataFrame, threshold_km: float | None = None) -> pd.DataFrame:
    """Per sector: km of front, mean (weighted by the km of line each sample stands for)
    and max advance, and the front cut four ways: km that advanced more than the
    threshold, km that retreated more than it, km that moved less than it either way, km
    that did not move (under ``static_m``); deepest advance first. The four add up to
    ``front_km``, and the fronts to the geodesic length of the earlier line's contact
    pieces, whatever the step; a sector's share is placed by its samples, so it is right to
    within about one step at each end of the sector.

    Parameters
    ----------
    mv : geopandas.GeoDataFrame
        Samples from :func:`movement`.
    threshold_km : float, optional
        Movement that counts as moved (default: the one recorded in ``mv.attrs``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sector``: ``front_km``, ``mean_advance_km``, ``max_advance_km``,
        ``moved_km``, ``retreat_km``, ``minor_km``, ``static_km``, ``deepest_near``.

    Examples
    --------
    >>> import loc
    >>> s = loc.sector_summary(loc.movement(loc.read(loc.sample_paths()[1]), loc.sample()))
    >>> cut = s[["moved_km", "retreat_km", "minor_km", "static_km"]].sum(axis=1)
    >>> bool(((cut - s["front_km"]).abs() < 1e-6).all())
    True
    """
    checks.frame(mv, "movement samples", ("sector", "displacement_km", "length_km",
                                          "direction", "settlement"))
    threshold = checks.number(
        mv.attrs.get("threshold_km", 0.5) if threshold_km is None else threshold_km,
        "threshold_km", lo=0)
    rows = []
    for sector, g in mv.groupby("sector", sort=True):
        d = g["displacement_km"]
        km = g["length_km"].to_numpy(dtype=float)  # each sample's km of line
        deepest = g.loc[d.idxmax()] if len(g) else None
        rows.append({
            "sector": sector, "front_km": float(km.sum()),
            "mean_advance_km": float(np.average(d, weights=km)),
            "max_advance_km": float(d.max()),
            "moved_km": float(km[(d > threshold).to_numpy()].sum()),
            "retreat_km": float(km[(d < -threshold).to_numpy()].sum()),
            "minor_km": float(km[((d.abs() <= threshold) & (g["direction"] != "static"))
                                 .to_numpy()].sum()),
            "static_km": float(km[(g["direction"] == "static").to_numpy()].sum()),
            "deepest_near": deepest["settlement"] if deepest is not None else "",
        })
    df = pd.DataFrame(rows).set_index("sector") if rows else pd.DataFrame()
    return df.sort_values("max_advance_km", ascending=False) if len(df) else df


def movement_series(snapshots, period: str = "month", step_km: float = 1.0,
                    sectors: str | list[str] = "region", *, since=None,
                    until=None) -> pd.DataFrame:
    """Advance per period and sector over a series of snapshots.

    The first snapshot of each period (``week`` or ``month``) is compared with the first of
    the next (and the last snapshot closes the series). Only the snapshots used are read,
    and their lines of contact are computed once each, one after the other with
    :func:`loc.line_history` (only what changed since the previous one is recomputed).

    Parameters
    ----------
    snapshots : folder, store, or iterable of paths or Snapshots
        The series (see :func:`loc.read_series`).
    period : {"week", "month"}
        The period.
    step_km : float
        Sampling step along the earlier line (km).
    sectors : "region" or list of settlement names
        See :func:`movement`.
    since, until : str or datetime.date, optional
        First and last date.

    Returns
    -------
    pandas.DataFrame
        One row per period and sector: ``start``, ``end``, ``days``, ``sector``, the
        :func:`sector_summary` figures ``front_km``, ``mean_advance_km``,
        ``max_advance_km``, ``moved_km``, ``retreat_km``, ``minor_km``, ``static_km``, and
        ``km_per_day`` (mean advance per day).

    Examples
    --------
    >>> import loc
    >>> ms = loc.movement_series(loc.sample_paths(), period="month")
    >>> list(ms.columns[:4])
    ['start', 'end', 'days', 'sector']
    """
    checks.choice(period, "period", ("week", "month"))
    dated = series(snapshots, since=since, until=until)
    if len(dated) < 2:
        raise OptionError("a movement series needs at least two dated snapshots")
    picked, seen = [], set()
    for when, s in dated:
        key = (when.isocalendar()[0], when.isocalendar()[1]) if period == "week" else (
            when.year, when.month)
        if key not in seen:
            seen.add(key)
            picked.append(s)
    if picked[-1] is not dated[-1][1]:
        picked.append(dated[-1][1])
    firsts = read_items(picked)
    line_history(firsts)  # each snapshot remembers its line: movement() finds it there
    rows = []
    for a, b in zip(firsts[:-1], firsts[1:], strict=True):
        assert a.date is not None and b.date is not None  # a series is dated
        summary = sector_summary(movement(a, b, step_km=step_km, sectors=sectors))
        days = (b.date - a.date).days
        for sector, r in summary.iterrows():
            rows.append({"start": a.date, "end": b.date, "days": days, "sector": sector,
                         **{c: r[c] for c in SERIES_FIGURES},
                         "km_per_day": r["mean_advance_km"] / max(days, 1)})
    return pd.DataFrame(rows, columns=["start", "end", "days", "sector", *SERIES_FIGURES,
                                       "km_per_day"])


SERIES_FIGURES = ("front_km", "mean_advance_km", "max_advance_km", "moved_km", "retreat_km",
                  "minor_km", "static_km")
""":func:`sector_summary` columns a movement series keeps per period and sector."""
